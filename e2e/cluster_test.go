package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClusterPool runs pools across machines for real: a NATS server
// embedded in the test, two `gomp worker --join` processes of the built
// binary, and notebooks run by `gomp run` whose pools use them.
func TestClusterPool(t *testing.T) {
	bin := installKernel(t).bin
	dir := t.TempDir()
	creds := filepath.Join(dir, "token")
	url, bare := serveCluster(t, bin, dir, creds)
	t.Run("wrong token", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "token")
		writeFile(t, bad, []byte("not-the-token\n"), 0o600)
		_, stderr, code := runGomp(t, bin, dir, nil, "worker", "--join", bare, "--creds", bad, "--slots", "1")
		if code == 0 || !strings.Contains(stderr, "Authorization Violation") {
			t.Fatalf("worker with a wrong token: exit %d, stderr %q; want it refused", code, stderr)
		}
	})
	a := joinWorker(t, bin, bare, creds)
	b := joinWorker(t, bin, bare, creds)
	t.Run("map over two workers", func(t *testing.T) { testClusterMap(t, bin, url, a, b) })
	t.Run("worker killed mid-map", func(t *testing.T) { testClusterKill(t, bin, url, a, b) })
	t.Run("task that kills its workers", func(t *testing.T) { testClusterPoison(t, bin, url) })
	t.Run("interrupted call stops its tasks", func(t *testing.T) { testClusterInterrupt(t, bin, url) })
	t.Run("server restarted mid-map", func(t *testing.T) { testClusterRestart(t, bin) })
}

// maxDeliver is how many times the cluster delivers a task (cluster.MaxDeliver).
const maxDeliver = 4

// clusterServer is a `gomp cluster serve` process the test started.
type clusterServer struct {
	bin, addr, dir, creds string
	host                  string // the network namespace it runs in; "" is this one
	cmd                   *exec.Cmd
	url                   string // the pools' URL, token included
}

// serveCluster runs `gomp cluster serve` on a free loopback port with its
// store in dir and its token written to creds, and returns the URL pools
// use (token included) and the bare one workers join with --creds. The
// test's cleanup stops it.
func serveCluster(t *testing.T, bin, dir, creds string) (url, bare string) {
	t.Helper()
	s := startClusterServer(t, bin, dir, creds)
	return s.url, "nats://" + s.addr
}

// startClusterServer starts a server on a free loopback port.
func startClusterServer(t *testing.T, bin, dir, creds string) *clusterServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return startClusterServerOn(t, "", addr, bin, dir, creds)
}

// startClusterServerOn starts a server listening on addr in the network
// namespace host ("" is this one).
func startClusterServerOn(t *testing.T, host, addr, bin, dir, creds string) *clusterServer {
	t.Helper()
	s := &clusterServer{bin: bin, addr: addr, dir: dir, creds: creds, host: host}
	s.start(t)
	t.Cleanup(func() { s.stop() })
	return s
}

// start runs the server process and reads the pools' URL it prints.
func (s *clusterServer) start(t *testing.T) {
	t.Helper()
	cmd := onHost(context.Background(), s.host, s.bin, "cluster", "serve", "--listen", s.addr, "--store", filepath.Join(s.dir, "store"), "--creds", s.creds)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("gomp cluster serve ended before printing the pools' URL: %v", err)
		}
		if _, q, ok := strings.Cut(line, "mp.WithCluster("); ok {
			s.url, err = strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(q), ")"))
			if err != nil {
				t.Fatalf("gomp cluster serve printed %q: %v", line, err)
			}
			break
		}
	}
	go io.Copy(io.Discard, r)
	tok, err := os.ReadFile(s.creds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.url, strings.TrimSpace(string(tok))+"@") {
		t.Fatalf("pools' URL %q does not hold the token written to %s", s.url, s.creds)
	}
}

// stop ends the server (SIGTERM) and waits for it.
func (s *clusterServer) stop() {
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
		s.cmd = nil
	}
}

// joinWorker starts `gomp worker --join` with two slots and a short
// AckWait, and returns its process once it has joined. The test's cleanup
// kills it.
func joinWorker(t *testing.T, bin, url, creds string) *os.Process {
	t.Helper()
	return joinWorkerOn(t, "", bin, url, creds, 2)
}

// joinWorkerOn starts `gomp worker --join` with slots slots in the network
// namespace host ("" is this one), as joinWorker does.
func joinWorkerOn(t *testing.T, host, bin, url, creds string, slots int) *os.Process {
	t.Helper()
	cmd := onHost(context.Background(), host, bin, "worker", "--join", url, "--creds", creds, "--slots", strconv.Itoa(slots), "--ack-wait", "2s")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if !strings.Contains(line, "joined") {
		t.Fatalf("gomp worker --join said %q (%v), want that it joined", line, err)
	}
	return cmd.Process
}

// itemLine is what the notebooks' target prints: its item and the pid
// of the joined worker whose process ran it.
var itemLine = regexp.MustCompile(`(?m)^item (\d+) on (\d+)$`)

