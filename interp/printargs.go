package interp

import (
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// yaegi v0.16.1 passes a notebook value with a String (or Error) method
// to fmt inside a wrapper struct, {IValue, WString}, whose String calls
// the interpreted method. fmt asks for String only with the verbs %v,
// %s, %q, %x and %X; with any other (%d of a `type Weekday int` constant,
// %#v) it printed the wrapper's fields ({2 5448512}), and the wrapper's
// IValue cannot stand in (yaegi puts a struct's last field there). So an
// argument of a printf-like call with a constant format, of a notebook
// type with such a method, that the format only ever formats with the
// other verbs is converted to its underlying type, which has no methods:
// fmt then prints it as it prints the notebook value, without String.
//
//	fmt.Printf("%d %v\n", Tuesday, Tuesday)  =>  fmt.Printf("%d %v\n", int(Tuesday), Tuesday)

// factPrintArgs marks a call of a printing function; its Params are, per
// argument after the format (or the writer), what to do with it: "", the
// underlying type to convert it to (see above), or printArgWrap.
const factPrintArgs = "print-args"

// printArgWrap says to pass an argument through _gompfmtarg.Arg (see
// fmtArgPrelude).
const printArgWrap = "*wrap"

// printArgTypeName, followed by a type's name, says to print the name
// instead of the argument, with %s for the %T that formats it (see
// typeNameOf).
const printArgTypeName = "*type "

// printArgElems, followed by the argument's type, says to print a slice,
// array or map of notebook values with a String or Error method as a
// []any (map[K]any) of its elements each passed through _gompfmtarg.Arg:
// yaegi hands fmt the container with bare elements, so
// fmt.Println(people), a []Person with a String method, printed their
// fields. fmt prints the copy as it prints the original with the verbs
// that call String (%v, %s, %q); the others leave the argument alone.
const printArgElems = "*elems "

// printFunc is a printing function of the standard library: the index of
// its first argument to print, and whether the one before is a format.
type printFunc struct {
	first  int
	format bool
}

// printFuncs are the printing functions of the standard library.
var printFuncs = map[string]printFunc{
	"fmt.Print": {0, false}, "fmt.Println": {0, false}, "fmt.Sprint": {0, false}, "fmt.Sprintln": {0, false},
	"fmt.Fprint": {1, false}, "fmt.Fprintln": {1, false}, "fmt.Append": {1, false}, "fmt.Appendln": {1, false},
	"fmt.Printf": {1, true}, "fmt.Sprintf": {1, true}, "fmt.Errorf": {1, true}, "fmt.Fprintf": {2, true}, "fmt.Appendf": {2, true},
	"log.Print": {0, false}, "log.Println": {0, false}, "log.Fatal": {0, false}, "log.Fatalln": {0, false}, "log.Panic": {0, false}, "log.Panicln": {0, false},
	"log.Printf": {1, true}, "log.Fatalf": {1, true}, "log.Panicf": {1, true},
	"(*log.Logger).Print": {0, false}, "(*log.Logger).Println": {0, false}, "(*log.Logger).Fatal": {0, false}, "(*log.Logger).Fatalln": {0, false},
	"(*log.Logger).Panic": {0, false}, "(*log.Logger).Panicln": {0, false},
	"(*log.Logger).Printf": {1, true}, "(*log.Logger).Fatalf": {1, true}, "(*log.Logger).Panicf": {1, true},
}

// printArgsFact returns the fact of call, a call of a printing function,
// when it has an argument to convert (see above) or to wrap: one held
// in an interface that the notebook declared, or in any (a notebook
// value in it reaches fmt without its methods, see fmtArgPrelude).
func printArgsFact(call *ast.CallExpr, info *types.Info, typeOf func(types.Type) string) (fact, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || call.Ellipsis.IsValid() {
		return fact{}, false
	}
	var fn *types.Func
	if s := info.Selections[sel]; s != nil {
		fn, _ = s.Obj().(*types.Func)
	} else {
		fn, _ = info.Uses[sel.Sel].(*types.Func)
	}
	if fn == nil {
		return fact{}, false
	}
	pf, ok := printFuncs[fn.FullName()]
	if !ok || len(call.Args) < pf.first {
		return fact{}, false
	}
	var verbs map[int][]verb
	if pf.format {
		if tv := info.Types[call.Args[pf.first-1]]; tv.Value != nil && tv.Value.Kind() == constant.String {
			verbs = printfVerbs(constant.StringVal(tv.Value))
		}
	}
	args := call.Args[pf.first:]
	todo := make([]string, len(args))
	found := false
	var format []byte // the format, with the %T verbs of typeNameOf's arguments made %s
	for i, a := range args {
		t := info.Types[a].Type
		if t == nil {
			continue
		}
		vs := verbs[i]
		if name, ok := typeNameOf(a, t, vs); ok && isStringLit(call.Args[pf.first-1]) {
			if format == nil {
				format = []byte(constant.StringVal(info.Types[call.Args[pf.first-1]].Value))
			}
			for _, v := range vs {
				format[v.at] = 's'
			}
			todo[i], found = printArgTypeName+name, true
			continue
		}
		if notebookInterface(t) {
			// Not when the format only asks for the value: the wrapper
			// holds yaegi's box of it, and the bare value prints right.
			if !pf.format || verbs == nil || len(vs) == 0 || !allValueVerbs(vs) {
				todo[i], found = printArgWrap, true
			}
			continue
		}
		if (!pf.format || verbs != nil && len(vs) > 0 && allMethodVerbs(vs)) && stringerElems(t) {
			if todo[i] = typeOf(t); todo[i] != "" {
				todo[i], found = printArgElems+todo[i], true
			}
			continue
		}
		if len(vs) == 0 || !allValueVerbs(vs) || !hasNotebookStringer(t, anySharp(vs)) {
			continue
		}
		if todo[i] = typeOf(t.Underlying()); todo[i] != "" {
			found = true
		}
	}
	if !found {
		return fact{}, false
	}
	return fact{Kind: factPrintArgs, Params: todo, Value: string(format)}, true
}

// typeNameOf returns what %T prints for a, of static type t, when a
// printf-like call formats it only with %T, t is not an interface (whose
// dynamic type only the running program knows) and names a notebook
// type, and a can be left unevaluated (a name, a field, a literal without
// calls, or the address of one):
// yaegi gives notebook types reflect types without their names, so %T
// printed `struct { W float64; H float64 }` for a main.Rect, and
// `float64` for a `type Celsius float64`. Types whose reflect names Go
// writes otherwise than go/types (func and struct literals) are left
// alone.
func typeNameOf(a ast.Expr, t types.Type, vs []verb) (string, bool) {
	if len(vs) == 0 || types.IsInterface(t) {
		return "", false
	}
	for _, v := range vs {
		if v.c != 'T' {
			return "", false
		}
	}
	e := ast.Unparen(a)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	switch x := e.(type) {
	case *ast.Ident, *ast.BasicLit:
	case *ast.CompositeLit:
		calls := false
		ast.Inspect(x, func(n ast.Node) bool {
			_, call := n.(*ast.CallExpr)
			calls = calls || call
			return !calls
		})
		if calls {
			return "", false
		}
	case *ast.SelectorExpr:
		if _, ok := ast.Unparen(x.X).(*ast.Ident); !ok {
			return "", false
		}
	default:
		return "", false
	}
	notebook, plain := false, true
	walkType(t, func(t types.Type) {
		switch t := t.(type) {
		case *types.Named:
			if p := t.Obj().Pkg(); p != nil && p.Path() == "main" {
				notebook = true
				plain = plain && t.TypeArgs().Len() == 0 && t.Obj().Parent() == p.Scope()
			}
		case *types.Pointer, *types.Slice, *types.Array, *types.Map, *types.Chan, *types.Basic:
		default:
			plain = false
		}
	})
	if !notebook || !plain {
		return "", false
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() }), true
}

