package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

// probePath is the import path of the compiled half of the probe; cells
// cannot see it (the rewritten code refers to it as _gomp).
const probePath = "gomp.internal/probe"

// prober identifies interpreted functions. Every top-level func and method
// body, and every func literal, starts with
//
//	if *_gompOn { _gomp.Hit("name", receiver) }
//
// (name "" for literals), where _gompOn is an interpreted global holding a
// pointer to a compiled bool. That form costs almost nothing per call:
// yaegi folds a compiled variable read in a condition at compile time, and
// a dereference of a compiled package's pointer is much slower. The read
// is deliberately unsynchronised (a one-byte flag; see probe_race.go for
// race-detector builds). The flag also requests depth checks (depth.go).
// Target sets the flag, calls the function value
// with zero arguments on its own goroutine and recovers the name from the
// panic that Hit raises on that goroutine only; other goroutines that run
// notebook code meanwhile pass through the check.
type prober struct {
	mu   sync.Mutex    // one probe at a time
	flag bool          // read by interpreted code; written under mu
	on   atomic.Bool   // the same, for Probing (race-detector builds)
	gid  atomic.Uint64 // goroutine that probes, 0 when none

	// The flag also requests depth checks (depth.go); these are under mu.
	checkDue bool        // a depth check is requested
	timer    *time.Timer // requests the next check
	stopped  bool        // the session is closed: no more checks
	// onDeep stops the interpreted code after a check found a goroutine
	// too deep (Session.stopDeep).
	onDeep func(*RecursionError)
}

// probeHit is the panic value Hit raises.
type probeHit struct {
	name string
	recv any
}

// install registers the compiled half (with goPanic, see guardGo) in yi
// and imports it as _gomp.
func (p *prober) install(yi *yaegi.Interpreter, goPanic func(any)) error {
	err := yi.Use(yaegi.Exports{probePath + "/probe": {
		"On":      reflect.ValueOf(&p.flag),
		"Hit":     reflect.ValueOf(p.hit),
		"GoPanic": reflect.ValueOf(goPanic),
		"Probing": reflect.ValueOf(p.on.Load),
	}})
	if err != nil {
		return fmt.Errorf("install probe: %w", err)
	}
	if err := runPrelude(yi, "package main; import _gomp "+strconv.Quote(probePath)+"; var _gompOn = _gomp.On"); err != nil {
		return fmt.Errorf("install probe: %w", err)
	}
	return nil
}

func (p *prober) probing() bool { return p.gid.Load() != 0 }

// hit is the compiled half of the check at the start of every notebook
// function, called while the flag is up: for a Target probe on the
// probing goroutine, or for a depth check.
func (p *prober) hit(name string, recv any) {
	if g := p.gid.Load(); g != 0 {
		if g == goid() {
			panic(probeHit{name, recv})
		}
		return
	}
	p.checkDepth(name)
}

// goid is the current goroutine's id, read from its stack header.
func goid() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := bytes.Fields(b[:n])
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return id
}

// rewrite inserts the probe check at the start of every func body in n.
// It is idempotent.
func (p *prober) rewrite(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch f := n.(type) {
		case *ast.FuncDecl:
			if f.Body == nil {
				return true
			}
			name := ast.Expr(&ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(f.Name.Name), ValuePos: f.Body.Lbrace})
			recv := ast.Expr(&ast.Ident{Name: "nil", NamePos: f.Body.Lbrace})
			if f.Recv != nil && len(f.Recv.List) == 1 {
				field := f.Recv.List[0]
				if len(field.Names) == 0 || field.Names[0].Name == "_" {
					field.Names = []*ast.Ident{{Name: reserved("Recv"), NamePos: field.Pos()}}
				}
				name.(*ast.BasicLit).Value = strconv.Quote(recvTypeName(field.Type) + "." + f.Name.Name)
				recv = &ast.Ident{Name: field.Names[0].Name, NamePos: f.Body.Lbrace}
			}
			nameParams(f.Type)
			insertProbe(f.Body, name, recv)
		case *ast.FuncLit:
			nameParams(f.Type)
			insertProbe(f.Body, &ast.BasicLit{Kind: token.STRING, Value: `""`, ValuePos: f.Body.Lbrace}, &ast.Ident{Name: "nil", NamePos: f.Body.Lbrace})
		}
		return true
	})
}

// nameParams names a func's unnamed parameters "_". yaegi v0.16.1
// shifts the frame slots of a func with unnamed parameters once its body
// has a statement before the first one the user wrote (the probe), and
// the call fails with "reflect.Set: value of type int is not assignable
// to type bool"; blank names are equivalent and keep the slots right.
func nameParams(ft *ast.FuncType) {
	if ft.Params == nil {
		return
	}
	for _, f := range ft.Params.List {
		if len(f.Names) == 0 {
			f.Names = []*ast.Ident{{Name: "_", NamePos: f.Pos()}}
		}
	}
}

