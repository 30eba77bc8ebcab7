package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/runner"
)

// TestRunCommand drives the built binary's `gomp run` (and the other
// subcommands' command lines) through what a user and a teacher's batch
// meet: where executed notebooks go, what a killed run leaves behind, what
// is reported where. One build serves every subtest.
func TestRunCommand(t *testing.T) {
	bin := installKernel(t).bin
	t.Run("output paths", func(t *testing.T) { testRunOutputPaths(t, bin) })
	t.Run("killed batch", func(t *testing.T) { testRunKilled(t, bin) })
	t.Run("reporting", func(t *testing.T) { testRunReporting(t, bin) })
	t.Run("cell ids", func(t *testing.T) { testRunCellIDs(t, bin) })
	t.Run("big output", func(t *testing.T) { testRunBigOutput(t, bin) })
	t.Run("timeout leaves children of finished cells", func(t *testing.T) { testRunTimeoutKeepsChildren(t, bin) })
	t.Run("crash recovery", func(t *testing.T) { testRunCrashRecovery(t, bin) })
}

// runFaults are cells that kill the interpreter process (or, for runaway
// recursion, fail as a cell), with a substring of the error each leaves.
// MARKER in a cell is replaced by a file the test waits for, then kills
// the interpreter process from outside.
var runFaults = []struct{ name, code, want string }{
	{"concurrent map writes", "m := map[int]int{}\nfor g := 0; g < 4; g++ {\n\tgo func() {\n\t\tfor i := 0; ; i++ {\n\t\t\tm[i%1000] = i\n\t\t}\n\t}()\n}\nselect {}", "fatal error: concurrent map writes"},
	{"panic in a goroutine compiled code started", "func boom() { panic(\"boom from time.AfterFunc\") }\ntime.AfterFunc(0, boom)\ntime.Sleep(10 * time.Second)", "panic: boom from time.AfterFunc"},
	{"allocation the system refuses", "huge := make([]byte, 1<<40)\nhuge[0] = 1", "out of memory"},
	{"runaway recursion", "func rec(n int) int { return rec(n+1) + 1 }\nrec(0)", "maximum recursion depth exceeded"},
	{"SIGKILL from outside", "os.WriteFile(MARKER, nil, 0o644)\ntime.Sleep(time.Minute)", "killed by signal SIGKILL"},
}

