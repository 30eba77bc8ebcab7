package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/runner"
)

var update = flag.Bool("update", false, "rewrite ../notebooks/*.ipynb with what gomp run wrote")

// TestNotebooks runs every notebook in notebooks/ with gomp run (all at
// once, as a teacher would) and, one by one, with jupyter nbconvert
// --execute through the kernel, and checks that both agree with each other
// and with the outputs stored in the notebook, after normalising what
// truly varies between runs.
func TestNotebooks(t *testing.T) {
	v := testVenv(t)
	requireTool(t, v.jupyter(), "nbconvert", "--version")
	k := installKernel(t)
	paths, err := filepath.Glob(filepath.Join(repoRoot, "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks in notebooks/ (%v)", err)
	}
	runDir := t.TempDir()
	stdout, stderr, code := gompRun(t, k, append([]string{"-j", "2", "--timeout", "5m", "-o", runDir}, paths...)...)
	if code != 0 {
		t.Fatalf("gomp run exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, p := range paths {
		if !strings.Contains(stdout, "ok       "+p+"  ") {
			t.Errorf("gomp run printed no ok line for %s:\n%s", p, stdout)
		}
	}
	if *update {
		for _, p := range paths {
			data, err := os.ReadFile(filepath.Join(runDir, filepath.Base(p)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			convDir := t.TempDir()
			cmd := exec.Command(v.jupyter(), "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.timeout=300", "--output-dir", convDir, p)
			cmd.Env = k.jupyterEnv(t, v)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nbconvert --execute %s: %v\n%s", p, err, out)
			}
			stored := normalised(t, p)
			ran := normalised(t, filepath.Join(runDir, name))
			converted := normalised(t, filepath.Join(convDir, name))
			if stored.LanguageInfo == "" {
				t.Errorf("%s has no language_info: run go test ./e2e -run TestNotebooks -update to store the outputs", p)
			}
			sameNotebook(t, "gomp run", ran, "the stored notebook", stored)
			sameNotebook(t, "gomp run", ran, "nbconvert --execute", converted)
		})
	}
}

// normNotebook is a notebook reduced to what must not change between runs.
type normNotebook struct {
	LanguageInfo string
	Cells        []normCell
}

type normCell struct {
	Type, Source string
	Count        *int
	Outputs      []normOutput
}

// normOutput is one output. A stream's lines are sorted: processes print
// concurrently, so only the multiset of lines is stable.
type normOutput struct {
	Type, Name     string
	Lines          []string
	Data           map[string]string
	EName, EValue  string
	Traceback      []string
	ExecutionCount *int
}

// varying matches what differs from run to run: process ids, durations,
// the CPU count and addresses.
var varying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)(\bID:?\s*)\d+`), "${1}<pid>"},
	{regexp.MustCompile(`\(pid=\d+`), "(pid=<pid>"}, // mp.WithOutputPrefix
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m|h)(\d+(\.\d+)?(ns|µs|ms|s))*\b`), "<duration>"},
	{regexp.MustCompile(`\b\d+(\.\d+)? (ns|µs|ms|s)\b`), "<duration>"}, // %%time's "1.23 s"
	{regexp.MustCompile(`(Number of CPUs:\s*)\d+`), "${1}<n>"},
	{regexp.MustCompile(`0x[0-9a-f]{6,}`), "<addr>"},
	{regexp.MustCompile(`\(\d+ points\)`), "(<n> points)"},
}

