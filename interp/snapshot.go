package interp

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomp-kernel/gomp/mp"
)

// state is a notebook without its statements: what Snapshot encodes,
// Restore evaluates, and a rebuild carries from one interpreter to the next.
type state struct {
	Imports []importSpec `json:"imports"`
	Decls   []record     `json:"decls"`
	Vars    []global     `json:"vars"`
	// Skipped lists the globals whose values could not be carried, with the
	// reason; those with a Type in Vars are declared with their zero value.
	Skipped []skipped `json:"skipped,omitempty"`
	// Facts are the type checker's facts about the declarations, which
	// their lowerings need in a child that does not check (lower.go).
	Facts map[string]fact `json:"facts,omitempty"`
}

// global is one package-level variable: declared by var or by a top-level
// := of a cell.
type global struct {
	Name string `json:"name"`
	// Type is a Go type expression for the variable, "" when none could
	// be derived (then the var declaration's own text is evaluated).
	Type string `json:"type,omitempty"`
	// Value is encoded by mp's codec, as arguments are, with a
	// description of its type (mp.EncodeValue).
	Value []byte `json:"value,omitempty"`
	// Err is the message of a non-nil error held by an interface-typed
	// variable, carried instead of Value: the child gets errors.New(*Err),
	// which keeps what a notebook mostly does with an error (print it,
	// compare it with nil) without its concrete type.
	Err  *string `json:"err,omitempty"`
	live reflect.Value
}

type skipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// captureState collects the session's state; withValues also encodes the
// values, except those whose size exceeds maxValue bytes (0: no limit),
// which are listed as skipped without being encoded.
func (s *Session) captureState(withValues bool, maxValue int) state {
	st := state{Imports: slices.Clone(s.imports), Decls: slices.Clone(s.decls), Facts: s.checker.facts}
	consts := map[string]bool{}
	for _, r := range s.decls {
		if r.Tok == "const" {
			for _, n := range r.Names {
				consts[n] = true
			}
		}
	}
	named := s.namedTypes()
	g := s.yi.Globals()
	names := make([]string, 0, len(g))
	for n := range g {
		if !consts[n] && !strings.HasPrefix(n, reservedPrefix) && n != "_" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		v := g[n]
		gl := global{Name: n, live: v}
		if v.IsValid() {
			t, err := s.typeExpr(v.Type(), named)
			if err == nil {
				gl.Type = t
			} else if s.recordOf(n) == nil {
				st.Skipped = append(st.Skipped, skipped{n, err.Error()})
				continue
			}
			if withValues {
				if msg, ok := errorMessage(v); ok {
					gl.Err = &msg
				} else if maxValue > 0 && largerThan(v, maxValue) {
					st.Skipped = append(st.Skipped, skipped{n, fmt.Sprintf("value larger than %d bytes", maxValue)})
					if gl.Type == "" {
						continue
					}
				} else if b, err := mp.EncodeValue(nil, v); err != nil {
					// Declared with its zero value, so that code using it
					// still compiles in the child.
					st.Skipped = append(st.Skipped, skipped{n, "value not copied: " + err.Error()})
					if gl.Type == "" {
						continue
					}
				} else {
					gl.Value = b
				}
			}
		}
		st.Vars = append(st.Vars, gl)
	}
	return st
}

// errorMessage returns the message of the error v holds, when v is an
// interface-typed variable holding a non-nil error.
func errorMessage(v reflect.Value) (msg string, ok bool) {
	if v.Kind() != reflect.Interface || v.IsNil() || !v.Elem().Type().Implements(errorType) {
		return "", false
	}
	defer func() {
		if recover() != nil {
			msg, ok = "", false
		}
	}()
	return v.Interface().(error).Error(), true
}

var errorType = reflect.TypeFor[error]()

// namedCache keeps namedTypes' answer for the interpreter and the
// declarations it was computed from: each evaluation of new(T) grows
// yaegi's frame for good, so a snapshot after every cell must not repeat
// them while no declaration changed.
type namedCache struct {
	mu    sync.Mutex
	yi    *yaegi.Interpreter
	decls int
	m     map[reflect.Type]string
}

// namedTypes maps the reflect types of the notebook's types to their
// names. The caller holds stateMu (for reading at least).
func (s *Session) namedTypes() map[reflect.Type]string {
	c := &s.named
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.yi != s.yi || c.decls != len(s.decls) {
		c.yi, c.decls, c.m = s.yi, len(s.decls), s.evalNamedTypes()
	}
	return c.m
}

// evalNamedTypes finds the reflect type of each of the notebook's types.
func (s *Session) evalNamedTypes() map[reflect.Type]string {
	m := map[reflect.Type]string{}
	for _, r := range s.decls {
		if r.Tok != "type" {
			continue
		}
		for _, n := range r.Names {
			v, err := s.evalQuiet("new(" + n + ")")
			if err == nil && v.IsValid() && v.Kind() == reflect.Pointer {
				if _, dup := m[v.Type().Elem()]; !dup {
					m[v.Type().Elem()] = n
				}
			}
		}
	}
	return m
}

