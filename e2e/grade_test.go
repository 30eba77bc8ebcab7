package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/runner"
)

// assignment is the sample nbgrader assignment in notebooks/assignment:
// the instructor's version in source/pools, the student's in release/pools.
var assignment = filepath.Join(repoRoot, "notebooks", "assignment")

// scores maps student to grade_id to score.
type scores map[string]map[string]string

// wantScores are the sample's three submissions' scores: alice's is the
// solution; bob's first answer is right, his second fails a check and his
// third earns partial credit (two cases of three); carol's first answer
// never returns, her others are right.
var wantScores = scores{
	"alice": {"test_lengths": "2", "test_shout": "2", "test_report": "3"},
	"bob":   {"test_lengths": "2", "test_shout": "0", "test_report": "2"},
	"carol": {"test_lengths": "0", "test_shout": "2", "test_report": "3"},
}

// TestGradeWithNbgrader teaches the sample assignment end to end with
// nbgrader from the pinned venv and the gomp kernel: gomp grade init
// writes the course's config, generate_assignment makes the student
// version (solutions replaced by the Go stub, hidden tests gone, the same
// as the checked-in release), three students submit, autograde scores
// them, generate_feedback names the failed checks, and gomp grade gives
// the same scores without touching the submissions.
func TestGradeWithNbgrader(t *testing.T) {
	v := testVenv(t)
	nbgrader := filepath.Join(v.bin, "nbgrader")
	requireTool(t, nbgrader, "--version")
	k := installKernel(t)
	env := k.jupyterEnv(t, v)
	course := t.TempDir()
	if out, errOut, code := runGomp(t, k.bin, course, nil, "grade", "init"); code != 0 || !strings.Contains(out, "nbgrader_config.py") {
		t.Fatalf("gomp grade init exited %d: %s%s", code, out, errOut)
	}
	appendFile(t, filepath.Join(course, "nbgrader_config.py"), "\n# The test's own limit: carol's cell waits for it.\nc.Execute.timeout = 15\n")
	copyTree(t, filepath.Join(assignment, "source"), filepath.Join(course, "source"))
	nbgraderRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(nbgrader, args...)
		cmd.Dir, cmd.Env = course, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("nbgrader %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	nbgraderRun("generate_assignment", "pools")
	release := filepath.Join(course, "release", "pools", "pools.ipynb")
	generated, err := os.ReadFile(release)
	if err != nil {
		t.Fatal(err)
	}
	text := string(generated)
	for _, gone := range []string{"BEGIN SOLUTION", "return len(w)", "BEGIN HIDDEN TESTS", "multiprocessing\\\"}"} {
		if strings.Contains(text, gone) {
			t.Errorf("the student version still holds %q", gone)
		}
	}
	if n := strings.Count(text, `panic(\"not implemented\")`); n != 6 {
		t.Errorf("the student version has %d Go stubs, want 6 (two per solution cell):\n%s", n, text)
	}
	checkedIn, err := os.ReadFile(filepath.Join(assignment, "release", "pools", "pools.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(generated, checkedIn) {
		t.Errorf("notebooks/assignment/release/pools/pools.ipynb is not what nbgrader generate_assignment makes of the source now; copy %s over it", release)
	}

	submitted := filepath.Join(course, "submitted")
	writeSubmissions(t, generated, submitted)
	before := treeHashes(t, submitted)

	nbgraderRun("autograde", "pools")
	got := nbgraderScores(t, v, course)
	compareScores(t, "nbgrader autograde", got, wantScores)

	nbgraderRun("generate_feedback", "pools")
	feedback := func(student string) string {
		data, err := os.ReadFile(filepath.Join(course, "feedback", student, "pools", "pools.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	bob := feedback("bob")
	for _, want := range []string{
		`CheckError: check.Equal: got ["go" "pool" "queue"], want ["GO" "POOL" "QUEUE"] at In[5]:1`,
		`[0]: got "go", want "GO"`,
		`check.Output: the function printed "2 words, longest: cd\n", want "2 words, longest: ab\n"`,
	} {
		if !strings.Contains(bob, want) {
			i := max(0, strings.Index(bob, "CheckError")-200)
			t.Errorf("bob's feedback does not show %q; around its first CheckError:\n%s", want, bob[i:min(len(bob), i+1500)])
		}
	}
	if carol := feedback("carol"); !strings.Contains(carol, "CellTimeoutError") && !strings.Contains(carol, "Timeout") {
		t.Errorf("carol's feedback does not say her cell timed out")
	}

	gradebook := filepath.Join(t.TempDir(), "grades.csv")
	out, errOut, code := runGomp(t, k.bin, course, nil, "run", "--grade", "--timeout", "15s", "--source", filepath.Join("source", "pools"), "--gradebook", gradebook, "submitted")
	if code != 0 {
		t.Fatalf("gomp run --grade exited %d\n%s%s", code, out, errOut)
	}
	compareScores(t, "gomp run --grade", csvScores(t, gradebook), wantScores)
	for _, want := range []string{"alice  pools.ipynb  7 / 7", "bob  pools.ipynb  4 / 7", "carol  pools.ipynb  5 / 7", "CheckError: check.Equal", "partial credit", "did not finish within 15s"} {
		if !strings.Contains(out, want) {
			t.Errorf("gomp run --grade printed no %q:\n%s", want, out)
		}
	}
	if after := treeHashes(t, submitted); !maps.Equal(before, after) {
		t.Errorf("grading changed the submissions: before %v, after %v", before, after)
	}
}

// solutionSources are the source notebook's cells by id.
func solutionSources(t *testing.T) map[string]string {
	t.Helper()
	nb := readJSONNotebook(t, filepath.Join(assignment, "source", "pools", "pools.ipynb"))
	out := map[string]string{}
	for _, c := range nb.Cells {
		out[c.ID] = c.Source
	}
	return out
}

// writeSubmissions writes alice's, bob's and carol's copies of the
// student version release under dir, in nbgrader's layout.
func writeSubmissions(t *testing.T, release []byte, dir string) {
	t.Helper()
	sol := solutionSources(t)
	subs := map[string]map[string]string{
		"alice": {"lengths": sol["lengths"], "shout": sol["shout"], "report": sol["report"]},
		"bob": {
			"lengths": sol["lengths"],
			"shout":   strings.Replace(sol["shout"], "q.Put(strings.ToUpper(w))", "q.Put(w)", 1),
			"report":  strings.Replace(sol["report"], "len(w) > len(longest)", "len(w) >= len(longest)", 1),
		},
		"carol": {"lengths": strings.Replace(sol["lengths"], "\treturn len(w)\n", "\tfor {\n\t}\n", 1), "shout": sol["shout"], "report": sol["report"]},
	}
	for student, answers := range subs {
		path := filepath.Join(dir, student, "pools", "pools.ipynb")
		mkdirFor(t, path)
		writeFile(t, path, withSources(t, release, answers), 0o644)
	}
}

// jsonNotebook is what the tests read of a notebook.
type jsonNotebook struct {
	Cells []struct {
		ID     string `json:"id"`
		Source string `json:"-"`
		Raw    any    `json:"source"`
	} `json:"cells"`
}

func readJSONNotebook(t *testing.T, path string) jsonNotebook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb jsonNotebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, c := range nb.Cells {
		switch s := c.Raw.(type) {
		case string:
			nb.Cells[i].Source = s
		case []any:
			var b strings.Builder
			for _, l := range s {
				b.WriteString(l.(string))
			}
			nb.Cells[i].Source = b.String()
		}
	}
	return nb
}

// withSources is the notebook data with the cells of the given ids given
// new sources; every other field stays as it was.
func withSources(t *testing.T, data []byte, sources map[string]string) []byte {
	t.Helper()
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	for _, c := range nb["cells"].([]any) {
		cell := c.(map[string]any)
		if s, ok := sources[cell["id"].(string)]; ok {
			cell["source"] = s
		}
	}
	out, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// nbgraderScores reads every submission's grade cells from the course's
// gradebook through nbgrader's own API.
func nbgraderScores(t *testing.T, v venv, course string) scores {
	t.Helper()
	script := `
import json
from nbgrader.api import Gradebook
out = {}
with Gradebook("sqlite:///gradebook.db") as gb:
    for s in gb.students:
        nb = gb.find_submission_notebook("pools", "pools", s.id)
        out[s.id] = {g.name: "%g" % g.score for g in nb.grades}
print(json.dumps(out))
`
	cmd := exec.Command(v.python(), "-c", script)
	cmd.Dir = course
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("read nbgrader's gradebook: %v", err)
	}
	var s scores
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("nbgrader's scores %s: %v", out, err)
	}
	return s
}

// csvScores reads gomp's gradebook CSV.
func csvScores(t *testing.T, path string) scores {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("gradebook %s: %v (%d rows)", path, err, len(rows))
	}
	s := scores{}
	for _, row := range rows[1:] {
		cells := map[string]string{}
		for i, name := range rows[0] {
			if strings.HasPrefix(name, "test_") {
				cells[name] = row[i]
			}
		}
		s[row[0]] = cells
	}
	return s
}

func compareScores(t *testing.T, who string, got, want scores) {
	t.Helper()
	for student, cells := range want {
		for id, w := range cells {
			if g := got[student][id]; g != w {
				t.Errorf("%s: %s's %s scored %q, want %s", who, student, id, g, w)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s graded %d students, want %d: %v", who, len(got), len(want), got)
	}
}

// treeHashes maps each file under dir to a hash of its contents and mode.
func treeHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[p] = info.Mode().String() + " " + hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mkdirFor(t, filepath.Join(dst, rel))
		writeFile(t, filepath.Join(dst, rel), data, 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mkdirFor makes the directory that will hold path.
func mkdirFor(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestGradeBadInput grades submissions that break the rules, with and
// without the instructor's source: a deleted test cell, an edited test
// cell, an import that does not exist, 100 MB of output, a test that
// never ends, a file that is not a notebook. Each is graded as far as it
// can be, the notes say why points were lost, gomp grade exits 0 and no
// submission changes.
func TestGradeBadInput(t *testing.T) {
	k := installKernel(t)
	release, err := os.ReadFile(filepath.Join(assignment, "release", "pools", "pools.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	sol := solutionSources(t)
	solved := map[string]string{"lengths": sol["lengths"], "shout": sol["shout"], "report": sol["report"]}
	with := func(changes map[string]string) map[string]string {
		m := maps.Clone(solved)
		maps.Copy(m, changes)
		return m
	}
	dir := t.TempDir()
	source, err := filepath.Abs(filepath.Join(assignment, "source", "pools"))
	if err != nil {
		t.Fatal(err)
	}
	submitted := filepath.Join(dir, "submitted")
	write := func(student string, data []byte) {
		path := filepath.Join(submitted, student, "pools", "pools.ipynb")
		mkdirFor(t, path)
		writeFile(t, path, data, 0o644)
	}
	write("deleted", withoutCell(t, withSources(t, release, solved), "test_shout"))
	write("edited", withSources(t, release, map[string]string{"test_lengths": "check.True(true)"}))
	write("badimport", withSources(t, release, with(map[string]string{"lengths": "import \"github.com/nowhere/nothing\"\n\n" + sol["lengths"]})))
	write("loud", withSources(t, release, with(map[string]string{"lengths": sol["lengths"] + "\n\nfmt.Print(strings.Repeat(\"x\", 100<<20))"})))
	write("forever", withSources(t, release, with(map[string]string{"shout": strings.Replace(sol["shout"], "\tq := mp.NewQueue()\n", "\tfor {\n\t}\n\tq := mp.NewQueue()\n", 1)})))
	write("broken", []byte(`{"cells": [`))
	before := treeHashes(t, submitted)

	want := scores{
		"deleted":   {"test_lengths": "2", "test_shout": "0", "test_report": "3"},
		"edited":    {"test_lengths": "0", "test_shout": "0", "test_report": "0"},
		"badimport": {"test_lengths": "0", "test_shout": "2", "test_report": "3"},
		"loud":      {"test_lengths": "2", "test_shout": "2", "test_report": "3"},
		"forever":   {"test_lengths": "2", "test_shout": "0", "test_report": "3"},
		"broken":    {"test_lengths": "0", "test_shout": "0", "test_report": "0"},
	}
	for _, c := range []struct {
		name  string
		args  []string
		notes []string
	}{
		{"with source", []string{"--source", source}, []string{
			"test_shout    0 / 2  test cell missing from the submission",
			"test_lengths  0 / 2  panic: not implemented; locked cell changed in the submission; graded as the source has it",
			`failed: lengths: CompileError: In[2]:1:8: cannot import "github.com/nowhere/nothing": gomp cells can import the standard library (Go 1.26) and "mp"`,
			"test_lengths  0 / 2  CompileError: In[3]:1:13: undefined: wordLen",
			"test_shout    0 / 2  TimeoutError: In[5]: the cell did not finish within 5s and was interrupted",
			"not graded: cannot read the submission:",
		}},
		{"without source", nil, []string{
			"test_shout    0 / 2  test cell missing from the submission",
			"test_lengths  0 / 2  locked cell changed in the submission (its checksum does not match)",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			gradebook := filepath.Join(t.TempDir(), "grades.csv")
			args := append([]string{"grade", "--timeout", "5s", "--gradebook", gradebook}, c.args...)
			out, errOut, code := runGomp(t, k.bin, dir, nil, append(args, "submitted")...)
			if code != 0 {
				t.Fatalf("gomp grade exited %d\n%s%s", code, out, errOut)
			}
			compareScores(t, "gomp grade", csvScores(t, gradebook), want)
			for _, n := range c.notes {
				if !strings.Contains(out, n) {
					t.Errorf("gomp grade printed no %q:\n%s", n, out)
				}
			}
		})
	}
	if after := treeHashes(t, submitted); !maps.Equal(before, after) {
		t.Errorf("grading changed the submissions: before %v, after %v", before, after)
	}
}

// withoutCell is the notebook data without the cell whose nbgrader
// grade_id is id.
func withoutCell(t *testing.T, data []byte, id string) []byte {
	t.Helper()
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, c := range nb["cells"].([]any) {
		if c.(map[string]any)["id"] != id {
			kept = append(kept, c)
		}
	}
	nb["cells"] = kept
	out, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestChecksInChildren runs checks inside mp children with gomp run: a
// check that holds in a pool worker, check.Output capturing a child's own
// prints, and a failed check in a worker, whose message reaches the
// parent's error as the check wrote it.
func TestChecksInChildren(t *testing.T) {
	k := installKernel(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "kids.ipynb"), goNotebook(t,
		`import ("check"; "fmt"; "mp")`,
		"func quiet(x int) int {\n\tcheck.Output(func() { fmt.Println(\"child\", x) }, fmt.Sprintf(\"child %d\\n\", x))\n\tcheck.Equal(x*x, x*x)\n\treturn x * x\n}\n\npool := mp.NewPool(2)\nr, err := pool.Map(quiet, []int{1, 2, 3})\nfmt.Println(r, err)",
		"func wrong(x int) int {\n\tcheck.Equal(x, 1, \"the item\")\n\treturn x\n}\n\n_, err = pool.Map(wrong, []int{2})\nfmt.Println(\"error:\", err)",
	), 0o644)
	out, errOut, code := runGomp(t, k.bin, dir, nil, "run", "--allow-errors", "kids.ipynb")
	if code != 0 {
		t.Fatalf("gomp run exited %d\n%s%s", code, out, errOut)
	}
	nb, err := runner.ReadNotebook(filepath.Join(dir, "kids.nbconvert.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	text := func(i int) string {
		var b strings.Builder
		for _, o := range nb.Cells[i].Outputs {
			b.WriteString(o.Text.String() + o.EName + o.EValue)
		}
		return b.String()
	}
	if got := text(1); got != "[1 4 9] <nil>\n" {
		t.Errorf("checks that hold in workers: cell printed %q, want only the results", got)
	}
	if got := text(2); !strings.Contains(got, "error: mp: wrong (item 0) panicked: check.Equal: the item: got 2, want 1") {
		t.Errorf("a failed check in a worker: cell printed %q, want the check's message in Map's error", got)
	}
}
