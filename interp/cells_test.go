package interp

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gomp-kernel/gomp/display"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// cancelWriter is a cell's Stdout that cancels the cell when the cell
// prints "ready", so interrupt scenarios need no timers.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.cancel != nil && strings.Contains(w.buf.String(), "ready\n") {
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runCell executes code and formats everything it produced for a golden.
func runCell(t *testing.T, s *Session, name, code string, input []string, interrupt bool) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &cancelWriter{}
	if interrupt {
		stdout.cancel = cancel
	}
	var stderr bytes.Buffer
	io := IO{Name: name, Stdout: stdout, Stderr: &stderr, Display: func(o display.Output) error {
		_, err := fmt.Fprintf(stdout, "<%s %s>\n", displayKind(o, s), bundleText(o.Data))
		return err
	}}
	if input != nil {
		io.Input = func(prompt string, password bool) (string, error) {
			if len(input) == 0 {
				return "", errors.New("no more input")
			}
			l := input[0]
			input = input[1:]
			return l, nil
		}
	}
	v, err := s.Execute(ctx, code, io)
	var b strings.Builder
	if out := stdout.String(); out != "" {
		fmt.Fprintf(&b, "[stdout]\n%s", out)
		if !strings.HasSuffix(out, "\n") {
			b.WriteString("\n")
		}
	}
	if e := stderr.String(); e != "" {
		fmt.Fprintf(&b, "[stderr]\n%s", e)
		if !strings.HasSuffix(e, "\n") {
			b.WriteString("\n")
		}
	}
	if v.IsValid() {
		fmt.Fprintf(&b, "[value] %s\n", v.Text)
	}
	if v.Data != nil {
		fmt.Fprintf(&b, "[rich] %s\n", bundleText(v.Data))
	}
	if err != nil {
		var ce *CellError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: error %v is not a *CellError", name, err)
		}
		fmt.Fprintf(&b, "[error] %s: %s (line %d col %d, interrupted %v)\n", ce.Name, ce.Value, ce.Line, ce.Col, errors.Is(err, ErrInterrupted))
		for _, l := range ce.Traceback {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(l, "\n", "\n  "))
		}
	}
	return b.String()
}

// displayIDs names display ids by order of appearance per session, so
// that goldens do not hold random ids.
var displayIDs = map[*Session]map[string]int{}

// displayKind describes o's kind and id for a golden.
func displayKind(o display.Output, s *Session) string {
	ids := displayIDs[s]
	if ids == nil {
		ids = map[string]int{}
		displayIDs[s] = ids
	}
	id := ""
	if o.ID != "" {
		if _, ok := ids[o.ID]; !ok {
			ids[o.ID] = len(ids) + 1
		}
		id = fmt.Sprintf(" #%d", ids[o.ID])
	}
	switch o.Kind {
	case display.KindDisplay:
		return "display" + id
	case display.KindUpdate:
		return "update" + id
	case display.KindClear:
		return fmt.Sprintf("clear wait=%v", o.Wait)
	}
	return fmt.Sprintf("kind %d", o.Kind)
}

// bundleText lists a bundle's MIME types and values in order, long
// values by length.
func bundleText(b display.Bundle) string {
	keys := slices.Sorted(maps.Keys(b))
	var parts []string
	for _, k := range keys {
		v := fmt.Sprint(b[k])
		if len(v) > 60 {
			v = fmt.Sprintf("(%d bytes)", len(v))
		}
		parts = append(parts, k+"="+strconv.Quote(v))
	}
	return strings.Join(parts, " ")
}

// TestCells runs each testdata/cells/*.txtar: sections "cell N" are run in
// order in one Session ("cell N interrupt" is cancelled once it prints
// "ready"; an "input N" section feeds its lines to stdin) and the output
// must equal section "out N".
func TestCells(t *testing.T) {
	files, err := filepath.Glob("testdata/cells/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			inputs := map[string][]string{}
			for _, f := range ar.Files {
				if n, ok := strings.CutPrefix(f.Name, "input "); ok {
					inputs[n] = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
				}
			}
			var files []txtar.File
			changed := false
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "out ") {
					continue
				}
				files = append(files, f)
				rest, ok := strings.CutPrefix(f.Name, "cell ")
				if !ok {
					continue
				}
				n, mode, _ := strings.Cut(rest, " ")
				if _, err := strconv.Atoi(n); err != nil {
					t.Fatalf("bad section name %q", f.Name)
				}
				got := runCell(t, s, "In["+n+"]", string(f.Data), inputs[n], mode == "interrupt")
				want, found := section(ar, "out "+n)
				if got != want || !found {
					changed = true
					if !*update {
						t.Errorf("cell %s:\n%s\ngot:\n%s\nwant:\n%s", n, f.Data, got, want)
					}
				}
				files = append(files, txtar.File{Name: "out " + n, Data: []byte(got)})
			}
			if *update && changed {
				ar.Files = files
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func section(ar *txtar.Archive, name string) (string, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return string(f.Data), true
		}
	}
	return "", false
}
