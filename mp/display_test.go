package mp

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gomp-kernel/gomp/display"
)

// TestChildDisplays checks that what children show with the display
// package reaches the cell that started them, in its place among the
// lines they print, from a Process and from Pool tasks.
func TestChildDisplays(t *testing.T) {
	want := func(n int) string { return fmt.Sprintf("before %d\nD:<b>%d</b>D:updated %dafter %d\n", n, n, n, n) }
	t.Run("process", func(t *testing.T) {
		stdout, _, _ := newCell(t)
		p := NewProcess(showAround, 7)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
		if got := stdout.String(); got != want(7) {
			t.Errorf("cell got %q, want %q", got, want(7))
		}
	})
	t.Run("pool", func(t *testing.T) {
		stdout, _, _ := newCell(t)
		pool := NewPool(2)
		defer closeAndJoin(t, pool)
		out, err := pool.Map(showAround, []int{1, 2, 3})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(out) != "[1 2 3]" {
			t.Errorf("Map = %v", out)
		}
		// Tasks run side by side: their lines interleave, but each task's
		// writes keep their order.
		for n := 1; n <= 3; n++ {
			var mine []string
			for _, w := range stdout.Writes() {
				if strings.Contains(string(w), fmt.Sprint(n)) {
					mine = append(mine, string(w))
				}
			}
			if got := strings.Join(mine, ""); got != want(n) {
				t.Errorf("task %d wrote %q, want %q (all: %q)", n, got, want(n), stdout.String())
			}
		}
	})
}

// TestProgressBar checks the bar a Pool call draws with WithProgress: one
// display under a progress id, updates of the same id, and a final state
// with every item done, before Map returns; and the refusal of pool-only
// options on a call.
func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		name  string
		call  func(p *Pool) error
		label string
	}{
		{"Map", func(p *Pool) error {
			_, err := p.Map(square, make([]int, 40), WithProgress("squares"), WithChunkSize(3))
			return err
		}, "squares"},
		{"Imap default label", func(p *Pool) error {
			for it := range p.Imap(square, make([]int, 10), WithProgress("")) {
				if it.Err != nil {
					return it.Err
				}
			}
			return nil
		}, "Imap(square)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newCell(t)
			var mu sync.Mutex
			var outs []display.Output
			host.mu.Lock()
			host.cell.Display = func(o display.Output) error {
				mu.Lock()
				defer mu.Unlock()
				outs = append(outs, o)
				return nil
			}
			host.mu.Unlock()
			p := NewPool(2)
			defer closeAndJoin(t, p)
			if err := tc.call(p); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(outs) < 2 || outs[0].Kind != display.KindDisplay || !strings.HasPrefix(outs[0].ID, ProgressIDPrefix) {
				t.Fatalf("displays = %+v", outs)
			}
			for _, o := range outs[1:] {
				if o.Kind != display.KindUpdate || o.ID != outs[0].ID {
					t.Errorf("update %+v is not of the bar %s", o, outs[0].ID)
				}
			}
			last := outs[len(outs)-1].Data[display.MIMEText].(string)
			if !strings.HasPrefix(last, tc.label+" [") || !strings.Contains(last, "100%") {
				t.Errorf("final bar %q", last)
			}
			if !strings.Contains(outs[len(outs)-1].Data[display.MIMEHTML].(string), "<progress") {
				t.Errorf("final bar HTML %q", outs[len(outs)-1].Data[display.MIMEHTML])
			}
		})
	}
	t.Run("pool-only option on a call", func(t *testing.T) {
		newCell(t)
		p := NewPool(1)
		defer closeAndJoin(t, p)
		if _, err := p.Map(square, []int{1}, WithMaxTasksPerChild(1)); err == nil || !strings.Contains(err.Error(), "options of NewPool") {
			t.Errorf("Map with WithMaxTasksPerChild: %v", err)
		}
	})
}

// closeAndJoin ends p's workers before the next test counts processes
// and descriptors.
func closeAndJoin(t *testing.T, p *Pool) {
	t.Helper()
	p.Close()
	if err := p.Join(); err != nil {
		t.Error(err)
	}
}

// TestProgressBarWithoutDisplay checks the fallback for a cell that takes
// no displays: one line, the final state, on its stdout.
func TestProgressBarWithoutDisplay(t *testing.T) {
	rec := &recorder{}
	b := newProgressBar("sums", 3, Cell{Stdout: rec})
	b.add(1)
	b.add(2)
	b.end(nil)
	b.end(nil)
	got := rec.String()
	if strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "sums [") || !strings.Contains(got, "3/3") {
		t.Errorf("printed %q, want one line with the final state", got)
	}
}
