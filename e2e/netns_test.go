package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
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

// lanPrefix is the private test subnet (a /24) of the hosts a testLAN
// makes. Each LAN has its own bridge in its own namespace, so parallel
// runs may use the same subnet.
const lanPrefix = "10.213.0."

// testLAN is a network of hosts made by the test: a "switch" network
// namespace holding a bridge, and hosts (network namespaces) each joined
// to it by a veth pair. Nothing is added to the test's own namespace.
type testLAN struct {
	t      *testing.T
	prefix string // the namespaces' names start with it: unique per LAN
	sw     string // the switch namespace
	hosts  int
}

// netHost is one host of a testLAN.
type netHost struct {
	ns   string // its network namespace
	addr string // its IPv4 address on the LAN
}

// requireNetns fails (in CI) or skips (elsewhere) when the test cannot
// make network namespaces: it needs root and iproute2's ip.
func requireNetns(t *testing.T) {
	t.Helper()
	skipShort(t)
	msg := ""
	if os.Geteuid() != 0 {
		msg = "network-namespace test: needs root to make namespaces with `ip netns add` (run as root; CI does)"
	} else if out, err := exec.Command("ip", "-V").CombinedOutput(); err != nil {
		msg = fmt.Sprintf("network-namespace test: `ip -V`: %v %s(install iproute2; .ci/run does)", err, out)
	}
	if msg == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// ipCmd runs iproute2's ip with args and fails the test if it fails.
func ipCmd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newLAN makes an empty LAN whose namespaces the test's cleanup removes,
// after ending every process still in them.
func newLAN(t *testing.T) *testLAN {
	t.Helper()
	requireNetns(t)
	removeStaleNetns(t)
	b := make([]byte, 3)
	rand.Read(b)
	l := &testLAN{t: t, prefix: fmt.Sprintf("gomp%d-%x", os.Getpid(), b)}
	l.sw = l.addNetns("switch")
	ipCmd(t, "-n", l.sw, "link", "add", "br0", "type", "bridge")
	ipCmd(t, "-n", l.sw, "link", "set", "br0", "up")
	return l
}

// staleNetns matches the namespaces testLANs (and bench/run) name after
// the process that made them.
var staleNetns = regexp.MustCompile(`^gomp(\d+)-\S+`)

// removeStaleNetns removes the namespaces of test runs that were killed
// before their cleanup ran (their process is gone).
func removeStaleNetns(t *testing.T) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		m := staleNetns.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); !alive(pid) {
			removeNetns(t, strings.Fields(line)[0])
		}
	}
}

// addNetns makes a namespace named after the LAN and name, with its
// loopback up.
func (l *testLAN) addNetns(name string) string {
	l.t.Helper()
	ns := l.prefix + "-" + name
	ipCmd(l.t, "netns", "add", ns)
	l.t.Cleanup(func() { removeNetns(l.t, ns) })
	ipCmd(l.t, "-n", ns, "link", "set", "lo", "up")
	return ns
}

// removeNetns kills the processes in the namespace ns (a namespace lives
// on while a process is in it) and removes it.
func removeNetns(t *testing.T, ns string) {
	killNetns(t, ns)
	if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
		t.Errorf("remove network namespace %s: %v %s", ns, err, out)
	}
}

// killNetns sends SIGKILL to every process in the namespace ns, and
// waits until they are gone.
func killNetns(t *testing.T, ns string) {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Errorf("list the processes of network namespace %s: %v", ns, err)
		return
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		syscall.Kill(pid, syscall.SIGKILL)
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		waitFor(t, fmt.Sprintf("process %d of %s to end", pid, ns), func() bool { return !alive(pid) })
	}
}

