package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"unicode/utf8"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/kernel"
	"github.com/gomp-kernel/gomp/mp"
)

// engine adapts an interp.Session to kernel.Engine: the only place where
// the protocol's vocabulary meets the interpreter's.
type engine struct {
	sess *interp.Session
	// cells counts Execute calls, naming cells In[n] in errors. It follows
	// the kernel's execution_count for stored cells, which is what users see.
	cells int
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
		Banner: fmt.Sprintf("gomp %s: Go cells interpreted by yaegi (%s), with process-parallel cells through import \"mp\" "+
			"and rich output through \"display\" and \"chart\"; ?name shows documentation",
			Version, runtime.Version()),
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
	e.cells++
	if e.notice != "" {
		io.WriteString(cell.Stderr(), e.notice)
		e.notice = ""
	}
	if name, ok := interp.HelpRequest(code); ok {
		return e.help(name)
	}
	v, err := e.sess.Execute(ctx, code, interp.IO{
		Name:    fmt.Sprintf("In[%d]", e.cells),
		Stdout:  cell.Stdout(),
		Stderr:  cell.Stderr(),
		Input:   cell.Input,
		Display: func(o display.Output) error { return publish(cell, o) },
	})
	if e.sess.Imports("mp") {
		// The notebook uses processes: have a worker ready for the next
		// Process.Start while the user reads and types.
		mp.Warm()
	}
	if err != nil {
		return nil, execError(err)
	}
	if !v.IsValid() {
		return nil, nil
	}
	return &kernel.Result{Data: kernel.MIMEBundle(v.Bundle())}, nil
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

// help shows what inspection knows about name in the pager.
func (e *engine) help(name string) (*kernel.Result, error) {
	page, found := e.Inspect(name, utf8.RuneCountInString(name), 1)
	if !found {
		msg := fmt.Sprintf("no documentation found for %s: it is not declared in the notebook, imported, or a member of a package cells can import", name)
		return nil, &kernel.ExecError{Name: "HelpError", Value: msg, Traceback: []string{"HelpError: " + msg}}
	}
	return &kernel.Result{Page: page}, nil
}

// execError turns the interpreter's error into what the frontend shows.
func execError(err error) error {
	var ce *interp.CellError
	if !errors.As(err, &ce) {
		return &kernel.ExecError{Name: "error", Value: err.Error(), Traceback: []string{err.Error()}}
	}
	ee := &kernel.ExecError{Name: ce.Name, Value: ce.Value, Traceback: ce.Traceback}
	if len(ee.Traceback) == 0 {
		ee.Traceback = []string{ce.Name + ": " + ce.Value}
	}
	if errors.Is(err, interp.ErrInterrupted) {
		return interruptedError{ee}
	}
	return ee
}

// interruptedError is an ExecError that also satisfies
// errors.Is(err, kernel.ErrInterrupted).
type interruptedError struct{ *kernel.ExecError }

func (e interruptedError) Unwrap() []error { return []error{e.ExecError, kernel.ErrInterrupted} }

func (e *engine) IsComplete(code string) (string, string) { return e.sess.IsComplete(code) }

// Complete answers complete_request. The metadata's
// _jupyter_types_experimental (as IPython sends it, one entry per match in
// the same order) gives JupyterLab's completer each match's kind and
// signature.
func (e *engine) Complete(code string, cursor int) kernel.Completion {
	comps, start, end := e.sess.Complete(code, cursor)
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
	h, found := e.sess.Inspect(code, cursor, detail)
	if !found {
		return nil, false
	}
	return kernel.MIMEBundle{"text/plain": h.Text, "text/markdown": h.Markdown}, true
}
