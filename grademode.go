package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomp-kernel/gomp/runner"
)

// nbgraderConfig is the nbgrader configuration for Go notebooks that
// `gomp grade init` writes: the sample assignment's own.
//
//go:embed notebooks/assignment/nbgrader_config.py
var nbgraderConfig []byte

const gradeUsage = `Usage: gomp grade [flags] SUBMISSION...
       gomp grade init [DIR]

Grades students' submissions of an nbgrader assignment as nbgrader's
autograde does, without nbgrader or Jupyter (gomp grade is gomp run
--grade). A SUBMISSION is a notebook, or a directory searched for them.
A notebook under submitted/STUDENT/ (nbgrader's layout) is STUDENT's;
elsewhere a notebook found in a directory belongs to the directory below
the one given, and a notebook given by name to the directory holding it.

Each submission runs on a copy, in its own process, with every cell
limited by --timeout (default 1m); a cell that fails does not stop the
others. Every grade cell (metadata.nbgrader.grade) scores 0 when it ends
with an error or writes to stderr, the number it ends with as partial
credit, and its points otherwise. With --source, the instructor's
notebooks, a submission's locked cells are graded as the source has them
(as nbgrader restores them) and a deleted test cell scores 0; without it,
the test cells expected are those of all submissions of the notebook, and
a changed locked cell (its nbgrader checksum) scores 0. Solution cells
that are graded by hand are listed with 0 points.

Scores go to stdout, a block per submission; --gradebook also writes
them as CSV, a row per submission and a column per grade cell. Nothing
in the submissions is written. Exit status 0 once every submission is
graded, whatever it scored; 2 for a usage error or unreadable source.

gomp grade init writes DIR/nbgrader_config.py (default: .), the nbgrader
configuration for Go: solution markers // BEGIN SOLUTION and // END
SOLUTION, the stub // YOUR CODE HERE with panic("not implemented"),
hidden tests between // BEGIN HIDDEN TESTS and // END HIDDEN TESTS.

Flags:
`

// gradeFlags are gomp run's grading flags, which gomp grade shares.
type gradeFlags struct {
	on        bool
	source    string
	gradebook string
}

// add defines the flags on fs; gomp run also gets --grade itself.
func (g *gradeFlags) add(fs *flag.FlagSet, run bool) {
	if run {
		fs.BoolVar(&g.on, "grade", false, "grade nbgrader submissions (see gomp grade -h)")
	}
	fs.StringVar(&g.source, "source", "", "with --grade: the instructor's notebook, or a `DIR` of them (nbgrader's source/ASSIGNMENT)")
	fs.StringVar(&g.gradebook, "gradebook", "", "with --grade: also write the scores as CSV to `FILE`")
}

// grade is `gomp grade`: init, or gomp run --grade.
func grade(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "init" {
		return gradeInit(args[1:], stdout, stderr)
	}
	if wantsHelp(args) {
		fs := quietFlagSet("grade")
		var opts runner.Options
		fs.DurationVar(&opts.Timeout, "timeout", 0, "interrupt a cell running longer than `DURATION` (default 1m)")
		fs.String("o", "", "keep the graded copies in `DIR` as STUDENT/NAME.ipynb")
		fs.Int("j", 0, "grade up to `N` submissions at once (default: the number of CPUs)")
		var g gradeFlags
		g.add(fs, false)
		printUsage(stdout, fs, gradeUsage, "")
		return nil
	}
	return runNotebooks(append([]string{"--grade"}, args...), stdout, stderr)
}

// gradeInit writes nbgrader_config.py into the directory args name.
func gradeInit(args []string, stdout, stderr io.Writer) error {
	if wantsHelp(args) {
		fmt.Fprint(stdout, gradeUsage)
		return nil
	}
	if len(args) > 1 {
		fmt.Fprint(stderr, gradeUsage)
		return exitCode(2)
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	path := filepath.Join(dir, "nbgrader_config.py")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		fmt.Fprintf(stderr, "gomp grade init: %s exists; not overwritten (move it away, or copy what you need from gomp's README)\n", path)
		return exitCode(2)
	}
	if err != nil {
		return fmt.Errorf("write nbgrader config: %w", err)
	}
	if _, err := f.Write(nbgraderConfig); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "wrote %s: nbgrader's settings for Go notebooks (solution markers, the Go code stub, hidden tests, a time limit per cell)\n", path)
	return nil
}

// gradeSubmissions is gomp run --grade.
func gradeSubmissions(ctx context.Context, paths []string, opts runner.Options, jobs int, g gradeFlags, stdout, stderr io.Writer) error {
	if opts.InPlace {
		fmt.Fprintln(stderr, "gomp grade: --inplace would change the submissions; grading never writes them")
		return exitCode(2)
	}
	if opts.Timeout == 0 {
		opts.Timeout = runner.DefaultGradeTimeout
	}
	sources, err := readSources(g.source)
	if err != nil {
		fmt.Fprintln(stderr, "gomp grade:", err)
		return exitCode(2)
	}
	subs, err := runner.FindSubmissions(paths)
	if err != nil {
		fmt.Fprintln(stderr, "gomp grade:", err)
		return exitCode(2)
	}
	d := &runner.Display{Out: io.Discard, Log: stderr}
	if isTerminal(stderr) {
		d.Status = stderr
	}
	grades, err := runner.Grading{Options: opts, Sources: sources, Jobs: jobs, Display: d}.Grade(ctx, subs)
	if err != nil {
		if ctx.Err() != nil {
			return exitCode(130)
		}
		return err
	}
	if err := runner.PrintGrades(stdout, grades); err != nil {
		return err
	}
	if g.gradebook != "" {
		var b strings.Builder
		if err := runner.WriteGradebook(&b, grades); err != nil {
			return err
		}
		if err := os.WriteFile(g.gradebook, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("write the gradebook: %w", err)
		}
	}
	return nil
}

// readSources reads the instructor's notebooks: path is one, or a
// directory holding them; "" is none.
func readSources(path string) (map[string]*runner.Notebook, error) {
	if path == "" {
		return nil, nil
	}
	paths := []string{path}
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--source: %w", err)
	} else if st.IsDir() {
		paths, _ = filepath.Glob(filepath.Join(path, "*.ipynb"))
		if len(paths) == 0 {
			return nil, fmt.Errorf("--source %s: no notebooks in this directory", path)
		}
	}
	sources := map[string]*runner.Notebook{}
	for _, p := range paths {
		nb, err := runner.ReadNotebook(p)
		if err != nil {
			return nil, fmt.Errorf("--source: %w", err)
		}
		sources[filepath.Base(p)] = nb
	}
	return sources, nil
}
