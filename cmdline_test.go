package main

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/interp/stdlib"
)

// TestBannerNamesTheCellsGo checks that kernel_info's banner says which Go
// cells get, not only the Go that built gomp.
func TestBannerNamesTheCellsGo(t *testing.T) {
	b := (&engine{}).Info().Banner
	for _, want := range []string{"yaegi v0.16.1", "standard library of " + stdlib.Release, "built with " + runtime.Version()} {
		if !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
}

// TestIsTerminal: gomp run draws a status line only on a terminal; /dev/null
// is a character device but no terminal, nor is a pipe or a file.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, f := range map[string]*os.File{"/dev/null": null, "a pipe": w} {
		if isTerminal(f) {
			t.Errorf("%s is taken for a terminal", name)
		}
	}
}
