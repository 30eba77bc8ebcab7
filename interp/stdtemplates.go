package interp

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"hash"
	"hash/maphash"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"unique"
	"unsafe"
	"weak"
)

// Templates of standard generic functions whose source the interpreter
// cannot run (it calls into the runtime: iter.Pull's coroutines, unique's
// and weak's runtime hooks, maphash's type hashers) or that it runs wrong.
// An instance is the template with the type arguments written in; what
// needs the runtime goes through a compiled helper that works on any
// (templateHelpers), and a generic result type (unique.Handle[T],
// weak.Pointer[T]) has a template too, with the same methods and the
// same equality.

// instTemplate is the text of one template: a function, or a generic
// type with its methods (unique.Handle, weak.Pointer), whose instance
// notebook code may name as the type the package's generic type has
// (unique.Handle[string]). In fn, NAME is the instance's name, TYPE that
// of the instance of result with the same type arguments, PKG the package's reserved
// import name, GEN that of the compiled helpers (compiledPath) and T0, T1,
// ... the type arguments; L_x is a reserved local name.
type instTemplate struct {
	// targs is the number of type arguments.
	targs int
	fn    string
	// result names the package's generic type whose template's
	// instance the function returns (TYPE), or is "".
	result string
}

// stdTemplates are the templates by path.name.
var stdTemplates = map[string]instTemplate{
	// Pull runs seq in a goroutine that hands each value over on a
	// channel and waits to be resumed; a panic in seq is raised again in
	// next or stop, as iter.Pull does. Locals are named L_ (reserved
	// names, see template) so that they hide no type argument. yaegi
	// fails on return <-ch in a func literal (reflect.Value.Set using
	// unaddressable value), hence L_more.
	"iter.Pull": {targs: 1, fn: `func NAME(L_seq func(func(T0) bool)) (func() (T0, bool), func()) {
	var L_started, L_done bool
	L_values := make(chan T0)
	L_resume := make(chan bool)
	L_finished := make(chan any, 1)
	L_run := func() {
		defer func() { L_finished <- recover() }()
		if !<-L_resume {
			return
		}
		L_seq(func(L_v T0) bool {
			if L_done {
				return false
			}
			L_values <- L_v
			L_more := <-L_resume
			return L_more
		})
	}
	L_next := func() (T0, bool) {
		var L_zero T0
		if L_done {
			return L_zero, false
		}
		if !L_started {
			L_started = true
			go L_run()
		}
		L_resume <- true
		select {
		case L_v := <-L_values:
			return L_v, true
		case L_p := <-L_finished:
			L_done = true
			if L_p != nil {
				panic(L_p)
			}
			return L_zero, false
		}
	}
	L_stop := func() {
		if L_done {
			return
		}
		L_done = true
		if !L_started {
			return
		}
		L_resume <- false
		if L_p := <-L_finished; L_p != nil {
			panic(L_p)
		}
	}
	return L_next, L_stop
}`},
	"iter.Pull2": {targs: 2, fn: `func NAME(L_seq func(func(T0, T1) bool)) (func() (T0, T1, bool), func()) {
	type L_pair struct {
		L_k T0
		L_v T1
	}
	var L_started, L_done bool
	L_values := make(chan L_pair)
	L_resume := make(chan bool)
	L_finished := make(chan any, 1)
	L_run := func() {
		defer func() { L_finished <- recover() }()
		if !<-L_resume {
			return
		}
		L_seq(func(L_k T0, L_v T1) bool {
			if L_done {
				return false
			}
			L_values <- L_pair{L_k, L_v}
			L_more := <-L_resume
			return L_more
		})
	}
	L_next := func() (T0, T1, bool) {
		var L_k T0
		var L_v T1
		if L_done {
			return L_k, L_v, false
		}
		if !L_started {
			L_started = true
			go L_run()
		}
		L_resume <- true
		select {
		case L_kv := <-L_values:
			return L_kv.L_k, L_kv.L_v, true
		case L_p := <-L_finished:
			L_done = true
			if L_p != nil {
				panic(L_p)
			}
			return L_k, L_v, false
		}
	}
	L_stop := func() {
		if L_done {
			return
		}
		L_done = true
		if !L_started {
			return
		}
		L_resume <- false
		if L_p := <-L_finished; L_p != nil {
			panic(L_p)
		}
	}
	return L_next, L_stop
}`},
	"unique.Make": {targs: 1, result: "Handle", fn: "func NAME(L_v T0) TYPE { return TYPE{GEN.TUniqueMake(L_v)} }"},
	"weak.Make":   {targs: 1, result: "Pointer", fn: "func NAME(L_ptr *T0) TYPE { return TYPE{GEN.TWeakMake(L_ptr)} }"},
	// A handle holds unique.Make's handle of the value as an any: handles
	// are equal exactly when the values are.
	"unique.Handle": {targs: 1, fn: "type NAME struct{ L_h GEN.TUniqueHandle }\n\nfunc (L_x NAME) Value() T0 { return L_x.L_h.Value().(T0) }"},
	// A weak pointer holds weak.Make's pointer of the value's address;
	// two are equal when made from the same pointer.
	"weak.Pointer":                 {targs: 1, fn: "type NAME struct{ L_p GEN.TWeakPointer }\n\nfunc (L_x NAME) Value() *T0 { return (*T0)(GEN.TWeakValue(L_x.L_p)) }"},
	"hash/maphash.Comparable":      {targs: 1, fn: "func NAME(L_seed PKG.Seed, L_v T0) uint64 { return GEN.TMaphashComparable(L_seed, L_v) }"},
	"hash/maphash.WriteComparable": {targs: 1, fn: "func NAME(L_h *PKG.Hash, L_x T0) { GEN.TMaphashWriteComparable(L_h, L_x) }"},
	// N is Uint64N converted, as rand.N is.
	"math/rand/v2.N": {targs: 1, fn: "func NAME(L_n T0) T0 {\n\tif L_n <= 0 {\n\t\tpanic(\"invalid argument to N\")\n\t}\n\treturn T0(PKG.Uint64N(uint64(L_n)))\n}"},
	// The key derivations take the hash constructor as a func() hash.Hash.
	"crypto/hkdf.Key":     {targs: 1, fn: "func NAME(L_h func() T0, L_secret, L_salt []byte, L_info string, L_n int) ([]byte, error) {\n\treturn GEN.THkdfKey(func() GEN.THash { return L_h() }, L_secret, L_salt, L_info, L_n)\n}"},
	"crypto/hkdf.Extract": {targs: 1, fn: "func NAME(L_h func() T0, L_secret, L_salt []byte) ([]byte, error) {\n\treturn GEN.THkdfExtract(func() GEN.THash { return L_h() }, L_secret, L_salt)\n}"},
	"crypto/hkdf.Expand":  {targs: 1, fn: "func NAME(L_h func() T0, L_prk []byte, L_info string, L_n int) ([]byte, error) {\n\treturn GEN.THkdfExpand(func() GEN.THash { return L_h() }, L_prk, L_info, L_n)\n}"},
	"crypto/pbkdf2.Key":   {targs: 1, fn: "func NAME(L_h func() T0, L_password string, L_salt []byte, L_iter, L_n int) ([]byte, error) {\n\treturn GEN.TPbkdf2Key(func() GEN.THash { return L_h() }, L_password, L_salt, L_iter, L_n)\n}"},
	// AddCleanup attaches the cleanup to the object ptr points into. The
	// cleanup goes as it is, not in a func literal: an interpreted
	// closure keeps its whole frame alive, ptr with it, and the object
	// would stay reachable from its own cleanup.
	"runtime.AddCleanup": {targs: 2, fn: "func NAME(L_ptr *T0, L_f func(T1), L_arg T1) PKG.Cleanup {\n\treturn GEN.TAddCleanup(L_ptr, L_f, L_arg)\n}"},
	// TypeAssert is, as its documentation says, v.Interface().(T).
	"reflect.TypeAssert": {targs: 1, fn: "func NAME(L_v PKG.Value) (T0, bool) {\n\tL_x, L_ok := L_v.Interface().(T0)\n\treturn L_x, L_ok\n}"},
}

