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
	"syscall"

	"github.com/gomp-kernel/gomp/runner"
	"golang.org/x/term"
)

const runUsage = `Usage: gomp run [flags] NOTEBOOK.ipynb...

Runs Go notebooks top to bottom without Jupyter, with the kernel's
interpreter, cell rules and mp processes, and writes each executed
notebook with its outputs as jupyter nbconvert --to notebook --execute
does: NAME.ipynb to NAME.nbconvert.ipynb beside it, unless -o DIR or
--inplace says otherwise. The original is written only with --inplace
(keeping its permissions; a symbolic link stays a link to the rewritten
file). Files are written through a temporary file, never half-written.

Results go to stdout: a line per notebook as it ends (ok, ERRORS, FAILED,
TIMEOUT or BROKEN, then cells run, errors, time and the first error) and,
for several notebooks, a total. Progress goes to stderr: on a terminal a
status line with the notebooks running, their current cell and progress
bars; elsewhere progress bars as plain lines. Several notebooks run in
parallel, each in its own process, up to -j at once; they die with gomp
run. A notebook that cannot be read is reported and the others still run.

Flags:
`

const runExitCodes = `
Exit status (for several notebooks, the largest of theirs):
  0  every cell ran; with --allow-errors also when some failed (their errors
     are recorded in the notebook and the line says ERRORS, as nbconvert
     --allow-errors exits 0)
  1  a cell failed, or the process running the notebook died (its fatal
     error is shown); the notebook is written up to the failed cell
  2  usage error, or a notebook could not be read (bad JSON, not nbformat 4,
     kernel not Go) or written
  3  a cell ran longer than --timeout and was interrupted (also with --allow-errors)
  130 interrupted (Ctrl-C); notebooks still running are not written
`

// runNotebooks is `gomp run`: it parses the flags and runs the notebooks
// through runner, one child process each (`gomp run --one`, hidden, is
// that child).
func runNotebooks(args []string, stdout, stderr io.Writer) error {
	fs := quietFlagSet("run")
	var opts runner.Options
	fs.StringVar(&opts.OutputDir, "output-dir", "", "write executed notebooks into `DIR` under their own names (default: NAME.nbconvert.ipynb beside NAME.ipynb)")
	fs.StringVar(&opts.OutputDir, "o", "", "short for --output-dir `DIR`")
	fs.BoolVar(&opts.InPlace, "inplace", false, "overwrite each notebook with its executed version")
	fs.BoolVar(&opts.AllowErrors, "allow-errors", false, "keep running after a failing cell, recording its error")
	fs.DurationVar(&opts.Timeout, "timeout", 0, "interrupt a cell running longer than `DURATION` (e.g. 30s; 0: no limit)")
	jobs := fs.Int("j", 0, "run up to `N` notebooks at once (default: the number of CPUs)")
	one := fs.Bool("one", false, "run one notebook in this process, reporting to fd 3 (used by gomp run itself)")
	paths, err := parseInterspersed(fs, args)
	if err := handleFlagError(fs, err, runUsage, runExitCodes, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if len(paths) == 0 || (*one && len(paths) != 1) {
		printUsage(stderr, fs, runUsage, runExitCodes)
		return exitCode(2)
	}
	if opts.InPlace && opts.OutputDir != "" {
		fmt.Fprintln(stderr, "gomp run: choose one of --inplace and -o/--output-dir")
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
	d := &runner.Display{Out: stdout, Log: stderr}
	if isTerminal(stderr) {
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

// checkOutputs refuses two notebooks that would be written to one file,
// and a notebook written over another one of the batch (a.ipynb's
// a.nbconvert.ipynb while a.nbconvert.ipynb is also being run), which
// would overwrite a notebook while it is read. Paths are compared after
// resolving symbolic links, which the writes follow.
func checkOutputs(paths []string, opts runner.Options) error {
	inputs := map[string]string{}
	for _, p := range paths {
		in, err := realPath(p)
		if err != nil {
			return err
		}
		inputs[in] = p
	}
	seen := map[string]string{}
	for _, p := range paths {
		out, err := realPath(opts.OutputPath(p))
		if err != nil {
			return err
		}
		if prev, ok := seen[out]; ok {
			return fmt.Errorf("%s and %s would both be written to %s", prev, p, out)
		}
		seen[out] = p
		if in, ok := inputs[out]; ok && !opts.InPlace {
			return fmt.Errorf("%s would be written over %s, which is also being run", p, in)
		}
	}
	return nil
}

// realPath is path made absolute with its symbolic links resolved, as far
// as they exist.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}

// runOne is the child of a batch: it runs one notebook with fd 1,
// os.Stdout and os.Stderr captured for the cells, reporting on fd 3 and
// logging to its stderr (fd 2, which also receives a fatal error's report).
func runOne(ctx context.Context, path string, opts runner.Options) error {
	tuneRuntime() // cells run here as in the kernel
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
	compiler := newCompiler(logger)
	defer compiler.Close()
	opts.Log, opts.CaptureFDs, opts.Compiler = logger, true, compiler
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

// isTerminal reports whether w is a terminal, where a status line can be
// redrawn in place. (A character device is not enough: /dev/null is one.)
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
