package front

import (
	"errors"

	"github.com/gomp-kernel/gomp/interp"
)

// Error is a failed cell as a frontend shows it (an error output, or the
// error fields of execute_reply).
type Error struct {
	Name      string   // ename: "CompileError", "panic", "exit", "error", "interrupt", ...
	Value     string   // evalue, naming the cell and position
	Traceback []string // the lines shown, innermost frame first
	// Interrupted is set when the cell ended because its ctx was done
	// (an interrupt, or a front's time limit).
	Interrupted bool
}

// Error returns "Name: Value".
func (e *Error) Error() string { return e.Name + ": " + e.Value }

// cellError maps an error from the session to what a frontend shows.
func cellError(err error) *Error {
	var ce *interp.CellError
	if !errors.As(err, &ce) {
		return &Error{Name: "error", Value: err.Error(), Traceback: []string{err.Error()}}
	}
	e := &Error{Name: ce.Name, Value: ce.Value, Traceback: ce.Traceback, Interrupted: errors.Is(err, interp.ErrInterrupted)}
	if len(e.Traceback) == 0 {
		e.Traceback = []string{ce.Name + ": " + ce.Value}
	}
	return e
}