// host adds a host named name to the LAN: a namespace whose eth0 is a
// veth pair's end, the other end on the switch's bridge, with the next
// address of the subnet.
func (l *testLAN) host(name string) *netHost {
	l.t.Helper()
	l.hosts++
	h := &netHost{ns: l.addNetns(name), addr: fmt.Sprintf("%s%d", lanPrefix, l.hosts)}
	port := fmt.Sprintf("p%d", l.hosts)
	ipCmd(l.t, "-n", l.sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
	ipCmd(l.t, "-n", l.sw, "link", "set", port, "master", "br0", "up")
	ipCmd(l.t, "-n", h.ns, "addr", "add", h.addr+"/24", "dev", "eth0")
	ipCmd(l.t, "-n", h.ns, "link", "set", "eth0", "up")
	return h
}

// setLink takes the host's link down (cut off from the LAN) or up.
func (h *netHost) setLink(t *testing.T, up bool) {
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	ipCmd(t, "-n", h.ns, "link", "set", "eth0", state)
}

// onHost returns the command running name with args in the network
// namespace host (through `ip netns exec`, which execs it: the process
// is the command's own), or in the test's when host is "".
func onHost(ctx context.Context, host, name string, args ...string) *exec.Cmd {
	if host == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", host, name}, args...)...)
}

// clusterHosts is a cluster spread over a testLAN: the server, the
// notebook and the workers each on their own host.
type clusterHosts struct {
	kernel  kernelInstall
	bin     string
	lan     *testLAN
	server  *clusterServer
	join    string // the URL workers join with (the token comes from creds)
	note    *netHost
	workers []*netHost
	// hostOf maps the pid of every worker the test started to its host's
	// address: lines name both, and must agree.
	hostOf map[int]string
	pidOn  map[string]int // the running worker's pid by host address
}

// startWorker joins a worker of one slot on h.
func (c *clusterHosts) startWorker(t *testing.T, h *netHost) {
	t.Helper()
	p := joinWorkerOn(t, h.ns, c.bin, c.join, c.server.creds, 1)
	c.hostOf[p.Pid] = h.addr
	c.pidOn[h.addr] = p.Pid
}

// TestClusterHosts runs a cluster over hosts made of network namespaces:
// `gomp cluster serve` on one, the notebook (`gomp run`) on another and a
// joined worker on each of three more, all talking over a bridged test
// subnet. Maps get every host's output; a worker host dies, or is cut
// off and comes back, mid-Map; the server restarts mid-Map.
func TestClusterHosts(t *testing.T) {
	requireNetns(t)
	k := installKernel(t)
	bin := k.bin
	lan := newLAN(t)
	c := &clusterHosts{kernel: k, bin: bin, lan: lan, hostOf: map[int]string{}, pidOn: map[string]int{}}
	srv := lan.host("server")
	c.note = lan.host("notebook")
	dir := t.TempDir()
	addr := srv.addr + ":4222"
	c.server = startClusterServerOn(t, srv.ns, addr, bin, dir, filepath.Join(dir, "token"))
	if !strings.HasSuffix(c.server.url, "@"+addr) {
		t.Fatalf("the server on %s says pools use %q", addr, c.server.url)
	}
	c.join = "nats://" + addr
	for i := range 3 {
		h := lan.host(fmt.Sprintf("worker%d", i+1))
		c.workers = append(c.workers, h)
		c.startWorker(t, h)
	}
	t.Run("map with output from every host", func(t *testing.T) { testHostsMap(t, c) })
	t.Run("kernel through jupyter_client", func(t *testing.T) { testHostsKernel(t, c) })
	t.Run("worker host killed mid-map", func(t *testing.T) { testHostKilled(t, c) })
	t.Run("worker host cut off and back mid-map", func(t *testing.T) { testHostCutOff(t, c) })
	t.Run("server restarted mid-map", func(t *testing.T) { testHostsServerRestart(t, c) })
}

// hostCells are a notebook whose pool maps task over n items on the
// cluster at url. task prints three lines naming its item, the line's
// number, its host's address on the test subnet and the joined worker
// that runs it, sleeping sleepMS after each; it marks its start with a
// file in dir named started-ITEM-HOSTADDR-PID.
func hostCells(url, dir string, n, sleepMS int) []string {
	return []string{
		"import (\"fmt\"; \"mp\"; \"net\"; \"os\"; \"strings\"; \"time\")\n" +
			"func host() string {\n" +
			"\taddrs, _ := net.InterfaceAddrs()\n" +
			"\tfor _, a := range addrs {\n" +
			"\t\tif ip, _, _ := strings.Cut(a.String(), \"/\"); strings.HasPrefix(ip, " + strconv.Quote(lanPrefix) + ") { return ip }\n" +
			"\t}\n\treturn \"no-address\"\n}\n" +
			"func task(n int) int {\n\th := host()\n" +
			fmt.Sprintf("\tos.WriteFile(fmt.Sprintf(%q, n, h, os.Getpid()), nil, 0o644)\n", dir+"/started-%d-%s-%d") +
			"\tfor k := range 3 {\n" +
			"\t\tfmt.Println(\"item\", n, \"line\", k, \"on\", h, \"worker\", os.Getppid())\n" +
			fmt.Sprintf("\t\ttime.Sleep(%d * time.Millisecond)\n", sleepMS) +
			"\t}\n\treturn n * n\n}",
		fmt.Sprintf("p := mp.NewPool(3, mp.WithCluster(%q))\nitems := make([]int, %d)\nfor i := range items { items[i] = i }\n", url, n) +
			"r, err := p.Map(task, items, mp.WithChunkSize(1))\nfmt.Println(\"results:\", r, err)\np.Close()\np.Join()",
	}
}

// hostLine is one line task printed.
var hostLine = regexp.MustCompile(`(?m)^item (\d+) line (\d+) on (\S+) worker (\d+)$`)

// checkHostOutput checks the cell's output of hostCells' Map over n
// items: every result exactly once and in order; each item's three lines
// exactly once, in order, before the results, all from one host and
// naming a worker the test started on that very host. It returns the
// host that ran each item and the lines in the order they came.
func checkHostOutput(t *testing.T, c *clusterHosts, text string, n int) (hostOf []string, lines [][]string) {
	t.Helper()
	at := squaresAt(t, text, n)
	if extra := hostLine.FindAllString(text[at:], -1); len(extra) != 0 {
		t.Errorf("task lines after the results: %q", extra)
	}
	hostOf = make([]string, n)
	next := make([]int, n)
	for _, m := range hostLine.FindAllStringSubmatch(text[:at], -1) {
		i, _ := strconv.Atoi(m[1])
		k, _ := strconv.Atoi(m[2])
		pid, _ := strconv.Atoi(m[4])
		lines = append(lines, m)
		if i < 0 || i >= n {
			t.Errorf("line of an item not mapped: %q", m[0])
			continue
		}
		if k != next[i] {
			t.Errorf("item %d: line %d came where line %d was due (lost, doubled or out of order)", i, k, next[i])
		}
		next[i] = k + 1
		if c.hostOf[pid] != m[3] {
			t.Errorf("%q: worker %d runs on %q, not on %s", m[0], pid, c.hostOf[pid], m[3])
		}
		if hostOf[i] != "" && hostOf[i] != m[3] {
			t.Errorf("item %d: lines from %s and from %s: two attempts shown", i, hostOf[i], m[3])
		}
		hostOf[i] = m[3]
	}
	for i, k := range next {
		if k != 3 {
			t.Errorf("item %d: %d of its 3 lines arrived", i, k)
		}
	}
	if t.Failed() {
		t.Logf("the cell's output:\n%s", text)
	}
	return hostOf, lines
}

// startedOn lists the items whose task started on the host at addr (by
// its marker files in dir).
func startedOn(t *testing.T, dir, addr string) []int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "started-*-"+addr+"-*"))
	if err != nil {
		t.Fatal(err)
	}
	var items []int
	for _, f := range files {
		i, err := strconv.Atoi(strings.Split(filepath.Base(f), "-")[1])
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, i)
	}
	return items
}