// clusterCells are a notebook whose pool runs sq on the cluster at url;
// sq marks its start with a file in dir named after the joined worker.
func clusterCells(url, dir string, n int, sleepMS int) []string {
	return []string{
		"import (\"fmt\"; \"mp\"; \"os\"; \"time\")\n" +
			"func sq(n int) int {\n" +
			"\tfmt.Println(\"item\", n, \"on\", os.Getppid())\n" +
			fmt.Sprintf("\tos.WriteFile(fmt.Sprintf(%q, os.Getppid()), nil, 0o644)\n", dir+"/started-%d") +
			fmt.Sprintf("\ttime.Sleep(%d * time.Millisecond)\n", sleepMS) +
			"\treturn n * n\n}\n" +
			"func useQueue(q *mp.Queue) int { return 0 }",
		fmt.Sprintf("p := mp.NewPool(4, mp.WithCluster(%q))\nitems := make([]int, %d)\nfor i := range items { items[i] = i }\n", url, n) +
			"r, err := p.Map(sq, items, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\n" +
			"_, err = p.Apply(useQueue, mp.NewQueue())\nfmt.Println(\"queue:\", err)\np.Close()\np.Join()",
	}
}

// runClusterNotebook runs cells with gomp run and returns the text the
// second cell printed.
func runClusterNotebook(t *testing.T, bin, dir string, cells []string, during func()) string {
	t.Helper()
	return runClusterNotebookOn(t, "", bin, dir, cells, during)
}

// runClusterNotebookOn runs the notebook in the network namespace host
// ("" is this one), as runClusterNotebook does.
func runClusterNotebookOn(t *testing.T, host, bin, dir string, cells []string, during func()) string {
	t.Helper()
	nb := filepath.Join(dir, "cluster.ipynb")
	writeFile(t, nb, goNotebook(t, cells...), 0o644)
	// A hung call fails the test (gomp run is killed) rather than CI.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := onHost(ctx, host, bin, "run", nb)
	cmd.Dir = dir
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if during != nil {
		during()
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gomp run: %v\n%s", err, logs.String())
	}
	return streamTexts(t, filepath.Join(dir, "cluster.nbconvert.ipynb"))[1]
}

