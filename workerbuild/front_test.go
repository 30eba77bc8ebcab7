//go:build linux

package workerbuild_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
	"github.com/gomp-kernel/gomp/workerbuild"
)

// TestCellsPrebuildWorkers runs cells through front, as the kernel and
// gomp run do: a cell that declares something in a notebook importing mp
// starts a build without any call (every function, then the targets calls
// used), and one that declares nothing starts none.
func TestCellsPrebuildWorkers(t *testing.T) {
	requireGo(t)
	cache := t.TempDir()
	b := newBuilder(t, workerbuild.Options{CacheDir: cache})
	nb, err := front.Open(front.Options{Compiler: b})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	// front made the session mp's host; its workers are this binary.
	mp.SetHost(nb.Session(), mp.Config{Path: os.Args[0], Env: []string{"GOMP_WORKERBUILD_TEST_MODE=worker"}, NoSpare: true, Builder: b})
	workers := func() int {
		b.Idle()
		entries, err := os.ReadDir(cache)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() {
				n++
			}
		}
		return n
	}
	run := func(code string) string {
		var out output
		o := nb.Execute(t.Context(), front.Cell{Count: 1, Code: code, IO: interp.IO{Stdout: &out, Stderr: &out}})
		if o.Err != nil {
			t.Fatalf("cell %q: %v", code, o.Err)
		}
		return out.String()
	}
	run(`import "fmt"` + "\nfunc double(n int) int { return 2 * n }")
	if n := workers(); n != 0 {
		t.Fatalf("%d workers built for a notebook without mp", n)
	}
	run(`import "mp"` + "\nfunc triple(n int) int { return 3 * n }")
	if n := workers(); n != 1 {
		t.Fatalf("%d workers after the first declaring cell, want 1 (every function)", n)
	}
	if out := run("pool := mp.NewPool(1)\nres, err := pool.Map(triple, []int{1, 2})\nfmt.Println(res, err)"); !strings.HasPrefix(out, "[3 6] <nil>") {
		t.Fatalf("Map: %q", out)
	}
	n := workers() // the call's own build of triple
	run("x := 1\n_ = x")
	if got := workers(); got != n {
		t.Errorf("a cell without declarations built %d workers", got-n)
	}
	run("func triple(n int) int { return n + n + n }")
	if got := workers(); got != n+1 {
		t.Errorf("changing triple built %d workers, want 1 (triple's, before any call)", got-n)
	}
}
