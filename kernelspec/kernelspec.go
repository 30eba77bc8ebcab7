// Package kernelspec writes gomp's Jupyter kernelspec: kernel.json, which
// tells Jupyter how to start the kernel, and the two logos frontends show.
// It knows where Jupyter looks for kernels; it knows nothing of the protocol.
package kernelspec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Name is the kernelspec's directory name, what `jupyter kernelspec list`
// shows and what notebooks name in metadata.kernelspec.name.
const Name = "gomp"

// DisplayName is what frontends show in their kernel pickers.
const DisplayName = "Go (gomp)"

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// New returns the spec for running binary (an absolute path) as the kernel.
// interrupt_mode is "signal": Jupyter sends SIGINT to the kernel's process
// group, which the kernel turns into a cell interrupt.
func New(binary string) Spec {
	return Spec{
		Argv:          []string{binary, "kernel", "{connection_file}"},
		DisplayName:   DisplayName,
		Language:      "go",
		InterruptMode: "signal",
		Metadata:      map[string]any{"debugger": false},
	}
}

// Install writes the kernelspec for binary into kernelsDir/gomp (kernelsDir
// is a Jupyter "kernels" directory; see Dir) and returns the directory it
// wrote. binary is made absolute, so the spec works from any directory.
// An existing gomp kernelspec there is replaced.
func Install(kernelsDir, binary string) (string, error) {
	abs, err := filepath.Abs(binary)
	if err != nil {
		return "", fmt.Errorf("install kernelspec: binary path %q: %w", binary, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("install kernelspec: %w", err)
	}
	dir := filepath.Join(kernelsDir, Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install kernelspec: %w", err)
	}
	spec, err := json.MarshalIndent(New(abs), "", "  ")
	if err != nil {
		return "", fmt.Errorf("install kernelspec: encode kernel.json: %w", err)
	}
	files := map[string][]byte{"kernel.json": append(spec, '\n')}
	for _, size := range []int{32, 64} {
		png, err := logo(size)
		if err != nil {
			return "", fmt.Errorf("install kernelspec: draw logo: %w", err)
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = png
	}
	for name, data := range files {
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return "", fmt.Errorf("install kernelspec: %w", err)
		}
	}
	return dir, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a reader never sees a half-written kernel.json.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
