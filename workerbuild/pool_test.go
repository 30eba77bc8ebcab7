//go:build linux

package workerbuild_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
	"github.com/gomp-kernel/gomp/workerbuild"
)

// The tests run a real interpreter session as mp's host, real worker
// processes (interpreted ones re-execute this test binary, as `gomp
// worker` would run) and real builds with the Go toolchain, from the
// repository's own source.
func TestMain(m *testing.M) {
	if os.Getenv("GOMP_WORKERBUILD_TEST_MODE") == "worker" {
		os.Exit(serveWorker())
	}
	os.Exit(m.Run())
}

func serveWorker() int {
	signal.Ignore(syscall.SIGINT)
	sess, err := interp.New(interp.Options{ExitProcess: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	defer sess.Close()
	mp.SetHost(sess, mp.Config{Path: os.Args[0], Env: []string{"GOMP_WORKERBUILD_TEST_MODE=worker"}, NoSpare: true})
	defer mp.Shutdown()
	if err := mp.ServeWorker(context.Background(), sess); err != nil {
		return 1
	}
	return 0
}

// requireGo fails under CI and skips elsewhere when there is no go command.
func requireGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs the go command: %v", err)
		}
		t.Skip("no go command")
	}
}

// notebook is an interpreter session installed as mp's host with b as
// its Builder (nil for none).
type notebook struct {
	t *testing.T
	s *interp.Session
}

func newNotebook(t *testing.T, b mp.Builder) *notebook {
	t.Helper()
	// Unchecked: the declarations hold functions that gc rejects and
	// yaegi runs, which the type checker would refuse before a build.
	s, err := interp.New(interp.Options{Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	mp.SetHost(s, mp.Config{Path: os.Args[0], Env: []string{"GOMP_WORKERBUILD_TEST_MODE=worker"}, NoSpare: true, Builder: b})
	t.Cleanup(func() {
		mp.Shutdown()
		mp.SetHost(nil, mp.Config{})
		mp.SetWorkers(mp.Auto)
		s.Close()
	})
	return &notebook{t: t, s: s}
}

type output struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// run runs a cell and returns what it and its children printed.
func (nb *notebook) run(code string) (stdout, stderr string) {
	nb.t.Helper()
	var out, errOut output
	if _, err := nb.s.Execute(nb.t.Context(), code, interp.IO{Name: "cell", Stdout: &out, Stderr: &errOut}); err != nil {
		nb.t.Fatalf("cell %q: %v (stderr %q)", code, err, errOut.String())
	}
	return out.String(), errOut.String()
}

func newBuilder(t *testing.T, opts workerbuild.Options) *workerbuild.Builder {
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	b := workerbuild.New(os.DirFS(".."), opts)
	t.Cleanup(b.Close)
	return b
}

// declarations is a notebook's first cell: a target that needs a type, a
// method, a global and a helper, a function gc rejects (yaegi runs it),
// and a function reporting which executable runs it.
const declarations = `import (
	"fmt"
	"mp"
	"os"
)

type point struct{ X, Y int }

func (p point) sum() int { return p.X + p.Y }

var scale = 2

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func work(p point) int { return fib(p.sum()) * scale }

func unused() { x := 1 }

func exe(n int) string { e, _ := os.Executable(); return e }

func boom(n int) int {
	var a []int
	return a[n]
}
`

func TestCompiledPool(t *testing.T) {
	requireGo(t)
	cache := t.TempDir()
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{CacheDir: cache}))
	nb.run(declarations)
	nb.run("mp.SetWorkers(mp.Compiled)\npool := mp.NewPool(2)")
	out, errOut := nb.run(`res, err := pool.Map(work, []point{{1, 2}, {5, 5}, {0, 0}})
fmt.Println(res, err)
exes, _ := pool.Map(exe, []int{1, 2})
fmt.Println(exes)`)
	lines := strings.Split(out, "\n")
	if len(lines) < 2 || lines[0] != "[4 110 0] <nil>" {
		t.Fatalf("stdout %q (stderr %q), want [4 110 0] <nil> first", out, errOut)
	}
	if !strings.Contains(lines[1], cache+string(filepath.Separator)) {
		t.Errorf("targets ran in %s, want a compiled worker in %s", lines[1], cache)
	}
	if errOut != "" {
		t.Errorf("stderr %q, want none", errOut)
	}
	// A later cell changes the global: the next call sees it.
	if out, _ := nb.run("scale = 10\nres, err = pool.Map(work, []point{{1, 2}})\nfmt.Println(res, err)"); out != "[20] <nil>\n" {
		t.Errorf("after scale = 10: %q", out)
	}
	// A panic names the cell's line, as the interpreter's does, whether
	// the worker runs its items one by one or a chunk in one loop.
	for _, items := range []string{"[]int{3}", "[]int{3, 4}, mp.WithChunkSize(2)"} {
		_, errOut = nb.run("_, err = pool.Map(boom, " + items + ")\nfmt.Println(err)")
		if !strings.Contains(errOut, "panic: runtime error: index out of range [3] with length 0") || !strings.Contains(errOut, "boom(...)\n\tcell:28") {
			t.Errorf("Map(boom, %s): stderr %q, want the message and boom's frame at cell:28", items, errOut)
		}
	}
}

