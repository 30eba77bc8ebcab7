// Package symbols holds yaegi symbol tables generated from gomp's own
// packages, so that cells can import them by short paths: import "mp",
// import "display", import "chart", import "check" (whose Host and
// SetHost, the wiring gomp's main uses, are left out like mp's).
//
// Regenerate after the exported API of one of them changes with:
//
//	go generate ./interp/symbols
//
// mp's wiring, the names through which gomp's main connects mp to the
// interpreter (SetHost with its Host, Cell and Config, ServeWorker with
// its Runner, Tracer and PanicTexter, Shutdown, Warm, EncodeValue and
// DecodeValue for the Host's snapshot, and the names only they or the
// runner use), is left out of the table, so that cells can neither
// complete, inspect nor call it; gendocs leaves out what the table does.
// The widgets package's wiring (Message, Host, SetHost, Receive...) is
// left out the same way.
// A new exported name of mp appears in cells unless it is added to the
// -exclude list below (TestMPWiringHidden lists both sides).
package symbols

import "reflect"

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols -exclude ^(Host|Cell|Config|Runner|Tracer|PanicTexter|SetHost|ServeWorker|Shutdown|Warm|ErrNoHost|ErrTargetFailed|ProgressIDPrefix|EncodeValue|DecodeValue|AssignValue|Builder|Build|SetNotebookTypes|Cluster|ClusterPool|ClusterTask|RemoteWorker|NewRemoteWorker)$ github.com/gomp-kernel/gomp/mp
//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols github.com/gomp-kernel/gomp/display github.com/gomp-kernel/gomp/chart
//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols -exclude ^(Host|SetHost)$ github.com/gomp-kernel/gomp/check
//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols -exclude ^(Message|Sink|Host|Call|SetHost|Receive|ErrUnknownTarget|Target|ControlTarget|ProtocolVersion)$ github.com/gomp-kernel/gomp/widgets
//go:generate go run ./gendocs -o docs.go

// Symbols maps "import/path/name" to the package's exported symbols, as
// yaegi's Use expects. The generated files fill it in their init.
var Symbols = map[string]map[string]reflect.Value{}

// Packages maps the import path cells use for each of gomp's packages to
// the key of its table in Symbols.
var Packages = map[string]string{
	"mp":      "github.com/gomp-kernel/gomp/mp/mp",
	"display": "github.com/gomp-kernel/gomp/display/display",
	"chart":   "github.com/gomp-kernel/gomp/chart/chart",
	"check":   "github.com/gomp-kernel/gomp/check/check",
	"widgets": "github.com/gomp-kernel/gomp/widgets/widgets",
}
