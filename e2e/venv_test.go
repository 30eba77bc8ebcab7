package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// venv is the Python virtual environment holding the test stack pinned in
// requirements/ci.txt (JupyterLab, Notebook, jupyter_client, nbconvert,
// jupyter_kernel_test, ipykernel...). Every Python and Jupyter command the
// tests run comes from it by path, never from whatever python3 or jupyter
// is first on PATH.
type venv struct {
	dir string // the environment's root
	bin string // its bin directory
}

// python is the environment's interpreter.
func (v venv) python() string { return filepath.Join(v.bin, "python") }

// jupyter is the environment's jupyter command.
func (v venv) jupyter() string { return filepath.Join(v.bin, "jupyter") }

// testVenv finds the test stack's virtual environment: $GOMP_VENV, else
// .venv at the repository root (the symlink .ci/venv makes). It fails in CI
// and skips elsewhere when there is none.
func testVenv(t *testing.T) venv {
	t.Helper()
	abs := envOrRepoPath(t, "GOMP_VENV", ".venv")
	v := venv{dir: abs, bin: filepath.Join(abs, "bin")}
	requireTool(t, v.python(), "-c", "import jupyter_client, jupyter_kernel_test, nbconvert, nbclient, jupyterlab, notebook")
	return v
}

// envOrRepoPath is the absolute path that the environment variable name
// gives, else rel under the repository root.
func envOrRepoPath(t *testing.T, name, rel string) string {
	t.Helper()
	dir := os.Getenv(name)
	if dir == "" {
		dir = filepath.Join(repoRoot, rel)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return abs
}
