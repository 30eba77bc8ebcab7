package main

import (
	"os"
	"runtime/debug"
)

// tuneRuntime sets what every gomp process that runs cells needs of Go's
// runtime (the kernel, a gomp run child, an mp worker):
//
//   - GOGC=400 trades memory for speed in the interpreter: yaegi allocates
//     on every interpreted call (about 258 MB for a recursive fib(27)), so
//     with Go's default GOGC=100 the collector takes a large share of a
//     CPU-bound cell. 400 measured fib(27) ~520 ms → ~295 ms
//     (bench/README.md). A GOGC set by the user wins.
//   - the stack limit (maxStack, crashreport.go) is the backstop behind
//     interp's recursion limit.
func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	debug.SetMaxStack(maxStack)
}
