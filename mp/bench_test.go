package mp

import (
	"testing"
)

// BenchmarkProcessStartToOutput measures Start until the child's first
// line reaches the cell, then Join. With the spare, process start-up is
// off the measured path.
func BenchmarkProcessStartToOutput(b *testing.B) {
	for _, spare := range []bool{true, false} {
		name := "spare"
		if !spare {
			name = "nospare"
		}
		b.Run(name, func(b *testing.B) {
			setConfig(b, spare)
			for b.Loop() {
				stdout := &recorder{seen: make(chan string, 1), watch: "Process"}
				host.mu.Lock()
				host.cell.Stdout = stdout
				host.mu.Unlock()
				p := NewProcess(printNumber, 1)
				if err := p.Start(); err != nil {
					b.Fatal(err)
				}
				<-stdout.seen
				b.StopTimer()
				if err := p.Join(); err != nil {
					b.Fatal(err)
				}
				state.children.refills.Wait() // the next Start finds its spare ready
				b.StartTimer()
			}
		})
	}
}

func setConfig(b *testing.B, spare bool) {
	host.mu.Lock()
	host.cell = Cell{}
	host.mu.Unlock()
	SetHost(host, Config{Path: state.children.cfg.Path, Env: state.children.cfg.Env, NoSpare: !spare})
	b.Cleanup(func() { SetHost(host, Config{Path: state.children.cfg.Path, Env: state.children.cfg.Env}) })
}

// BenchmarkMapSquare maps square over 10,000 ints on a warm pool of 2;
// items/s is the throughput.
func BenchmarkMapSquare(b *testing.B) { benchMapSquare(b, square, 10000) }

// BenchmarkMapSquare100k is bench/'s Pool(2).Map row: 100,000 ints, which
// the workers run in loops (as compiled workers do), so that the parent's
// encoding and decoding is most of the cost.
func BenchmarkMapSquare100k(b *testing.B) { benchMapSquare(b, funcs["fastSquare"], 100000) }

func benchMapSquare(b *testing.B, square any, n int) {
	setConfig(b, true)
	pool := NewPool(2)
	defer pool.Terminate()
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i
	}
	if _, err := pool.Map(square, xs[:10]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pool.Map(square, xs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkApplyRoundTrip is one Apply on a warm pool: the latency of a
// task.
func BenchmarkApplyRoundTrip(b *testing.B) {
	setConfig(b, true)
	pool := NewPool(1)
	defer pool.Terminate()
	if _, err := pool.Apply(square, 1); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := pool.Apply(square, 3); err != nil {
			b.Fatal(err)
		}
	}
}