// template returns the name of the instance of path.name with targs
// made from its template, generating it when it is new; ok is false
// without a template.
func (g *instantiator) template(path, name string, targs []string) (string, bool) {
	tpl, ok := stdTemplates[path+"."+name]
	if !ok {
		text, ok := templates[path+"."+name]
		if !ok {
			return "", false
		}
		tpl = instTemplate{targs: 1, fn: text}
	}
	if len(targs) != tpl.targs {
		return "", false
	}
	key := instName(path, name, targs)
	if _, done := g.done[key]; done {
		return key, true
	}
	typ := ""
	if tpl.result != "" {
		var ok bool
		if typ, ok = g.template(path, tpl.result, targs); !ok {
			return "", false
		}
	}
	g.done[key] = key
	pairs := []string{"NAME", key, "TYPE", typ, "PKG", pkgAlias(path), "GEN", pkgAlias(compiledPath), "L_", reserved("L_")}
	for i, t := range targs {
		pairs = append(pairs, "T"+strconv.Itoa(i), typeParen(t))
	}
	imports := []string{path}
	if strings.Contains(tpl.fn, "GEN.") {
		imports = append(imports, compiledPath)
	}
	g.decls = append(g.decls, instDecl{Name: key, Text: strings.NewReplacer(pairs...).Replace(tpl.fn), Imports: imports})
	return key, true
}