// testRunCrashRecovery runs a notebook whose cells crash the interpreter
// process in every way runFaults lists, each followed by a cell that uses
// the notebook's earlier variables and a Pool: with --allow-errors the
// run carries on, each fault is its cell's error and the cells after it
// see the restored notebook; without, the run stops at the first crash
// with its error. Every process the run started (interpreters, pool
// workers, which the cells list in a file) has ended when it returns.
func testRunCrashRecovery(t *testing.T, bin string) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	check := fmt.Sprintf("kept++\npool := mp.NewPool(2)\nout, err := pool.Map(square, []int{1, 2, 3})\nworkers, _ := pool.Map(pid, []int{1, 2, 3, 4})\npool.Close()\n"+
		"f, _ := os.OpenFile(%q, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)\nfmt.Fprintln(f, os.Getpid(), workers)\nf.Close()\nfmt.Println(double(kept), out, err)", pids)
	cells := []string{"import (\"fmt\"; \"mp\"; \"os\"; \"time\")\nkept := 41\nfunc double(n int) int { return 2 * n }\nfunc square(x int) int { return x * x }\nfunc pid(int) int { return os.Getpid() }", check}
	marker := filepath.Join(dir, "sleeping")
	for _, f := range runFaults {
		cells = append(cells, strings.ReplaceAll(f.code, "MARKER", strconv.Quote(marker)), check)
	}
	writeFile(t, filepath.Join(dir, "faults.ipynb"), goNotebook(t, cells...), 0o644)
	cmd := exec.Command(bin, "run", "--allow-errors", "faults.ipynb")
	var out, errOut bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cell to be killed to start", func() bool { _, err := os.Stat(marker); return err == nil })
	interpreter := 0
	for _, runner := range childrenOf(cmd.Process.Pid) {
		for _, k := range childrenOf(runner) {
			if args, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", k)); bytes.Contains(args, []byte("\x00interpreter")) {
				interpreter = k
			}
		}
	}
	if interpreter == 0 {
		t.Fatal("no interpreter process under gomp run's notebook runner")
	}
	if err := syscall.Kill(interpreter, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	stdout, stderr := out.String(), errOut.String()
	if err != nil {
		t.Fatalf("%v, want exit 0 with --allow-errors\n%s%s", err, stdout, stderr)
	}
	if want := fmt.Sprintf("ERRORS   faults.ipynb  %d/%d cells, %d errors, ", len(cells), len(cells), len(runFaults)); !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	nb, err := runner.ReadNotebook(filepath.Join(dir, "faults.nbconvert.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	kept := 42
	for i, f := range runFaults {
		fault, after := nb.Cells[2+2*i], nb.Cells[3+2*i]
		if len(fault.Outputs) == 0 || fault.Outputs[len(fault.Outputs)-1].OutputType != "error" || !strings.Contains(fault.Outputs[len(fault.Outputs)-1].EValue, f.want) {
			t.Errorf("%s: the cell's outputs %s lack an error with %q", f.name, clip(fmt.Sprint(fault.Outputs)), f.want)
		}
		kept++
		var text strings.Builder
		for _, o := range after.Outputs {
			text.WriteString(o.Text.String())
		}
		if want := fmt.Sprintf("%d [1 4 9] <nil>\n", 2*kept); text.String() != want {
			t.Errorf("after %s: the next cell printed %q, want %q", f.name, text.String(), want)
		}
	}
	data, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	var started []int
	for _, field := range strings.FieldsFunc(string(data), func(r rune) bool { return r == ' ' || r == '\n' || r == '[' || r == ']' }) {
		p, err := strconv.Atoi(field)
		if err != nil {
			t.Fatalf("pids file: %v", err)
		}
		started = append(started, p)
	}
	if interpreters := strings.Count(string(data), "\n"); interpreters != len(runFaults)+1 {
		t.Errorf("%d check cells wrote pids, want %d", interpreters, len(runFaults)+1)
	}
	waitFor(t, "the interpreters and pool workers of the run to end", func() bool { return !slices.ContainsFunc(started, alive) })

	// Without --allow-errors the run stops at the first crash.
	stdout, stderr, code := runGomp(t, bin, dir, nil, "run", "faults.ipynb")
	if code != 1 || !strings.Contains(stdout, "FAILED   faults.ipynb  3/") || !strings.Contains(stdout, "the interpreter process died while running In[3]: fatal error: concurrent map writes") {
		t.Errorf("without --allow-errors: exit %d, want 1 and the crash of In[3]\n%s%s", code, stdout, stderr)
	}
}

// testRunTimeoutKeepsChildren runs, with a time limit per cell, a cell that
// starts a Process and ends, then a cell that joins it: the child must run
// to its end, as in the kernel, where a cell's processes outlive the cell.
func testRunTimeoutKeepsChildren(t *testing.T, bin string) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "later.ipynb"), goNotebook(t,
		"import (\"fmt\"; \"mp\"; \"time\")\nfunc slowly() { time.Sleep(500 * time.Millisecond); fmt.Println(\"child done\") }\np := mp.NewProcess(slowly)\np.Start()",
		"p.Join()\np.ExitCode()"), 0o644)
	if out, errOut, code := runGomp(t, bin, dir, nil, "run", "--timeout", "1m", "later.ipynb"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	nb, err := runner.ReadNotebook(filepath.Join(dir, "later.nbconvert.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			text.WriteString(o.Text.String())
			if o.Data != nil {
				fmt.Fprint(&text, o.Data["text/plain"])
			}
		}
	}
	// The child's line went to the cell that started it, which was
	// already stored (as nbconvert drops output that arrives after a
	// cell's reply); its exit code shows whether it ran to its end.
	if got := text.String(); got != "(0, true)" {
		t.Errorf("the child of a finished cell did not run to its end under --timeout: outputs %q, want its exit code (0, true)", got)
	}
}

