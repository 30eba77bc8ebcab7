// Command gomp is a Jupyter kernel for Go with process-parallel cells.
//
//	gomp install [--user|--sys-prefix|--prefix DIR]   write the kernelspec
//	gomp kernel CONNECTION_FILE                       run the kernel (Jupyter starts this)
//	gomp run [flags] NOTEBOOK.ipynb...                execute notebooks without Jupyter
//	gomp worker                                       an mp child process (started by mp)
//	gomp version                                      print the version
//
// main is the only place where the protocol (kernel) meets the cell front
// (front, which wires the interpreter to mp): engine.go adapts one to the
// other, kernelmode.go serves a connection, runmode.go is `gomp run`,
// interpretermode.go the supervised interpreter process both of them run
// cells in (supervise), and worker.go an mp child.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gomp-kernel/gomp/interp/stdlib"
	"github.com/gomp-kernel/gomp/kernelspec"
)

// Version is gomp's version, shown by `gomp version` and in kernel_info.
const Version = "0.1.0"

const usage = `gomp is a Jupyter kernel for Go with process-parallel cells.

Usage:
  gomp install [--user|--sys-prefix|--prefix DIR]  install the Jupyter kernelspec (default --user)
  gomp kernel CONNECTION_FILE                      run the kernel (Jupyter starts this)
  gomp run [flags] NOTEBOOK.ipynb...               execute notebooks without Jupyter (gomp run -h)
  gomp grade [flags] SUBMISSION...                 grade nbgrader submissions (gomp grade -h)
  gomp grade init [DIR]                            write nbgrader_config.py for Go notebooks
  gomp cluster serve [--listen HOST:PORT]          serve pools across machines (gomp cluster -h)
  gomp worker --join [URL] [--creds F] [--slots N] run tasks of such pools on this machine
  gomp version                                     print the version
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var code exitCode
		if errors.As(err, &code) {
			// What went wrong has been said; the status is for scripts.
			os.Exit(int(code))
		}
		fmt.Fprintln(os.Stderr, "gomp:", err)
		os.Exit(1)
	}
}

// exitCode is an error that asks main for a particular exit status.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "install":
		return install(rest, stdout, stderr)
	case "kernel":
		if wantsHelp(rest) {
			fmt.Fprint(stdout, kernelUsage)
			return nil
		}
		if len(rest) != 1 {
			fmt.Fprint(stderr, kernelUsage)
			return exitCode(2)
		}
		return runKernel(rest[0])
	case "run":
		return runNotebooks(rest, stdout, stderr)
	case "grade":
		return grade(rest, stdout, stderr)
	case "worker":
		if wantsHelp(rest) {
			fmt.Fprint(stdout, workerUsage)
			return nil
		}
		if len(rest) > 0 {
			return runJoin(rest, stdout, stderr)
		}
		return runWorker()
	case "cluster":
		if wantsHelp(rest) {
			fmt.Fprint(stdout, clusterUsage)
			return nil
		}
		return runCluster(rest, stdout, stderr)
	case "interpreter":
		// Hidden: the supervised interpreter process a kernel or a gomp
		// run child starts.
		return runInterpreter(rest)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "gomp %s (built with %s, %s/%s; cells get the standard library of %s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, stdlib.Release)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

const kernelUsage = `Usage: gomp kernel CONNECTION_FILE

Runs the kernel for one Jupyter connection. Jupyter starts it, with the
arguments gomp install wrote into kernel.json. Logs go to stderr: warnings
and errors only, unless GOMP_LOG=info or GOMP_LOG=debug.
`

const workerUsage = `Usage: gomp worker
       gomp worker --join [URL] [--creds FILE] [--slots N]

Without arguments: an mp child process, started by mp with its
descriptors set up; not for running by hand. With --join or --creds: a
worker that serves pools across machines (see gomp cluster serve); --join
alone joins the embedded server a kernel of this machine started.
`

// wantsHelp reports whether args ask for help (-h, -help or --help before
// any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

const installUsage = `Usage: gomp install [--user|--sys-prefix|--prefix DIR]

Writes the Jupyter kernelspec "gomp" (kernel.json and logos) that starts
this binary, where Jupyter finds it. Check with jupyter kernelspec list.

Flags:
`

// install writes the kernelspec for this very binary.
func install(args []string, stdout, stderr io.Writer) error {
	fs := quietFlagSet("install")
	user := fs.Bool("user", false, "install for the current user (the default): $JUPYTER_DATA_DIR or ~/.local/share/jupyter")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the active virtualenv or conda prefix (else /usr/local)")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels (Jupyter then needs JUPYTER_PATH=DIR/share/jupyter)")
	if err := parseFlags(fs, args, installUsage, "", stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gomp install: unexpected argument %q\n", fs.Arg(0))
		return exitCode(2)
	}
	scope, n := kernelspec.User, 0
	if *user {
		n++
	}
	if *sysPrefix {
		scope, n = kernelspec.SysPrefix, n+1
	}
	if *prefix != "" {
		scope, n = kernelspec.Prefix, n+1
	}
	if n > 1 {
		return errors.New("install: choose one of --user, --sys-prefix and --prefix")
	}
	if scope == kernelspec.Prefix {
		abs, err := filepath.Abs(*prefix)
		if err != nil {
			return fmt.Errorf("install: --prefix %s: %w", *prefix, err)
		}
		*prefix = abs
	}
	dir, err := kernelspec.Dir(scope, *prefix)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: find this binary: %w", err)
	}
	where, err := kernelspec.Install(dir, self)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed kernelspec %s in %s\n", kernelspec.Name, where)
	if scope == kernelspec.Prefix {
		// Jupyter looks in its own prefixes and the user's directory only.
		fmt.Fprintf(stdout, "Jupyter finds it only with JUPYTER_PATH set: export JUPYTER_PATH=%s\n", filepath.Dir(dir))
	}
	return nil
}

// parseFlags parses a subcommand's flags. -h prints the usage (head, the flags, then tail) on
// stdout and returns flag.ErrHelp, which the caller turns into exit
// status 0; a bad flag prints the error and the usage on stderr and
// returns exit status 2.
func parseFlags(fs *flag.FlagSet, args []string, head, tail string, stdout, stderr io.Writer) error {
	return handleFlagError(fs, fs.Parse(args), head, tail, stdout, stderr)
}

// handleFlagError reports what parsing fs's flags returned, as parseFlags
// says.
func handleFlagError(fs *flag.FlagSet, err error, head, tail string, stdout, stderr io.Writer) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout, fs, head, tail)
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "gomp %s: %v\n", fs.Name(), err)
	printUsage(stderr, fs, head, tail)
	return exitCode(2)
}

// quietFlagSet is a flag set that prints nothing itself: parseFlags says
// what went wrong, and where.
func quietFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printUsage prints a subcommand's usage: head, its flags (long names with
// two dashes, as the usage texts write them), tail.
func printUsage(w io.Writer, fs *flag.FlagSet, head, tail string) {
	fmt.Fprint(w, head)
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "one" {
			return
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name, use := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  %s\n    \t%s\n", strings.TrimSpace(dash+f.Name+" "+name), use)
	})
	fmt.Fprint(w, tail)
}
