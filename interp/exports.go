package interp

import (
	"fmt"
	"go/ast"
	"io"
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"sync"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/interp/stdlib"
	"github.com/gomp-kernel/gomp/interp/symbols"
)

// basePackages are the standard packages every interpreter registers when
// it is made: those whose symbols yaegi adjusts (fixStdlib: fmt, flag, log,
// os, math/bits) when it sees fmt, those its generic sources (cmp, maps,
// slices) import, and those the session overrides. Every other standard
// package is registered the first time something imports it (see load):
// registering all of them up front was most of the cost of a new
// interpreter, which an mp child pays before it can run anything.
var basePackages = []string{"fmt", "flag", "log", "os", "math/bits", "time", "errors"}

// stdlibKeys maps an import path to its key in stdlib.Symbols
// ("math/rand" to "math/rand/rand").
var stdlibKeys = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(stdlib.Symbols))
	for k := range stdlib.Symbols {
		if k != "." {
			m[path.Dir(k)] = k
		}
	}
	return m
})

// exports lists the symbol tables a new interpreter uses, in order: yaegi's
// type mappings and base standard packages, gomp's packages (import "mp",
// "display"), then the session's overrides of os.Stdin and time.Sleep.
func (s *Session) exports() []yaegi.Exports {
	base := yaegi.Exports{".": stdlib.Symbols["."]}
	for _, p := range basePackages {
		if k, ok := stdlibKeys()[p]; ok {
			base[k] = stdlib.Symbols[k]
		}
	}
	own := yaegi.Exports{}
	for short, key := range symbols.Packages {
		// Under the full path too: yaegi finds interface wrappers by the
		// compiled type's package path.
		own[short+"/"+path.Base(short)] = symbols.Symbols[key]
		own[key] = symbols.Symbols[key]
	}
	return []yaegi.Exports{base, stdlib.Hooks, own, compiledExports(), {".": {"MapTypes": reflect.ValueOf(displayMapTypes())}}, s.overrides()}
}

// displayMapTypes tells yaegi which interfaces a notebook type's value
// keeps when passed as an any to the display functions that look at its
// methods. Without it the compiled side sees a bare struct: yaegi builds
// an interface wrapper only for a parameter of interface type with
// methods, or for the functions named in MapTypes.
func displayMapTypes() map[reflect.Value][]reflect.Type {
	m := map[reflect.Value][]reflect.Type{}
	for _, f := range []any{display.Show, display.ShowAs, display.Represent, display.Of, display.Update} {
		m[reflect.ValueOf(f)] = display.Interfaces
	}
	return m
}

// overrides are the session's replacements for standard symbols.
func (s *Session) overrides() yaegi.Exports {
	var stdin io.Reader = s.stdin
	o := yaegi.Exports{
		"os/os":         {"Stdin": reflect.ValueOf(&stdin).Elem()},
		"time/time":     {"Sleep": reflect.ValueOf(s.sleep)},
		"flag/flag":     s.flagExports(),
		"errors/errors": {"As": reflect.ValueOf(errorsAs)},
	}
	maps.Copy(o["os/os"], s.argsExports())
	fmtSyms, fmtTypes := s.fmtExports()
	// Not "fmt/fmt": yaegi's Use rebinds fmt.Printf (fixStdlib) whenever
	// the exports hold that key. path.Dir cleans "./fmt" to "fmt".
	o["./fmt/fmt"] = fmtSyms
	o["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(fmtTypes)}
	if s.exitProcess {
		// In an mp child, os.Exit ends the process with its code, as
		// sys.exit does in a Python child: the parent sees the exit code.
		o["os/os"]["Exit"] = reflect.ValueOf(os.Exit)
	}
	return o
}

// load registers the standard package p in yi unless it is a base
// package (registered, and adjusted, when yi was made), and reports
// whether yi can import p: a standard package of yaegi's set or one of
// gomp's own.
// Registering a package again is harmless (it holds the same symbols; the
// session overrides only base packages), so load need not know what yi
// has: yaegi cannot tell without building wrappers for every function of
// a source package, which panics on generic ones (slices, maps).
func (s *Session) load(yi *yaegi.Interpreter, p string) bool {
	if _, own := symbols.Packages[p]; own || slices.Contains(basePackages, p) || p == compiledPath {
		return true
	}
	k, ok := stdlibKeys()[p]
	if !ok {
		return false
	}
	if err := yi.Use(yaegi.Exports{k: stdlib.Symbols[k]}); err != nil {
		s.log.Warn("register package", "path", p, "err", err)
		return false
	}
	if p == "encoding/json" {
		if err := yi.Use(jsonExports()); err != nil {
			s.log.Warn("register package", "path", p, "err", err)
			return false
		}
	}
	return true
}

// pkgSymbols returns the exported symbols of package p (gomp's own or a
// standard package), registered or not, for completion and inspection.
func pkgSymbols(p string) map[string]reflect.Value {
	if key, ok := symbols.Packages[p]; ok {
		return symbols.Symbols[key]
	}
	return stdlib.Symbols[stdlibKeys()[p]]
}

// isTypeSymbol reports whether v, a symbol of a compiled package, is a
// type: symbol tables hold a type T as a nil *T.
func isTypeSymbol(v reflect.Value) bool {
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// packageType returns the type that sel names when it is pkg.T for a type
// T of an importable package, or nil.
func (s *Session) packageType(sel *ast.SelectorExpr) reflect.Type {
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	if v, ok := pkgSymbols(s.pkgPath(pkg.Name))[sel.Sel.Name]; ok && isTypeSymbol(v) {
		return v.Type().Elem()
	}
	return nil
}

// sleep is time.Sleep for cells: it returns early when the current cell is
// interrupted, so that the interpreter can stop the code that called it.
func (s *Session) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.current().ctx.Done():
	}
}

// fatalExports makes log.Fatal* in cells log through the interpreter's
// logger (so SetFlags and SetPrefix apply) and then end the cell like
// os.Exit(1) does in a cell (see package stdlib), instead of yaegi's plain panic.
func fatalExports(yi *yaegi.Interpreter) yaegi.Exports {
	output, ok := yi.Symbols("log")["log"]["Output"].Interface().(func(int, string) error)
	if !ok {
		return nil
	}
	exit := func(msg string) {
		output(3, msg)
		panic("os.Exit(1)")
	}
	return yaegi.Exports{"log/log": {
		"Fatal":   reflect.ValueOf(func(v ...any) { exit(fmt.Sprint(v...)) }),
		"Fatalf":  reflect.ValueOf(func(format string, v ...any) { exit(fmt.Sprintf(format, v...)) }),
		"Fatalln": reflect.ValueOf(func(v ...any) { exit(fmt.Sprintln(v...)) }),
	}}
}
