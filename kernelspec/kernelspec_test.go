package kernelspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestInstallWritesSpecAndLogos(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gomp")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	kernels := filepath.Join(t.TempDir(), "kernels")
	dir, err := Install(kernels, bin)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(kernels, "gomp") {
		t.Errorf("dir = %s", dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("kernel.json: %v", err)
	}
	want := []string{bin, "kernel", "{connection_file}"}
	if len(spec.Argv) != 3 || spec.Argv[0] != want[0] || spec.Argv[1] != want[1] || spec.Argv[2] != want[2] {
		t.Errorf("argv = %q, want %q", spec.Argv, want)
	}
	if spec.DisplayName != "Go (gomp)" || spec.Language != "go" || spec.InterruptMode != "signal" {
		t.Errorf("spec = %+v", spec)
	}
	for _, size := range []int{32, 64} {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("logo %d: %v", size, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("logo %d is %v", size, b)
		}
	}
}

func TestInstallRejectsMissingBinary(t *testing.T) {
	_, err := Install(t.TempDir(), filepath.Join(t.TempDir(), "nope"))
	if err == nil {
		t.Fatal("Install of a missing binary succeeded")
	}
}

func TestDir(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/data/jup")
	t.Setenv("VIRTUAL_ENV", "/venv")
	t.Setenv("CONDA_PREFIX", "")
	for _, tc := range []struct {
		name   string
		scope  Scope
		prefix string
		want   string
		err    bool
	}{
		{"user honours JUPYTER_DATA_DIR", User, "", "/data/jup/kernels", false},
		{"sys-prefix uses the virtualenv", SysPrefix, "", "/venv/share/jupyter/kernels", false},
		{"prefix", Prefix, "/opt/x", "/opt/x/share/jupyter/kernels", false},
		{"prefix needs a directory", Prefix, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dir(tc.scope, tc.prefix)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("Dir = %q, %v; want %q, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}
