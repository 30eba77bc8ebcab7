package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/kernel"
)

// engine adapts an interp.Session to kernel.Engine: the only place where
// the protocol's vocabulary meets the interpreter's.
type engine struct {
	sess *interp.Session
	// cells counts Execute calls, naming cells In[n] in errors. It follows
	// the kernel's execution_count for stored cells, which is what users see.
	cells int
}

func (e *engine) Info() kernel.LanguageInfo {
	return kernel.LanguageInfo{
		Name:           "go",
		Version:        runtime.Version()[2:],
		MIMEType:       "text/x-go",
		FileExtension:  ".go",
		PygmentsLexer:  "go",
		CodeMirrorMode: "go",
		Banner: fmt.Sprintf("gomp %s: Go cells interpreted by yaegi (%s), with process-parallel cells through import \"mp\"",
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
	v, err := e.sess.Execute(ctx, code, interp.IO{
		Name:   fmt.Sprintf("In[%d]", e.cells),
		Stdout: cell.Stdout(),
		Stderr: cell.Stderr(),
		Input:  cell.Input,
	})
	if err != nil {
		return nil, execError(err)
	}
	if !v.IsValid() {
		return nil, nil
	}
	return &kernel.Result{Data: kernel.MIMEBundle{"text/plain": v.Text}}, nil
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

func (e *engine) Complete(code string, cursor int) kernel.Completion {
	matches, start, end := e.sess.Complete(code, cursor)
	return kernel.Completion{Matches: matches, CursorStart: start, CursorEnd: end, Metadata: map[string]any{}}
}

func (e *engine) Inspect(code string, cursor, detail int) (kernel.MIMEBundle, bool) {
	text, found := e.sess.Inspect(code, cursor)
	if !found {
		return nil, false
	}
	return kernel.MIMEBundle{"text/plain": text}, true
}
