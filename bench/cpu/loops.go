package main

// The CPU-bound workloads. This file is both compiled (with main.go) and sent
// verbatim, minus its package clause, as a gomp cell, so the interpreted and
// compiled figures come from the same source. loops.py is its Python twin.
// It must stay import-free so that it is a valid cell on its own.

// fib is the naive recursive Fibonacci: calls and integer arithmetic.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// sliceLoop fills a slice of n ints and sums it over several passes:
// indexing, range loops and arithmetic.
func sliceLoop(n int) int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i * 7 % 1000
	}
	s := 0
	for pass := 0; pass < 5; pass++ {
		for _, x := range xs {
			s += x ^ pass
		}
	}
	return s
}

// mapLoop accumulates n values into a map of n/10 int keys and reads every
// key back: hashing, map insertion and lookup.
func mapLoop(n int) int {
	m := map[int]int{}
	keys := n / 10
	for i := 0; i < n; i++ {
		m[i%keys] += i
	}
	s := 0
	for i := 0; i < keys; i++ {
		s += m[i] % 7
	}
	return s + len(m)
}
