"""Process-level faults of the gomp kernel, driven by the test venv's jupyter_client.
A fatal Go runtime error in a cell ends the kernel process promptly instead
of hanging it, its report reaches the kernel's log, and the kernel that
Jupyter starts next with the same connection file tells the user, once.
Runaway recursion is an ordinary cell error. Run by TestJupyterCrash
(e2e/crash_test.go)."""

import glob
import os
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

    def crash_files(self):
        return glob.glob(os.path.join(self.dir.name, "*.gomp-crash"))

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

    def test_fatal_error_ends_kernel_and_is_reported_after_restart(self):
        reply, _ = self.run_cell("kept := 1")
        self.assertEqual(reply["content"]["status"], "ok")
        self.kc.execute(CONCURRENT_MAP_WRITES)
        deadline = time.monotonic() + TIMEOUT
        while self.km.is_alive():
            if time.monotonic() > deadline:
                self.fail("the kernel is still alive %ds after a fatal error: it hangs; log:\n%s"
                          % (TIMEOUT, self.log_text()))
            time.sleep(0.1)
        self.assertEqual(self.km.provisioner.process.poll(), 2, "the Go runtime's exit status for a fatal error")
        # As it dies, the runtime copies its report (all but the first line,
        # which only fd 2 gets) to the log.
        self.assertIn("goroutine", self.log_text())
        self.assertEqual(self.crash_files(), [os.path.join(self.dir.name, "kernel-1.gomp-crash")],
                         "the dead kernel's crash report beside its connection file")

        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=TIMEOUT)
        reply, stderr = self.run_cell("x := 2\nx")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("The previous kernel process died", stderr)
        self.assertIn("fatal error: concurrent map writes", stderr)
        self.assertIn("fatal error: concurrent map writes", self.log_text())
        _, stderr = self.run_cell("x + 1")
        self.assertEqual(stderr, "", "the notice is shown once")

        self.km.shutdown_kernel(now=False)
        self.assertEqual(self.crash_files(), [], "a kernel that shuts down normally removes its crash report")

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
