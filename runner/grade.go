package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Grading scores students' submissions of nbgrader assignments as
// nbgrader's autograde does, without nbgrader: it reads each cell's
// metadata.nbgrader (grade, points, grade_id, locked, solution,
// checksum), runs a copy of the submission with every cell limited in
// time, and scores each grade cell: 0 when it shows an error or writes to
// stderr, the number it ends with for partial credit, its points
// otherwise.
type Grading struct {
	// Options are the run's: Timeout limits each cell (the submission's
	// other cells still run after one times out), OutputDir, when set,
	// keeps the graded copies there as STUDENT/NAME.ipynb, as nbgrader
	// keeps autograded/; the rest is set by grading.
	Options
	// Sources are the assignment's notebooks as the instructor wrote them
	// (nbgrader's source/ or release/ version), by file name. A
	// submission's locked cells are graded as the source has them, as
	// nbgrader restores them from its database, and test cells the
	// submission lacks count 0. Without a source for a notebook, its
	// expected test cells are those any submission of it has, and a
	// locked cell whose checksum does not match its source scores 0.
	Sources map[string]*Notebook
	// Jobs, Command and Display are as in Batch.
	Jobs    int
	Command []string
	Display *Display
}

// Submission is one student's notebook.
type Submission struct {
	Path    string
	Student string
}

// CellGrade is the score of one grade cell.
type CellGrade struct {
	ID     string  `json:"grade_id"`
	Score  float64 `json:"score"`
	Max    float64 `json:"max_score"`
	Manual bool    `json:"manual,omitempty"` // a written answer or solution left for a person to grade
	// Note says why the cell lost points, or what grading changed in it
	// (a locked cell restored from the source).
	Note string `json:"note,omitempty"`
}

// NotebookGrade is the grade of one submission.
type NotebookGrade struct {
	Submission
	Notebook string      `json:"notebook"` // the file name, which identifies the assignment's notebook
	Cells    []CellGrade `json:"cells"`
	Score    float64     `json:"score"`
	Max      float64     `json:"max_score"`
	// Problem says what kept the submission from being graded in full:
	// it could not be read, or its run crashed. Its cells score 0.
	Problem string `json:"problem,omitempty"`
	// Failures are the errors of cells that are not graded (a solution
	// that does not compile, say), which explain the grade cells after
	// them.
	Failures []string `json:"failures,omitempty"`
	// Output is the graded copy, when Options.OutputDir kept it.
	Output string `json:"output,omitempty"`
}

// expected is a grade cell an assignment's notebook should have.
type expected struct {
	meta   nbgraderCell
	source *Cell // the instructor's cell, or nil without a source
}