func TestCompiledProcess(t *testing.T) {
	requireGo(t)
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{}))
	nb.run(declarations + "\nfunc show(p point) { fmt.Println(\"work:\", work(p), mp.CurrentProcess().Name) }\n")
	out, errOut := nb.run(`p := mp.NewProcess(show, point{3, 4}, mp.WithWorkers(mp.Compiled))
fmt.Println(p.Start())
fmt.Println(p.Join())
code, _ := p.ExitCode()
fmt.Println(code)`)
	if !strings.HasPrefix(out, "<nil>\nwork: 26 Process-") || !strings.HasSuffix(out, "\n<nil>\n0\n") {
		t.Errorf("stdout %q (stderr %q)", out, errOut)
	}
}

func TestCompiledBuildFailureIsTheError(t *testing.T) {
	requireGo(t)
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{}))
	nb.run(declarations + "\nfunc bad(n int) int {\n\ty := n\n\treturn n\n}\n")
	out, _ := nb.run("pool := mp.NewPool(1, mp.WithWorkers(mp.Compiled))\n_, err := pool.Map(bad, []int{1})\nfmt.Println(err)")
	if !strings.Contains(out, "cell:32:2: declared and not used: y") {
		t.Errorf("error %q, want the compiler's message at cell:32:2", out)
	}
}

func TestAutoFallsBackSayingSoOnce(t *testing.T) {
	requireGo(t)
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{}))
	nb.run(declarations + "\nfunc bad(n int) int {\n\ty := n\n\treturn n * 2\n}\n")
	nb.run("pool := mp.NewPool(1)")
	var stderr string
	for i := range 6 {
		out, errOut := nb.run("res, err := pool.Map(bad, []int{1, 2})\nfmt.Println(res, err)")
		if out != "[2 4] <nil>\n" {
			t.Fatalf("call %d: stdout %q", i, out)
		}
		stderr += errOut
		if strings.Contains(stderr, "mp: using") {
			// Once the build has failed: one more call, which says nothing.
			out, errOut = nb.run("res, err := pool.Map(bad, []int{1, 2})\nfmt.Println(res, err)")
			if out != "[2 4] <nil>\n" {
				t.Fatalf("the call after the fallback: stdout %q", out)
			}
			stderr += errOut
			break
		}
		nb.run(`p := mp.NewProcess(work, point{1, 1}, mp.WithWorkers(mp.Compiled))
p.Start()
p.Join()`) // waits for a build, so that the failing one is over soon
	}
	want := "mp: using interpreted workers: compile: cell:32:2: declared and not used: y\n"
	if stderr != want {
		t.Errorf("stderr %q, want once %q", stderr, want)
	}
}

func TestNoToolchain(t *testing.T) {
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{Go: filepath.Join(t.TempDir(), "no-go")}))
	nb.run(declarations)
	var stderr string
	for range 2 {
		out, errOut := nb.run("pool := mp.NewPool(1)\nres, err := pool.Map(work, []point{{1, 2}})\nfmt.Println(res, err)\npool.Terminate()")
		if out != "[4] <nil>\n" {
			t.Fatalf("stdout %q", out)
		}
		stderr += errOut
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mp: using interpreted workers: no Go toolchain") {
		t.Errorf("stderr %q, want one line about the missing toolchain", stderr)
	}
	out, _ := nb.run("p := mp.NewProcess(work, point{1, 2}, mp.WithWorkers(mp.Compiled))\nfmt.Println(p.Start())")
	if !strings.Contains(out, "no Go toolchain") {
		t.Errorf("Compiled without a toolchain: %q", out)
	}
}

