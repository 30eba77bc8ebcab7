package interp

import (
	"fmt"
	"testing"
	"time"
)

func TestScratchUnwind(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Execute(t.Context(), "func boom(n int) int { if n == 0 { panic(\"x\") }; return boom(n-1) + 1 }", IO{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1000, 2000, 4000, 8000, 16000} {
		t0 := time.Now()
		_, err := s.Execute(t.Context(), fmt.Sprintf("boom(%d)", n), IO{})
		t.Logf("%d: %v (%v)", n, time.Since(t0), err != nil)
	}
}
