package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/internal/headtail"
)

// Batch runs notebooks, each in its own `gomp run --one` child process, up
// to Jobs at once. A child per notebook keeps one notebook's captured
// output and mp processes away from the others'.
type Batch struct {
	Options
	// Jobs is how many notebooks run at once; 0 means runtime.NumCPU().
	Jobs int
	// Command starts a child for one notebook: the child's flags and the
	// notebook's path are appended to it. nil means this executable with
	// the arguments "run" and "--one".
	Command []string
	// Display shows progress and prints a summary line per notebook; nil
	// shows nothing.
	Display *Display
}

// Run runs the notebooks at paths and returns their summaries in the order
// of paths. Cancelling ctx interrupts the running children (SIGINT) and
// starts no more.
func (b Batch) Run(ctx context.Context, paths []string) ([]Summary, error) {
	cmd := b.Command
	if cmd == nil {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find this executable: %w", err)
		}
		cmd = []string{self, "run", "--one"}
	}
	jobs := b.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	d := b.Display
	if d == nil {
		d = &Display{}
	}
	d.start(len(paths))
	st := newStarter()
	defer st.stop()
	sums := make([]Summary, len(paths))
	slots := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, path := range paths {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			sums[i] = Summary{Path: path, Status: Interrupted, Message: "interrupted: not run"}
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			sums[i] = b.child(ctx, st, cmd, path, d)
			d.finished(sums[i])
		})
	}
	wg.Wait()
	d.end(sums)
	return sums, nil
}

// child runs one notebook in a child process and returns its summary.
func (b Batch) child(ctx context.Context, st *starter, cmd []string, path string, d *Display) Summary {
	start := time.Now()
	args := append(append([]string(nil), cmd[1:]...), b.flags()...)
	args = append(args, "--", path)
	c := exec.CommandContext(ctx, cmd[0], args...)
	c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
	c.WaitDelay = 30 * time.Second
	stderr := &headtail.Buffer{} // the child's log, and the Go runtime's report when it crashes
	c.Stderr = stderr
	startFailed := func(err error) Summary {
		return Summary{Path: path, Status: Failed, Message: fmt.Sprintf("%s: start the runner process: %v", path, err)}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return startFailed(err)
	}
	c.ExtraFiles = []*os.File{w}
	d.started(path)
	if err := st.start(c); err != nil {
		r.Close()
		w.Close()
		return startFailed(err)
	}
	w.Close()
	sum, last, ok := readReports(r, func(done, total int) { d.progress(path, done, total) }, func(text string) { d.bar(path, text) })
	r.Close()
	werr := c.Wait()
	if !ok {
		sum = crashed(path, werr, stderr.String(), last)
		sum.Duration = time.Since(start)
	}
	return sum
}

// flags are the child's command-line flags for b's options, as `gomp run`
// parses them.
func (b Batch) flags() []string {
	var f []string
	if b.Timeout > 0 {
		f = append(f, "--timeout="+b.Timeout.String())
	}
	if b.AllowErrors {
		f = append(f, "--allow-errors")
	}
	if b.OutputDir != "" {
		f = append(f, "--output-dir="+b.OutputDir)
	}
	if b.InPlace {
		f = append(f, "--inplace")
	}
	return f
}

// ExitCode is the exit status for a batch: the largest of its notebooks'.
func ExitCode(sums []Summary) int {
	code := 0
	for _, s := range sums {
		code = max(code, s.Status.ExitCode())
	}
	return code
}
