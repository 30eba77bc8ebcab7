package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClusterFeatures runs, on a real `gomp cluster serve` with two
// `gomp worker --join` processes of the built binary, what a cluster pool
// has beyond Map: output prefixes, an initializer with a maximum of tasks
// per child, and compiled workers fetched through the cluster.
func TestClusterFeatures(t *testing.T) {
	bin := installKernel(t).bin
	dir := t.TempDir()
	s := startClusterServer(t, bin, dir, filepath.Join(dir, "token"))
	workers := []*loggedWorker{
		joinLogged(t, bin, s, filepath.Join(dir, "a")),
		joinLogged(t, bin, s, filepath.Join(dir, "b")),
	}
	t.Run("output prefixes", func(t *testing.T) { testClusterPrefix(t, bin, s.url) })
	t.Run("initializer and max tasks per child", func(t *testing.T) { testClusterInit(t, bin, s.url) })
	t.Run("compiled worker through the cluster", func(t *testing.T) { testClusterCompiled(t, bin, s.url, workers) })
	t.Run("lesson 06 on the cluster", func(t *testing.T) { testClusterLesson(t, bin, s.url, workers) })
}

// loggedWorker is a joined worker whose cache directory (XDG_CACHE_HOME)
// and log (its stderr) are the test's.
type loggedWorker struct {
	proc  *os.Process
	cache string
	log   string
}

// joinLogged starts `gomp worker --join` on s with two slots, its cache
// and log under dir, and returns once it has joined.
func joinLogged(t *testing.T, bin string, s *clusterServer, dir string) *loggedWorker {
	t.Helper()
	w := &loggedWorker{cache: filepath.Join(dir, "cache"), log: filepath.Join(dir, "worker.log")}
	if err := os.MkdirAll(w.cache, 0o755); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(w.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "worker", "--join", "nats://"+s.addr, "--creds", s.creds, "--slots", "2", "--ack-wait", "2s")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+w.cache)
	cmd.Stderr = logf
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
	w.proc = cmd.Process
	return w
}

// runCells runs cells with gomp run, its environment plus env, and
// returns the text of each cell's stream outputs, stdout and stderr
// together in the order the notebook holds them.
func runCells(t *testing.T, bin string, env []string, cells []string) []string {
	t.Helper()
	dir := t.TempDir()
	nb := filepath.Join(dir, "nb.ipynb")
	writeFile(t, nb, goNotebook(t, cells...), 0o644)
	// A hung call fails the test (gomp run is killed) rather than CI. A
	// compiled worker's first build may take minutes on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--timeout", "5m", nb)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Run(); err != nil {
		t.Fatalf("gomp run: %v\n%s", err, logs.String())
	}
	return streamTexts(t, filepath.Join(dir, "nb.nbconvert.ipynb"))
}

// testClusterPrefix maps a function that prints its item and pid on
// stdout and stderr: on a cluster pool and on a local pool made with
// mp.WithOutputPrefix(true) every such line starts with the pid of the
// process that printed it (and, on the cluster, the worker's address),
// and on a pool without the option no line does.
func testClusterPrefix(t *testing.T, bin, url string) {
	cells := []string{
		"import (\"fmt\"; \"mp\"; \"os\")\n" +
			"func who(n int) int {\n\tfmt.Println(\"item\", n, \"in\", os.Getpid())\n\tfmt.Fprintln(os.Stderr, \"note\", n, \"in\", os.Getpid())\n\treturn n\n}\n" +
			"items := []int{0, 1, 2, 3, 4, 5}",
		fmt.Sprintf("p := mp.NewPool(2, mp.WithCluster(%q), mp.WithOutputPrefix(true))\n", url) +
			"r, err := p.Map(who, items, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\np.Close()\np.Join()",
		"l := mp.NewPool(2, mp.WithOutputPrefix(true))\nr, err := l.Map(who, items, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\nl.Close()\nl.Join()",
		fmt.Sprintf("q := mp.NewPool(2, mp.WithCluster(%q))\n", url) +
			"r, err := q.Map(who, items, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\nq.Close()\nq.Join()",
	}
	texts := runCells(t, bin, nil, cells)
	line := regexp.MustCompile(`(?m)^(.*?)(item|note) (\d) in (\d+)$`)
	for i, want := range []string{`^\(pid=(\d+), ip=127\.0\.0\.1\) $`, `^\(pid=(\d+)\) $`, `^$`} {
		text := texts[i+1]
		if !strings.Contains(text, "results: [0 1 2 3 4 5] <nil>\n") {
			t.Errorf("cell %d: no results in:\n%s", i+1, text)
			continue
		}
		ms := line.FindAllStringSubmatch(text, -1)
		if len(ms) != 12 {
			t.Errorf("cell %d: %d item and note lines, want 12:\n%s", i+1, len(ms), text)
		}
		pre := regexp.MustCompile(want)
		for _, m := range ms {
			p := pre.FindStringSubmatch(m[1])
			switch {
			case p == nil:
				t.Errorf("cell %d: line %q has prefix %q, want one matching %s", i+1, m[0], m[1], want)
			case len(p) > 1 && p[1] != m[4]:
				t.Errorf("cell %d: line %q is prefixed with pid %s, printed by %s", i+1, m[0], p[1], m[4])
			}
		}
	}
}

