// Package symbols holds yaegi symbol tables generated from gomp's own
// packages, so that cells can import them by short paths: import "mp",
// import "display", import "chart".
//
// Regenerate after the exported API of one of them changes with:
//
//	go generate ./interp/symbols
package symbols

import "reflect"

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols github.com/gomp-kernel/gomp/mp github.com/gomp-kernel/gomp/display github.com/gomp-kernel/gomp/chart

// Symbols maps "import/path/name" to the package's exported symbols, as
// yaegi's Use expects. The generated files fill it in their init.
var Symbols = map[string]map[string]reflect.Value{}

// Packages maps the import path cells use for each of gomp's packages to
// the key of its table in Symbols.
var Packages = map[string]string{
	"mp":      "github.com/gomp-kernel/gomp/mp/mp",
	"display": "github.com/gomp-kernel/gomp/display/display",
	"chart":   "github.com/gomp-kernel/gomp/chart/chart",
}
