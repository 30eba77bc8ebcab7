//go:build linux

package interp

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

// TestCaptureAfterCellClosesStd closes os.Stdout, os.Stderr and fd 1 in
// a cell and opens files, the first of which takes fd 1: the next cells'
// output still reaches them, the files get only what the cell wrote to
// them (no flush markers), and once the file is closed fd 1 is the
// capture's pipe again.
func TestCaptureAfterCellClosesStd(t *testing.T) {
	s, err := New(Options{CaptureFDs: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	var out, errw *recorder // the latest cell's
	run := func(code string) (string, string) {
		t.Helper()
		out, errw = &recorder{}, &recorder{}
		if _, err := s.Execute(t.Context(), code, IO{Name: "c", Stdout: out, Stderr: errw}); err != nil {
			t.Errorf("Execute(%q): %v", code, err)
		}
		return out.String(), errw.String()
	}
	run(fmt.Sprintf("import (\"fmt\"; \"os\")\nos.Stdout.Close()\nos.Stderr.Close()\nos.NewFile(1, \"fd 1\").Close()\nf, _ := os.Create(%q)\ng, _ := os.Create(%q)\nfmt.Println(f.Fd(), g.Fd())",
		filepath.Join(dir, "f"), filepath.Join(dir, "g")))
	for i, code := range []string{
		"fmt.Println(\"next cell\", f.Fd())\nos.Stdout.WriteString(\"compiled\\n\")\nfmt.Fprintln(os.Stderr, \"to stderr\")",
		"f.WriteString(\"user data\\n\")\nf.Close()\ng.Close()\nfmt.Println(\"closed\")",
		"fmt.Println(\"after close\")\nos.Stdout.WriteString(\"compiled again\\n\")",
	} {
		out, errw := run(code)
		want := [][2]string{{"next cell 1\ncompiled\n", "to stderr\n"}, {"closed\n", ""}, {"after close\ncompiled again\n", ""}}[i]
		if out != want[0] || errw != want[1] {
			t.Errorf("cell %q: stdout %q, stderr %q; want %q, %q", code, out, errw, want[0], want[1])
		}
	}
	for name, want := range map[string]string{"f": "user data\n", "g": ""} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != want {
			t.Errorf("file %s = %q, %v; want %q", name, b, err, want)
		}
	}
	if _, err := syscall.Write(1, []byte("direct to fd 1\n")); err != nil {
		t.Errorf("write fd 1: %v", err)
	}
	if err := s.capture.flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "after close\ncompiled again\ndirect to fd 1\n" {
		t.Errorf("after the cell's file on fd 1 was closed, the latest cell got %q, want fd 1 in it", got)
	}
}

// TestCaptureLeavesFD2 checks that fd 2 is not redirected: the Go runtime
// writes fatal errors there with every goroutine stopped, so it must not
// be a pipe that this process reads.
func TestCaptureLeavesFD2(t *testing.T) {
	var before, during syscall.Stat_t
	if err := syscall.Fstat(2, &before); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{CaptureFDs: true})
	if err != nil {
		t.Fatal(err)
	}
	err = syscall.Fstat(2, &during)
	if cerr := s.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil || during.Dev != before.Dev || during.Ino != before.Ino {
		t.Errorf("during the capture fd 2 is %d:%d (%v), before it %d:%d", during.Dev, during.Ino, err, before.Dev, before.Ino)
	}
}

// TestCaptureFDsNotInherited starts a child before and while fds 1 and 2
// are captured: the capture must add no descriptor to what children
// inherit (the test process may itself pass some on).
func TestCaptureFDsNotInherited(t *testing.T) {
	before, err := childFDs()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{CaptureFDs: true})
	if err != nil {
		t.Fatal(err)
	}
	during, err := childFDs()
	// Test logs written now would go to the capture.
	if cerr := s.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(during, before) {
		t.Errorf("a child started during the capture holds fds %q, one started before it %q", during, before)
	}
}

// childFDs starts a child with stdin, stdout and stderr on /dev/null and
// returns the numbers of the descriptors it holds once it sleeps: before
// that, the dynamic loader may hold a library open (as fd 3) while it
// starts the program.
func childFDs() ([]string, error) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		if err != nil {
			return nil, err
		}
		// The state follows the command's name in parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'S' {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the child did not start sleeping: %s", stat)
		}
	}
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid))
	if err != nil {
		return nil, err
	}
	var fds []string
	for _, e := range entries {
		fds = append(fds, e.Name())
	}
	return fds, nil
}
