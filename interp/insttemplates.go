package interp

// bodyless are Go versions of functions the runtime provides to a
// package (no body in its source), by path.name.
var bodyless = map[string]string{
	"maps.clone": `func NAME(m any) any {
	v := reflect.ValueOf(m)
	c := reflect.MakeMapWithSize(v.Type(), v.Len())
	for it := v.MapRange(); it.Next(); {
		c.SetMapIndex(it.Key(), it.Value())
	}
	return c.Interface()
}`,
}

// templates are the instances of generic functions whose source uses
// what the interpreter lacks, by path.name, with T0 for the type
// argument and PKG for the package: errors.AsType asks errors.As, which
// the session replaces with one that sees notebook errors (errorsAs).
var templates = map[string]string{
	"errors.AsType":   "func NAME(err error) (T0, bool) {\n\tvar e T0\n\tok := PKG.As(err, &e)\n\treturn e, ok\n}",
	"reflect.TypeFor": "func NAME() PKG.Type {\n\tvar v T0\n\tif t := PKG.TypeOf(v); t != nil {\n\t\treturn t\n\t}\n\treturn PKG.TypeOf((*T0)(nil)).Elem()\n}",
}

// typeTemplates are instances of the standard library's generic types
// written by hand, by path.Name, with NAME for the instance's name, T0
// and T1 for the type arguments and SYNC for package sync: iter's Seq and
// Seq2 are aliases of their func types (a value of either is a func the
// notebook writes), and atomic.Pointer, whose source converts through
// unsafe.Pointer, holds its pointer under a mutex, which keeps its
// methods atomic.
var typeTemplates = map[string]string{
	"iter.Seq":  "type NAME = func(yield func(T0) bool)",
	"iter.Seq2": "type NAME = func(yield func(T0, T1) bool)",
	"sync/atomic.Pointer": `type NAME struct {
	mu SYNC.Mutex
	v  *T0
}

func (x *NAME) Load() *T0 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.v
}

func (x *NAME) Store(val *T0) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.v = val
}

func (x *NAME) Swap(new *T0) (old *T0) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old, x.v = x.v, new
	return old
}

func (x *NAME) CompareAndSwap(old, new *T0) (swapped bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.v != old {
		return false
	}
	x.v = new
	return true
}`,
}
