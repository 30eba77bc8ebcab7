"""Process-level faults of the gomp kernel, driven by the test venv's jupyter_client.
Cells run in a supervised interpreter process: a fault that kills it
(concurrent map writes, a panic in a goroutine compiled code started, an
allocation the system refuses, SIGKILL from outside) fails the cell with
what happened, a new interpreter restores the notebook, and the kernel
process (its pid) stays; runaway recursion is an ordinary cell error.
Nothing the kernel started outlives it, even when it is killed. Run by
TestJupyterCrash (e2e/crash_test.go)."""

import os
import signal
import tempfile
import time
import unittest

from jupyter_client.manager import KernelManager

TIMEOUT = 60

# Goroutines writing one map: the Go runtime's fatal "concurrent map
# writes", which no recover can stop. The 2,000 blocked goroutines make the
# report (it lists every goroutine) larger than a pipe's buffer.
CONCURRENT_MAP_WRITES = """block := make(chan bool)
for g := 0; g < 2000; g++ {
	go func() { <-block }()
}
m := map[int]int{}
for g := 0; g < 4; g++ {
	go func() {
		for i := 0; ; i++ {
			m[i%1000] = i
		}
	}()
}
select {}"""

SETUP = """import (
	"fmt"
	"mp"
	"time"
)
kept := 41
big := make([]int, 5_000_000)
func double(n int) int { return 2 * n }
func square(x int) int { return x * x }"""

# What each fault does to the cell: a substring of the error reply's evalue.
FAULTS = [
    ("concurrent map writes", CONCURRENT_MAP_WRITES, "fatal error: concurrent map writes"),
    ("panic in a goroutine started by compiled code",
     'func boom() { panic("boom from time.AfterFunc") }\ntime.AfterFunc(0, boom)\ntime.Sleep(10 * time.Second)',
     "panic: boom from time.AfterFunc"),
    ("allocation the system refuses", "huge := make([]byte, 1<<40)\nhuge[0] = 1", "out of memory"),
    ("runaway recursion", "func rec(n int) int { return rec(n+1) + 1 }\nrec(0)", "maximum recursion depth exceeded"),
]

# A cell that uses what the notebook declared before the faults, and a Pool.
CHECK = """kept += 1
pool := mp.NewPool(2)
out, err := pool.Map(square, []int{1, 2, 3})
pool.Close()
fmt.Println(double(kept), out, err, len(big))"""