// isStringLit reports whether e is a string literal, which a lowering
// may rewrite.
func isStringLit(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// notebookInterface reports whether t is an interface type a notebook
// value can be held in without yaegi's wrapper: any, an interface
// literal, or one the notebook declared (an interface of a compiled
// package, such as error or fmt.Stringer, holds the wrapper).
func notebookInterface(t types.Type) bool {
	if !types.IsInterface(t) {
		return false
	}
	switch t := t.(type) {
	case *types.Named:
		return t.Obj().Pkg() != nil && t.Obj().Pkg().Path() == "main"
	case *types.Alias:
		return notebookInterface(types.Unalias(t))
	}
	return true
}

// verb is one verb of a format: its letter, whether it has the # flag,
// and its offset in the format.
type verb struct {
	c     byte
	sharp bool
	at    int
}

// printfVerbs maps the index of each argument of format (after the
// format) to the verbs that format it, numbering them as fmt does
// (explicit [n] indexes, * widths and precisions take an argument).
func printfVerbs(format string) map[int][]verb {
	out := map[int][]verb{}
	argNum := 0
	index := func(i int) int {
		if i < len(format) && format[i] == '[' {
			if j := strings.IndexByte(format[i:], ']'); j > 0 {
				n := 0
				for _, c := range format[i+1 : i+j] {
					if c < '0' || c > '9' {
						return i
					}
					n = n*10 + int(c-'0')
				}
				if n > 0 {
					argNum = n - 1
				}
				return i + j + 1
			}
		}
		return i
	}
	digits := func(i int) int {
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
		return i
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		sharp := false
		for ; i < len(format) && strings.IndexByte("#0+- ", format[i]) >= 0; i++ {
			sharp = sharp || format[i] == '#'
		}
		i = index(i)
		if i < len(format) && format[i] == '*' {
			argNum++
			i++
		} else {
			i = digits(i)
		}
		if i < len(format) && format[i] == '.' {
			i = index(i + 1)
			if i < len(format) && format[i] == '*' {
				argNum++
				i++
			} else {
				i = digits(i)
			}
		}
		i = index(i)
		if i >= len(format) {
			break
		}
		if format[i] == '%' {
			continue
		}
		out[argNum] = append(out[argNum], verb{format[i], sharp, i})
		argNum++
	}
	return out
}

// allValueVerbs reports whether fmt formats a Stringer with each of vs
// without calling String or Error (%T names the type, which a conversion
// would change).
func allValueVerbs(vs []verb) bool {
	for _, v := range vs {
		switch v.c {
		case 'v':
			if !v.sharp {
				return false
			}
		case 's', 'q', 'x', 'X', 'T':
			return false
		}
	}
	return true
}

// allMethodVerbs reports whether fmt formats a Stringer with each of vs
// through its String or Error method.
func allMethodVerbs(vs []verb) bool {
	for _, v := range vs {
		switch {
		case v.c == 'v' && !v.sharp, v.c == 's', v.c == 'q':
		default:
			return false
		}
	}
	return true
}

// stringerElems reports whether t is a slice, array or map (not a named
// type with methods of its own) whose elements are notebook values with a
// String or Error method. Pointers to them are left alone: yaegi hands
// compiled code a notebook pointer in an any without its type, and fmt
// prints the addresses, as it did before.
func stringerElems(t types.Type) bool {
	if n, ok := t.(*types.Named); ok && types.NewMethodSet(types.NewPointer(n)).Len() > 0 {
		return false
	}
	var elem types.Type
	switch u := t.Underlying().(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	case *types.Map:
		elem = u.Elem()
	default:
		return false
	}
	return hasNotebookStringer(elem, false)
}

// anySharp reports whether a verb of vs has the # flag.
func anySharp(vs []verb) bool {
	for _, v := range vs {
		if v.sharp {
			return true
		}
	}
	return false
}

// hasNotebookStringer reports whether t is a type the notebook declared
// (not a pointer, not an interface) with a String or Error method, and no
// Format method (nor GoString when sharp: %#v asks for it), which fmt
// would call.
func hasNotebookStringer(t types.Type, sharp bool) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "main" || n.TypeArgs().Len() > 0 {
		return false
	}
	if _, ok := n.Underlying().(*types.Interface); ok {
		return false
	}
	ms := types.NewMethodSet(n)
	has := func(name string) bool { return ms.Lookup(nil, name) != nil }
	if has("Format") || (sharp && has("GoString")) {
		return false
	}
	return has("String") || has("Error")
}

