package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gomp-kernel/gomp/kernelspec"
)

// repoRoot is the module's root, where notebooks/, testdata/ and .venv are:
// the go tool runs this package's tests in e2e/.
const repoRoot = ".."

// kernelInstall is a gomp binary built from this tree and installed as a
// kernelspec in a private Jupyter data directory, shared by every test that
// talks to a real kernel.
type kernelInstall struct {
	dir     string // the temporary directory holding both, removed by TestMain
	bin     string // the built gomp binary
	dataDir string // JUPYTER_DATA_DIR holding kernels/gomp
	err     error
}

var (
	installOnce sync.Once
	installed   kernelInstall
)

// TestMain removes the kernel that installKernel built, once every test
// that used it is done.
func TestMain(m *testing.M) {
	code := m.Run()
	if installed.dir != "" {
		os.RemoveAll(installed.dir)
	}
	os.Exit(code)
}

// skipShort skips an end-to-end test under -short, which runs the unit
// tests alone.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: not run under -short")
	}
}

// installKernel builds gomp and installs its kernelspec once per test
// binary; tests get an environment that makes Jupyter find it.
func installKernel(t *testing.T) kernelInstall {
	t.Helper()
	skipShort(t)
	installOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gomp-test-")
		if err != nil {
			installed.err = err
			return
		}
		installed.dir = dir
		installed.bin = filepath.Join(dir, "gomp")
		build := exec.Command("go", "build", "-o", installed.bin, ".")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			installed.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		installed.dataDir = filepath.Join(dir, "jupyter")
		_, installed.err = kernelspec.Install(filepath.Join(installed.dataDir, "kernels"), installed.bin)
	})
	if installed.err != nil {
		t.Fatalf("install kernel: %v", installed.err)
	}
	return installed
}

// jupyterEnv is the environment for a Jupyter client process: our data
// directory first, a private runtime directory, no user config, and the
// venv's bin first on PATH (as an activated venv has it) so that anything
// a client spawns by name comes from the same stack.
func (k kernelInstall) jupyterEnv(t *testing.T, v venv) []string {
	env := os.Environ()
	env = append(env,
		"PATH="+v.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"VIRTUAL_ENV="+v.dir,
		"JUPYTER_DATA_DIR="+k.dataDir,
		"JUPYTER_RUNTIME_DIR="+t.TempDir(),
		"JUPYTER_CONFIG_DIR="+t.TempDir(),
		"JUPYTER_PLATFORM_DIRS=0",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
	)
	return env
}

// requireTool fails (in CI) or skips (on a developer's machine without the
// test stack) when a real client is missing. .ci/run installs them all.
func requireTool(t *testing.T, path string, args ...string) {
	t.Helper()
	skipShort(t)
	if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("%s %s: %v %s(.ci/venv makes the Python test stack's virtual environment at .venv; .ci/run also installs chromium and runs `npm ci` in testdata/browser)",
			path, strings.Join(args, " "), err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}
