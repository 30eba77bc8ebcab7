package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
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
// summary, or false when the child ended without one (it crashed); last is
// then the last progress line, which says the cell it died in.
func readReports(r io.Reader, progress func(done, total int), bar func(text string)) (sum Summary, last report, ok bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var final *Summary
	for sc.Scan() {
		var rep report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			continue
		}
		switch {
		case rep.Summary != nil:
			final = rep.Summary
		case rep.Bar != "":
			bar(rep.Bar)
		default:
			last = rep
			progress(rep.Done, rep.Total)
		}
	}
	if final == nil {
		return Summary{}, last, false
	}
	return *final, last, true
}

// crashed is the summary of a child that ended without reporting one:
// the cell it was running (from its last progress report) and why it died,
// from its stderr.
func crashed(path string, err error, stderr string, last report) Summary {
	sum := Summary{Path: path, Status: Failed, Ran: last.Done, Total: last.Total}
	where := ""
	if last.Total > 0 {
		sum.Ran, sum.Errors = last.Done+1, 1
		where = fmt.Sprintf("In[%d]: ", last.Done+1)
	}
	sum.Message = fmt.Sprintf("%sthe runner process died (%v)", where, err)
	if why := crashReason(stderr); why != "" {
		sum.Message += ": " + why
	}
	return sum
}

// crashLines is how many lines of a crash report a summary shows.
const crashLines = 4

// crashReason picks the Go runtime's report of a fatal error out of a
// child's stderr: the panic or fatal error line and the first frames
// after it, without file paths. The runtime writes its whole report to
// the child's fd 2, which capture leaves alone, so it reaches this
// stderr; for a report without its "fatal error:" line, the reason for the
// two fatal errors cells cause most, stack overflow and concurrent map
// writes, is read from the frames. Without a report it is the last lines
// of stderr.
func crashReason(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	start := slices.IndexFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") ||
			l == "runtime stack:" || (strings.HasPrefix(l, "goroutine ") && strings.HasSuffix(l, "[running]:"))
	})
	if start < 0 {
		return strings.Join(lines[max(0, len(lines)-crashLines):], "\n")
	}
	var out []string
	switch report := strings.Join(lines[start:min(len(lines), start+40)], "\n"); {
	case strings.HasPrefix(lines[start], "panic: ") || strings.HasPrefix(lines[start], "fatal error: "):
	case strings.Contains(report, "runtime.newstack()"):
		out = append(out, "fatal error: stack overflow (endless or too deep recursion?)")
	case strings.Contains(report, "maps.fatal("):
		out = append(out, "fatal error: concurrent map access (a map used by several goroutines without a lock)")
	}
	for _, l := range lines[start:] {
		if len(out) == crashLines {
			break
		}
		if l != "" && !strings.HasPrefix(l, "\t") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
