package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
)

// Options configures running notebooks. The zero value works: no time
// limit, stop at the first failing cell, write NAME.nbconvert.ipynb beside
// each notebook NAME.ipynb.
type Options struct {
	// Timeout limits each cell; a cell still running after it is
	// interrupted (as a kernel interrupt does) and fails. 0 means no limit.
	Timeout time.Duration
	// AllowErrors keeps running after a failing or timed-out cell.
	AllowErrors bool
	// OutputDir receives the executed notebooks under their own base
	// names; "" writes each beside its original (see OutputPath).
	OutputDir string
	// InPlace overwrites each notebook with its executed version, as
	// nbconvert --inplace does. Without it (and without OutputDir) the
	// original is never written: a batch over students' submissions must
	// not destroy one.
	InPlace bool
	// LanguageInfo, when set, is written as metadata.language_info, as
	// nbclient writes the kernel's.
	LanguageInfo json.RawMessage
	// CaptureFDs routes everything written to this process's fd 1,
	// os.Stdout and os.Stderr into the running cell, as the kernel does (see interp.Options). Only
	// one notebook per process may run with it: `gomp run` sets it in the
	// child that runs each notebook.
	CaptureFDs bool
	// Open, when set, opens what runs the notebook's cells instead of a
	// front.Notebook in this process: `gomp run` opens a supervised
	// interpreter process (supervise), so that a cell that crashes it
	// fails alone and the notebook carries on with --allow-errors.
	Open func(log *slog.Logger) (Cells, error)
	// Log receives the runner's and the interpreter's diagnostics; nil
	// discards them.
	Log *slog.Logger
	// Progress, when set, is called before each code cell runs with the
	// number of code cells done so far and the total.
	Progress func(done, total int)
	// Bar, when set, receives the text of every redraw of an mp progress
	// bar (mp.WithProgress), for a log that has no notebook to draw in.
	Bar func(text string)
	// Compiler builds mp's compiled workers (see front.Options); nil runs
	// every worker interpreted.
	Compiler front.Compiler
	// Sources is the source of gomp's cell packages for the type checker
	// (see front.Options), when the notebook runs in this process.
	Sources fs.FS
}

// Cells runs a notebook's cells: a front.Notebook, or what Options.Open
// returns.
type Cells interface {
	Execute(ctx context.Context, c front.Cell) front.Outcome
	Close() error
}

// Status says how running one notebook ended.
type Status string

// The statuses a Summary may have, from best to worst.
const (
	OK          Status = "ok"          // every cell ran (with AllowErrors: errors recorded)
	Failed      Status = "failed"      // a cell failed, or the run itself crashed
	Broken      Status = "broken"      // the notebook could not be read or written
	TimedOut    Status = "timeout"     // a cell ran longer than Options.Timeout
	Interrupted Status = "interrupted" // the run was cancelled (Ctrl-C); nothing written
)

// ExitCode is the exit status `gomp run` uses for s; a batch exits with the
// largest of its notebooks'.
func (s Status) ExitCode() int {
	switch s {
	case OK:
		return 0
	case Failed:
		return 1
	case Broken:
		return 2
	case TimedOut:
		return 3
	}
	return 130
}

// Summary is what running one notebook did.
type Summary struct {
	Path   string `json:"path"`
	Output string `json:"output,omitempty"` // where the executed notebook was written
	Status Status `json:"status"`
	// Ran counts the code cells executed, Total the non-empty code cells.
	Ran    int `json:"ran"`
	Total  int `json:"total"`
	Errors int `json:"errors"` // cells that failed or timed out
	// Duration is the wall time from reading to writing the notebook.
	Duration time.Duration `json:"duration"`
	// Message says what went wrong first: the failing cell's error, or why
	// the notebook could not be read or written. Empty when OK.
	Message string `json:"message,omitempty"`
}

// OutputPath is where a notebook read from path is written: under its own
// name in OutputDir, over itself with InPlace, else beside it as
// NAME.nbconvert.ipynb, the name jupyter nbconvert --to notebook gives it.
func (o Options) OutputPath(path string) string {
	switch {
	case o.OutputDir != "":
		return filepath.Join(o.OutputDir, filepath.Base(path))
	case o.InPlace:
		return path
	}
	return strings.TrimSuffix(path, ".ipynb") + ".nbconvert.ipynb"
}

