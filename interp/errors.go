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
	failure   failure // the kind of run-time error a panic is
	// failLine and failCol locate the failed expression when yaegi's
	// message does (type assertions), for explain.
	failLine, failCol int
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
	return unrenameMain(strings.ReplaceAll(msg, fileSuffix+":", ":"))
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

// staticTypeRE matches yaegi's error for the probe of staticType, which
// names the static type of the value assigned.
var staticTypeRE = regexp.MustCompile(`cannot use type (.+) as type \[0\]struct ?\{\} in assignment$`)

// untypedRE matches the same error for an untyped constant.
var untypedRE = regexp.MustCompile(`cannot convert untyped (\w+) to \[0\]struct ?\{\}$`)

// untypedDefaults are the types Go gives untyped constants in a :=, as
// yaegi names them.
var untypedDefaults = map[string]string{
	"int": "int", "float": "float64", "rune": "int32", "string": "string", "complex": "complex128", "bool": "bool",
}

// staticTypeOf returns the type named by err, the error of staticType's
// probe (for an untyped constant, its default type), and false when err
// does not name one.
func staticTypeOf(err error) (string, bool) {
	var ce *CellError
	if !errors.As(err, &ce) {
		return "", false
	}
	if m := staticTypeRE.FindStringSubmatch(ce.Value); m != nil {
		return m[1], true
	}
	if m := untypedRE.FindStringSubmatch(ce.Value); m != nil {
		t, ok := untypedDefaults[m[1]]
		return t, ok
	}
	return "", false
}

// This file reads yaegi's error texts, v0.16.1's wording, in one place
// (TestYaegiQuirks pins them): positions (posRE), static types
// (staticTypeOf), os.Exit's panic (exitRE), run-time panics
// (goPanicText), panic frames (panicLineRE), and the two below.

// isDefinitionLoop reports yaegi's "constant definition loop", which it
// gives for the missing builtins min, max and clear and sometimes for an
// undefined name (see undefinedName).
func isDefinitionLoop(err error) bool {
	return strings.Contains(err.Error(), "constant definition loop")
}

