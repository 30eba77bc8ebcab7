package kernel

import (
	"fmt"
	"testing"
)

// BenchmarkExecuteRoundTrip is one short cell from execute_request to its
// idle status, through the kernel's sockets on loopback.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	e := newTestEngine()
	h := startKernel(b, e, nil)
	for b.Loop() {
		r, out := h.execute("print x", nil)
		<-e.started
		if r.Content["status"] != "ok" || len(out) != 4 {
			b.Fatalf("reply %v, iopub %v", r.Content, types(out))
		}
	}
}

// BenchmarkIOPubThroughput is a cell printing 16 MiB, through to the
// client that reads iopub.
func BenchmarkIOPubThroughput(b *testing.B) {
	const size = 16 << 20
	e := newTestEngine()
	h := startKernel(b, e, nil)
	b.SetBytes(size)
	for b.Loop() {
		_, out := h.execute(fmt.Sprintf("bytes %d", size), nil)
		<-e.started
		if n := len(streamText(out, "stdout")); n != size {
			b.Fatalf("got %d bytes", n)
		}
	}
}
