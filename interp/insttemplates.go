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
