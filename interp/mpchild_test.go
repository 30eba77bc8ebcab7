//go:build linux

package interp

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gomp-kernel/gomp/mp"
	"github.com/gomp-kernel/gomp/workerbuild"
)

// Tests that start mp children re-execute this test binary as the worker
// (GOMP_INTERP_TEST_MODE=worker), which then does what `gomp worker`
// does: an interpreter session serving mp over the descriptors mp set up.
func TestMain(m *testing.M) {
	if os.Getenv("GOMP_INTERP_TEST_MODE") == "worker" {
		os.Exit(serveWorker())
	}
	// The checker knows gomp's own packages from the module's source, as
	// a kernel knows them from the tree main embeds.
	stdTypes.useSources(os.DirFS(".."))
	os.Exit(m.Run())
}

func serveWorker() int {
	signal.Ignore(syscall.SIGINT)
	sess, err := New(Options{ExitProcess: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	defer sess.Close()
	mp.SetHost(sess, workerConfig())
	defer mp.Shutdown()
	if err := mp.ServeWorker(context.Background(), sess); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// workerConfig starts interpreted workers by re-executing this binary
// and, when GOMP_WORKERS selects them (the test matrix: auto, compiled),
// compiled ones built from the repository's source.
func workerConfig() mp.Config {
	c := mp.Config{Path: os.Args[0], Env: []string{"GOMP_INTERP_TEST_MODE=worker"}, NoSpare: true}
	if os.Getenv("GOMP_WORKERS") != "" && os.Getenv("GOMP_INTERP_TEST_MODE") != "worker" {
		c.Builder = compiledWorkers()
	}
	return c
}

// compiledWorkers is the builder the tests share (one go build per
// notebook state, cached in a directory of the test run).
var compiledWorkers = sync.OnceValue(func() *workerbuild.Builder {
	dir, err := os.MkdirTemp("", "gomp-interp-workers-")
	if err != nil {
		dir = ""
	}
	return workerbuild.New(os.DirFS(".."), workerbuild.Options{CacheDir: dir})
})

// useMP makes s the session whose cells start mp children, until the test
// ends.
func useMP(t *testing.T, s *Session) {
	t.Helper()
	mp.SetHost(s, workerConfig())
	t.Cleanup(func() {
		mp.Shutdown()
		mp.SetHost(nil, mp.Config{})
	})
}

// cellOutput is a cell's stdout or stderr, written by children's output
// streams as well as the cell.
type cellOutput struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *cellOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *cellOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// runMPCell runs one cell and returns what it and its children printed.
func runMPCell(t *testing.T, s *Session, code string) (stdout, stderr string) {
	t.Helper()
	var out, errOut cellOutput
	if _, err := s.Execute(t.Context(), code, IO{Name: "cell", Stdout: &out, Stderr: &errOut}); err != nil {
		t.Fatalf("cell %q: %v (stderr %q)", code, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestErrorGlobalReachesChildren leaves a notebook variable err holding
// the error of a failed Map: later Processes and Pools start without a
// word about it, and their children see err's message. A variable that
// cannot cross at all is its zero value in the child, also without a word.
func TestErrorGlobalReachesChildren(t *testing.T) {
	s := newTestSession(t)
	useMP(t, s)
	runMPCell(t, s, `import (
	"errors"
	"fmt"
	"mp"
)
func fail(n int) (int, error) {
	if n == 2 {
		return 0, errors.New("two is bad")
	}
	return n, nil
}`)
	runMPCell(t, s, "pool := mp.NewPool(1)\n_, err := pool.Map(fail, []int{1, 2, 3})")
	const msg = "mp: fail (item 1): two is bad"
	if out, _ := runMPCell(t, s, "fmt.Println(err)"); out != msg+"\n" {
		t.Fatalf("err = %q, want %q", out, msg)
	}
	runMPCell(t, s, `func seen(n int) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
func printSeen() { fmt.Println("child sees:", seen(0)) }
var noErr error
func noErrIsNil(n int) bool { return noErr == nil }`)
	// A variable no child can rebuild: an io.Reader travels as JSON {}.
	runMPCell(t, s, `import (
	"io"
	"strings"
)
var rd io.Reader = strings.NewReader("abc")
func rdIsNil(n int) bool { return rd == nil }`)
	for _, tc := range []struct{ name, cell, want string }{
		{"Process", "p := mp.NewProcess(printSeen)\np.Start()\np.Join()", "child sees: " + msg + "\n"},
		{"new Pool", "pool2 := mp.NewPool(2)\nout, _ := pool2.Map(seen, []int{1, 2})\nfmt.Printf(\"%q\\n\", out)\npool2.Terminate()", fmt.Sprintf("[%q %q]\n", msg, msg)},
		{"Pool made before err", "out, _ := pool.Map(seen, []int{1})\nfmt.Printf(\"%q\\n\", out)", fmt.Sprintf("[%q]\n", msg)},
		{"variable no child can rebuild is its zero value, silently", "zero, err4 := pool.Apply(rdIsNil, 1)\nfmt.Println(zero, err4)", "true <nil>\n"},
		{"nil error stays nil", "isNil, err3 := pool.Apply(noErrIsNil, 1)\nfmt.Println(isNil, err3)", "true <nil>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut := runMPCell(t, s, tc.cell)
			if out != tc.want {
				t.Errorf("stdout %q, want %q", out, tc.want)
			}
			if errOut != "" {
				t.Errorf("stderr %q, want nothing", errOut)
			}
		})
	}
}
