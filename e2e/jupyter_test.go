package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// runPythonSuite runs a unittest module under testdata/jupyter with the
// test venv's Python against the kernel built from this tree. No test there
// may skip.
func runPythonSuite(t *testing.T, module string) {
	v := testVenv(t)
	k := installKernel(t)
	cmd := exec.Command(v.python(), "-m", "unittest", "-v", module)
	cmd.Dir = filepath.Join(repoRoot, "testdata", "jupyter")
	cmd.Env = k.jupyterEnv(t, v)
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
	v := testVenv(t)
	requireTool(t, v.jupyter(), "console", "--version")
	k := installKernel(t)
	cmd := exec.Command(v.jupyter(), "console", "--kernel", "gomp", "--simple-prompt")
	cmd.Env = k.jupyterEnv(t, v)
	cmd.Stdin = strings.NewReader("import \"fmt\"\nx := 21\nfmt.Println(\"doubled\", x*2)\nx + 1\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jupyter console: %v\n%s", err, out)
	}
	version, err := exec.Command(k.bin, "version").Output()
	if err != nil {
		t.Fatalf("gomp version: %v", err)
	}
	fields := strings.Fields(string(version))
	if len(fields) < 2 {
		t.Fatalf("gomp version printed %q", version)
	}
	banner := fields[0] + " " + fields[1] // "gomp 0.1.0"
	for _, want := range []string{banner, "doubled 42", "Out[4]: 22"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}

// TestJupyterWidgets plays a widget manager's part with jupyter_client:
// widget models from cells, comm_info, state updates and echo_update,
// callbacks, the control comm, and bad input.
func TestJupyterWidgets(t *testing.T) { runPythonSuite(t, "test_widgets") }

// TestWidgetModelsMatchIpywidgets checks the default model states the
// widgets package sends (widgets/models.json) against the ipywidgets the
// test venv installs: the same script that wrote the file, run again,
// must give the same models.
func TestWidgetModelsMatchIpywidgets(t *testing.T) {
	v := testVenv(t)
	out, err := exec.Command(v.python(), filepath.Join(repoRoot, "testdata", "jupyter", "widget_models.py")).Output()
	if err != nil {
		t.Fatalf("widget_models.py: %v", err)
	}
	want, err := os.ReadFile(filepath.Join(repoRoot, "widgets", "models.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, have map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &have); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, have) {
		t.Errorf("widgets/models.json differs from the models of the venv's ipywidgets; regenerate it:\n.venv/bin/python testdata/jupyter/widget_models.py > widgets/models.json")
	}
}
