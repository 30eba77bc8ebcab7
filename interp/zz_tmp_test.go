package interp

import (
	"reflect"
	"testing"
)

func BenchmarkTmpCall(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Execute(b.Context(), "func square(x int) int { return x * x }\nfunc loop(xs []int, out []int, done *int) { for i := range xs { *done = i; out[i] = square(xs[i]) }; *done = len(xs) }", IO{}); err != nil {
		b.Fatal(err)
	}
	fn, err := s.Func("square")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reflect", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			out := fn.Call([]reflect.Value{reflect.ValueOf(i)})
			_ = out[0].Int()
		}
	})
	b.Run("direct", func(b *testing.B) {
		f := fn.Interface().(func(int) int)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = f(i)
		}
	})
	lp, _ := s.Func("loop")
	b.Run("loop", func(b *testing.B) {
		f := lp.Interface().(func([]int, []int, *int))
		xs := make([]int, 1000)
		out := make([]int, 1000)
		var d int
		b.ReportAllocs()
		for b.Loop() {
			f(xs, out, &d)
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
	})
}
