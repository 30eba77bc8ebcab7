package mp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/signal"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/display"
)

// The tests run real children: the test binary re-executes itself as the
// worker when GOMP_TEST_MODE=worker (go-plugin's helperProcess pattern).
// Instead of an interpreter, a registry of compiled functions stands in for
// the notebook: testHost names them by their code pointers (compiled funcs
// have distinct ones), testRunner resolves the names in the child, and the
// "snapshot" is a string the runner checks and remembers.

// funcs are the notebook's top-level functions.
var funcs = map[string]any{
	"square":      square,
	"pow":         pow,
	"printNumber": printNumber,
	"whoAmI":      whoAmI,
	"sleepLong":   sleepLong,
	"exitWith":    exitWith,
	"panicAt":     panicAt,
	"failAt":      failAt,
	"printLines":  printLines,
	"printPid":    printPid,
	"killSelf":    killSelf,
	"setGlobal":   setGlobal,
	"getGlobal":   getGlobal,
	"pid":         pid,
	"seen":        seen,
	"sum":         sum,
	"stubborn":    stubborn,
	"echoInt":     func(x int) int { return x },
	"echoU8":      func(x uint8) uint8 { return x },
	"echoF32":     func(x float32) float32 { return x },
	"echoFloat":   func(x float64) float64 { return x },
	"echoCplx":    func(x complex128) complex128 { return x },
	"echoBool":    func(x bool) bool { return x },
	"echoString":  func(x string) string { return x },
	"echoBytes":   func(x []byte) []byte { return x },
	"echoSlice":   func(x []string) []string { return x },
	"echoArray":   func(x [3]int) [3]int { return x },
	"echoMap":     func(x map[string][]int) map[string][]int { return x },
	"echoStruct":  func(x point) point { return x },
	"echoPtr":     func(x *tree) *tree { return x },
	"echoAny":     func(x any) any { return x },
	"echoTime":    func(x time.Time) time.Time { return x },
	"echoBig":     func(x []*big.Int) []*big.Int { return x },
	"echoPair":    func(a int, b string) (string, int) { return b, a },
	"echoChan":    func(ch chan int) {},
	"showAround":  showAround,
}

// showAround displays n as HTML between two printed lines, and redraws it.
func showAround(n int) int {
	fmt.Println("before", n)
	h := display.Show(display.HTML(fmt.Sprintf("<b>%d</b>", n)))
	if err := h.Update(display.Text(fmt.Sprint("updated ", n))); err != nil {
		panic(err)
	}
	fmt.Println("after", n)
	return n
}

type point struct {
	X, Y   float64
	Label  string
	hidden int
}

type tree struct {
	Value       int
	Left, Right *tree
}

func square(n int) int { return n * n }
func pow(x, y float64) float64 {
	r := 1.0
	for range int(y) {
		r *= x
	}
	return r
}
func printNumber(n int)   { fmt.Println("Process", CurrentProcess().Name, "prints", n) }
func whoAmI(int) []string { return []string{CurrentProcess().Name, ParentProcess().Name} }
func sleepLong()          { time.Sleep(time.Hour) }

// stubborn ignores SIGTERM, as notebook code may.
func stubborn() {
	signal.Ignore(syscall.SIGTERM)
	fmt.Println("ignoring SIGTERM")
	sleepLong()
}
func exitWith(code int) { os.Exit(code) }
func setGlobal(v int)   { global = v }
func getGlobal(int) int { return global }
func pid(int) int       { return os.Getpid() }
func seen(int) string   { return restored }
func sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}

func panicAt(n int) int {
	if n == 5 {
		panic(fmt.Sprintf("boom at %d", n))
	}
	return n
}

func failAt(n int) (int, error) {
	if n == 3 {
		return 0, errors.New("three is not allowed")
	}
	return n, nil
}

// printLines prints n numbered lines tagged id to stdout, and one to stderr.
func printLines(id, n int) int {
	for i := range n {
		fmt.Printf("%d %d %s\n", id, i, strings.Repeat("x", 40))
	}
	fmt.Fprintf(os.Stderr, "%d done\n", id)
	return id
}

