package interp

import (
	"go/ast"
	"go/constant"
	"go/types"
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

// factFmtVerbs marks a printf-like call; its Params are, per argument
// after the format, the underlying type to convert the argument to, or "".
const factFmtVerbs = "fmt-verbs"

// printfFuncs are the printf-like functions of the standard library,
// with the index of the format among their arguments.
var printfFuncs = map[string]int{
	"fmt.Printf": 0, "fmt.Sprintf": 0, "fmt.Errorf": 0, "fmt.Fprintf": 1, "fmt.Appendf": 1,
	"log.Printf": 0, "log.Fatalf": 0, "log.Panicf": 0,
	"(*log.Logger).Printf": 0, "(*log.Logger).Fatalf": 0, "(*log.Logger).Panicf": 0,
}

// fmtVerbsFact returns the fact of call, a printf-like call (see above),
// when it has an argument to convert.
func fmtVerbsFact(call *ast.CallExpr, info *types.Info, typeOf func(types.Type) string) (fact, bool) {
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
	at, ok := printfFuncs[fn.FullName()]
	if !ok || len(call.Args) <= at {
		return fact{}, false
	}
	tv := info.Types[call.Args[at]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return fact{}, false
	}
	verbs := printfVerbs(constant.StringVal(tv.Value))
	args := call.Args[at+1:]
	conv := make([]string, len(args))
	found := false
	for i, a := range args {
		vs := verbs[i]
		if len(vs) == 0 || !allValueVerbs(vs) {
			continue
		}
		t := info.Types[a].Type
		if !hasNotebookStringer(t, anySharp(vs)) {
			continue
		}
		if conv[i] = typeOf(t.Underlying()); conv[i] != "" {
			found = true
		}
	}
	if !found {
		return fact{}, false
	}
	return fact{Kind: factFmtVerbs, Params: conv}, true
}

// verb is one verb of a format: its letter and whether it has the #
// flag.
type verb struct {
	c     byte
	sharp bool
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
		out[argNum] = append(out[argNum], verb{format[i], sharp})
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

// lowerFmtVerbs converts the arguments of call that f says to convert.
func lowerFmtVerbs(call *ast.CallExpr, f fact) {
	args := call.Args[len(call.Args)-len(f.Params):]
	for i, t := range f.Params {
		if t == "" {
			continue
		}
		a := args[i]
		te := parseAt(t, a.Pos())
		if te == nil {
			continue
		}
		args[i] = &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: a.Pos(), X: te, Rparen: a.Pos()}, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End() - 1}
	}
}
