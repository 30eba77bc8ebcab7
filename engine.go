package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/interp/stdlib"
	"github.com/gomp-kernel/gomp/kernel"
	"github.com/gomp-kernel/gomp/supervise"
	"github.com/gomp-kernel/gomp/widgets"
)

// yaegiVersion is the version of yaegi this binary was built with, from
// its build information.
func yaegiVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/traefik/yaegi" {
				return m.Version
			}
		}
	}
	return "(unknown version)"
}

// engine adapts a supervised notebook (the interpreter in its own
// process, see supervise) to kernel.Engine: the only place where the
// protocol's vocabulary meets the interpreter's.
type engine struct {
	nb *supervise.Notebook
	// notice is shown on the stderr of the next cell, once: a previous
	// kernel process's crash (crashNotice).
	notice string
}

func (e *engine) Info() kernel.LanguageInfo {
	return kernel.LanguageInfo{
		Name:           "go",
		Version:        runtime.Version()[2:],
		MIMEType:       "text/x-go",
		FileExtension:  ".go",
		PygmentsLexer:  "go",
		CodeMirrorMode: "go",
		Banner: fmt.Sprintf("gomp %s: Go cells type-checked by go/types and interpreted by yaegi %s, with the standard library of %s "+
			"(generics of slices, maps and cmp from yaegi's Go 1.22 source; gomp built with %s), process-parallel cells through import \"mp\", "+
			"rich output through \"display\", \"chart\" and \"widgets\", checks through \"check\"; ?name shows documentation",
			Version, yaegiVersion(), stdlib.Release, runtime.Version()),
		HelpLinks: []kernel.HelpLink{
			{Text: "Go documentation", URL: "https://go.dev/doc/"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "yaegi", URL: "https://github.com/traefik/yaegi"},
		},
		Implementation: "gomp",
		ImplVersion:    Version,
	}
}

func (e *engine) Execute(ctx context.Context, code string, cell kernel.Cell) (*kernel.Result, error) {
	if e.notice != "" {
		io.WriteString(cell.Stderr(), e.notice)
		e.notice = ""
	}
	o := e.nb.Execute(ctx, front.Cell{Count: cell.ExecutionCount(), Code: code, IO: cellIO(cell), Comm: commSender(cell)})
	switch {
	case o.Err != nil:
		return nil, execError(o.Err)
	case o.Page != nil:
		return &kernel.Result{Page: kernel.MIMEBundle(o.Page)}, nil
	case o.Value != nil:
		return &kernel.Result{Data: kernel.MIMEBundle(o.Value)}, nil
	}
	return nil, nil
}

// input asks the frontend for a line; an interrupt while waiting is
// interp's, which the supervisor carries to the interpreter.
func input(cell kernel.Cell, prompt string, password bool) (string, error) {
	line, err := cell.Input(prompt, password)
	if errors.Is(err, kernel.ErrInterrupted) {
		return "", interp.ErrInterrupted
	}
	return line, err
}

// Comm hands a frontend's comm message to the widgets in the interpreter
// process (kernel.Comms), whose callbacks run as cells do.
func (e *engine) Comm(ctx context.Context, m kernel.CommMessage, cell kernel.Cell) error {
	io := cellIO(cell)
	io.Input = nil
	err := e.nb.Comm(ctx, widgets.Message(m), front.Cell{Count: cell.ExecutionCount(), IO: io, Comm: commSender(cell)})
	if errors.Is(err, widgets.ErrUnknownTarget) {
		return unknownTarget{err}
	}
	return err
}

// unknownTarget is the widgets' refusal of a comm target, in the kernel's
// terms too: errors.Is(err, kernel.ErrUnknownTarget) holds.
type unknownTarget struct{ error }

func (e unknownTarget) Unwrap() []error { return []error{e.error, kernel.ErrUnknownTarget} }

// cellIO is where a cell's output goes in interp's terms.
func cellIO(cell kernel.Cell) interp.IO {
	return interp.IO{
		Stdout:  cell.Stdout(),
		Stderr:  cell.Stderr(),
		Input:   func(prompt string, password bool) (string, error) { return input(cell, prompt, password) },
		Display: func(o display.Output) error { return publish(cell, o) },
	}
}

// commSender sends widgets' comm messages through cell.
func commSender(cell kernel.Cell) func(widgets.Message) error {
	return func(m widgets.Message) error { return cell.Comm(kernel.CommMessage(m)) }
}

// publish turns a display action into the cell's display_data,
// update_display_data or clear_output.
func publish(cell kernel.Cell, o display.Output) error {
	switch o.Kind {
	case display.KindClear:
		return cell.ClearOutput(o.Wait)
	case display.KindDisplay, display.KindUpdate:
		return cell.Display(kernel.Display{
			Data: kernel.MIMEBundle(o.Data), Metadata: o.Metadata, ID: o.ID, Update: o.Kind == display.KindUpdate,
		})
	}
	return fmt.Errorf("display: unknown kind %d", o.Kind)
}

// execError is a failed cell in the protocol's terms.
func execError(fe *front.Error) error {
	ee := &kernel.ExecError{Name: fe.Name, Value: fe.Value, Traceback: fe.Traceback}
	if fe.Interrupted {
		return interruptedError{ee}
	}
	return ee
}

// interruptedError is an ExecError that also satisfies
// errors.Is(err, kernel.ErrInterrupted).
type interruptedError struct{ *kernel.ExecError }

func (e interruptedError) Unwrap() []error { return []error{e.ExecError, kernel.ErrInterrupted} }

func (e *engine) IsComplete(code string) (string, string) { return e.nb.IsComplete(code) }

// Complete answers complete_request. The metadata's
// _jupyter_types_experimental (as IPython sends it, one entry per match in
// the same order) gives JupyterLab's completer each match's kind and
// signature.
func (e *engine) Complete(code string, cursor int) kernel.Completion {
	comps, start, end := e.nb.Complete(code, cursor)
	matches := make([]string, len(comps))
	types := make([]map[string]any, len(comps))
	for i, c := range comps {
		matches[i] = c.Text
		types[i] = map[string]any{"start": start, "end": end, "text": c.Text, "type": c.Kind, "signature": c.Signature}
	}
	return kernel.Completion{Matches: matches, CursorStart: start, CursorEnd: end,
		Metadata: map[string]any{"_jupyter_types_experimental": types}}
}

// Inspect answers inspect_request with the declaration and doc comment
// as text/plain and text/markdown.
func (e *engine) Inspect(code string, cursor, detail int) (kernel.MIMEBundle, bool) {
	h, found := e.nb.Inspect(code, cursor, detail)
	if !found {
		return nil, false
	}
	return kernel.MIMEBundle(front.HelpBundle(h)), true
}