func normaliseText(s string) string {
	for _, v := range varying {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// normaliseData is normaliseText for one MIME type's data. An SVG image
// (a chart of timings) differs in every run: it must be well-formed XML
// with an <svg> root, and is then compared as just that. A widget's view
// names a model by a random id, and is compared as its kind.
func normaliseData(t *testing.T, mime, data string) string {
	t.Helper()
	if mime == "application/vnd.jupyter.widget-view+json" {
		return "<widget view>"
	}
	if mime != "image/svg+xml" {
		return normaliseText(data)
	}
	var root struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal([]byte(data), &root); err != nil || root.XMLName.Local != "svg" {
		t.Errorf("image/svg+xml output is not an SVG document (%v): %.200s", err, data)
	}
	return "<svg>"
}

func normalised(t *testing.T, path string) normNotebook {
	t.Helper()
	nb, err := runner.ReadNotebook(path)
	if err != nil {
		t.Fatal(err)
	}
	var n normNotebook
	if li, ok := nb.Metadata["language_info"]; ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, li); err != nil {
			t.Fatalf("%s: language_info: %v", path, err)
		}
		n.LanguageInfo = buf.String()
	}
	for _, c := range nb.Cells {
		nc := normCell{Type: c.Type, Source: c.Source.String(), Count: c.ExecutionCount}
		for _, o := range runner.MergeStreams(c.Outputs) {
			no := normOutput{Type: o.OutputType, Name: o.Name, EName: o.EName, EValue: normaliseText(o.EValue), ExecutionCount: o.ExecutionCount}
			if o.OutputType == "stream" {
				no.Lines = strings.Split(normaliseText(o.Text.String()), "\n")
				slices.Sort(no.Lines)
			}
			for _, tb := range o.Traceback {
				no.Traceback = append(no.Traceback, normaliseText(tb))
			}
			if len(o.Data) > 0 {
				no.Data = map[string]string{}
				for k := range o.Data {
					no.Data[k] = normaliseData(t, k, o.Data.Text(k))
				}
			}
			nc.Outputs = append(nc.Outputs, no)
		}
		n.Cells = append(n.Cells, nc)
	}
	return n
}

// sameNotebook reports every cell where a and b differ.
func sameNotebook(t *testing.T, aName string, a normNotebook, bName string, b normNotebook) {
	t.Helper()
	if a.LanguageInfo != b.LanguageInfo {
		t.Errorf("language_info: %s wrote %s, %s has %s", aName, a.LanguageInfo, bName, b.LanguageInfo)
	}
	if len(a.Cells) != len(b.Cells) {
		t.Fatalf("%s has %d cells, %s %d", aName, len(a.Cells), bName, len(b.Cells))
	}
	for i := range a.Cells {
		ja, _ := json.MarshalIndent(a.Cells[i], "", " ")
		jb, _ := json.MarshalIndent(b.Cells[i], "", " ")
		if !bytes.Equal(ja, jb) {
			t.Errorf("cell %d differs:\n%s:\n%s\n%s:\n%s", i, aName, ja, bName, jb)
		}
	}
}

// gompRun runs the built gomp binary's `run` with args and returns its
// output and exit code.
func gompRun(t *testing.T, k kernelInstall, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runGomp(t, k.bin, "", nil, append([]string{"run"}, args...)...)
}