// lowerPrintArgs converts or wraps the arguments of call that f says to.
func lowerPrintArgs(call *ast.CallExpr, f fact) {
	if len(f.Params) > len(call.Args) {
		return
	}
	args := call.Args[len(call.Args)-len(f.Params):]
	if f.Value != "" && len(call.Args) > len(f.Params) {
		at := len(call.Args) - len(f.Params) - 1
		if !isStringLit(call.Args[at]) {
			return
		}
		call.Args[at] = &ast.BasicLit{ValuePos: call.Args[at].Pos(), Kind: token.STRING, Value: strconv.Quote(f.Value)}
	}
	for i, t := range f.Params {
		a := args[i]
		switch t {
		case "":
			continue
		case printArgWrap:
			if !isFmtArgCall(a) {
				fn := &ast.SelectorExpr{X: &ast.Ident{Name: reserved("fmtarg"), NamePos: a.Pos()}, Sel: &ast.Ident{Name: "Arg", NamePos: a.Pos()}}
				// As an any: yaegi hands compiled code its box of a notebook
				// value in an any, and the bare value of one in an
				// interface the notebook declared.
				empty := &ast.InterfaceType{Interface: a.Pos(), Methods: &ast.FieldList{Opening: a.Pos(), Closing: a.Pos()}}
				asAny := &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: a.Pos(), X: empty, Rparen: a.Pos()}, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End() - 1}
				args[i] = &ast.CallExpr{Fun: fn, Lparen: a.Pos(), Args: []ast.Expr{asAny}, Rparen: a.End() - 1}
			}
			continue
		}
		if name, ok := strings.CutPrefix(t, printArgTypeName); ok {
			args[i] = &ast.BasicLit{ValuePos: a.Pos(), Kind: token.STRING, Value: strconv.Quote(name)}
			continue
		}
		if typ, ok := strings.CutPrefix(t, printArgElems); ok {
			if e := elemsArg(a, typ); e != nil && !isElemsCall(a) {
				args[i] = e
			}
			continue
		}
		te := parseAt(t, a.Pos())
		if te == nil {
			continue
		}
		args[i] = &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: a.Pos(), X: te, Rparen: a.Pos()}, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End() - 1}
	}
}

