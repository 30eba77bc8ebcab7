// Package symbols holds yaegi symbol tables generated from gomp's own
// packages, so that cells can import them. Today that is mp: interp
// registers Symbols["github.com/gomp-kernel/gomp/mp/mp"] under "mp/mp", so
// cells write import "mp".
//
// Regenerate after mp's exported API changes with:
//
//	go generate ./interp/symbols
package symbols

import "reflect"

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols github.com/gomp-kernel/gomp/mp

// Symbols maps "import/path/name" to the package's exported symbols, as
// yaegi's Use expects. The generated files fill it in their init.
var Symbols = map[string]map[string]reflect.Value{}

// MP is the key of mp's table in Symbols.
const MP = "github.com/gomp-kernel/gomp/mp/mp"
