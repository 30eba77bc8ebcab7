// Command cpu times the CPU-bound workloads of loops.go compiled, as the
// reference for the interpreted figures. For each workload it prints a line
// "RESULT name result seconds", seconds being the median time of one call.
//
//	go run ./bench/cpu -reps 5
//
// With -spin N it only times fib(N), a unit of work that mp_compare.py runs
// once alone and twice at once to measure how parallel the machine really is.
package main

import (
	"flag"
	"fmt"
	"slices"
	"time"
)

// Workloads are the calls timed, by name; cpu_bench.py uses the same names
// and arguments for gomp and Python.
var workloads = []struct {
	name string
	run  func() int
}{
	{"fib(27)", func() int { return fib(27) }},
	{"sliceLoop(200000)", func() int { return sliceLoop(200000) }},
	{"mapLoop(200000)", func() int { return mapLoop(200000) }},
}

func main() {
	reps := flag.Int("reps", 5, "timed repetitions per workload; the median is printed")
	spin := flag.Int("spin", 0, "only compute fib(`N`) once and print its seconds (a unit of CPU work for measuring how parallel the machine is)")
	flag.Parse()
	if *spin > 0 {
		start := time.Now()
		r := fib(*spin)
		fmt.Printf("RESULT fib(%d) %d %.9f\n", *spin, r, time.Since(start).Seconds())
		return
	}
	for _, w := range workloads {
		var result int
		times := make([]float64, 0, *reps)
		for range *reps {
			// Compiled calls are fast: loop until a repetition takes long
			// enough for the clock to be meaningful, and divide.
			calls, start := 0, time.Now()
			for calls == 0 || time.Since(start) < 50*time.Millisecond {
				result = w.run()
				calls++
			}
			times = append(times, time.Since(start).Seconds()/float64(calls))
		}
		slices.Sort(times)
		fmt.Printf("RESULT %s %d %.9f\n", w.name, result, times[len(times)/2])
	}
}