// hasTemplate reports whether path.name, a generic type, has a template.
func hasTemplate(path, name string) bool {
	_, ok := stdTemplates[path+"."+name]
	return ok
}

// addTemplateHelpers adds to m, the symbols of compiledPath, the compiled
// functions and types the templates use (GEN.T...). They take the value
// as an any: an interface holding a comparable value is comparable and
// hashable as the value is, and reflect recovers a pointer's address.
func addTemplateHelpers(m map[string]reflect.Value) {
	m["TUniqueHandle"] = reflect.ValueOf((*unique.Handle[any])(nil))
	m["TUniqueMake"] = reflect.ValueOf(func(v any) unique.Handle[any] { return unique.Make(v) })
	m["TWeakPointer"] = reflect.ValueOf((*weak.Pointer[byte])(nil))
	m["TWeakMake"] = reflect.ValueOf(weakMake)
	m["TWeakValue"] = reflect.ValueOf(weakValue)
	m["TMaphashComparable"] = reflect.ValueOf(func(seed maphash.Seed, v any) uint64 { return maphash.Comparable(seed, v) })
	m["THash"] = reflect.ValueOf((*hash.Hash)(nil))
	m["THkdfKey"] = reflect.ValueOf(hkdf.Key[hash.Hash])
	m["THkdfExtract"] = reflect.ValueOf(hkdf.Extract[hash.Hash])
	m["THkdfExpand"] = reflect.ValueOf(hkdf.Expand[hash.Hash])
	m["TPbkdf2Key"] = reflect.ValueOf(pbkdf2.Key[hash.Hash])
	m["TAddCleanup"] = reflect.ValueOf(addCleanup)
	m["TPanic"] = reflect.ValueOf(compiledPanic)
	m["TMaphashWriteComparable"] = reflect.ValueOf(func(h *maphash.Hash, v any) { maphash.WriteComparable(h, v) })
}

// weakMake is weak.Make of the pointer p holds, as a pointer to its
// first byte; nil gives the zero weak pointer, as weak.Make(nil) does.
func weakMake(p any) weak.Pointer[byte] {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return weak.Pointer[byte]{}
	}
	return weak.Make((*byte)(v.UnsafePointer()))
}

// weakValue is w's pointer, nil once the value is gone. The template
// converts it to the pointer type (an unsafe.Pointer, not an any made
// by reflect, keeps the interpreter's methods of the type).
func weakValue(w weak.Pointer[byte]) unsafe.Pointer {
	return unsafe.Pointer(w.Value())
}

// addCleanup is runtime.AddCleanup on the object p (a pointer) points
// into, with the checks it makes of its arguments; f is the cleanup, a
// func of one parameter, called with arg.
func addCleanup(p, f, arg any) runtime.Cleanup {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("runtime.AddCleanup: ptr is nil")
	}
	a := reflect.ValueOf(arg)
	if a.Kind() == reflect.Pointer && a.UnsafePointer() == v.UnsafePointer() {
		panic("runtime.AddCleanup: ptr is equal to arg, cleanup will never run")
	}
	fv := reflect.ValueOf(f)
	if !a.IsValid() {
		a = reflect.Zero(fv.Type().In(0))
	}
	return runtime.AddCleanup((*byte)(v.UnsafePointer()), func(a reflect.Value) { fv.Call([]reflect.Value{a}) }, a)
}