// evalQuiet evaluates a short expression, turning yaegi panics into errors.
func (s *Session) evalQuiet(src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("evaluate %s: %v", src, r)
		}
	}()
	return s.yi.Eval(src)
}

// Snapshot encodes the notebook for a child process: every import and
// declaration so far (redefinitions replace earlier ones), and the current
// values of its package-level variables where they can cross, encoded as
// mp encodes arguments (so whatever can be an argument can be a global a
// child sees: complex numbers, NaN, maps keyed by structs); the others are
// listed in the snapshot with the reason. Statements are not included. The
// snapshot is JSON holding the values' bytes.
func (s *Session) Snapshot() ([]byte, error) {
	return s.SnapshotCapped(0)
}

// SnapshotCapped is Snapshot without the values larger than maxValue
// bytes (0: no limit), which it lists as skipped, never encoding them: a
// supervisor snapshots after every cell, and a notebook holding a
// gigabyte must not pay for copying it each time.
func (s *Session) SnapshotCapped(maxValue int) ([]byte, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	b, err := json.Marshal(s.captureState(true, maxValue))
	if err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return b, nil
}

// Declarations is Snapshot without the values: the notebook's imports,
// declarations and variables with their types, which is what a compiled
// worker's program is generated from (they change only when a cell
// declares something, the values with every statement).
func (s *Session) Declarations() ([]byte, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	b, err := json.Marshal(s.captureState(false, 0))
	if err != nil {
		return nil, fmt.Errorf("encode declarations: %w", err)
	}
	return b, nil
}

// Restore evaluates a Snapshot's imports and declarations (never its
// statements), declares its variables and sets their values.
func (s *Session) Restore(snapshot []byte) error {
	var st state
	if err := json.Unmarshal(snapshot, &st); err != nil {
		return fmt.Errorf("decode snapshot: %w", err)
	}
	s.run.Lock()
	defer s.run.Unlock()
	s.stateMu.RLock()
	used := len(s.imports) > 0 || len(s.decls) > 0
	s.stateMu.RUnlock()
	if used {
		// A long-lived pool worker restores each newer snapshot: start
		// from an empty interpreter, since yaegi cannot take the same
		// imports and types twice.
		yi, err := s.newInterpreter()
		if err != nil {
			return err
		}
		s.setState(func() { s.yi, s.imports, s.decls = yi, nil, nil })
	}
	s.checker.facts = st.Facts
	lost, err := s.replay(s.yi, st, nil)
	if len(lost) > 0 {
		// A child cannot use these; the target fails if it needs them,
		// and a line per variable and worker on the cell's stderr would
		// say the same thing for every call.
		s.log.Debug("variables not restored", "vars", lost)
	}
	return err
}

// rebuild replaces the interpreter with a new one holding the notebook's
// imports plus newImports, its declarations except those declaring a
// replaced name, then the moved declarations (a cell's new versions), and
// the current values of its variables. A failure of a moved declaration is
// the cell's error, and the old interpreter stays; others are warnings.
func (s *Session) rebuild(replaced map[string]bool, newImports []importSpec, moved []record) error {
	st := s.captureState(false, 0)
	st.Imports = append(st.Imports, newImports...)
	st.Decls = slices.DeleteFunc(st.Decls, func(r record) bool {
		return slices.ContainsFunc(r.Names, func(n string) bool { return replaced[n] })
	})
	st.Decls = append(st.Decls, moved...)
	st.Vars = slices.DeleteFunc(st.Vars, func(g global) bool { return replaced[g.Name] })
	yi, err := s.newInterpreter()
	if err != nil {
		return err
	}
	s.log.Debug("rebuilding the interpreter", "replaced", len(replaced))
	s.stateMu.RLock()
	oldYi, oldImports, oldDecls := s.yi, s.imports, s.decls
	s.stateMu.RUnlock()
	s.setState(func() { s.yi, s.imports, s.decls = yi, nil, nil })
	lost, err := s.replay(yi, st, moved)
	if err != nil {
		// The cell's own declaration failed: keep the notebook as it was.
		s.setState(func() { s.yi, s.imports, s.decls = oldYi, oldImports, oldDecls })
		return err
	}
	// The notebook's own variables: say which lost their values.
	_, _, stderr := s.currentIO()
	for _, l := range lost {
		if l.Reason == "" {
			fmt.Fprintf(stderr, "gomp: variable %s was not restored\n", l.Name)
		} else {
			fmt.Fprintf(stderr, "gomp: variable %s was not restored: %s\n", l.Name, l.Reason)
		}
	}
	return nil
}

