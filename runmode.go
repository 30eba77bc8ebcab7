package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/gomp-kernel/gomp/runner"
)

const runUsage = `Usage: gomp run [flags] NOTEBOOK.ipynb...

Runs Go notebooks top to bottom without Jupyter, with the kernel's
interpreter, cell rules and mp processes, and writes each notebook back
with its outputs (as jupyter nbconvert --to notebook --execute does),
through a temporary file so that it is never half-written. It prints a line
per notebook on stdout (cells run, errors, time); on a terminal, stderr
shows the notebooks running and their current cell. Several notebooks run
in parallel, each in its own process, up to -j at once. A notebook that
cannot be read is reported and the others still run.

Flags:
`

const runExitCodes = `
Exit status (for several notebooks, the largest of theirs):
  0  every cell ran (with --allow-errors: errors are recorded in the notebook)
  1  a cell failed; the notebook is written up to that cell
  2  usage error, or a notebook could not be read (bad JSON, not nbformat 4,
     kernel not Go) or written
  3  a cell ran longer than --timeout and was interrupted (also with --allow-errors)
  130 interrupted (Ctrl-C); notebooks still running are not written
`

// runNotebooks is `gomp run`: it parses the flags and runs the notebooks
// through runner, one child process each (`gomp run --one`, hidden, is
// that child).
func runNotebooks(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts runner.Options
	fs.StringVar(&opts.OutputDir, "output-dir", "", "write executed notebooks into `DIR` (default: in place)")
	fs.StringVar(&opts.OutputDir, "o", "", "short for --output-dir `DIR`")
	fs.BoolVar(&opts.AllowErrors, "allow-errors", false, "keep running after a failing cell, recording its error")
	fs.DurationVar(&opts.Timeout, "timeout", 0, "interrupt a cell running longer than `DURATION` (e.g. 30s; 0: no limit)")
	jobs := fs.Int("j", 0, "run up to `N` notebooks at once (default: the number of CPUs)")
	one := fs.Bool("one", false, "run one notebook in this process, reporting to fd 3 (used by gomp run itself)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runUsage)
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "one" {
				return
			}
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			name, use := flag.UnquoteUsage(f)
			fmt.Fprintf(fs.Output(), "  %s\n    \t%s\n", strings.TrimSpace(dash+f.Name+" "+name), use)
		})
		fmt.Fprint(fs.Output(), runExitCodes)
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	if len(paths) == 0 || (*one && len(paths) != 1) {
		fs.Usage()
		return exitCode(2)
	}
	info, err := languageInfo()
	if err != nil {
		return err
	}
	opts.LanguageInfo = info
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *one {
		return runOne(ctx, paths[0], opts)
	}
	if err := checkOutputs(paths, opts); err != nil {
		fmt.Fprintln(stderr, "gomp run:", err)
		return exitCode(2)
	}
	if opts.OutputDir != "" {
		if err := os.MkdirAll(opts.OutputDir, 0o755); err != nil {
			fmt.Fprintln(stderr, "gomp run:", err)
			return exitCode(2)
		}
	}
	d := &runner.Display{Out: stdout}
	if f, ok := stderr.(*os.File); ok && runner.IsTerminal(f) {
		d.Status = stderr
	}
	sums, err := runner.Batch{Options: opts, Jobs: *jobs, Display: d}.Run(ctx, paths)
	if err != nil {
		return err
	}
	if code := runner.ExitCode(sums); code != 0 {
		return exitCode(code)
	}
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// the notebooks (gomp run a.ipynb --timeout 1m b.ipynb); everything after
// "--" is a notebook.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

// checkOutputs refuses two notebooks that would be written to one file.
func checkOutputs(paths []string, opts runner.Options) error {
	seen := map[string]string{}
	for _, p := range paths {
		out, err := filepath.Abs(opts.OutputPath(p))
		if err != nil {
			return err
		}
		if prev, ok := seen[out]; ok {
			return fmt.Errorf("%s and %s would both be written to %s", prev, p, out)
		}
		seen[out] = p
	}
	return nil
}

// runOne is the child of a batch: it runs one notebook with fds 1 and 2
// captured for the cells, reporting on fd 3 and logging to a copy of the
// original stderr made before the capture.
func runOne(ctx context.Context, path string, opts runner.Options) error {
	tuneGC() // cells run here as in the kernel
	debug.SetMaxStack(maxStack)
	report := io.Discard
	var st syscall.Stat_t
	if syscall.Fstat(3, &st) == nil {
		syscall.CloseOnExec(3)
		report = os.NewFile(3, "report")
	}
	logger, err := kernelLogger()
	if err != nil {
		return err
	}
	opts.Log, opts.CaptureFDs = logger, true
	sum := runner.RunChild(ctx, path, opts, report)
	if code := sum.Status.ExitCode(); code != 0 {
		return exitCode(code)
	}
	return nil
}

// languageInfo is the kernel's language_info, which nbclient writes into an
// executed notebook's metadata; gomp run writes the same.
func languageInfo() (json.RawMessage, error) {
	return json.Marshal((&engine{}).Info().Content())
}
