package main

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

// installKernel builds gomp and installs its kernelspec once per test
// binary; tests get an environment that makes Jupyter find it.
func installKernel(t *testing.T) kernelInstall {
	t.Helper()
	installOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gomp-test-")
		if err != nil {
			installed.err = err
			return
		}
		installed.dir = dir
		installed.bin = filepath.Join(dir, "gomp")
		out, err := exec.Command("go", "build", "-o", installed.bin, ".").CombinedOutput()
		if err != nil {
			installed.err = fmt.Errorf("go build: %v\n%s", err, out)
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
// directory first, a private runtime directory, no user config.
func (k kernelInstall) jupyterEnv(t *testing.T) []string {
	env := os.Environ()
	env = append(env,
		"JUPYTER_DATA_DIR="+k.dataDir,
		"JUPYTER_RUNTIME_DIR="+t.TempDir(),
		"JUPYTER_CONFIG_DIR="+t.TempDir(),
		"JUPYTER_PLATFORM_DIRS=0",
		"PYTHONDONTWRITEBYTECODE=1",
	)
	return env
}

// requireTool fails (in CI) or skips (on a developer's machine without
// Jupyter) when a real client is missing. CI installs them all in .ci/run.
func requireTool(t *testing.T, path string, args ...string) {
	t.Helper()
	if err := exec.Command(path, args...).Run(); err != nil {
		msg := fmt.Sprintf("%s %s: %v (.ci/run installs what the tests need: Debian's Jupyter packages and chromium, and `npm ci` in testdata/browser)",
			path, strings.Join(args, " "), err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// runPythonSuite runs a unittest module under testdata/jupyter with
// Debian's Python against the kernel built from this tree. No test there
// may skip.
func runPythonSuite(t *testing.T, module string) {
	requireTool(t, "/usr/bin/python3", "-c", "import jupyter_kernel_test")
	k := installKernel(t)
	cmd := exec.Command("/usr/bin/python3", "-m", "unittest", "-v", module)
	cmd.Dir = filepath.Join("testdata", "jupyter")
	cmd.Env = k.jupyterEnv(t)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("%s failed: %v", module, err)
	}
	if strings.Contains(string(out), "skipped") {
		t.Fatalf("%s skipped some tests; none may skip", module)
	}
}

// TestJupyterProtocol drives the kernel with jupyter_kernel_test and
// jupyter_client: messages, signatures, interrupts, stdin, volume.
func TestJupyterProtocol(t *testing.T) { runPythonSuite(t, "test_protocol") }

// TestJupyterMP runs the seeds' Process and Pool cells and mp's routing,
// failure and lifetime checks through a real Jupyter client.
func TestJupyterMP(t *testing.T) { runPythonSuite(t, "test_mp") }

// TestJupyterConsole types cells into `jupyter console` and reads the
// output it prints, as a terminal user would.
func TestJupyterConsole(t *testing.T) {
	requireTool(t, "/usr/bin/jupyter", "console", "--version")
	k := installKernel(t)
	cmd := exec.Command("/usr/bin/jupyter", "console", "--kernel", "gomp", "--simple-prompt")
	cmd.Env = k.jupyterEnv(t)
	cmd.Stdin = strings.NewReader("import \"fmt\"\nx := 21\nfmt.Println(\"doubled\", x*2)\nx + 1\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jupyter console: %v\n%s", err, out)
	}
	for _, want := range []string{"gomp " + Version, "doubled 42", "Out[4]: 22"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}
