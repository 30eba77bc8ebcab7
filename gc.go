package main

import (
	"os"
	"runtime/debug"
)

// tuneGC trades memory for speed in the interpreter: yaegi allocates on
// every interpreted call (about 258 MB for a recursive fib(27)), so with
// Go's default GOGC=100 the collector takes a large share of a CPU-bound
// cell. 400 measured fib(27) ~520 ms → ~295 ms (bench/README.md). A GOGC
// set by the user wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