// Grade grades the submissions, each in its own `gomp run --one` child
// with AllowErrors, and returns their grades in order. Submissions are
// only read: the copies that run are written to Options.OutputDir, or a
// temporary directory removed before Grade returns.
func (g Grading) Grade(ctx context.Context, subs []Submission) ([]NotebookGrade, error) {
	work := g.OutputDir
	if work == "" {
		dir, err := os.MkdirTemp("", "gomp-grade-")
		if err != nil {
			return nil, fmt.Errorf("grading directory: %w", err)
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	grades := make([]NotebookGrade, len(subs))
	read := make([]*Notebook, len(subs))
	for i, s := range subs {
		grades[i] = NotebookGrade{Submission: s, Notebook: filepath.Base(s.Path)}
		nb, err := ReadNotebook(s.Path)
		if err != nil {
			grades[i].Problem = "cannot read the submission: " + err.Error()
			continue
		}
		read[i] = nb
	}
	cells := g.expectedCells(grades, read)
	var paths []string
	var index []int
	copies := map[string]bool{}
	for i, nb := range read {
		if nb == nil {
			continue
		}
		notes := prepare(nb, cells[grades[i].Notebook])
		grades[i].Cells = notes
		path := copyPath(work, grades[i].Submission, copies)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("grading directory: %w", err)
		}
		if err := writeNotebook(path, nb, 0o644); err != nil {
			return nil, fmt.Errorf("write the copy of %s to grade: %w", grades[i].Path, err)
		}
		grades[i].Output = path
		paths = append(paths, path)
		index = append(index, i)
	}
	opts := g.Options
	opts.AllowErrors, opts.InPlace, opts.OutputDir = true, true, ""
	sums, err := Batch{Options: opts, Jobs: g.Jobs, Command: g.Command, Display: g.Display}.Run(ctx, paths)
	if err != nil {
		return nil, err
	}
	for k, sum := range sums {
		i := index[k]
		gr := &grades[i]
		switch sum.Status {
		case OK, TimedOut:
			nb, err := ReadNotebook(sum.Output)
			if err != nil {
				gr.Problem = "cannot read the graded copy: " + err.Error()
				break
			}
			gr.Cells = score(nb, cells[gr.Notebook], gr.Cells)
			gr.Failures = failures(nb)
		case Interrupted:
			return nil, ctx.Err()
		default:
			gr.Problem = fmt.Sprintf("the run %s: %s", sum.Status, sum.Message)
		}
		if g.OutputDir == "" {
			gr.Output = ""
		}
	}
	for i := range grades {
		gr := &grades[i]
		if gr.Problem != "" {
			gr.Cells = zeroCells(cells[gr.Notebook], gr.Problem)
		}
		for _, c := range gr.Cells {
			gr.Score += c.Score
			gr.Max += c.Max
		}
	}
	return grades, nil
}

// expectedCells lists, per notebook name, the grade cells a submission
// should have, in order: the source's, or else those of the
// submissions whose checksum matches (or that have none), in the order
// they first appear.
func (g Grading) expectedCells(grades []NotebookGrade, read []*Notebook) map[string][]expected {
	all := map[string][]expected{}
	for name, src := range g.Sources {
		for _, c := range src.Cells {
			if m, ok := nbgraderOf(c); ok && !slices.ContainsFunc(all[name], func(e expected) bool { return e.meta.GradeID == m.GradeID }) {
				all[name] = append(all[name], expected{meta: m, source: c})
			}
		}
	}
	for i, nb := range read {
		name := grades[i].Notebook
		if nb == nil || g.Sources[name] != nil {
			continue
		}
		for _, c := range nb.Cells {
			m, ok := nbgraderOf(c)
			// A test cell whose checksum does not match was edited (or
			// made up): it does not define what the others must have.
			if !ok || !m.Grade || (m.Checksum != "" && checksum(c, m) != m.Checksum) {
				continue
			}
			if !slices.ContainsFunc(all[name], func(e expected) bool { return e.meta.GradeID == m.GradeID }) {
				all[name] = append(all[name], expected{meta: m})
			}
		}
	}
	return all
}

// prepare makes nb the notebook to run, as nbgrader's OverwriteCells
// does: each cell known to the source gets the source's locked flag and
// points, and a locked cell whose text differs is restored from it;
// grade_ids the source does not know are dropped. Without a source, a
// locked cell whose checksum does not match its metadata is noted. It
// returns the grade cells with the notes made so far.
func prepare(nb *Notebook, want []expected) []CellGrade {
	byID := map[string]expected{}
	for _, e := range want {
		byID[e.meta.GradeID] = e
	}
	notes := map[string]string{}
	for _, c := range nb.Cells {
		m, ok := nbgraderOf(c)
		if !ok {
			continue
		}
		e, known := byID[m.GradeID]
		switch {
		case !known && hasSource(want):
			// nbgrader drops a grade_id its database does not know.
			delete(c.Metadata, "nbgrader")
		case e.source != nil:
			// The released cell's checksum tells a student's change from
			// the hidden tests the source adds back.
			edited := m.Checksum != "" && checksum(c, m) != m.Checksum
			src, _ := nbgraderOf(e.source)
			m.Locked, m.Points = src.Locked, src.Points
			if src.locked() && checksum(c, m) != checksum(e.source, src) {
				c.Source = e.source.Source
				c.Type = e.source.Type
				m.Grade, m.Solution = src.Grade, src.Solution
				if edited {
					notes[m.GradeID] = "locked cell changed in the submission; graded as the source has it"
				}
			}
			m.Checksum = checksum(c, m)
			setNbgrader(c, m)
		case m.locked() && m.Checksum != "" && checksum(c, m) != m.Checksum:
			notes[m.GradeID] = "locked cell changed in the submission (its checksum does not match)"
		}
	}
	var cells []CellGrade
	for _, e := range want {
		if e.meta.Grade {
			cells = append(cells, CellGrade{ID: e.meta.GradeID, Max: e.meta.maxPoints(), Note: notes[e.meta.GradeID]})
		}
	}
	return cells
}

func hasSource(want []expected) bool {
	return slices.ContainsFunc(want, func(e expected) bool { return e.source != nil })
}

// score fills in the grade cells of the executed notebook nb, keeping the
// notes prepare made. A grade cell the notebook lacks scores 0.
func score(nb *Notebook, want []expected, prepared []CellGrade) []CellGrade {
	found := map[string]*Cell{}
	for _, c := range nb.Cells {
		if m, ok := nbgraderOf(c); ok && found[m.GradeID] == nil {
			found[m.GradeID] = c
		}
	}
	out := slices.Clone(prepared)
	for i := range out {
		cg := &out[i]
		c := found[cg.ID]
		var e expected
		for _, w := range want {
			if w.meta.GradeID == cg.ID {
				e = w
			}
		}
		switch {
		case c == nil:
			cg.Note = "test cell missing from the submission"
		case strings.HasPrefix(cg.Note, "locked cell changed") && e.source == nil:
			// Without the source the changed test cannot be trusted.
		case e.meta.Solution || c.Type != "code":
			m, _ := nbgraderOf(c)
			cg.Manual = true
			if m.Checksum != "" && checksum(c, m) == m.Checksum {
				cg.Note = "no answer given"
			} else {
				cg.Note = "to be graded by hand"
			}
		default:
			var why string
			cg.Score, why = autoScore(c, cg.Max)
			if cg.Note == "" || why != "" {
				cg.Note = joinNotes(why, cg.Note)
			}
		}
	}
	return out
}

// failures lists the errors of nb's code cells that are not grade cells,
// each named by its grade_id, or its cell id and execution count.
func failures(nb *Notebook) []string {
	var out []string
	for _, c := range nb.Cells {
		if m, ok := nbgraderOf(c); c.Type != "code" || (ok && m.Grade) {
			continue
		}
		for _, o := range c.Outputs {
			if o.OutputType != "error" {
				continue
			}
			name := c.ID
			if m, ok := nbgraderOf(c); ok {
				name = m.GradeID
			}
			out = append(out, name+": "+errorLine(o))
		}
	}
	return out
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// zeroCells is every expected grade cell at 0, for a submission that
// could not be graded.
func zeroCells(want []expected, why string) []CellGrade {
	var cells []CellGrade
	for _, e := range want {
		if e.meta.Grade {
			cells = append(cells, CellGrade{ID: e.meta.GradeID, Max: e.meta.maxPoints(), Note: why})
		}
	}
	return cells
}

// copyPath is where the copy of s to grade is written: WORK/STUDENT/NAME,
// with a number added when two submissions would share it.
func copyPath(work string, s Submission, taken map[string]bool) string {
	student := s.Student
	if student == "" || student == "." || student == ".." || strings.ContainsAny(student, `/\`) {
		student = "submission"
	}
	base := filepath.Join(work, student)
	p := filepath.Join(base, filepath.Base(s.Path))
	for n := 2; taken[p]; n++ {
		p = filepath.Join(base+"-"+strconv.Itoa(n), filepath.Base(s.Path))
	}
	taken[p] = true
	return p
}

// DefaultGradeTimeout limits each cell when grading and no Timeout is set,
// so that a submission that never ends is still graded.
const DefaultGradeTimeout = time.Minute