// Run executes the notebook at path in this process, top to bottom, and
// writes it with its outputs to opts.OutputPath(path). Cells not reached
// (after a failure) are written without outputs. When ctx is cancelled the
// running cell is interrupted and nothing is written.
func Run(ctx context.Context, path string, opts Options) Summary {
	start := time.Now()
	sum := Summary{Path: path}
	finish := func(st Status, msg string) Summary {
		sum.Status, sum.Duration = st, time.Since(start)
		if sum.Message == "" {
			sum.Message = msg
		}
		return sum
	}
	nb, err := ReadNotebook(path)
	if err != nil {
		return finish(Broken, err.Error())
	}
	status, err := execute(ctx, nb, opts, &sum)
	if err != nil {
		return finish(Failed, fmt.Sprintf("%s: %v", path, err))
	}
	if status == Interrupted {
		return finish(Interrupted, "interrupted: notebook not written")
	}
	if len(opts.LanguageInfo) > 0 {
		nb.Metadata = orEmpty(nb.Metadata)
		nb.Metadata["language_info"] = opts.LanguageInfo
	}
	out := opts.OutputPath(path)
	if err := writeNotebook(out, nb, nb.mode); err != nil {
		return finish(Broken, err.Error())
	}
	sum.Output = out
	return finish(status, "")
}

// execute runs nb's code cells in a new session wired to mp, filling in
// their outputs, and says how the run ended.
func execute(ctx context.Context, nb *Notebook, opts Options, sum *Summary) (Status, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var notebook Cells
	var err error
	if opts.Open != nil {
		notebook, err = opts.Open(log)
	} else {
		notebook, err = front.Open(front.Options{CaptureFDs: opts.CaptureFDs, Log: log, Compiler: opts.Compiler, Sources: opts.Sources})
	}
	if err != nil {
		return Failed, err
	}
	defer notebook.Close()

	ids := &displays{bar: opts.Bar}
	var code []*Cell
	for _, c := range nb.Cells {
		if c.Type == "code" && strings.TrimSpace(c.Source.String()) != "" {
			code = append(code, c)
		}
	}
	sum.Total = len(code)
	status := OK
	for i, c := range code {
		if ctx.Err() != nil || (status != OK && !opts.AllowErrors) {
			c.ExecutionCount, c.Outputs = nil, nil
			continue
		}
		if opts.Progress != nil {
			opts.Progress(i, len(code))
		}
		st, msg := runCell(ctx, notebook, c, i+1, opts.Timeout, ids)
		sum.Ran++
		if st == OK {
			continue
		}
		if ctx.Err() != nil {
			return Interrupted, nil
		}
		sum.Errors++
		if sum.Message == "" {
			sum.Message = msg
		}
		if status == OK || st == TimedOut {
			status = st
		}
	}
	if ctx.Err() != nil {
		return Interrupted, nil
	}
	if status == Failed && opts.AllowErrors {
		status = OK
	}
	return status, nil
}

// runCell runs one code cell as execution number n and records its outputs
// and execution count. It returns OK, Failed or TimedOut, and for the
// latter two the error as the summary shows it.
func runCell(ctx context.Context, notebook Cells, c *Cell, n int, timeout time.Duration, ids *displays) (Status, string) {
	cctx, stop := cellContext(ctx, timeout)
	outs := &outputs{}
	o := notebook.Execute(cctx, front.Cell{Count: n, Code: c.Source.String(), IO: interp.IO{
		Stdout:  outs.stream("stdout"),
		Stderr:  outs.stream("stderr"),
		Display: ids.publisher(outs),
	}})
	timedOut := stop()
	count := n
	c.ExecutionCount = &count
	delete(c.Metadata, "execution")
	name := front.CellName(n)
	status, msg := OK, ""
	switch {
	case o.Help:
		// A help cell (?name) shows a page in the kernel; nbconvert
		// stores nothing for it, and neither does gomp run.
	case o.Err != nil && ctx.Err() == nil && timedOut:
		status = TimedOut
		msg = fmt.Sprintf("%s: the cell did not finish within %v and was interrupted", name, timeout)
		outs.add(Output{OutputType: "error", EName: "TimeoutError", EValue: msg, Traceback: []string{"TimeoutError: " + msg}})
	case o.Err != nil:
		status = Failed
		msg = o.Err.Value
		if !strings.Contains(msg, name) {
			msg = name + ": " + msg
		}
		outs.add(Output{OutputType: "error", EName: o.Err.Name, EValue: o.Err.Value, Traceback: o.Err.Traceback})
	case o.Value != nil:
		outs.add(Output{OutputType: "execute_result", ExecutionCount: &count, Data: NewMIMEData(o.Value)})
	}
	c.Outputs = outs.take()
	return status, msg
}

// cellContext is the context one cell runs with: done when ctx is, or
// when the cell has run for timeout (0: no limit). stop, called when the
// cell has returned, reports whether the time limit ended it and disarms
// the limit without cancelling the context, as the kernel leaves a cell's
// context alone after Execute: Processes and pool calls the cell started
// keep running into later cells until the notebook ends.
func cellContext(ctx context.Context, timeout time.Duration) (cctx context.Context, stop func() (timedOut bool)) {
	if timeout <= 0 {
		return ctx, func() bool { return false }
	}
	cctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(timeout, func() { cancel(context.DeadlineExceeded) })
	return cctx, func() bool {
		timer.Stop()
		return errors.Is(context.Cause(cctx), context.DeadlineExceeded)
	}
}
