package supervise

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
)

// interpreterEnv makes the test binary serve as the interpreter process
// (as `gomp interpreter` does) instead of running the tests.
const interpreterEnv = "GOMP_SUPERVISE_TEST_INTERPRETER"

func TestMain(m *testing.M) {
	if os.Getenv(interpreterEnv) == "1" {
		if err := serveForTest(); err != nil {
			fmt.Fprintln(os.Stderr, "test interpreter:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveForTest is the interpreter process of these tests.
func serveForTest() error {
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	nb, err := front.Open(front.Options{CaptureFDs: true})
	if err != nil {
		return err
	}
	defer nb.Close()
	srv := NewServer(os.NewFile(3, "requests"), os.NewFile(4, "replies"), nb, ServeOptions{
		Caps: Caps{Value: 1 << 20, Total: 4 << 20},
	})
	if err := srv.Serve(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
	}
	return nil
}

// start starts a supervised notebook whose interpreter is this test binary.
func start(t *testing.T) *Notebook {
	return startWith(t, Options{})
}

// startWith is start with opts (Path and Env are set).
func startWith(t *testing.T, opts Options) *Notebook {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts.Path, opts.Env = self, append(os.Environ(), interpreterEnv+"=1")
	n, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// recorder is a cell's IO that keeps what the cell wrote and showed.
type recorder struct {
	mu       sync.Mutex
	stdout   strings.Builder
	stderr   strings.Builder
	displays []display.Output
	inputs   []string // lines to answer input requests with
}

type recWriter struct {
	r *recorder
	b *strings.Builder
}

func (w recWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.b.Write(p)
}

func (r *recorder) io() interp.IO {
	return interp.IO{
		Stdout: recWriter{r, &r.stdout},
		Stderr: recWriter{r, &r.stderr},
		Display: func(o display.Output) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.displays = append(r.displays, o)
			return nil
		},
		Input: func(prompt string, password bool) (string, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if len(r.inputs) == 0 {
				return "", fmt.Errorf("no input left for prompt %q", prompt)
			}
			line := r.inputs[0]
			r.inputs = r.inputs[1:]
			return line, nil
		},
	}
}

func (r *recorder) out() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stdout.String()
}

func (r *recorder) errOut() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// run executes code as cell count and returns its outcome and output.
func run(t *testing.T, n *Notebook, count int, code string) (front.Outcome, *recorder) {
	t.Helper()
	r := &recorder{}
	o := n.Execute(context.Background(), front.Cell{Count: count, Code: code, IO: r.io()})
	return o, r
}

// mustRun executes code and fails the test if the cell fails.
func mustRun(t *testing.T, n *Notebook, count int, code string) *recorder {
	t.Helper()
	o, r := run(t, n, count, code)
	if o.Err != nil {
		t.Fatalf("In[%d] failed: %v\nstderr: %s", count, o.Err, r.errOut())
	}
	return r
}
