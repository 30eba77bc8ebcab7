// Command gomp is a Jupyter kernel for Go with process-parallel cells.
//
//	gomp install [--user|--sys-prefix|--prefix DIR]   write the kernelspec
//	gomp kernel CONNECTION_FILE                       run the kernel (Jupyter starts this)
//	gomp run [flags] NOTEBOOK.ipynb...                execute notebooks without Jupyter
//	gomp worker                                       an mp child process (started by mp)
//	gomp version                                      print the version
//
// main is the only place where the protocol (kernel) meets the interpreter
// (interp); engine.go adapts one to the other and host.go adapts the
// interpreter to what mp needs.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/gomp-kernel/gomp/kernelspec"
)

// Version is gomp's version, shown by `gomp version` and in kernel_info.
const Version = "0.1.0"

const usage = `gomp is a Jupyter kernel for Go with process-parallel cells.

Usage:
  gomp install [--user|--sys-prefix|--prefix DIR]  install the Jupyter kernelspec (default --user)
  gomp kernel CONNECTION_FILE                      run the kernel (Jupyter starts this)
  gomp run [flags] NOTEBOOK.ipynb...               execute notebooks without Jupyter (gomp run -h)
  gomp version                                     print the version
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gomp:", err)
		var code exitCode
		if errors.As(err, &code) {
			os.Exit(int(code))
		}
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
		return install(rest, stdout)
	case "kernel":
		if len(rest) != 1 {
			return errors.New("usage: gomp kernel CONNECTION_FILE")
		}
		return runKernel(rest[0])
	case "run":
		return runNotebooks(rest, stdout, stderr)
	case "worker":
		return runWorker()
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "gomp %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// install writes the kernelspec for this very binary.
func install(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	user := fs.Bool("user", false, "install for the current user (the default): $JUPYTER_DATA_DIR or ~/.local/share/jupyter")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the active virtualenv or conda prefix (else /usr/local)")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	if err := fs.Parse(args); err != nil {
		return err
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
	return nil
}
