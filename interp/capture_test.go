//go:build linux

package interp

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// recorder is a cell writer that keeps each Write separately.
type recorder struct {
	mu     sync.Mutex
	writes []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.writes, "")
}

func TestCaptureFDs(t *testing.T) {
	s, err := New(Options{CaptureFDs: true})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	run := func(code string) (*recorder, *recorder) {
		out, errw := &recorder{}, &recorder{}
		if _, err := s.Execute(t.Context(), code, IO{Name: "c", Stdout: out, Stderr: errw}); err != nil {
			t.Errorf("Execute(%q): %v", code, err)
		}
		return out, errw
	}

	out, errw := run("import (\"fmt\"; \"os\"; \"strings\")\nos.Stdout.WriteString(\"compiled write\\n\")\nfmt.Println(\"interpreted\")\nfmt.Fprintln(os.Stderr, \"to stderr\")")
	if got := out.String(); got != "compiled write\ninterpreted\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := errw.String(); got != "to stderr\n" {
		t.Errorf("stderr = %q", got)
	}

	out, _ = run("fmt.Print(strings.Repeat(\"x\", 10000) + \"\\n\")\nfor i := 0; i < 50; i++ { fmt.Printf(\"line %d\\n\", i) }")
	if len(out.String()) != 10001+50*len("line 00\n")-10 {
		t.Errorf("got %d bytes", len(out.String()))
	}
	for _, w := range out.writes {
		if len(w) > maxPiece {
			t.Errorf("write of %d bytes exceeds %d", len(w), maxPiece)
		}
		if strings.Contains(w, "line") && !strings.HasSuffix(w, "\n") {
			t.Errorf("short line split: %q", w)
		}
	}

	late, _ := run("release := make(chan bool)\nfinished := make(chan bool)\ngo func() { <-release; fmt.Println(\"late\"); os.Stdout.WriteString(\"late compiled\\n\"); finished <- true }()")
	g := s.yi.Globals()
	g["release"].Send(reflect.ValueOf(true))
	if _, ok := g["finished"].Recv(); !ok {
		t.Fatal("goroutine did not finish")
	}
	if err := s.capture.flush(); err != nil {
		t.Fatal(err)
	}
	if got := late.String(); got != "late\nlate compiled\n" {
		t.Errorf("output after the cell ended = %q, want it in the latest cell", got)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	if bytes.Contains([]byte(out.String()+late.String()), []byte("\x1b]gomp")) {
		t.Error("a flush marker reached the cell")
	}
}