// testRunBigOutput runs a cell printing 8 MB in 100000 lines, then a line
// on stderr (through log, one of the interpreter's writers, whose order
// against fmt's gomp keeps), then more on stdout, and checks that the
// executed notebook holds exactly that, as nbconvert would store it: three
// stream outputs.
func testRunBigOutput(t *testing.T, bin string) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "big.ipynb"), goNotebook(t,
		"import (\"fmt\"; \"log\"; \"strings\")\nline := strings.Repeat(\"<x>&\", 20)\n"+
			"for i := 0; i < 100000; i++ { fmt.Println(i, line) }\nlog.SetFlags(0)\nlog.Print(\"err\")\nfmt.Print(\"end\")"), 0o644)
	if out, errOut, code := runGomp(t, bin, dir, nil, "run", "big.ipynb"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	nb, err := runner.ReadNotebook(filepath.Join(dir, "big.nbconvert.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 100000 {
		fmt.Fprintln(&want, i, strings.Repeat("<x>&", 20))
	}
	outs := nb.Cells[0].Outputs
	if len(outs) != 3 || outs[0].Name != "stdout" || outs[1].Name != "stderr" || outs[2].Name != "stdout" {
		t.Fatalf("%d outputs, want stdout, stderr, stdout streams", len(outs))
	}
	if outs[0].Text.String() != want.String() || outs[1].Text != "err\n" || outs[2].Text != "end" {
		t.Errorf("the stored streams differ from what the cell printed: stdout %d bytes (want %d), stderr %q, then stdout %s", len(outs[0].Text.String()), want.Len(), outs[1].Text, clip(outs[2].Text.String()))
	}
}

// goNotebook is an nbformat 4.4 Go notebook (no cell ids) with a code cell
// per source.
func goNotebook(t *testing.T, sources ...string) []byte {
	t.Helper()
	var cells []map[string]any
	for _, s := range sources {
		cells = append(cells, map[string]any{"cell_type": "code", "execution_count": nil, "metadata": map[string]any{}, "outputs": []any{}, "source": s})
	}
	data, err := json.MarshalIndent(map[string]any{
		"cells":    cells,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "gomp", "language": "go", "display_name": "Go (gomp)"}},
		"nbformat": 4, "nbformat_minor": 4,
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// runGomp runs bin with args in dir and returns its output and exit code.
func runGomp(t *testing.T, bin, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// dirFiles lists dir's file names with their contents.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			files[e.Name()] = string(data)
		}
	}
	return files
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// testRunOutputPaths checks where gomp run writes: NAME.nbconvert.ipynb
// beside the original by default (the original untouched), over it only
// with --inplace, keeping its mode and following a symbolic link.
func testRunOutputPaths(t *testing.T, bin string) {
	nb := goNotebook(t, `import "fmt"`+"\n"+`fmt.Println("ran")`)
	executed := func(data string) bool { return strings.Contains(data, `"ran\n"`) }

	t.Run("default writes NAME.nbconvert.ipynb", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "sub.ipynb"), nb, 0o600)
		if out, errOut, code := runGomp(t, bin, dir, nil, "run", "sub.ipynb"); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		files := dirFiles(t, dir)
		if files["sub.ipynb"] != string(nb) {
			t.Errorf("the original was changed:\n%s", files["sub.ipynb"])
		}
		if !executed(files["sub.nbconvert.ipynb"]) {
			t.Errorf("sub.nbconvert.ipynb holds no outputs; directory: %v", slices.Sorted(maps.Keys(files)))
		}
		if mode := fileMode(filepath.Join(dir, "sub.nbconvert.ipynb"), os.Stat); mode != 0o600 {
			t.Errorf("the executed copy of a 0600 notebook has mode %v, want 0600", mode)
		}
	})

	t.Run("inplace keeps the mode and the symlink", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "real", "sub.ipynb")
		if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, target, nb, 0o600)
		if err := os.Symlink(filepath.Join("real", "sub.ipynb"), filepath.Join(dir, "link.ipynb")); err != nil {
			t.Fatal(err)
		}
		if out, errOut, code := runGomp(t, bin, dir, nil, "run", "--inplace", "link.ipynb"); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		if mode := fileMode(filepath.Join(dir, "link.ipynb"), os.Lstat); mode&os.ModeSymlink == 0 {
			t.Errorf("link.ipynb is no longer a symbolic link: mode %v", mode)
		}
		data, err := os.ReadFile(target)
		if err != nil || !executed(string(data)) {
			t.Errorf("the link's target was not executed in place (%v):\n%s", err, data)
		}
		if mode := fileMode(target, os.Stat); mode != 0o600 {
			t.Errorf("target mode %v, want 0600", mode)
		}
		for _, d := range []string{dir, filepath.Dir(target)} {
			for name := range dirFiles(t, d) {
				if name != "sub.ipynb" && name != "link.ipynb" {
					t.Errorf("%s left in %s", name, d)
				}
			}
		}
	})

	for _, tc := range []struct {
		name  string
		args  []string
		files []string
		want  string
	}{
		{"inplace and -o", []string{"--inplace", "-o", "out", "a.ipynb"}, []string{"a.ipynb"}, "choose one of --inplace and -o"},
		{"output over another input", []string{"a.ipynb", "a.nbconvert.ipynb"}, []string{"a.ipynb", "a.nbconvert.ipynb"}, "a.ipynb would be written over a.nbconvert.ipynb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				writeFile(t, filepath.Join(dir, f), nb, 0o644)
			}
			_, errOut, code := runGomp(t, bin, dir, nil, append([]string{"run"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
			for name, data := range dirFiles(t, dir) {
				if data != string(nb) {
					t.Errorf("%s was written", name)
				}
			}
		})
	}
}