// startedElsewhere reports whether item's task started on a host other
// than addr.
func startedElsewhere(t *testing.T, dir string, item int, addr string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("started-%d-*", item)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Split(filepath.Base(f), "-")[2] != addr {
			return true
		}
	}
	return false
}

func testHostsMap(t *testing.T, c *clusterHosts) {
	dir := t.TempDir()
	const n = 36
	text := runClusterNotebookOn(t, c.note.ns, c.bin, dir, hostCells(c.server.url, dir, n, 20), nil)
	hostOf, lines := checkHostOutput(t, c, text, n)
	checkEveryHost(t, c, hostOf)
	// A host runs one task at a time (one slot): its lines come as whole
	// tasks, each in order, never interleaved with its next task's.
	last := map[string][]string{}
	for _, m := range lines {
		prev := last[m[3]]
		if prev != nil && prev[2] != "2" && (prev[1] != m[1]) {
			t.Errorf("host %s: %q came after %q, before that task's last line", m[3], m[0], prev[0])
		}
		last[m[3]] = m
	}
}

// checkEveryHost checks that every worker host ran an item.
func checkEveryHost(t *testing.T, c *clusterHosts, hostOf []string) {
	t.Helper()
	for _, w := range c.workers {
		if !slices.Contains(hostOf, w.addr) {
			t.Errorf("no item ran on worker host %s: hosts by item %q", w.addr, hostOf)
		}
	}
}

// kernelCells runs the cells (JSON on stdin) in a gomp kernel started by
// jupyter_client, and prints what the last one wrote to its streams; a
// cell that fails ends it with an error naming the cell.
const kernelCells = `import json, sys
from jupyter_client.manager import start_new_kernel
cells = json.load(sys.stdin)
km, kc = start_new_kernel(kernel_name="gomp", startup_timeout=60)
try:
    for i, code in enumerate(cells):
        out = []
        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("%s: %s\n" % (msg["content"]["ename"], msg["content"]["evalue"]))
        reply = kc.execute_interactive(code, output_hook=hook, timeout=120)
        if reply["content"]["status"] != "ok":
            sys.exit("cell %d failed: %s" % (i, "".join(out)))
    sys.stdout.write("".join(out))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
`