func TestAutoSwitchesBetweenTasks(t *testing.T) {
	requireGo(t)
	cache := t.TempDir()
	b := newBuilder(t, workerbuild.Options{CacheDir: cache})
	nb := newNotebook(t, b)
	nb.run(declarations + "\nfunc tagged(n int) string { return fmt.Sprint(n, \" \", exe(n)) }\n")
	nb.run("pool := mp.NewPool(2)\nvar items []int\nfor i := 0; i < 400; i++ { items = append(items, i) }")
	// The build starts with the first call, which does not wait for it:
	// its tasks (one item each) run on whichever worker is there, and
	// every item comes back, in order.
	for range 2 {
		out, errOut := nb.run("res, err := pool.Map(tagged, items, mp.WithChunkSize(1))\nfor _, r := range res { fmt.Println(r) }\nfmt.Println(err)")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 401 || lines[400] != "<nil>" {
			t.Fatalf("%d lines, last %q (stderr %q)", len(lines), lines[len(lines)-1], errOut)
		}
		for i, l := range lines[:400] {
			if !strings.HasPrefix(l, fmt.Sprint(i, " ")) {
				t.Fatalf("line %d is %q", i, l)
			}
		}
		if errOut != "" {
			t.Errorf("stderr %q", errOut)
		}
	}
	// Once the build is over, every task runs compiled.
	out, _ := nb.run("p := mp.NewProcess(work, point{1, 1}, mp.WithWorkers(mp.Compiled))\np.Start()\np.Join()\nres, err := pool.Map(tagged, items[:8], mp.WithChunkSize(1))\nfor _, r := range res { fmt.Println(r) }")
	for l := range strings.Lines(out) {
		if !strings.Contains(l, cache) {
			t.Errorf("after the build: %q ran interpreted", l)
		}
	}
}

// TestCompiledGrandchild starts a Process from a compiled worker's target:
// the grandchild runs the same compiled worker, sees the child's globals
// as they are when it starts, and its output reaches the cell.
func TestCompiledGrandchild(t *testing.T) {
	requireGo(t)
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{}))
	nb.run(declarations + `
func grandchild(n int) {
	fmt.Println("grandchild:", work(point{n, 0}), mp.CurrentProcess().Name, mp.ParentProcess().Name)
}

func child(n int) {
	scale = 100
	p := mp.NewProcess(grandchild, n)
	if err := p.Start(); err != nil {
		panic(err)
	}
	p.Join()
}
`)
	out, errOut := nb.run("mp.SetWorkers(mp.Compiled)\np := mp.NewProcess(child, 5)\nfmt.Println(p.Start())\nfmt.Println(p.Join())")
	if !strings.HasPrefix(out, "<nil>\ngrandchild: 500 Process-") || !strings.HasSuffix(out, "\n<nil>\n") || errOut != "" {
		t.Errorf("stdout %q, stderr %q; want the grandchild's line with scale 100", out, errOut)
	}
}

// TestCompiledQueueItemsKeepTheirTypes passes a notebook struct through
// queues both ways between the notebook and a compiled worker: each side
// gets its own type back (the worker's is named, the interpreter's not).
func TestCompiledQueueItemsKeepTheirTypes(t *testing.T) {
	requireGo(t)
	nb := newNotebook(t, newBuilder(t, workerbuild.Options{}))
	nb.run(declarations + `
func echo(in, out *mp.Queue) {
	item, err := in.Get()
	if err != nil {
		panic(err)
	}
	p := item.(point)
	out.Put(point{p.X * 10, p.Y * 10})
	out.Put([]point{p})
}
`)
	out, errOut := nb.run(`in, out := mp.NewQueue(), mp.NewQueue()
p := mp.NewProcess(echo, in, out, mp.WithWorkers(mp.Compiled))
fmt.Println(p.Start())
in.Put(point{1, 2})
first, _ := out.Get()
second, _ := out.Get()
p.Join()
fmt.Println(first.(point).sum(), second.([]point)[0].Y)`)
	if out != "<nil>\n30 2\n" || errOut != "" {
		t.Errorf("stdout %q, stderr %q; want 30 2", out, errOut)
	}
}
