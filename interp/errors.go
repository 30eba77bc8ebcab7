package interp

import (
	"errors"
	"fmt"
	"go/scanner"
	"regexp"
	"strconv"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
)

// CellError is a failed cell as the user should see it.
//
// Name is "CompileError" (syntax and type errors, unavailable imports),
// "panic" (Value is the panic value formatted with %v, Traceback the
// interpreted stack in cell coordinates), "exit" (os.Exit or log.Fatal*;
// Value "exit status N"), "error" (a trailing call returned a non-nil error
// as its last result, or the interpreter failed at run time) or "interrupt"
// (the cell's ctx was done; errors.Is(err, ErrInterrupted) holds).
type CellError struct {
	Name, Value string
	// Traceback is what a frontend shows, one entry per line or frame.
	Traceback []string
	// Line and Col locate the error in the cell that caused it (1-based),
	// or are 0 when unknown. The cell is named in Value and Traceback.
	Line, Col int
	err       error
}

// Error returns "Name: Value".
func (e *CellError) Error() string { return e.Name + ": " + e.Value }

// Unwrap returns ErrInterrupted for interrupts and nil otherwise.
func (e *CellError) Unwrap() error { return e.err }

func interrupted() *CellError {
	return &CellError{Name: "interrupt", Value: "interrupted", Traceback: []string{"interrupt: the cell was interrupted"}, err: ErrInterrupted}
}

// posRE matches a position as yaegi and go/scanner print it.
var posRE = regexp.MustCompile(`^(.*?)` + regexp.QuoteMeta(fileSuffix) + `:(\d+):(\d+): ?(.*)$`)

// clean drops the file-name suffix that every position carries.
func clean(msg string) string {
	return strings.ReplaceAll(msg, fileSuffix+":", ":")
}

// compileError turns a parse or compile error into a *CellError.
func compileError(err error) error {
	var ce *CellError
	if errors.As(err, &ce) {
		return ce
	}
	e := &CellError{Name: "CompileError"}
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		for i, le := range list {
			if i == 10 {
				e.Traceback = append(e.Traceback, fmt.Sprintf("(and %d more errors)", len(list)-10))
				break
			}
			e.Traceback = append(e.Traceback, clean(le.Error()))
		}
		e.Value = e.Traceback[0]
		e.Line, e.Col = list[0].Pos.Line, list[0].Pos.Column
		return e
	}
	msg := err.Error()
	if m := posRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[2])
		e.Col, _ = strconv.Atoi(m[3])
	}
	e.Value = clean(msg)
	e.Traceback = []string{e.Value}
	return e
}

var exitRE = regexp.MustCompile(`^os\.Exit\((-?\d+)\)$`)

// runtimeError turns an error from running a cell into a *CellError;
// trace holds yaegi's "POS: panic: FUNC(...)" lines, innermost first.
func runtimeError(err error, trace []string) error {
	var p yaegi.Panic
	if !errors.As(err, &p) {
		msg := clean(err.Error())
		return &CellError{Name: "error", Value: msg, Traceback: []string{msg}}
	}
	if s, ok := p.Value.(string); ok {
		if m := exitRE.FindStringSubmatch(s); m != nil {
			v := "exit status " + m[1]
			return &CellError{Name: "exit", Value: v, Traceback: []string{v}}
		}
	}
	e := &CellError{Name: "panic", Value: fmt.Sprint(p.Value)}
	e.Traceback = append([]string{"panic: " + e.Value, ""}, frames(trace)...)
	for _, line := range trace {
		if m := posRE.FindStringSubmatch(line); m != nil {
			e.Line, _ = strconv.Atoi(m[2])
			e.Col, _ = strconv.Atoi(m[3])
			break
		}
	}
	return e
}

// frames formats yaegi's panic lines as Go prints frames: "main.f(...)"
// then a tab and the position, innermost first. yaegi places each frame
// at the first statement of its function; a cell's own frame, "(cell)",
// at the statement that was running.
func frames(trace []string) []string {
	var out []string
	for _, line := range trace {
		m := posRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fn := strings.TrimPrefix(m[4], "panic: ")
		if fn == "main(...)" {
			fn = "(cell)"
		}
		out = append(out, fn+"\n\t"+m[1]+":"+m[2]+":"+m[3])
	}
	return out
}

// Traceback returns the interpreted stack of the panic that just ended a
// call into notebook code made outside Execute, such as mp's worker calling
// a Func (it implements mp.Tracer): one frame per line pair, innermost
// first. It consumes the frames collected since the previous call.
func (s *Session) Traceback(recovered any) string {
	if e, ok := recovered.(*RecursionError); ok {
		return e.frame()
	}
	t := s.current().trace
	lines := t.lines()
	t.reset()
	return strings.Join(frames(lines), "\n")
}

// panicLineRE matches the line yaegi prints to its stderr for each
// interpreted frame a panic unwinds.
var panicLineRE = regexp.MustCompile(`^(\S.*:\d+:\d+|-): panic: \S*\(\.\.\.\)\n?$`)

// traceBuffer collects yaegi's panic lines for one cell.
type traceBuffer struct {
	mu sync.Mutex
	l  []string
}

func (t *traceBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.l) < 100 {
		t.l = append(t.l, strings.TrimRight(line, "\n"))
	}
}

func (t *traceBuffer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.l = nil
}

func (t *traceBuffer) lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.l...)
}
