package runner

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Display shows a batch's results and its progress apart: the results (a
// summary line per notebook as each one ends, a total at the end) on Out,
// the progress on Status, a terminal where a status line with the running
// notebooks, their cells and progress bars is redrawn in place, or else on
// Log as plain lines (progress bars, at most one a second). `gomp run`
// gives Out its stdout and the others its stderr, so that its stdout is
// the results alone. The methods are called from the batch's goroutines;
// mu orders them.
type Display struct {
	// Out receives the summary lines; nil discards them.
	Out io.Writer
	// Status is the terminal for the live status line; nil shows none.
	Status io.Writer
	// Log receives progress as plain lines when Status is nil; nil
	// discards them.
	Log io.Writer

	mu      sync.Mutex
	begin   time.Time
	total   int
	done    int
	running []string          // paths, in start order
	cells   map[string]string // path -> "done/total" cells
	drawn   bool              // a status line is on screen
	bars    map[string]*barLog
}

// barLog is the latest progress bar of a running notebook.
type barLog struct {
	text    string
	printed time.Time // when a line for it was last printed (no terminal)
	last    string    // the text last printed
	pending bool      // text has not been printed
}

// barEvery is how often, at most, a progress bar is printed as a line when
// there is no terminal to redraw it in: a log stays short, and the last
// state is printed when the cell ends.
const barEvery = time.Second

func (d *Display) start(total int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.begin, d.total, d.cells, d.bars = time.Now(), total, map[string]string{}, map[string]*barLog{}
}

func (d *Display) started(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.running = append(d.running, path)
	d.cells[path] = "starting"
	d.redraw()
}

func (d *Display) progress(path string, done, total int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endBar(path)
	d.cells[path] = fmt.Sprintf("cell %d/%d", done+1, total)
	d.redraw()
}

// bar shows a progress bar (mp.WithProgress) of the notebook at path: in
// the status line on a terminal, else as a plain line at most every
// barEvery, and its last state when the cell ends.
func (d *Display) bar(path, text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.bars[path]
	if b == nil {
		b = &barLog{}
		d.bars[path] = b
	}
	// A bar is redrawn when it closes, often with the same counts and a
	// later time: that is no news for a log.
	b.text, b.pending = text, barState(text) != barState(b.last)
	if d.Status != nil {
		d.redraw()
		return
	}
	if b.pending && time.Since(b.printed) >= barEvery {
		d.printBar(path, b)
	}
}

// endBar prints the last state of path's bar if it was not printed; mu is held.
func (d *Display) endBar(path string) {
	if b := d.bars[path]; b != nil {
		if b.pending && d.Status == nil {
			d.printBar(path, b)
		}
		delete(d.bars, path)
	}
}

// barState is a progress bar's text without the time it ends with (mp
// draws "label [###---] 50% 4/8 1.2s"): two redraws with the same state
// are one line in a log.
func barState(text string) string {
	i := strings.LastIndexByte(text, ' ')
	if i < 0 {
		return text
	}
	if _, err := time.ParseDuration(text[i+1:]); err != nil {
		return text
	}
	return text[:i]
}

// printBar prints b as a line; mu is held.
func (d *Display) printBar(path string, b *barLog) {
	if d.Log != nil {
		fmt.Fprintf(d.Log, "%s: %s\n", path, b.text)
	}
	b.printed, b.last, b.pending = time.Now(), b.text, false
}

func (d *Display) finished(s Summary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done++
	d.endBar(s.Path)
	d.running = slices.DeleteFunc(d.running, func(p string) bool { return p == s.Path })
	delete(d.cells, s.Path)
	d.clear()
	if d.Out != nil {
		fmt.Fprintln(d.Out, SummaryLine(s))
	}
	d.redraw()
}

func (d *Display) end(sums []Summary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
	if d.Out == nil || len(sums) < 2 {
		return
	}
	counts := map[string]int{}
	for _, s := range sums {
		counts[label(s)]++
	}
	var parts []string
	for _, l := range labels {
		if counts[l.label] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[l.label], l.total))
		}
	}
	fmt.Fprintf(d.Out, "%d notebooks: %s in %s\n", len(sums), strings.Join(parts, ", "), time.Since(d.begin).Round(10*time.Millisecond))
}

// redraw writes the status line; mu is held.
func (d *Display) redraw() {
	if d.Status == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d done]", d.done, d.total)
	for _, p := range d.running {
		fmt.Fprintf(&b, " %s %s", p, d.cells[p])
		if bar := d.bars[p]; bar != nil {
			fmt.Fprintf(&b, " %s", bar.text)
		}
		b.WriteString(";")
	}
	line := strings.TrimSuffix(b.String(), ";")
	if r := []rune(line); len(r) > 100 {
		line = string(r[:99]) + "…"
	}
	fmt.Fprint(d.Status, "\r\033[K"+line)
	d.drawn = true
}

// clear removes the status line; mu is held.
func (d *Display) clear() {
	if d.drawn {
		fmt.Fprint(d.Status, "\r\033[K")
		d.drawn = false
	}
}

// labels are the words a summary line starts with, and how the total
// counts them, best first.
var labels = []struct{ label, total string }{
	{"ok", "ok"}, {"ERRORS", "with errors"}, {"FAILED", "failed"}, {"TIMEOUT", "timeout"}, {"BROKEN", "broken"}, {"STOPPED", "interrupted"},
}

// label is the word s's line starts with: ok only when no cell failed;
// ERRORS when every cell ran but some failed (--allow-errors).
func label(s Summary) string {
	switch s.Status {
	case OK:
		if s.Errors > 0 {
			return "ERRORS"
		}
		return "ok"
	case Failed:
		return "FAILED"
	case Broken:
		return "BROKEN"
	case TimedOut:
		return "TIMEOUT"
	}
	return "STOPPED"
}

// SummaryLine is the line `gomp run` prints for a notebook: its label,
// path, cells run, errors, time, and what went wrong first.
func SummaryLine(s Summary) string {
	label := label(s)
	if s.Status == Broken {
		return fmt.Sprintf("%-8s %s", label, indent(s.Message))
	}
	errs := "errors"
	if s.Errors == 1 {
		errs = "error"
	}
	line := fmt.Sprintf("%-8s %s  %d/%d cells, %d %s, %s", label, s.Path, s.Ran, s.Total, s.Errors, errs, s.Duration.Round(10*time.Millisecond))
	if s.Message != "" {
		line += ": " + indent(s.Message)
	}
	return line
}

// indent indents the continuation lines of a multi-line message under the
// summary line it ends.
func indent(msg string) string {
	return strings.ReplaceAll(strings.TrimSpace(msg), "\n", "\n         ")
}
