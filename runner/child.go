package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// report is one line of the JSON-lines protocol from a `gomp run --one`
// child to its batch parent: progress lines, then one summary line.
type report struct {
	Done    int      `json:"done"`
	Total   int      `json:"total"`
	Bar     string   `json:"bar,omitempty"` // a progress bar's redraw (Options.Bar)
	Summary *Summary `json:"summary,omitempty"`
}

// RunChild runs the notebook at path in this process, as the child a Batch
// starts for it, and reports on w: before each code cell a progress line,
// and at the end the Summary. w is the batch's private pipe (fd 3), never
// stdout or stderr, which belong to the cells.
func RunChild(ctx context.Context, path string, opts Options, w io.Writer) Summary {
	enc := json.NewEncoder(w)
	var mu sync.Mutex // bars are drawn from pool goroutines, cells from this one
	progress := opts.Progress
	opts.Progress = func(done, total int) {
		// A broken pipe means the parent is gone; the notebook still runs
		// to its end and is written.
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(report{Done: done, Total: total})
		if progress != nil {
			progress(done, total)
		}
	}
	opts.Bar = func(text string) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(report{Bar: text})
	}
	sum := Run(ctx, path, opts)
	_ = enc.Encode(report{Done: sum.Ran, Total: sum.Total, Summary: &sum})
	return sum
}

// readReports reads a child's reports from r, calling progress for each
// progress line and bar for each progress bar's redraw, and returns its
// summary, or false when the child ended without one (it crashed).
func readReports(r io.Reader, progress func(done, total int), bar func(text string)) (Summary, bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var last *Summary
	for sc.Scan() {
		var rep report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			continue
		}
		switch {
		case rep.Summary != nil:
			last = rep.Summary
		case rep.Bar != "":
			bar(rep.Bar)
		default:
			progress(rep.Done, rep.Total)
		}
	}
	if last == nil {
		return Summary{}, false
	}
	return *last, true
}

// tail keeps the last max bytes written to it: a child's stderr, shown
// when the child crashes.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.TrimSpace(string(t.buf)) }

// crashed is the summary of a child that ended without reporting one.
func crashed(path string, err error, stderr string) Summary {
	msg := fmt.Sprintf("%s: the runner process ended without a summary: %v", path, err)
	if stderr != "" {
		msg += "\n" + stderr
	}
	return Summary{Path: path, Status: Failed, Message: msg}
}