// streamTexts returns the text of each cell's stream outputs in the
// executed notebook at path, stdout and stderr together in the order the
// notebook holds them.
func streamTexts(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Cells []struct {
			Outputs []struct {
				Text any `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(out.Cells))
	for i, c := range out.Cells {
		var b strings.Builder
		for _, o := range c.Outputs {
			switch v := o.Text.(type) {
			case string:
				b.WriteString(v)
			case []any:
				for _, s := range v {
					b.WriteString(s.(string))
				}
			}
		}
		texts[i] = b.String()
	}
	return texts
}

// squaresAt returns where the cell's output says "results: " and the
// squares of 0..n-1 in order with no error, and fails the test if it does
// not.
func squaresAt(t *testing.T, text string, n int) int {
	t.Helper()
	want := make([]string, n)
	for i := range want {
		want[i] = strconv.Itoa(i * i)
	}
	wantResults := "results: [" + strings.Join(want, " ") + "] <nil>\n"
	at := strings.Index(text, wantResults)
	if at < 0 {
		t.Fatalf("no %q in the cell's output:\n%s", wantResults, text)
	}
	return at
}

// checkClusterOutput checks the results of sq over n items, exactly once
// and in order, each item's line exactly once and before the results,
// and the refused Queue; it returns the pids of the workers that ran
// items.
func checkClusterOutput(t *testing.T, text string, n int) map[int]bool {
	t.Helper()
	at := squaresAt(t, text, n)
	seen := map[int]int{}
	pids := map[int]bool{}
	for _, m := range itemLine.FindAllStringSubmatch(text[:at], -1) {
		i, _ := strconv.Atoi(m[1])
		pid, _ := strconv.Atoi(m[2])
		seen[i]++
		pids[pid] = true
	}
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("item %d printed %d times before the results, want once", i, seen[i])
		}
	}
	if len(itemLine.FindAllString(text[at:], -1)) != 0 {
		t.Errorf("item lines after the results:\n%s", text)
	}
	if !strings.Contains(text, "queue: ") || !strings.Contains(text, "argument 1 (*mp.Queue) holds a *mp.Queue") {
		t.Errorf("a Queue passed to a cluster pool was not refused by name:\n%s", text)
	}
	return pids
}

func testClusterMap(t *testing.T, bin, url string, a, b *os.Process) {
	dir := t.TempDir()
	const n = 24
	text := runClusterNotebook(t, bin, dir, clusterCells(url, dir, n, 50), nil)
	pids := checkClusterOutput(t, text, n)
	if !pids[a.Pid] || !pids[b.Pid] || len(pids) != 2 {
		t.Errorf("items ran on workers %v, want both %d and %d:\n%s", slices.Collect(maps.Keys(pids)), a.Pid, b.Pid, text)
	}
}

func testClusterKill(t *testing.T, bin, url string, a, b *os.Process) {
	dir := t.TempDir()
	const n = 24
	killed := func() {
		waitFor(t, "a task started on the worker to kill", func() bool {
			_, err := os.Stat(filepath.Join(dir, fmt.Sprintf("started-%d", a.Pid)))
			return err == nil
		})
		if err := a.Signal(syscall.SIGKILL); err != nil {
			t.Errorf("kill worker: %v", err)
		}
	}
	text := runClusterNotebook(t, bin, dir, clusterCells(url, dir, n, 300), killed)
	checkClusterOutput(t, text, n)
}

// testClusterPoison maps a function that kills the worker process running
// item 2: the call fails after cluster.MaxDeliver attempts with an error
// naming the item, shows the last attempt's output once, and the pool
// (and the joined worker, which replaces its process) carries on.
func testClusterPoison(t *testing.T, bin, url string) {
	dir := t.TempDir()
	cells := []string{
		"import (\"fmt\"; \"mp\"; \"os\")\nfunc boom(n int) int { if n == 3 { fmt.Println(\"dying on\", n); os.Exit(7) }; return n }",
		fmt.Sprintf("p := mp.NewPool(2, mp.WithCluster(%q))\n", url) +
			"_, err := p.Map(boom, []int{1, 2, 3, 4}, mp.WithChunkSize(1))\nfmt.Println(\"first:\", err)\n" +
			"r, err := p.Map(boom, []int{5, 6})\nfmt.Println(\"then:\", r, err)\np.Close()\np.Join()",
	}
	text := runClusterNotebook(t, bin, dir, cells, nil)
	want := fmt.Sprintf("first: mp.Pool: boom on the cluster: item 2: the workers running it died or were cut off %d times\n", maxDeliver)
	if !strings.Contains(text, want) {
		t.Errorf("no %q in:\n%s", want, text)
	}
	if strings.Count(text, "dying on 3\n") != 1 || strings.Index(text, "dying on") > strings.Index(text, "first:") {
		t.Errorf("want the last attempt's line once, before the error:\n%s", text)
	}
	if !strings.Contains(text, "then: [5 6] <nil>\n") {
		t.Errorf("the pool did not carry on after the failed call:\n%s", text)
	}
}

// testClusterInterrupt runs a Map of tasks that would sleep for ten
// minutes under gomp run --timeout: the interrupted cell's tasks are
// stopped on the joined worker (their processes end) rather than left
// running or given to another worker.
func testClusterInterrupt(t *testing.T, bin, url string) {
	dir := t.TempDir()
	cells := []string{
		"import (\"fmt\"; \"mp\"; \"os\"; \"time\")\nfunc nap(n int) int {\n" +
			fmt.Sprintf("\tos.WriteFile(fmt.Sprintf(%q, os.Getpid()), nil, 0o644)\n", dir+"/pid-%d") +
			"\ttime.Sleep(10 * time.Minute)\n\treturn n\n}",
		fmt.Sprintf("p := mp.NewPool(2, mp.WithCluster(%q))\np.Map(nap, []int{1, 2, 3, 4}, mp.WithChunkSize(1))", url),
	}
	writeFile(t, filepath.Join(dir, "nap.ipynb"), goNotebook(t, cells...), 0o644)
	var pids []int
	_, stderr, code := runGomp(t, bin, dir, nil, "run", "--timeout", "5s", "nap.ipynb")
	if code != 3 {
		t.Fatalf("gomp run --timeout: exit %d, want 3 (a cell timed out)\n%s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join(dir, "pid-*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(f), "pid-"))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		t.Fatalf("no task started before the timeout:\n%s", stderr)
	}
	for _, pid := range pids {
		waitFor(t, fmt.Sprintf("worker process %d of the interrupted task to end", pid), func() bool { return !alive(pid) })
	}
}

// testClusterRestart restarts the server (same address, store and
// token) while a Map runs on its own worker: the pool and the worker
// reconnect and the Map returns every result once, in order.
func testClusterRestart(t *testing.T, bin string) {
	dir := t.TempDir()
	s := startClusterServer(t, bin, dir, filepath.Join(dir, "token"))
	url := s.url
	w := joinWorker(t, bin, "nats://"+s.addr, s.creds)
	const n = 12
	restart := func() {
		waitFor(t, "a task started", func() bool {
			_, err := os.Stat(filepath.Join(dir, fmt.Sprintf("started-%d", w.Pid)))
			return err == nil
		})
		s.stop()
		s.start(t)
		if s.url != url {
			t.Errorf("the restarted server's URL is %q, was %q: the token changed", s.url, url)
		}
	}
	text := runClusterNotebook(t, bin, dir, clusterCells(url, dir, n, 300), restart)
	checkClusterOutput(t, text, n)
}
