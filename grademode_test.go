package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGradeInit writes the nbgrader config, the sample assignment's own,
// and refuses to overwrite one that exists.
func TestGradeInit(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"grade", "init", dir}, &out, &errOut); err != nil {
		t.Fatalf("gomp grade init: %v %s", err, errOut.String())
	}
	path := filepath.Join(dir, "nbgrader_config.py")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("notebooks", "assignment", "nbgrader_config.py"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !strings.Contains(string(got), `"go": '// YOUR CODE HERE\npanic("not implemented")'`) {
		t.Errorf("gomp grade init wrote:\n%s\nwant the sample's config with Go's stub", got)
	}
	if err := os.WriteFile(path, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	err = run([]string{"grade", "init", dir}, &out, &errOut)
	if code, ok := err.(exitCode); !ok || code != 2 || !strings.Contains(errOut.String(), "exists; not overwritten") {
		t.Errorf("second init: %v, %q; want exit status 2 saying the file exists", err, errOut.String())
	}
	if data, _ := os.ReadFile(path); string(data) != "# mine\n" {
		t.Errorf("the existing config was overwritten: %q", data)
	}
}

// TestGradeUsage: bad grading flags are usage errors, and the help names
// the grading flags.
func TestGradeUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"grade", "-h"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: gomp grade", "--source DIR", "--gradebook FILE", "--timeout DURATION"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gomp grade -h lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{
		{"grade", "--inplace", "x.ipynb"},
		{"grade", "--source", filepath.Join(t.TempDir(), "missing"), "x.ipynb"},
		{"grade", filepath.Join(t.TempDir(), "missing")},
	} {
		errOut.Reset()
		if err := run(args, &out, &errOut); err != exitCode(2) {
			t.Errorf("%v: %v (%s), want exit status 2", args, err, errOut.String())
		}
	}
}
