package main

import (
	"embed"
	"log/slog"

	"github.com/gomp-kernel/gomp/workerbuild"
)

// workerSource is the source a compiled mp worker is built from: gomp's
// packages that the generated program imports, carried inside the binary
// because gomp may run where its source is not. The type checker reads
// the cell packages' types from it too (front.Options.Sources).
//
//go:embed go.mod go.sum internal/forkthread/*.go mp/*.go mp/compiledworker/*.go display/*.go chart/*.go widgets/*.go widgets/models.json check/*.go
var workerSource embed.FS

// newCompiler returns the builder of compiled mp workers for a kernel or a
// notebook run; its caller closes it.
func newCompiler(log *slog.Logger) *workerbuild.Builder {
	return workerbuild.New(workerSource, workerbuild.Options{Log: log})
}