// TestRunExitCodes runs the fixtures in testdata/runner through gomp run
// and checks the documented exit codes, summary lines and written files.
func TestRunExitCodes(t *testing.T) {
	k := installKernel(t)
	for _, tc := range []struct {
		name        string
		args        []string // flags; the fixtures follow
		notebooks   []string
		code        int
		stdout      []string // lines (or parts) gomp run prints
		stderr      []string
		written     []string // notebooks written to the output directory
		notWritten  []string
		inPlace     bool
		executedLen int // of the first notebook written: code cells with an execution_count
	}{
		{name: "ok", notebooks: []string{"ok.ipynb"}, code: 0,
			stdout: []string{"ok       ok.ipynb  2/2 cells, 0 errors, "}, written: []string{"ok.ipynb"}, executedLen: 2},
		{name: "in place", notebooks: []string{"ok.ipynb"}, inPlace: true, code: 0,
			stdout: []string{"ok       ok.ipynb  2/2 cells, 0 errors, "}, written: []string{"ok.ipynb"}, executedLen: 2},
		{name: "broken JSON", notebooks: []string{"broken.ipynb"}, code: 2,
			stdout: []string{"BROKEN   broken.ipynb: not a notebook: invalid JSON at line 6: invalid character ']'"}, notWritten: []string{"broken.ipynb"}},
		{name: "not Go", notebooks: []string{"python.ipynb"}, code: 2,
			stdout: []string{`BROKEN   python.ipynb: the notebook's kernel is for "python", not Go`}, notWritten: []string{"python.ipynb"}},
		{name: "failing cell", notebooks: []string{"fail.ipynb"}, code: 1,
			stdout: []string{"FAILED   fail.ipynb  2/3 cells, 1 error, ", ": In[2]: assignment to entry in nil map"}, written: []string{"fail.ipynb"}, executedLen: 2},
		{name: "failing cell allowed", args: []string{"--allow-errors"}, notebooks: []string{"fail.ipynb"}, code: 0,
			stdout: []string{"ERRORS   fail.ipynb  3/3 cells, 1 error, "}, written: []string{"fail.ipynb"}, executedLen: 3},
		{name: "timeout", args: []string{"--timeout", "1s"}, notebooks: []string{"slow.ipynb"}, code: 3,
			stdout: []string{"TIMEOUT  slow.ipynb  2/3 cells, 1 error, ", ": In[2]: the cell did not finish within 1s and was interrupted"}, written: []string{"slow.ipynb"}, executedLen: 2},
		{name: "several at once", args: []string{"-j", "2"}, notebooks: []string{"ok.ipynb", "fail.ipynb", "broken.ipynb", "python.ipynb"}, code: 2,
			stdout:  []string{"ok       ok.ipynb  2/2 cells", "FAILED   fail.ipynb  2/3 cells", "BROKEN   broken.ipynb: ", "BROKEN   python.ipynb: ", "4 notebooks: 1 ok, 1 failed, 2 broken in "},
			written: []string{"ok.ipynb", "fail.ipynb"}, notWritten: []string{"broken.ipynb", "python.ipynb"}, executedLen: 2},
		{name: "no notebooks", code: 2, stderr: []string{"Usage: gomp run [flags] NOTEBOOK.ipynb...", "Exit status"}},
		{name: "help", args: []string{"-h"}, code: 0, stdout: []string{"--timeout DURATION", "--allow-errors", "3  a cell ran longer than --timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			for _, nb := range tc.notebooks {
				data, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "runner", nb))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(src, nb), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			outDir := filepath.Join(t.TempDir(), "out")
			args := tc.args
			if tc.inPlace {
				outDir, args = src, append(args, "--inplace")
			} else if len(tc.notebooks) > 0 {
				args = append(args, "-o", outDir)
			}
			cmd := exec.Command(k.bin, append(append([]string{"run"}, args...), tc.notebooks...)...)
			cmd.Dir = src
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			report := fmt.Sprintf("\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			if code != tc.code {
				t.Errorf("exit code %d, want %d%s", code, tc.code, report)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q%s", want, report)
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q%s", want, report)
				}
			}
			for i, nb := range tc.written {
				got, err := runner.ReadNotebook(filepath.Join(outDir, nb))
				if err != nil {
					t.Errorf("%s not written: %v", nb, err)
					continue
				}
				if i == 0 && executed(got) != tc.executedLen {
					t.Errorf("%s: %d code cells executed, want %d", nb, executed(got), tc.executedLen)
				}
			}
			for _, nb := range tc.notWritten {
				if _, err := os.Stat(filepath.Join(outDir, nb)); err == nil {
					t.Errorf("%s was written", nb)
				}
			}
			for _, dir := range []string{src, outDir} {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if strings.Contains(e.Name(), ".tmp-") {
						t.Errorf("temporary file %s left in %s", e.Name(), dir)
					}
				}
			}
		})
	}
}

func executed(nb *runner.Notebook) int {
	n := 0
	for _, c := range nb.Cells {
		if c.Type == "code" && c.ExecutionCount != nil {
			n++
		}
	}
	return n
}