// elemsArg returns a, of type typ (a slice, array or map), as a []any or
// map[K]any of its elements each passed through _gompfmtarg.Arg (see
// printArgElems); nil if typ does not parse.
func elemsArg(a ast.Expr, typ string) ast.Expr {
	te := parseAt(typ, a.Pos())
	if te == nil {
		return nil
	}
	xs, out, k := reserved("Xs"), reserved("Out"), reserved("K")
	result := "[]any"
	if m, ok := te.(*ast.MapType); ok {
		var key strings.Builder
		if format.Node(&key, token.NewFileSet(), m.Key) != nil {
			return nil
		}
		result = "map[" + key.String() + "]any"
	}
	src := "func(" + xs + " " + typ + ") " + result + " { " + out + " := make(" + result + ", len(" + xs + ")); " +
		"for " + k + " := range " + xs + " { " + out + "[" + k + "] = " + xs + "[" + k + "]; " + out + "[" + k + "] = " + reserved("fmtarg") + ".Arg(" + out + "[" + k + "]) }; " +
		"return " + out + " }"
	fn := parseAt(src, a.Pos())
	if fn == nil {
		return nil
	}
	return &ast.CallExpr{Fun: fn, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End() - 1}
}

// isElemsCall reports whether x is already elemsArg's call, so that code
// instrumented twice is converted once.
func isElemsCall(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	lit, ok := c.Fun.(*ast.FuncLit)
	if !ok || len(lit.Type.Params.List) != 1 || len(lit.Type.Params.List[0].Names) != 1 {
		return false
	}
	return lit.Type.Params.List[0].Names[0].Name == reserved("Xs")
}