// testHostsKernel runs the Map from a gomp kernel that jupyter_client
// (the test venv's) starts on the notebook host: the kernel's pool
// reaches the server across the test subnet, and the cell gets every
// host's lines exactly once.
func testHostsKernel(t *testing.T, c *clusterHosts) {
	v := testVenv(t)
	dir := t.TempDir()
	const n = 24
	cells, err := json.Marshal(hostCells(c.server.url, dir, n, 20))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := onHost(ctx, c.note.ns, v.python(), "-c", kernelCells)
	cmd.Env = c.kernel.jupyterEnv(t, v)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(cells)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jupyter_client on the notebook host: %v\n%s", err, stderr.String())
	}
	hostOf, _ := checkHostOutput(t, c, string(out), n)
	checkEveryHost(t, c, hostOf)
}

// testHostKilled kills a worker host once a task runs there: its link
// goes down first (no FIN reaches the server, as when a machine loses
// power), then every process in it is killed. Its task is redelivered
// after AckWait; the Map returns every result and line exactly once.
// The host then comes back with a new worker.
func testHostKilled(t *testing.T, c *clusterHosts) {
	dir := t.TempDir()
	victim := c.workers[0]
	const n = 24
	kill := func() {
		waitFor(t, "a task started on "+victim.addr, func() bool { return len(startedOn(t, dir, victim.addr)) > 0 })
		victim.setLink(t, false)
		killNetns(t, victim.ns)
	}
	text := runClusterNotebookOn(t, c.note.ns, c.bin, dir, hostCells(c.server.url, dir, n, 200), kill)
	hostOf, _ := checkHostOutput(t, c, text, n)
	// The task running at the kill (its lines take 600 ms) was run again
	// elsewhere and shown from there.
	redone := false
	for _, i := range startedOn(t, dir, victim.addr) {
		redone = redone || hostOf[i] != victim.addr && startedElsewhere(t, dir, i, victim.addr)
	}
	if !redone {
		t.Errorf("no task of the killed host %s was run again on another host: hosts by item %q", victim.addr, hostOf)
	}
	victim.setLink(t, true)
	c.startWorker(t, victim)
}

// testHostCutOff takes a worker host's link down while it runs a task and
// brings it back once another host has taken that task over: the cut
// worker lives on and, once back, delivers its stale attempt late. Each
// result and each line still comes exactly once, from one attempt.
func testHostCutOff(t *testing.T, c *clusterHosts) {
	dir := t.TempDir()
	victim := c.workers[1]
	const n = 24
	cut := func() {
		var item int
		waitFor(t, "a task started on "+victim.addr, func() bool {
			items := startedOn(t, dir, victim.addr)
			if len(items) > 0 {
				item = items[0]
			}
			return len(items) > 0
		})
		victim.setLink(t, false)
		waitFor(t, fmt.Sprintf("item %d to start again on another host", item), func() bool {
			return startedElsewhere(t, dir, item, victim.addr)
		})
		victim.setLink(t, true)
	}
	text := runClusterNotebookOn(t, c.note.ns, c.bin, dir, hostCells(c.server.url, dir, n, 300), cut)
	checkHostOutput(t, c, text, n)
	if pid := c.pidOn[victim.addr]; !alive(pid) {
		t.Errorf("the worker %d on the host cut off and back ended", pid)
	}
}

// testHostsServerRestart restarts the server (same host, address, store
// and token) while a Map runs over the three worker hosts: the notebook's
// pool and every worker reconnect, and the Map returns every result and
// line exactly once.
func testHostsServerRestart(t *testing.T, c *clusterHosts) {
	dir := t.TempDir()
	const n = 24
	url := c.server.url
	restart := func() {
		waitFor(t, "a task started", func() bool {
			files, _ := filepath.Glob(filepath.Join(dir, "started-*"))
			return len(files) > 0
		})
		c.server.stop()
		c.server.start(t)
		if c.server.url != url {
			t.Errorf("the restarted server's URL is %q, was %q", c.server.url, url)
		}
	}
	text := runClusterNotebookOn(t, c.note.ns, c.bin, dir, hostCells(url, dir, n, 100), restart)
	checkHostOutput(t, c, text, n)
}