// fileMode is path's mode as stat says (its permission bits and type), 0
// when it is missing.
func fileMode(path string, stat func(string) (os.FileInfo, error)) os.FileMode {
	st, err := stat(path)
	if err != nil {
		return 0
	}
	return st.Mode() & (os.ModePerm | os.ModeType)
}

// testRunKilled SIGKILLs a `gomp run -j 2 --inplace` while both its
// notebooks sleep in a cell, each with an mp process running, and checks
// that the per-notebook children and their mp processes die with it and
// never write the notebooks.
func testRunKilled(t *testing.T, bin string) {
	dir := t.TempDir()
	var names []string
	for i := range 2 {
		name := fmt.Sprintf("slow%d.ipynb", i)
		marker := filepath.Join(dir, fmt.Sprintf("started%d", i))
		writeFile(t, filepath.Join(dir, name), goNotebook(t,
			"import (\"mp\"; \"os\"; \"time\")\nfunc nap() { time.Sleep(time.Minute) }\np := mp.NewProcess(nap)\np.Start()\n"+
				fmt.Sprintf("os.WriteFile(%q, nil, 0o644)", marker),
			"time.Sleep(3 * time.Second)",
		), 0o644)
		names = append(names, name)
	}
	before := dirFiles(t, dir)
	cmd := exec.Command(bin, append([]string{"run", "-j", "2", "--inplace"}, names...)...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both notebooks to start their slow cell", func() bool {
		_, err0 := os.Stat(filepath.Join(dir, "started0"))
		_, err1 := os.Stat(filepath.Join(dir, "started1"))
		return err0 == nil && err1 == nil
	})
	kids := childrenOf(cmd.Process.Pid)
	if len(kids) != 2 {
		t.Fatalf("gomp run has children %v, want its two notebook runners", kids)
	}
	var workers []int // the mp processes the notebooks started
	for _, k := range kids {
		workers = append(workers, childrenOf(k)...)
	}
	if len(workers) < 2 {
		t.Fatalf("the notebook runners have children %v, want at least their two mp processes", workers)
	}
	cmd.Process.Kill()
	cmd.Wait()
	waitFor(t, "the notebook runners and their mp processes to end", func() bool {
		return !slices.ContainsFunc(kids, alive) && !slices.ContainsFunc(workers, alive)
	})
	for name, data := range dirFiles(t, dir) {
		if strings.HasPrefix(name, "started") {
			continue
		}
		if before[name] != data {
			t.Errorf("%s was written after gomp run was killed", name)
		}
	}
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// childrenOf lists the pids whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	var kids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(p); ok && ppid == pid {
			kids = append(kids, p)
		}
	}
	return kids
}

// alive reports whether pid runs (exists and is not a zombie: an orphan's
// zombie waits for a reaper that a container may not have).
func alive(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != "Z" && state != "X"
}

// procStat reads a process's parent pid and state from /proc/PID/stat.
func procStat(pid int) (ppid int, state string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	// The command name, in parentheses, may hold spaces: fields start
	// after its closing parenthesis.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0], err == nil
}