// printPid announces the worker's pid and then blocks, for tests that
// interrupt or kill it mid-task.
func printPid(int) int {
	fmt.Printf("pid %d\n", os.Getpid())
	time.Sleep(time.Hour)
	return 0
}

func killSelf(int) int {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Hour)
	return 0
}

var (
	global   int
	restored string // the snapshot the worker restored last
)

type testHost struct {
	mu   sync.Mutex
	cell Cell
	snap string
}

func (h *testHost) Target(fn any) (string, error) {
	ptr := reflect.ValueOf(fn).Pointer()
	for name, f := range funcs {
		if reflect.ValueOf(f).Pointer() == ptr {
			return name, nil
		}
	}
	return "", errors.New("target is not a top-level function of the notebook (closures cannot run in another process)")
}

func (h *testHost) Snapshot() ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return []byte("snapshot:" + h.snap), nil
}

func (h *testHost) Cell() Cell {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cell
}

type testRunner struct{}

func (testRunner) Restore(b []byte) error {
	s, ok := strings.CutPrefix(string(b), "snapshot:")
	if !ok {
		return fmt.Errorf("bad snapshot %q", b)
	}
	restored = s
	global = 0
	return nil
}

// Traceback stands in for the interpreter's stack of notebook frames.
func (testRunner) Traceback(p any) string {
	return fmt.Sprintf("traceback of %v:\n%s", p, debug.Stack())
}

func (testRunner) Func(name string) (reflect.Value, error) {
	f, ok := funcs[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("no function %s", name)
	}
	return reflect.ValueOf(f), nil
}

var host = &testHost{}

func TestMain(m *testing.M) {
	switch os.Getenv("GOMP_TEST_MODE") {
	case "worker":
		noteStart()
		// A worker can start processes too (grandchildren), as main's
		// worker mode does with its interpreter session as Host.
		SetHost(&testHost{cell: Cell{Context: context.Background(), Stdout: os.Stdout, Stderr: os.Stderr}},
			Config{Path: os.Args[0], Env: []string{"GOMP_TEST_MODE=worker"}, NoSpare: true})
		err := ServeWorker(context.Background(), testRunner{})
		Shutdown()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case "parent":
		os.Exit(orphanParent())
	}
	SetHost(host, Config{Path: os.Args[0], Env: []string{"GOMP_TEST_MODE=worker"}})
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// noteStart appends the worker's pid to the file GOMP_TEST_STARTS names,
// if set, so that a test can count the workers started.
func noteStart() {
	name := os.Getenv("GOMP_TEST_STARTS")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "note start:", err)
		return
	}
	fmt.Fprintln(f, os.Getpid())
	f.Close()
}

// recorder is a cell's stdout or stderr: it keeps every Write separately,
// and signals lines it is told to watch for.
type recorder struct {
	mu     sync.Mutex
	writes [][]byte
	watch  string
	seen   chan string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	if r.watch != "" && bytes.HasPrefix(p, []byte(r.watch)) {
		select {
		case r.seen <- string(p):
		default:
		}
	}
	return len(p), nil
}

// display records a display as a write of "D:" and its text/plain, so
// that tests see where it fell among the lines.
func (r *recorder) display(o display.Output) error {
	t, _ := o.Data[display.MIMEText].(string)
	_, err := r.Write([]byte("D:" + t))
	return err
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(bytes.Join(r.writes, nil))
}

func (r *recorder) Writes() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slicesClone(r.writes)
}

func slicesClone(w [][]byte) [][]byte { return append([][]byte(nil), w...) }

// newCell makes a fresh cell current and returns its writers and a
// cancel that interrupts it.
func newCell(t *testing.T) (stdout, stderr *recorder, interrupt context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stdout = &recorder{seen: make(chan string, 16)}
	stderr = &recorder{seen: make(chan string, 16)}
	host.mu.Lock()
	host.cell = Cell{Context: ctx, Stdout: stdout, Stderr: stderr, Display: stdout.display}
	host.mu.Unlock()
	return stdout, stderr, cancel
}

// setSnapshot changes what Host.Snapshot returns, as running a cell does.
func setSnapshot(s string) {
	host.mu.Lock()
	host.snap = s
	host.mu.Unlock()
}
