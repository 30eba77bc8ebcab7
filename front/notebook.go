// Package front runs a notebook's cells for the two fronts gomp has: the
// Jupyter kernel (main's engine, over kernel/) and the notebook runner
// (`gomp run`, runner/). Everything a cell goes through between a front
// and the interpreter is here, once: the session wired to mp as its host,
// the cell boundary that turns a panic into the cell's error, the cell's
// name In[n] from the execution count the front shows, help cells (?name),
// the mapping of interp's errors to what a frontend shows
// (ename, evalue, traceback), and keeping a spare mp worker warm.
//
// A front owns the numbering: it passes the execution count the user
// sees, so that error positions name the same In[n] as the prompt.
// (kernel/ keeps a recover of its own around any Engine, so that the
// protocol server outlives an engine that breaks its contract; for gomp's
// cells this boundary comes first.)
package front

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/gomp-kernel/gomp/check"
	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
	"github.com/gomp-kernel/gomp/widgets"
)

// Options configures a Notebook.
type Options struct {
	// CaptureFDs routes everything written to this process's fd 1,
	// os.Stdout and os.Stderr into the running cell; fd 2 stays the
	// process's (see interp.Options). One Notebook per process.
	CaptureFDs bool
	// Log receives the session's and mp's diagnostics; nil discards them.
	Log *slog.Logger
	// Warm keeps a spare mp worker started after each cell of a notebook
	// that imports mp, so that the next Process.Start skips process
	// start-up while the user reads and types. The kernel sets it; a batch
	// run does not, since its next cell comes at once and a spare still
	// starting would only compete with it for the CPU.
	Warm bool
	// Compiler builds mp workers with the notebook's functions compiled
	// (main's workerbuild.Builder); nil runs every worker interpreted.
	Compiler Compiler
	// Cluster carries the tasks of pools made with mp.WithCluster (main's
	// cluster.Transport); nil makes such pools an error.
	Cluster mp.Cluster
	// Sources is the source of gomp's cell packages, for the type checker
	// (see interp.Options); nil leaves their uses unchecked.
	Sources fs.FS
}

// Compiler is what a Notebook needs of workerbuild: mp's Builder, and a
// build started ahead of the first call after each cell that declares
// something (decls is the notebook's snapshot without values).
type Compiler interface {
	mp.Builder
	Prebuild(decls []byte)
}

// Notebook is one interpreter session holding a notebook's state, installed
// as mp's host so that cells can start processes and pools.
type Notebook struct {
	sess     *interp.Session
	warm     bool
	log      *slog.Logger
	compiler Compiler
	decls    []byte // the session's declarations after the last prebuild
	declsGen uint64 // and their version (interp's DeclarationsVersion)
	widgets  widgetState
}

// Open starts a session and makes it mp's host and check's (for
// check.Output). Close ends both.
func Open(opts Options) (*Notebook, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sess, err := interp.New(interp.Options{CaptureFDs: opts.CaptureFDs, Log: log, Sources: opts.Sources})
	if err != nil {
		return nil, fmt.Errorf("start interpreter: %w", err)
	}
	cfg := mp.Config{Log: log}
	if opts.Compiler != nil {
		cfg.Builder = opts.Compiler
	}
	cfg.Cluster = opts.Cluster
	mp.SetHost(sess, cfg)
	check.SetHost(sess)
	nb := &Notebook{sess: sess, warm: opts.Warm, log: log, compiler: opts.Compiler}
	widgets.SetHost(nb)
	return nb, nil
}

// Close ends every process the notebook's cells started, then the session.
func (nb *Notebook) Close() error {
	widgets.SetHost(nil)
	mp.Shutdown()
	check.SetHost(nil)
	return nb.sess.Close()
}

// Session is the interpreter, for what the kernel asks besides cells
// (completion, inspection, is_complete).
func (nb *Notebook) Session() *interp.Session { return nb.sess }

// Cell is one cell as a front hands it over.
type Cell struct {
	// Count is the execution count the front shows for the cell: the cell
	// is In[Count] in error positions and tracebacks.
	Count int
	Code  string
	// IO is where the cell's output goes; its Name is set from Count.
	IO interp.IO
	// Comm sends a comm message (a widget's) to the frontend on behalf
	// of the cell; nil in a front without comms.
	Comm func(widgets.Message) error
}

// Outcome is how a cell ended.
type Outcome struct {
	// Value is the cell's trailing value as a frontend shows it, nil when
	// the cell shows none.
	Value display.Bundle
	// Help is set for a help cell (?name, name?, ??name), which runs no
	// code: Page then holds the documentation to show in the pager, or Err
	// says that nothing was found.
	Help bool
	Page display.Bundle
	// Err is set when the cell failed.
	Err *Error
}

// Execute runs one cell. It never panics: a panic escaping the session
// becomes the cell's error, and the session keeps its state.
func (nb *Notebook) Execute(ctx context.Context, c Cell) (o Outcome) {
	c.IO.Name = CellName(c.Count)
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			nb.log.Error("cell panicked outside the interpreter", "cell", c.IO.Name, "panic", r, "stack", stack)
			o.Value, o.Page = nil, nil
			o.Err = &Error{Name: "panic", Value: fmt.Sprint(r),
				Traceback: append([]string{fmt.Sprintf("panic: %v", r)}, strings.Split(stack, "\n")...)}
		}
	}()
	if name, ok := interp.HelpRequest(c.Code); ok {
		return nb.help(name)
	}
	nb.widgets.cur.Store(&c)
	v, err := nb.sess.Execute(ctx, c.Code, c.IO)
	nb.noteInterrupt(err)
	if nb.warm && nb.sess.Imports("mp") {
		mp.Warm()
	}
	nb.prebuild()
	if err != nil {
		return Outcome{Err: cellError(err)}
	}
	if !v.IsValid() {
		return Outcome{}
	}
	return Outcome{Value: v.Bundle()}
}

// help answers a help cell with what inspection knows about name.
func (nb *Notebook) help(name string) Outcome {
	h, found := nb.sess.Inspect(name, utf8.RuneCountInString(name), 1)
	if !found {
		msg := fmt.Sprintf("no documentation found for %s: it is not declared in the notebook, imported, or a member of a package cells can import", name)
		return Outcome{Help: true, Err: &Error{Name: "HelpError", Value: msg, Traceback: []string{"HelpError: " + msg}}}
	}
	return Outcome{Help: true, Page: HelpBundle(h)}
}

// HelpBundle is what a frontend shows for inspection's answer: the
// declaration and doc comment as text/plain and text/markdown.
func HelpBundle(h interp.Help) display.Bundle {
	return display.Bundle{display.MIMEText: h.Text, display.MIMEMarkdown: h.Markdown}
}

// CellName is how errors and tracebacks name the cell with execution count
// n.
func CellName(n int) string { return fmt.Sprintf("In[%d]", n) }

// prebuild starts building a compiled worker after a cell that declared
// something in a notebook that imports mp, so that it is often ready by
// the first Pool or Process call. The cell does not wait for the build.
func (nb *Notebook) prebuild() {
	if nb.compiler == nil || !nb.sess.Imports("mp") {
		return
	}
	gen := nb.sess.DeclarationsVersion()
	if gen == nb.declsGen && nb.decls != nil {
		return
	}
	nb.declsGen = gen
	decls, err := nb.sess.Declarations()
	if err != nil || bytes.Equal(decls, nb.decls) {
		return
	}
	nb.decls = decls
	nb.compiler.Prebuild(decls)
}
