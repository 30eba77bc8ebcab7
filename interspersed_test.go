package main

import (
	"flag"
	"slices"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		paths   []string
		timeout string
	}{
		{"flags first", []string{"--timeout", "1s", "a.ipynb", "b.ipynb"}, []string{"a.ipynb", "b.ipynb"}, "1s"},
		{"flags between", []string{"a.ipynb", "--timeout=2s", "b.ipynb"}, []string{"a.ipynb", "b.ipynb"}, "2s"},
		{"flags last", []string{"a.ipynb", "--timeout", "3s"}, []string{"a.ipynb"}, "3s"},
		{"dash dash", []string{"a.ipynb", "--", "--timeout", "-b.ipynb"}, []string{"a.ipynb", "--timeout", "-b.ipynb"}, "0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("run", flag.ContinueOnError)
			timeout := fs.Duration("timeout", 0, "")
			paths, err := parseInterspersed(fs, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(paths, tc.paths) || timeout.String() != tc.timeout {
				t.Errorf("paths %q, timeout %v; want %q, %s", paths, timeout, tc.paths, tc.timeout)
			}
		})
	}
}
