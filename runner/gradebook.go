package runner

import (
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FindSubmissions lists the notebooks to grade under paths. A notebook
// path is one submission; a directory is searched for notebooks (hidden
// directories such as .ipynb_checkpoints skipped). A notebook in
// nbgrader's layout, under submitted/STUDENT/, is STUDENT's, however the
// path was given. Otherwise a notebook path's student is the directory
// holding it, and a notebook found in a directory belongs to the first
// directory below the one given, or is named after itself when it lies
// directly in it.
func FindSubmissions(paths []string) ([]Submission, error) {
	var subs []Submission
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			student := filepath.Base(filepath.Dir(mustAbs(p)))
			if s, ok := nbgraderStudent(p); ok {
				student = s
			}
			subs = append(subs, Submission{Path: p, Student: student})
			continue
		}
		var found []Submission
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(d.Name(), ".ipynb") {
				return nil
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			student, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
			if s, ok := nbgraderStudent(path); ok {
				student = s
			} else if !nested {
				student = strings.TrimSuffix(d.Name(), ".ipynb")
			}
			found = append(found, Submission{Path: path, Student: student})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find submissions in %s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no notebooks in this directory", p)
		}
		subs = append(subs, found...)
	}
	return subs, nil
}

// nbgraderStudent is the student of a notebook at
// .../submitted/STUDENT/..., nbgrader's layout.
func nbgraderStudent(path string) (string, bool) {
	parts := strings.Split(filepath.ToSlash(mustAbs(path)), "/")
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] == "submitted" {
			return parts[i+1], true
		}
	}
	return "", false
}

func mustAbs(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// points formats a score as nbgrader shows one: 2, 1.5.
func points(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// PrintGrades writes the grades for a reader: a line per submission with
// its total, then a line per grade cell with its score and, when it lost
// points, why.
func PrintGrades(w io.Writer, grades []NotebookGrade) error {
	var b strings.Builder
	for _, g := range grades {
		fmt.Fprintf(&b, "%s  %s  %s / %s  (%s)\n", g.Student, g.Notebook, points(g.Score), points(g.Max), g.Path)
		if g.Problem != "" {
			fmt.Fprintf(&b, "  not graded: %s\n", firstLine(g.Problem))
		}
		for _, f := range g.Failures {
			fmt.Fprintf(&b, "  failed: %s\n", f)
		}
		width := 0
		for _, c := range g.Cells {
			width = max(width, len(c.ID))
		}
		for _, c := range g.Cells {
			line := fmt.Sprintf("  %-*s  %s / %s", width, c.ID, points(c.Score), points(c.Max))
			if c.Manual {
				line += "  (manual)"
			}
			if c.Note != "" && g.Problem == "" {
				line += "  " + c.Note
			}
			b.WriteString(line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteGradebook writes the grades as CSV: a row per submission with its
// student, notebook, path, the score of each grade cell (a column per
// grade_id, in the order the assignment has them), the total, the
// maximum and the notes.
func WriteGradebook(w io.Writer, grades []NotebookGrade) error {
	var ids []string
	for _, g := range grades {
		for _, c := range g.Cells {
			if !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	cw := csv.NewWriter(w)
	header := append(append([]string{"student", "notebook", "path"}, ids...), "score", "max_score", "notes")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, g := range grades {
		row := []string{g.Student, g.Notebook, g.Path}
		var notes []string
		if g.Problem != "" {
			notes = append(notes, firstLine(g.Problem))
		}
		for _, f := range g.Failures {
			notes = append(notes, "failed: "+f)
		}
		for _, id := range ids {
			i := slices.IndexFunc(g.Cells, func(c CellGrade) bool { return c.ID == id })
			if i < 0 {
				row = append(row, "")
				continue
			}
			c := g.Cells[i]
			row = append(row, points(c.Score))
			if c.Note != "" && g.Problem == "" {
				notes = append(notes, c.ID+": "+c.Note)
			}
		}
		row = append(row, points(g.Score), points(g.Max), strings.Join(notes, "; "))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
