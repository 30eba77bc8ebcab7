package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChecksumMatchesNbgrader computes the checksum of every nbgrader cell
// of the sample's student version, which nbgrader generate_assignment
// wrote, and compares it with the one nbgrader stored.
func TestChecksumMatchesNbgrader(t *testing.T) {
	nb, err := ReadNotebook(filepath.Join("..", "notebooks", "assignment", "release", "pools", "pools.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range nb.Cells {
		m, ok := nbgraderOf(c)
		if !ok {
			continue
		}
		n++
		if got := checksum(c, m); got != m.Checksum {
			t.Errorf("cell %s: checksum %s, nbgrader's %s", m.GradeID, got, m.Checksum)
		}
	}
	if n != 7 {
		t.Errorf("%d nbgrader cells, want 7", n)
	}
}

func TestPyFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{{2, "2.0"}, {0.5, "0.5"}, {0, "0.0"}, {1e16, "1e+16"}, {1.25e-7, "1.25e-07"}, {100, "100.0"}} {
		if got := pyFloat(c.f); got != c.want {
			t.Errorf("pyFloat(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// TestAutoScore scores executed grade cells as nbgrader's determine_grade
// does.
func TestAutoScore(t *testing.T) {
	result := func(text string) Output {
		return Output{OutputType: "execute_result", Data: MIMEData{"text/plain": MultilineString(text)}}
	}
	for _, c := range []struct {
		name  string
		outs  []Output
		score float64
		note  string
	}{
		{"no output", nil, 3, ""},
		{"stdout only", []Output{{OutputType: "stream", Name: "stdout", Text: "fine\n"}}, 3, ""},
		{"error", []Output{{OutputType: "error", EName: "CheckError", EValue: "check.Equal: got 1, want 2 at In[3]:1\n  detail"}}, 0, "CheckError: check.Equal: got 1, want 2 at In[3]:1"},
		{"stderr", []Output{{OutputType: "stream", Name: "stderr", Text: "panic: x [recovered]\nmore"}}, 0, "wrote to stderr: panic: x [recovered]"},
		{"partial", []Output{result("1.5")}, 1.5, "partial credit"},
		{"partial full", []Output{result("3")}, 3, ""},
		{"partial zero", []Output{result("0")}, 0, "partial credit"},
		{"result not a number", []Output{result(`"done"`)}, 3, ""},
		{"result negative", []Output{result("-1")}, 3, ""},
		{"result above max", []Output{result("4")}, 3, "partial credit 4 is more than the cell's points"},
		{"error after result", []Output{result("1"), {OutputType: "error", EName: "panic", EValue: "x"}}, 1, "partial credit"},
		{"stdout then error", []Output{{OutputType: "stream", Name: "stdout", Text: "a"}, {OutputType: "error", EName: "panic", EValue: "x"}}, 0, "panic: x"},
	} {
		score, note := autoScore(&Cell{Type: "code", Outputs: c.outs}, 3)
		if score != c.score || note != c.note {
			t.Errorf("%s: score %v (%q), want %v (%q)", c.name, score, note, c.score, c.note)
		}
	}
}

// TestPrepare checks what grading changes in a submission before running
// it, against a source: a test cell whose text changed is restored, its
// points come from the source, and an unknown grade_id is dropped.
func TestPrepare(t *testing.T) {
	cell := func(id, source string, meta string) *Cell {
		return &Cell{Type: "code", ID: id, Source: MultilineString(source), Metadata: map[string]json.RawMessage{"nbgrader": json.RawMessage(meta)}}
	}
	srcTest := cell("t", "check.Equal(f(), 1)\n// hidden", `{"grade": true, "grade_id": "t", "locked": true, "points": 2, "solution": false}`)
	srcMeta, _ := nbgraderOf(srcTest)
	want := []expected{{meta: srcMeta, source: srcTest}}

	released := cell("t", "check.Equal(f(), 1)", `{"grade": true, "grade_id": "t", "locked": true, "points": 2, "solution": false}`)
	m, _ := nbgraderOf(released)
	m.Checksum = checksum(released, m)
	setNbgrader(released, m)

	edited := cell("t", "check.True(true)", "")
	edited.Metadata = map[string]json.RawMessage{"nbgrader": released.Metadata["nbgrader"]}
	stranger := cell("x", "1", `{"grade": true, "grade_id": "x", "points": 9}`)
	nb := &Notebook{Cells: []*Cell{edited, stranger}}
	cells := prepare(nb, want)
	if edited.Source.String() != srcTest.Source.String() {
		t.Errorf("edited test cell runs %q, want the source's %q", edited.Source, srcTest.Source)
	}
	if _, ok := stranger.Metadata["nbgrader"]; ok {
		t.Errorf("a grade_id the source does not know kept its nbgrader metadata")
	}
	if len(cells) != 1 || cells[0].ID != "t" || cells[0].Max != 2 || !strings.Contains(cells[0].Note, "locked cell changed") {
		t.Errorf("prepare listed %+v, want t worth 2 noted as changed", cells)
	}

	// The released cell unchanged: the hidden test comes back, unnoted.
	nb = &Notebook{Cells: []*Cell{released}}
	cells = prepare(nb, want)
	if released.Source.String() != srcTest.Source.String() || cells[0].Note != "" {
		t.Errorf("released cell: runs %q with note %q, want the source's text and no note", released.Source, cells[0].Note)
	}
}

// TestFindSubmissions names students after nbgrader's layout (whatever
// part of it is given), a flat folder of notebooks, and notebook paths,
// and skips hidden directories.
func TestFindSubmissions(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"submitted/ada/hw1/hw1.ipynb", "submitted/bo/hw1/hw1.ipynb", "submitted/bo/hw1/.ipynb_checkpoints/hw1-checkpoint.ipynb", "flat/cy.ipynb", "flat/notes.txt", "one/dee/hw1.ipynb"} {
		path := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	subs, err := FindSubmissions([]string{filepath.Join(dir, "submitted"), filepath.Join(dir, "flat"), filepath.Join(dir, "one", "dee", "hw1.ipynb"),
		filepath.Join(dir, "submitted", "ada", "hw1"), filepath.Join(dir, "submitted", "bo", "hw1", "hw1.ipynb")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs {
		rel, _ := filepath.Rel(dir, s.Path)
		got = append(got, s.Student+"="+filepath.ToSlash(rel))
	}
	want := "ada=submitted/ada/hw1/hw1.ipynb bo=submitted/bo/hw1/hw1.ipynb cy=flat/cy.ipynb dee=one/dee/hw1.ipynb ada=submitted/ada/hw1/hw1.ipynb bo=submitted/bo/hw1/hw1.ipynb"
	if strings.Join(got, " ") != want {
		t.Errorf("found %s\nwant  %s", strings.Join(got, " "), want)
	}
	if _, err := FindSubmissions([]string{filepath.Join(dir, "one", "missing")}); err == nil {
		t.Errorf("a path that does not exist gave no error")
	}
}

// TestGradebook writes two grades as text and CSV: a column per grade
// cell in the assignment's order, notes for lost points, failures and a
// submission that could not be graded.
func TestGradebook(t *testing.T) {
	grades := []NotebookGrade{
		{Submission: Submission{Path: "s/ada/a/a.ipynb", Student: "ada"}, Notebook: "a.ipynb", Score: 2.5, Max: 5,
			Cells:    []CellGrade{{ID: "t1", Score: 2, Max: 2}, {ID: "t2", Score: 0.5, Max: 3, Note: "partial credit"}},
			Failures: []string{"q1: CompileError: In[2]:1:1: x"}},
		{Submission: Submission{Path: "s/bo/a/a.ipynb", Student: "bo"}, Notebook: "a.ipynb", Max: 5, Problem: "cannot read the submission: bad JSON",
			Cells: []CellGrade{{ID: "t1", Max: 2, Note: "cannot read"}, {ID: "t2", Max: 3, Note: "cannot read"}}},
	}
	var text, table strings.Builder
	if err := PrintGrades(&text, grades); err != nil {
		t.Fatal(err)
	}
	if err := WriteGradebook(&table, grades); err != nil {
		t.Fatal(err)
	}
	wantText := `ada  a.ipynb  2.5 / 5  (s/ada/a/a.ipynb)
  failed: q1: CompileError: In[2]:1:1: x
  t1  2 / 2
  t2  0.5 / 3  partial credit
bo  a.ipynb  0 / 5  (s/bo/a/a.ipynb)
  not graded: cannot read the submission: bad JSON
  t1  0 / 2
  t2  0 / 3
`
	wantCSV := `student,notebook,path,t1,t2,score,max_score,notes
ada,a.ipynb,s/ada/a/a.ipynb,2,0.5,2.5,5,failed: q1: CompileError: In[2]:1:1: x; t2: partial credit
bo,a.ipynb,s/bo/a/a.ipynb,0,0,0,5,cannot read the submission: bad JSON
`
	if text.String() != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), wantText)
	}
	if table.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant:\n%s", table.String(), wantCSV)
	}
}