def children(pid):
    """The pids of pid's children, from /proc (none once pid has gone:
    a descendant may exit while the tree is walked)."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            pass
    return out


def descendants(pid):
    out = []
    for c in children(pid):
        out += [c] + descendants(c)
    return out


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")


def running(pid):
    """Whether pid is a live process (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class CrashTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="gomp-crash-test-")
        self.log = open(os.path.join(self.dir.name, "kernel.log"), "w")
        self.km = KernelManager(kernel_name="gomp", connection_file=os.path.join(self.dir.name, "kernel-1.json"))
        self.km.start_kernel(stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def tearDown(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=False)
        self.log.close()
        self.dir.cleanup()

    def log_text(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def kernel_pid(self):
        return self.km.provisioner.process.pid

    def interpreter(self):
        """The kernel's interpreter process (`gomp interpreter`)."""
        found = [c for c in children(self.kernel_pid()) if cmdline(c)[1:2] == [b"interpreter"]]
        self.assertEqual(len(found), 1, "one interpreter process under the kernel")
        return found[0]

    def wait_gone(self, pids, what):
        deadline = time.monotonic() + TIMEOUT
        while any(running(p) for p in pids):
            if time.monotonic() > deadline:
                self.fail("%s still running: %s" % (what, [p for p in pids if running(p)]))
            time.sleep(0.1)

    def run_cell(self, code):
        """Runs code; returns its reply and its stderr text."""
        reply, _, stderr = self.run_cell_output(code)
        return reply, stderr

    def run_cell_output(self, code):
        """Runs code; returns its reply, its stdout and its stderr text."""
        msg_id = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        streams = {"stdout": [], "stderr": []}
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                streams[msg["content"]["name"]].append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return reply, "".join(streams["stdout"]), "".join(streams["stderr"])

    def check_cell(self, after):
        reply, stdout, stderr = self.run_cell_output(CHECK)
        self.assertEqual(reply["content"]["status"], "ok", "after %s: %s %s" % (after, reply["content"], stderr))
        return stdout, stderr

    def test_faults_fail_the_cell_and_the_notebook_is_restored(self):
        kernel = self.kernel_pid()
        reply, _ = self.run_cell(SETUP)
        self.assertEqual(reply["content"]["status"], "ok")
        stdout, _ = self.check_cell("setup")
        self.assertEqual(stdout, "84 [1 4 9] <nil> 5000000\n")
        seen = set()
        expected_kept = 42
        restored = False
        for name, code, want in FAULTS:
            with self.subTest(fault=name):
                before = self.interpreter()
                seen.update(descendants(kernel))
                reply, stderr = self.run_cell(code)
                c = reply["content"]
                self.assertEqual(c["status"], "error", name)
                self.assertIn(want, c["evalue"])
                self.assertTrue(self.km.is_alive(), "the kernel process survives " + name)
                self.assertEqual(self.kernel_pid(), kernel)
                crashed = c["ename"] == "InterpreterDied"
                if crashed:
                    self.assertNotEqual(self.interpreter(), before, "a new interpreter after " + name)
                    self.assertFalse(running(before), "the dead interpreter is reaped")
                    self.assertIn("A new interpreter restored the notebook as of", c["evalue"])
                    if not restored:
                        # The value over the per-variable cap is named as
                        # lost (it is then nil, and small); the small ones
                        # are kept.
                        self.assertIn("big (value larger than", c["evalue"])
                    restored = True
                else:
                    self.assertEqual(self.interpreter(), before, name + " is a cell error")
                stdout, _ = self.check_cell(name)
                expected_kept += 1
                # big lost its value (0 elements) once a restore happened.
                self.assertRegex(stdout, r"^%d \[1 4 9\] <nil> (0|5000000)\n$" % (2 * expected_kept))
        self.assertEqual(self.kernel_pid(), kernel)

        # SIGKILL from outside, between cells, with a pool's workers idle:
        # they end with the interpreter; the next cell says so, restores
        # and runs.
        reply, _ = self.run_cell("idle := mp.NewPool(2)\nidle.Map(square, []int{1, 2})")
        self.assertEqual(reply["content"]["status"], "ok")
        before = self.interpreter()
        workers = descendants(before)
        self.assertGreaterEqual(len(workers), 2, "the idle pool's workers")
        seen.update(descendants(kernel))
        os.kill(before, signal.SIGKILL)
        self.wait_gone([before] + workers, "the killed interpreter and its pool's workers")
        stdout, stderr = self.check_cell("SIGKILL")
        self.assertIn("died between cells: killed by signal SIGKILL", stderr)
        self.assertIn("restored the notebook", stderr)
        self.assertEqual(stdout, "%d [1 4 9] <nil> 0\n" % (2 * (expected_kept + 1)))
        self.assertIn("idle (", stderr, "the pool in a variable is named as lost")
        self.assertEqual(self.kernel_pid(), kernel)

        seen.update(descendants(kernel))
        self.km.shutdown_kernel(now=False)
        self.wait_gone(seen, "processes the kernel started (interpreters, mp workers) after shutdown")

    def test_sigkill_of_the_kernel_leaves_no_orphans(self):
        reply, _ = self.run_cell('import "mp"\nfunc sq(x int) int { return x * x }\npool := mp.NewPool(2)\npool.Map(sq, []int{1, 2})')
        self.assertEqual(reply["content"]["status"], "ok")
        procs = descendants(self.kernel_pid())
        self.assertGreaterEqual(len(procs), 3, "the interpreter and two pool workers")
        os.kill(self.kernel_pid(), signal.SIGKILL)
        self.wait_gone(procs, "the interpreter and mp workers after SIGKILL of the kernel")

    def test_runaway_recursion_is_a_cell_error(self):
        self.run_cell("kept := 41")
        reply, _ = self.run_cell("func rec(n int) int { return rec(n+1) + 1 }\nrec(0)")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("maximum recursion depth exceeded in rec", reply["content"]["evalue"])
        self.assertTrue(self.km.is_alive())
        reply, _ = self.run_cell("kept + 1")
        self.assertEqual(reply["content"]["status"], "ok", "the session lives on with its variables")
        self.assertEqual(reply["content"]["execution_count"], 3)

    def test_worker_inherits_no_kernel_descriptors(self):
        # An mp child lists what its descriptors point to: none may be the
        # kernel's log or crash report (the kernel's own stdout and stderr).
        reply, stdout, stderr = self.run_cell_output("""import (
	"fmt"
	"mp"
	"os"
	"path/filepath"
)
func fdLinks() {
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		link, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		fmt.Println("fd", e.Name(), link)
	}
}
p := mp.NewProcess(fdLinks)
p.Start()
p.Join()""")
        self.assertEqual(reply["content"]["status"], "ok", stderr)
        self.assertIn("fd 0 ", stdout)
        for line in stdout.splitlines():
            self.assertNotIn(self.log.name, line, "the worker holds the kernel's log")
            self.assertNotIn(".gomp-crash", line, "the worker holds the kernel's crash report")


if __name__ == "__main__":
    unittest.main()