// resultCount reads how many results a call has from yaegi's error for
// an assignment of it to too many names ("assignment mismatch: 16
// variables but f() returns 2 values").
func resultCount(err error) (int, bool) {
	msg := err.Error()
	if !strings.Contains(msg, "assignment mismatch") {
		return 0, false
	}
	_, after, found := strings.Cut(msg, " returns ")
	if !found {
		return 0, false
	}
	var n int
	if _, err := fmt.Sscanf(after, "%d", &n); err != nil {
		return 0, false
	}
	return n, true
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
	if n, ok := p.Value.(namedFailure); ok {
		return namedError(n, trace)
	}
	text, kind := goPanicText(p.Value)
	e := &CellError{Name: "panic", Value: text, failure: kind}
	if m := posRE.FindStringSubmatch(fmt.Sprint(p.Value)); m != nil {
		e.failLine, _ = strconv.Atoi(m[2])
		e.failCol, _ = strconv.Atoi(m[3])
	}
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

// namedFailure is a panic value that says what failed without a stack
// trace, such as a failed check (check.Failure): the cell's error is named
// CellErrorName, its message is Error's.
type namedFailure interface {
	error
	CellErrorName() string
}

// namedError is the cell error for a namedFailure: Error's text with the
// position of the cell's own frame (the statement of the cell that made
// the call, outermost in trace) appended to its first line.
func namedError(n namedFailure, trace []string) *CellError {
	e := &CellError{Name: n.CellErrorName(), Value: n.Error()}
	at := ""
	for _, line := range trace {
		if m := posRE.FindStringSubmatch(line); m != nil {
			at = m[1] + ":" + m[2]
			e.Line, _ = strconv.Atoi(m[2])
			e.Col, _ = strconv.Atoi(m[3])
		}
	}
	if at != "" {
		first, rest, _ := strings.Cut(e.Value, "\n")
		e.Value = first + " at " + at
		if rest != "" {
			e.Value += "\n" + rest
		}
	}
	e.Traceback = strings.Split(e.Name+": "+e.Value, "\n")
	return e
}

// failure is the kind of run-time error a panic is, for the ones whose
// Go message names operands (see Session.explain).
type failure int

const (
	otherFailure  failure = iota
	indexFailure          // index out of range
	sliceFailure          // slice bounds out of range
	assertFailure         // yaegi's "interface conversion: nil is not T"
)

// Go's own texts for run-time errors, as the runtime formats them.
const (
	goIndexText  = "runtime error: index out of range"
	goSliceText  = "runtime error: slice bounds out of range"
	goNilText    = "runtime error: invalid memory address or nil pointer dereference"
	goAssertText = "interface conversion: "
)

// yaegiRuntimeTexts maps the panics yaegi (through reflect) raises for
// Go's run-time errors to the text Go prints for them.
var yaegiRuntimeTexts = map[string]struct {
	text string
	kind failure
}{
	"reflect: slice index out of range":                         {goIndexText, indexFailure},
	"reflect: array index out of range":                         {goIndexText, indexFailure},
	"reflect: string index out of range":                        {goIndexText, indexFailure},
	"reflect.Value.Slice: slice index out of bounds":            {goSliceText, sliceFailure},
	"reflect.Value.Slice: string slice index out of bounds":     {goSliceText, sliceFailure},
	"reflect.Value.Slice3: slice index out of bounds":           {goSliceText, sliceFailure},
	"reflect.Value.Call: call of nil function":                  {goNilText, otherFailure},
	"reflect: Method on nil interface value":                    {goNilText, otherFailure},
	"reflect: call of reflect.Value.Field on zero Value":        {goNilText, otherFailure},
	"reflect: call of reflect.Value.FieldByIndex on zero Value": {goNilText, otherFailure},
	"reflect: call of reflect.Value.Set on zero Value":          {goNilText, otherFailure},
	"reflect: call of reflect.Value.Elem on zero Value":         {goNilText, otherFailure},
}

// assertNoMethodRE matches yaegi's message for a notebook value that
// lacks a method of a notebook interface, which does not say which.
var assertNoMethodRE = regexp.MustCompile(`^interface conversion: (\*?main\.\w+) is not main\.(\w+)$`)

// goPanicText returns the message Go prints (after "panic: ") for the
// panic value v that interpreted code raised, and what kind of failure
// it is. yaegi raises some of Go's run-time errors as reflect's panics
// and prefixes its own with a position in gomp's internal file names;
// every other value reads as fmt.Sprint(v), as Go prints it.
func goPanicText(v any) (string, failure) {
	msg := fmt.Sprint(v)
	if t, ok := yaegiRuntimeTexts[msg]; ok {
		return t.text, t.kind
	}
	if m := posRE.FindStringSubmatch(msg); m != nil && strings.HasPrefix(m[4], goAssertText) {
		msg = m[4]
		if t, ok := strings.CutPrefix(msg, goAssertText+"nil is not "); ok {
			// yaegi says nil for any value it did not box itself;
			// explain names the value's type when it can.
			return goAssertText + "value is not " + t, assertFailure
		}
		if assertNoMethodRE.MatchString(msg) {
			// explain adds the missing method Go names.
			return msg, assertFailure
		}
	}
	return msg, otherFailure
}

// nilDerefError is the panic of a nil pointer dereference at
// cell:line:col, for the places where yaegi raises none.
func nilDerefError(cell string, line, col int) *CellError {
	return &CellError{
		Name: "panic", Value: goNilText, Line: line, Col: col,
		Traceback: []string{"panic: " + goNilText, "", fmt.Sprintf("(cell)\n\t%s:%d:%d", cell, line, col)},
	}
}

// indexText is Go's message for index i out of range of a length n.
func indexText(i, n int64) string {
	if i < 0 {
		return fmt.Sprintf("%s [%d]", goIndexText, i)
	}
	return fmt.Sprintf("%s [%d] with length %d", goIndexText, i, n)
}

// sliceText is Go's message for a slice expression x[lo:hi] (or
// x[lo:hi:max] when three) out of range, checked in Go's order; limit is
// the capacity of a slice or the length of an array or string, named by
// what. It returns "" when the bounds are in range.
func sliceText(lo, hi, max, limit int64, three bool, what string) string {
	f := func(format string, a ...any) string { return goSliceText + " " + fmt.Sprintf(format, a...) }
	if three {
		switch {
		case max > limit:
			return f("[::%d] with %s %d", max, what, limit)
		case max < 0:
			return f("[::%d]", max)
		case hi > max:
			return f("[:%d:%d]", hi, max)
		case hi < 0:
			return f("[:%d:]", hi)
		case lo > hi:
			return f("[%d:%d:]", lo, hi)
		case lo < 0:
			return f("[%d::]", lo)
		}
		return ""
	}
	switch {
	case hi > limit:
		return f("[:%d] with %s %d", hi, what, limit)
	case hi < 0:
		return f("[:%d]", hi)
	case lo > hi:
		return f("[%d:%d]", lo, hi)
	case lo < 0:
		return f("[%d:]", lo)
	}
	return ""
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
		fn = unrenameMain(fn)
		out = append(out, fn+"\n\t"+m[1]+":"+m[2]+":"+m[3])
	}
	return out
}

// PanicText returns the message Go prints (after "panic: ") for a value
// recovered from a call into notebook code made outside Execute, such as
// mp's worker calling a Func: Go's wording for the run-time errors yaegi
// raises in its own (see goPanicText), without operands.
func (s *Session) PanicText(recovered any) string {
	text, _ := goPanicText(recovered)
	return text
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