// testRunReporting runs a notebook with an allowed error, one with a
// progress bar and one whose interpreter dies of a stack overflow, and
// checks what is printed where: the results alone on stdout, labelled by
// what happened (ERRORS, not ok, for errors allowed, the fatal error among
// them); the progress bar on stderr, its final state once.
func testRunReporting(t *testing.T, bin string) {
	dir := t.TempDir()
	for name, cells := range map[string][]string{
		"errors.ipynb": {`import "fmt"` + "\n" + `fmt.Println(1)`, "var m map[int]int\nm[1] = 2", `fmt.Println(2)`},
		"bar.ipynb": {"import (\"mp\"; \"time\")\nfunc sq(n int) int { time.Sleep(100 * time.Millisecond); return n * n }\n" +
			"p := mp.NewPool(2)\nout, err := p.Map(sq, []int{1, 2, 3, 4, 5, 6}, mp.WithProgress(\"sq\"))\np.Close()\nout"},
		"recursion.ipynb": {"import \"runtime/debug\"\ndebug.SetMaxStack(1 << 20)\nfunc f(n int) int { return f(n+1) + 1 }\nf(0)"},
	} {
		writeFile(t, filepath.Join(dir, name), goNotebook(t, cells...), 0o644)
	}
	stdout, stderr, code := runGomp(t, bin, dir, nil, "run", "-j", "2", "--allow-errors", "errors.ipynb", "bar.ipynb", "recursion.ipynb")
	report := fmt.Sprintf("\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	if code != 0 {
		t.Errorf("exit %d, want 0 (errors allowed; the crashed interpreter was replaced)%s", code, report)
	}
	for _, want := range []string{
		"ERRORS   errors.ipynb  3/3 cells, 1 error, ",
		"ok       bar.ipynb  1/1 cells, 0 errors, ",
		"ERRORS   recursion.ipynb  1/1 cells, 1 error, ",
		": the interpreter process died while running In[1]: fatal error: stack overflow",
		"3 notebooks: 1 ok, 2 with errors in ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q%s", want, report)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if !regexp.MustCompile(`^(ok|ERRORS|FAILED|TIMEOUT|BROKEN|STOPPED) +\S+\.ipynb|^ {9}|^3 notebooks: `).MatchString(line) {
			t.Errorf("stdout line %q is not a result%s", line, report)
		}
	}
	if n := strings.Count(stderr, "] 100% "); n != 1 || !strings.Contains(stderr, "bar.ipynb: sq [") {
		t.Errorf("stderr shows the progress bar's final state %d times, want once%s", n, report)
	}
	if strings.Contains(stderr, "exit status") {
		t.Errorf("stderr repeats the exit status%s", report)
	}
}

// testRunCellIDs runs an nbformat 4.4 notebook without cell ids and checks
// that the executed copy is a valid 4.5 notebook, ids included, by
// nbformat's own validator (which warns and invents ids otherwise).
func testRunCellIDs(t *testing.T, bin string) {
	py := testVenv(t).python()
	requireTool(t, py, "-c", "import nbformat")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "old.ipynb"), goNotebook(t, "x := 1", "x + 1"), 0o644)
	if out, errOut, code := runGomp(t, bin, dir, nil, "run", "old.ipynb"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	check := `
import sys, warnings, nbformat
warnings.simplefilter("error")
with open(sys.argv[1]) as f:
    nb = nbformat.read(f, as_version=nbformat.NO_CONVERT)
nbformat.validate(nb)
assert (nb.nbformat, nb.nbformat_minor) == (4, 5), (nb.nbformat, nb.nbformat_minor)
ids = [c["id"] for c in nb.cells]
assert len(set(ids)) == len(ids) == 2, ids
`
	if out, err := exec.Command(py, "-c", check, filepath.Join(dir, "old.nbconvert.ipynb")).CombinedOutput(); err != nil {
		t.Errorf("nbformat rejects the executed notebook: %v\n%s", err, out)
	}
}

// clip is s quoted, or its length and ends when it is long.
func clip(s string) string {
	if len(s) <= 80 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%d bytes, %q ... %q", len(s), s[:30], s[len(s)-30:])
}