func insertProbe(body *ast.BlockStmt, name, recv ast.Expr) {
	if len(body.List) > 0 {
		if is, ok := body.List[0].(*ast.IfStmt); ok {
			found := false
			ast.Inspect(is.Cond, func(n ast.Node) bool {
				if x, ok := n.(*ast.Ident); ok && strings.HasPrefix(x.Name, reservedPrefix) {
					found = true
				}
				return !found
			})
			if found {
				return
			}
		}
	}
	// The check takes the position of the body's first statement: yaegi
	// reports a frame at the statement it was running, and the probe must
	// not change which one that is.
	pos := body.Lbrace
	if len(body.List) > 0 {
		pos = body.List[0].Pos()
	}
	id := func(s string) *ast.Ident { return &ast.Ident{Name: s, NamePos: pos} }
	var cond ast.Expr = &ast.StarExpr{Star: pos, X: id(reserved("On"))}
	if raceEnabled {
		cond = &ast.CallExpr{Fun: &ast.SelectorExpr{X: id(reservedPrefix), Sel: id("Probing")}, Lparen: pos, Rparen: pos}
	}
	check := &ast.IfStmt{
		If:   pos,
		Cond: cond,
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.ExprStmt{X: &ast.CallExpr{
			Fun: &ast.SelectorExpr{X: id(reservedPrefix), Sel: id("Hit")}, Lparen: pos, Rparen: pos,
			Args: []ast.Expr{name, recv},
		}}}},
	}
	body.List = append([]ast.Stmt{check}, body.List...)
}

// Target names fn, a function declared at top level in the notebook or a
// method value of a notebook type: "name", or "Type.Method JSON" where
// JSON encodes the receiver. Func turns the name back into a function, in
// this session or in another one restored from a Snapshot.
func (s *Session) Target(fn any) (string, error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "", fmt.Errorf("mp needs a function, got %T", fn)
	}
	if f := runtime.FuncForPC(v.Pointer()); f == nil || f.Name() != "reflect.makeFuncStub" {
		return "", fmt.Errorf("mp needs a function declared at top level in the notebook; %T is compiled Go code and cannot be sent to another process", fn)
	}
	hit, err := s.probe.call(v)
	if err != nil {
		return "", err
	}
	if hit.name == "" {
		return "", fmt.Errorf("mp needs a function declared at top level in the notebook; func literals and closures cannot be sent to another process")
	}
	if !strings.Contains(hit.name, ".") {
		return hit.name, nil
	}
	b, err := json.Marshal(hit.recv)
	if err != nil {
		return "", fmt.Errorf("method %s: encode receiver: %w", hit.name, err)
	}
	return hit.name + " " + string(b), nil
}

// call runs v with zero arguments while probing and returns the hit.
func (p *prober) call(v reflect.Value) (hit probeHit, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gid.Store(goid())
	p.flag = true
	p.on.Store(true)
	defer func() {
		p.flag = p.checkDue
		p.on.Store(p.checkDue)
		p.gid.Store(0)
		r := recover()
		h, ok := r.(probeHit)
		switch {
		case ok:
			hit = h
		case r != nil:
			err = fmt.Errorf("identify function: %v", r)
		default:
			err = fmt.Errorf("identify function: it ran without reaching the notebook's probe")
		}
	}()
	t := v.Type()
	args := make([]reflect.Value, t.NumIn())
	for i := range args {
		args[i] = reflect.Zero(t.In(i))
	}
	if t.IsVariadic() {
		v.CallSlice(args)
	} else {
		v.Call(args)
	}
	return hit, err
}

// Func resolves a Target string to a callable function of this session.
// A call stopped by runaway recursion panics with a *RecursionError.
func (s *Session) Func(target string) (reflect.Value, error) {
	s.run.Lock()
	defer s.run.Unlock()
	name, recv, isMethod := strings.Cut(target, " ")
	if !isMethod {
		v, err := s.evalQuiet(name)
		if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
			return reflect.Value{}, fmt.Errorf("resolve %s: not a function of this notebook: %v", name, err)
		}
		return s.guardDeep(v), nil
	}
	typ, meth, _ := strings.Cut(name, ".")
	s.seq++
	tmp := reserved("Recv" + strconv.Itoa(s.seq))
	texpr, err := parser.ParseExpr(typ)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("resolve %s: receiver type: %w", name, err)
	}
	decl := &ast.GenDecl{Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{ast.NewIdent(tmp)}, Type: texpr}}}
	if err := s.evalDecl(decl); err != nil {
		return reflect.Value{}, fmt.Errorf("resolve %s: %w", name, err)
	}
	dst := s.yi.Globals()[tmp]
	if err := json.Unmarshal([]byte(recv), dst.Addr().Interface()); err != nil {
		return reflect.Value{}, fmt.Errorf("resolve %s: decode receiver: %w", name, err)
	}
	v, err := s.evalQuiet(tmp + "." + meth)
	if err != nil || !v.IsValid() {
		return reflect.Value{}, fmt.Errorf("resolve %s: %v", name, err)
	}
	return s.guardDeep(v), nil
}