// replay evaluates st in yi: imports, then the declarations as one file
// (so that they may refer to each other in any order) or, if that fails,
// one by one in the order types, consts, vars, funcs, dropping those that
// fail with a warning on the cell's stderr; then sets the variables. It
// returns the variables whose values could not be set, with the cause
// when there is one, for the caller to report as it sees fit.
func (s *Session) replay(yi *yaegi.Interpreter, st state, own []record) (lost []skipped, err error) {
	var ownErr error
	fail := func(r record, err error) {
		if slices.ContainsFunc(own, func(o record) bool { return o.Text == r.Text && o.Line == r.Line && o.Cell == r.Cell }) {
			if ownErr == nil {
				ownErr = compileError(err)
			}
			return
		}
		_, _, stderr := s.currentIO()
		fmt.Fprintf(stderr, "gomp: dropped %s: %v\n", strings.Join(r.Names, ", "), clean(err.Error()))
	}
	warn := func(format string, args ...any) {
		_, _, stderr := s.currentIO()
		fmt.Fprintf(stderr, "gomp: "+format+"\n", args...)
	}
	if len(st.Imports) > 0 {
		var b strings.Builder
		b.WriteString("package main\nimport (\n")
		for _, im := range st.Imports {
			s.load(yi, im.Path)
			fmt.Fprintf(&b, "%s %q\n", im.Name, im.Path)
		}
		b.WriteString(")\n")
		if err := s.evalFile(yi, b.String()); err != nil {
			return nil, fmt.Errorf("restore imports: %w", err)
		}
		s.setState(func() { s.imports = append(s.imports, st.Imports...) })
	}
	typed := map[string]bool{}
	var varDecls []string
	for _, g := range st.Vars {
		if g.Type != "" {
			typed[g.Name] = true
			varDecls = append(varDecls, "var "+g.Name+" "+g.Type)
		}
	}
	// Types before consts: yaegi v0.16.1 gives iota constants of a type
	// declared later in the same file the value 0 (`const (A T = iota;
	// B)` then `type T int` made B 0 after a rebuild).
	var order []record
	for _, tok := range []string{"type", "const", "var", "func"} {
		for _, r := range st.Decls {
			if r.Tok == tok && !(tok == "var" && allTyped(r.Names, typed)) {
				order = append(order, r)
			}
		}
	}
	var all strings.Builder
	all.WriteString("package main;")
	for _, r := range order {
		all.WriteString(lineDirective(r.Cell, r.Line, r.Col) + r.Text + "\n")
	}
	all.WriteString(strings.Join(varDecls, "\n"))
	if err := s.evalFile(yi, all.String()); err == nil {
		s.setState(func() { s.decls = append(s.decls, st.Decls...) })
	} else {
		for _, r := range order[:len(order):len(order)] {
			if r.Tok == "func" {
				continue
			}
			if err := s.evalFile(yi, r.source()); err != nil {
				fail(r, err)
				continue
			}
			s.setState(func() { s.decls = append(s.decls, r) })
		}
		for _, d := range varDecls {
			if err := s.evalFile(yi, "package main;"+d); err != nil {
				warn("dropped %s: %v", d, clean(err.Error()))
			}
		}
		for _, r := range order {
			if r.Tok != "func" {
				continue
			}
			if err := s.evalFile(yi, r.source()); err != nil {
				fail(r, err)
				continue
			}
			s.setState(func() { s.decls = append(s.decls, r) })
		}
		for _, r := range st.Decls {
			if r.Tok == "var" && allTyped(r.Names, typed) {
				s.setState(func() { s.decls = append(s.decls, r) })
			}
		}
	}
	g := yi.Globals()
	for _, gl := range st.Vars {
		dst, ok := g[gl.Name]
		if !ok || !dst.CanSet() {
			lost = append(lost, skipped{Name: gl.Name})
			continue
		}
		if err := setValue(dst, gl); err != nil {
			lost = append(lost, skipped{Name: gl.Name, Reason: err.Error()})
		}
	}
	return lost, ownErr
}

func allTyped(names []string, typed map[string]bool) bool {
	for _, n := range names {
		if !typed[n] {
			return false
		}
	}
	return true
}

// setValue sets dst from the live value (in a rebuild) or from the encoded
// value or error message (in a child), converting by field name when the
// value's type is not dst's (see assign).
func setValue(dst reflect.Value, g global) error {
	if g.live.IsValid() {
		return mp.AssignValue(dst, g.live)
	}
	if g.Err != nil {
		e := reflect.ValueOf(errors.New(*g.Err))
		if !e.Type().AssignableTo(dst.Type()) {
			return fmt.Errorf("an error cannot be assigned to a %s", dst.Type())
		}
		dst.Set(e)
		return nil
	}
	if g.Value == nil {
		return nil
	}
	v, err := mp.DecodeValue(g.Value, dst.Type())
	if err != nil {
		return err
	}
	return mp.AssignValue(dst, v)
}

// evalFile parses src as a file and evaluates it in yi.
func (s *Session) evalFile(yi *yaegi.Interpreter, src string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the interpreter failed: %v", r)
		}
	}()
	f, err := parser.ParseFile(yi.FileSet(), physicalFile, src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	if !s.checker.off {
		withholdGeneric(f)
	}
	s.instrument(f)
	renameMain(f)
	p, err := yi.CompileAST(f)
	if err != nil {
		return err
	}
	_, err = yi.Execute(p)
	return err
}
