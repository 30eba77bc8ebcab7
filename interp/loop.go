package interp

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"reflect"
	"strconv"

	yaegi "github.com/traefik/yaegi/interp"
)

// loopCache holds the loops compiled in one interpreter; a Restore or a
// rebuild replaces the interpreter, and with it the cache.
type loopCache struct {
	yi    *yaegi.Interpreter
	loops map[string]reflect.Value
}

// Loop returns, for a Target naming a top-level notebook func of one
// parameter A and results R or (R, error), an interpreted function
//
//	func(xs []A) (out []R, failed bool, recovered any, err error)
//
// that calls the target on each item in turn and stops at the first item
// that panics (failed, with the recovered value) or returns an error
// (failed, with err); out holds the results of the items before it. mp's
// pool workers call it once per chunk instead of once per item: every call
// from compiled code into the interpreter builds a frame through
// reflection, and for a small target that was most of a worker's time. The
// frames the panic unwound are left for Traceback, as with a call through
// Func. Loops are cached per target until the interpreter is replaced.
// Other targets (methods, variadic funcs, other signatures) are an error:
// the caller calls them through Func.
func (s *Session) Loop(target string) (reflect.Value, error) {
	s.run.Lock()
	defer s.run.Unlock()
	if s.loops.yi != s.yi {
		s.loops = loopCache{yi: s.yi, loops: map[string]reflect.Value{}}
	}
	if v, ok := s.loops.loops[target]; ok {
		return s.guardDeep(v), nil
	}
	src, err := s.loopSource(target)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("loop %s: %w", target, err)
	}
	s.seq++
	tmp := "_gompLoop" + strconv.Itoa(s.seq)
	if err := s.evalFile(s.yi, "package main; func "+tmp+src); err != nil {
		return reflect.Value{}, fmt.Errorf("loop %s: %w", target, err)
	}
	v, err := s.evalQuiet(tmp)
	if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
		return reflect.Value{}, fmt.Errorf("loop %s: not compiled: %v", target, err)
	}
	s.loops.loops[target] = v
	return s.guardDeep(v), nil
}

// loopSource writes the loop function's signature and body for target,
// with the parameter and result types as the target's declaration spells
// them.
func (s *Session) loopSource(target string) (string, error) {
	s.stateMu.RLock()
	r := s.recordOf(target)
	s.stateMu.RUnlock()
	if r == nil || r.Tok != "func" {
		return "", fmt.Errorf("not a func declared in the notebook")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main;"+r.Text, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	var fd *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == target {
			fd = d
		}
	}
	if fd == nil || fd.Type.TypeParams != nil {
		return "", fmt.Errorf("not a plain func")
	}
	params := fields(fd.Type.Params)
	results := fields(fd.Type.Results)
	if len(params) != 1 {
		return "", fmt.Errorf("want one parameter")
	}
	if _, ok := params[0].(*ast.Ellipsis); ok {
		return "", fmt.Errorf("variadic")
	}
	withErr := len(results) == 2 && isIdent(results[1], "error")
	if len(results) != 1 && !withErr {
		return "", fmt.Errorf("want results R or (R, error)")
	}
	typeText := func(e ast.Expr) (string, error) {
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, e); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	a, err := typeText(params[0])
	if err != nil {
		return "", err
	}
	res, err := typeText(results[0])
	if err != nil {
		return "", err
	}
	// Every name but the target's is reserved (_gomp...), so that none
	// shadows a notebook name the types or the call use. Failed is set
	// around the loop, not per item: the failing item is the first
	// without a result.
	call := "_gompR := " + target + "(_gompX)"
	if withErr {
		call = "_gompR, _gompE := " + target + "(_gompX)\nif _gompE != nil {\n_gompErr = _gompE\nreturn\n}"
	}
	return "(_gompXs []" + a + ") (_gompOut []" + res + ", _gompFailed bool, _gompRecovered any, _gompErr error) {\n" +
		"defer func() {\nif _gompFailed && _gompErr == nil {\n_gompRecovered = recover()\n}\n}()\n" +
		"_gompOut = make([]" + res + ", 0, len(_gompXs))\n_gompFailed = true\n" +
		"for _, _gompX := range _gompXs {\n" + call + "\n_gompOut = append(_gompOut, _gompR)\n}\n" +
		"_gompFailed = false\nreturn\n}", nil
}

// fields lists the types of l's entries, one per name.
func fields(l *ast.FieldList) []ast.Expr {
	if l == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range l.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