// testClusterInit maps over a cluster pool with an initializer and at
// most two tasks per child: every result has the initializer's value,
// every remote worker process ran the initializer once before its tasks,
// and none ran more than two tasks.
func testClusterInit(t *testing.T, bin, url string) {
	cells := []string{
		"import (\"fmt\"; \"mp\"; \"os\")\nvar base int\n" +
			"func setup(b int) { base = b; fmt.Println(\"init in\", os.Getpid()) }\n" +
			"func add(n int) int { fmt.Println(\"task\", n, \"in\", os.Getpid()); return base + n }",
		fmt.Sprintf("p := mp.NewPool(2, mp.WithCluster(%q), mp.WithInitializer(setup, 100), mp.WithMaxTasksPerChild(2))\n", url) +
			"r, err := p.Map(add, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\np.Close()\np.Join()",
	}
	text := runCells(t, bin, nil, cells)[1]
	if !strings.Contains(text, "results: [100 101 102 103 104 105 106 107 108 109] <nil>\n") {
		t.Fatalf("no results with the initializer's base in:\n%s", text)
	}
	inits := map[string]int{}
	tasks := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^(init|task \d) in (\d+)$`).FindAllStringSubmatch(text, -1) {
		pid := m[2]
		if m[1] == "init" {
			inits[pid]++
			continue
		}
		if inits[pid] != 1 {
			t.Errorf("%s in %s with %d initializer runs before it, want 1:\n%s", m[1], pid, inits[pid], text)
		}
		tasks[pid]++
	}
	total := 0
	for pid, n := range tasks {
		total += n
		if n > 2 {
			t.Errorf("process %s ran %d tasks, want at most 2 (WithMaxTasksPerChild(2)):\n%s", pid, n, text)
		}
	}
	if total != 10 || len(inits) != len(tasks) {
		t.Errorf("%d task lines from %d processes, %d of which ran the initializer; want 10 lines, an initializer in each:\n%s", total, len(tasks), len(inits), text)
	}
}

// testClusterCompiled runs a pool of compiled workers (GOMP_WORKERS=
// compiled) on the cluster: each task runs in the compiled worker the
// notebook's kernel built, which the joined worker fetched into its cache
// under its content hash, once.
func testClusterCompiled(t *testing.T, bin, url string, workers []*loggedWorker) {
	cells := []string{
		"import (\"fmt\"; \"mp\"; \"os\")\nfunc where(n int) string { exe, _ := os.Executable(); return exe }",
		fmt.Sprintf("p := mp.NewPool(4, mp.WithCluster(%q))\n", url) +
			"for round := 0; round < 2; round++ {\n\tr, err := p.Map(where, []int{0, 1, 2, 3, 4, 5, 6, 7}, mp.WithChunkSize(1))\n" +
			"\tif err != nil { fmt.Println(\"error:\", err) }\n\tfor _, e := range r { fmt.Println(\"exe:\", e) }\n}\np.Close()\np.Join()",
	}
	text := runCells(t, bin, []string{"GOMP_WORKERS=compiled"}, cells)[1]
	exes := regexp.MustCompile(`(?m)^exe: (.*)$`).FindAllStringSubmatch(text, -1)
	if len(exes) != 16 || strings.Contains(text, "error:") {
		t.Fatalf("want 16 executables and no error, got:\n%s", text)
	}
	hashes := map[string]bool{}
	for _, m := range exes {
		exe := m[1]
		ok := false
		for _, w := range workers {
			ok = ok || filepath.Dir(exe) == filepath.Join(w.cache, "gomp", "cluster-workers")
		}
		if !ok {
			t.Fatalf("a task ran in %s, not in a compiled worker a joined worker fetched:\n%s", exe, text)
		}
		hashes[filepath.Base(exe)] = true
	}
	if len(hashes) != 1 {
		t.Errorf("tasks ran in %d different binaries, want the notebook's one: %v", len(hashes), hashes)
	}
	for _, m := range exes[:1] {
		data, err := os.ReadFile(m[1])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != filepath.Base(m[1]) {
			t.Errorf("the fetched binary %s does not hash to its name", m[1])
		}
	}
	ran := 0
	for _, w := range workers {
		log, err := os.ReadFile(w.log)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(log), "gomp worker: running compiled worker ")
		if n > 1 {
			t.Errorf("worker %d fetched the compiled worker %d times, want once:\n%s", w.proc.Pid, n, log)
		}
		if strings.Contains(string(log), "run interpreted") {
			t.Errorf("worker %d ran tasks interpreted:\n%s", w.proc.Pid, log)
		}
		ran += n
	}
	if ran == 0 {
		t.Errorf("no joined worker said it runs the compiled worker")
	}
}

// testClusterLesson runs lesson 06 whole with GOMP_LESSON_CLUSTER set:
// its last section counts the primes on a local pool and on a pool of the
// joined workers, with the same counts, and the cluster's chunks were
// counted by worker processes of the joined workers, each line prefixed
// with its pid and address.
func testClusterLesson(t *testing.T, bin, url string, workers []*loggedWorker) {
	dir := t.TempDir()
	lesson, err := filepath.Abs(filepath.Join(repoRoot, "notebooks", "06-speed-races-pipelines.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runGomp(t, bin, dir, []string{"GOMP_LESSON_CLUSTER=" + url}, "run", "--timeout", "5m", "-o", dir, lesson)
	if code != 0 {
		t.Fatalf("gomp run lesson 06 with a cluster: exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.Base(lesson)))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				Text []string `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, o := range nb.Cells[len(nb.Cells)-1].Outputs {
		text.WriteString(strings.Join(o.Text, ""))
	}
	out := text.String()
	counts := "[3968 3425 3269 3186 3116 3056 3007 2970]"
	for _, want := range []string{"local pool:   " + counts + " in ", "cluster pool: " + counts + " in ", " on the cluster\n", "same counts: true\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the cluster section's output:\n%s", want, out)
		}
	}
	_, after, _ := strings.Cut(out, "local pool:")
	lines := regexp.MustCompile(`(?m)^\(pid=(\d+), ip=127\.0\.0\.1\) \[\d+, \d+\): \d+ primes$`).FindAllStringSubmatch(after, -1)
	if len(lines) != 8 {
		t.Fatalf("%d chunk lines from the cluster, want 8 with pid and ip:\n%s", len(lines), out)
	}
	joined := map[int]bool{}
	for _, w := range workers {
		joined[w.proc.Pid] = true
	}
	for _, m := range lines {
		pid, _ := strconv.Atoi(m[1])
		if pp := parentOf(pid); !joined[pp] {
			t.Errorf("chunk counted by process %d, whose parent %d is not a joined worker", pid, pp)
		}
	}
}

// parentOf returns the parent pid of a live process, 0 if it cannot tell.
func parentOf(pid int) int {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so cut after ')'.
	i := strings.LastIndexByte(string(stat), ')')
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(fields[1])
	return pp
}
