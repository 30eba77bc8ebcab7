"""mp through a real Jupyter client: the seeds' Process and Pool cells in
Go, output routing and causality, failures, interrupts and process
lifetimes. Run by TestJupyterMP (e2e/jupyter_test.go) with the test venv's
python."""

import collections
import os
import queue
import re
import signal
import time
import unittest

from jupyter_client.manager import start_new_kernel

TIMEOUT = 60


class Kernel:
    """One gomp kernel and a client, with helpers that collect a cell's
    output until its idle status."""

    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="gomp")
        self.stray = []  # iopub messages read while waiting for another cell

    def pid(self):
        return self.km.provisioner.process.pid

    def interpreter_pid(self):
        """The kernel's interpreter process, where cells run: mp's main
        process (the kernel supervises it, see supervise/)."""
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            for kid in children_of(self.pid()):
                with open("/proc/%d/cmdline" % kid, "rb") as f:
                    if f.read().split(b"\0")[1:2] == [b"interpreter"]:
                        return kid
            time.sleep(0.05)
        raise AssertionError("no interpreter process under the kernel")

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def reply_for(self, msg_id, timeout=TIMEOUT):
        while True:
            msg = self.kc.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def outputs(self, msg_id, timeout=TIMEOUT):
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                self.stray.append(msg)
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out
            out.append(msg)

    def run(self, code, timeout=TIMEOUT):
        msg_id = self.kc.execute(code)
        reply = self.reply_for(msg_id, timeout)
        msgs = self.outputs(msg_id, timeout)
        text = {"stdout": "", "stderr": ""}
        for m in msgs:
            if m["msg_type"] == "stream":
                text[m["content"]["name"]] += m["content"]["text"]
        return reply, text["stdout"], text["stderr"], msgs


def children_of(pid):
    """Pids whose parent is pid, read from /proc."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/status" % entry) as f:
                for line in f:
                    if line.startswith("PPid:"):
                        if int(line.split()[1]) == pid:
                            kids.append(int(entry))
                        break
        except OSError:
            continue
    return kids


def alive(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return False


def wait_gone(pids, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


PIDS = re.compile(r"\b\d{2,7}\b")


class SeedCells(unittest.TestCase):
    """The seeds' Process and Pool cells, in Go, print what the seeds print."""

    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        cls.k.run('import (\n\t"fmt"\n\t"os"\n\t"time"\n\t"mp"\n)')

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def test_seed000_create_a_process(self):
        reply, out, err, _ = self.k.run(
            'func myProcess() {\n\tfmt.Println("Child process executing")\n}\n'
            'process := mp.NewProcess(myProcess)\n'
            'process.Start()\nprocess.Join()\n'
            'fmt.Println("Parent process executing")')
        self.assertEqual(reply["content"]["status"], "ok", err)
        self.assertEqual(out, "Child process executing\nParent process executing\n")

    def test_seed000_four_processes_print_numbers(self):
        reply, out, err, _ = self.k.run(
            'func printNumber(number int) {\n'
            '\tfmt.Println("Process ID:", mp.CurrentProcess().Pid())\n'
            '\tfmt.Println("Number:", number)\n}\n'
            'var processes []*mp.Process\n'
            'for _, number := range []int{1, 2, 3, 4} {\n'
            '\tp := mp.NewProcess(printNumber, number)\n'
            '\tprocesses = append(processes, p)\n\tp.Start()\n}\n'
            'for _, p := range processes {\n\tp.Join()\n}')
        self.assertEqual(reply["content"]["status"], "ok", err)
        lines = out.splitlines()
        self.assertEqual(collections.Counter(PIDS.sub("PID", l) for l in lines),
                         collections.Counter(["Process ID: PID"] * 4 + ["Number: %d" % n for n in range(1, 5)]))
        pids = {l.split()[-1] for l in lines if l.startswith("Process ID:")}
        self.assertEqual(len(pids), 4, "each process has its own pid")
        self.assertNotIn(str(self.k.interpreter_pid()), pids)

    def test_seed002_main_then_child(self):
        reply, out, err, _ = self.k.run(
            'func test() {\n\tfmt.Println("This is my multiprocessing program")\n}\n'
            'm := mp.NewProcess(test)\nfmt.Println("This is my main program")\n'
            'm.Start()\nm.Join()')
        self.assertEqual(out, "This is my main program\nThis is my multiprocessing program\n")
        reply, out, err, _ = self.k.run("test()")
        self.assertEqual(out, "This is my multiprocessing program\n")

    def test_seed002_pool_map(self):
        reply, out, err, _ = self.k.run(
            'func square(n int) int { return n * n }\n'
            'pool := mp.NewPool(4)\n'
            'out, err := pool.Map(square, []int{1, 2, 3, 4, 5, 6, 7, 8, 9})\n'
            'pool.Close()\npool.Join()\nfmt.Println(out, err)')
        self.assertEqual(reply["content"]["status"], "ok", err)
        self.assertEqual(out, "[1 4 9 16 25 36 49 64 81] <nil>\n")

    def test_seed003_pool_workers_print(self):
        reply, out, err, _ = self.k.run(
            'func printSquare(number int) {\n\tfmt.Println(number * number)\n}\n'
            'pool4 := mp.NewPool(4)\n'
            'results, err := pool4.Map(printSquare, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})\n'
            'pool4.Close()\nfmt.Println(len(results), err)')
        self.assertEqual(reply["content"]["status"], "ok", err)
        lines = out.splitlines()
        self.assertEqual(lines[-1], "10 <nil>")
        self.assertEqual(collections.Counter(lines[:-1]), collections.Counter(str(n * n) for n in range(10)))

    def test_seed004_worker_sleeps(self):
        reply, out, err, _ = self.k.run(
            'func worker() {\n\tfmt.Printf("Worker process ID: %d\\n", os.Getpid())\n'
            '\ttime.Sleep(200 * time.Millisecond)\n\tfmt.Println("Worker process finished execution.")\n}\n'
            'process := mp.NewProcess(worker)\nprocess.Start()\n'
            'fmt.Printf("Main process ID: %d\\n", os.Getpid())\n'
            'fmt.Println("Main process waiting for the worker process to finish...")\n'
            'process.Join()\nfmt.Println("Main process resumed execution.")')
        self.assertEqual(reply["content"]["status"], "ok", err)
        lines = out.splitlines()
        self.assertEqual(lines[-2:], ["Worker process finished execution.", "Main process resumed execution."])
        self.assertEqual(collections.Counter(PIDS.sub("PID", l) for l in lines[:-2]), collections.Counter([
            "Worker process ID: PID", "Main process ID: PID",
            "Main process waiting for the worker process to finish..."]))
        self.assertIn("Main process ID: %d" % self.k.interpreter_pid(), lines)


class Routing(unittest.TestCase):
    """Nothing lost, lines whole, causality."""

    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        cls.k.run('import (\n\t"fmt"\n\t"mp"\n)')

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def test_many_processes_many_lines_then_join(self):
        n, lines = 6, 5000
        reply, out, err, _ = self.k.run(
            'func chatter(id, n int) {\n\tfor i := 0; i < n; i++ {\n'
            '\t\tfmt.Printf("proc %%d line %%d of a line long enough to matter\\n", id, i)\n\t}\n}\n'
            'var ps []*mp.Process\nfor id := 0; id < %d; id++ {\n'
            '\tp := mp.NewProcess(chatter, id, %d)\n\tps = append(ps, p)\n\tp.Start()\n}\n'
            'for _, p := range ps {\n\tp.Join()\n}\nfmt.Println("joined")' % (n, lines))
        self.assertEqual(reply["content"]["status"], "ok", err)
        got = out.splitlines()
        self.assertEqual(got[-1], "joined", "everything children printed comes before what the parent prints after Join")
        per = collections.defaultdict(list)
        for l in got[:-1]:
            m = re.fullmatch(r"proc (\d+) line (\d+) of a line long enough to matter", l)
            self.assertIsNotNone(m, "a line was split or mixed: %r" % l)
            per[int(m.group(1))].append(int(m.group(2)))
        self.assertEqual(sorted(per), list(range(n)))
        for pid, seq in per.items():
            self.assertEqual(seq, list(range(lines)), "process %d lost or reordered lines" % pid)

    def test_pool_task_output_precedes_its_result(self):
        reply, out, err, _ = self.k.run(
            'func noisy(i int) int {\n\tfmt.Println("task", i)\n\treturn i\n}\n'
            'p2 := mp.NewPool(2)\nfor r := range p2.Imap(noisy, []int{0, 1, 2, 3, 4, 5, 6, 7}) {\n'
            '\tfmt.Println("result", r.Value)\n}\np2.Close()')
        self.assertEqual(reply["content"]["status"], "ok", err)
        lines = out.splitlines()
        for i in range(8):
            self.assertLess(lines.index("task %d" % i), lines.index("result %d" % i))

    def test_output_pinned_to_starting_cell(self):
        msg1 = self.k.kc.execute(
            'import "time"\nfunc late() {\n\ttime.Sleep(300 * time.Millisecond)\n\tfmt.Println("late line")\n}\n'
            'lp := mp.NewProcess(late)\nlp.Start()')
        self.k.reply_for(msg1)
        first = self.k.outputs(msg1)
        reply, out, err, _ = self.k.run('time.Sleep(time.Second)\nlp.Join()\nfmt.Println("second cell")')
        self.assertEqual(out, "second cell\n")
        # The late line is parented to the first cell even though it was printed while the second ran.
        seen = "".join(m["content"]["text"] for m in first + self.k.stray
                       if m["msg_type"] == "stream" and m["parent_header"].get("msg_id") == msg1)
        deadline = time.time() + 10
        while "late line" not in seen and time.time() < deadline:
            try:
                m = self.k.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if m["parent_header"].get("msg_id") == msg1 and m["msg_type"] == "stream":
                seen += m["content"]["text"]
        self.assertIn("late line", seen)

    def test_child_displays_reach_the_cell_in_order(self):
        reply, out, err, msgs = self.k.run(
            'import "display"\n'
            'func chart(n int) {\n\tfmt.Println("drawing", n)\n'
            '\tdisplay.Show(display.HTML(fmt.Sprintf("<b>chart %d</b>", n)))\n\tfmt.Println("drawn", n)\n}\n'
            'cp := mp.NewProcess(chart, 5)\ncp.Start()\ncp.Join()')
        self.assertEqual(reply["content"]["status"], "ok", err)
        seq = []
        for m in msgs:
            if m["msg_type"] == "stream":
                seq += m["content"]["text"].splitlines()
            elif m["msg_type"] == "display_data":
                seq.append(m["content"]["data"]["text/html"])
        self.assertEqual(seq, ["drawing 5", "<b>chart 5</b>", "drawn 5"])

    def test_child_updates_a_display_its_parent_showed(self):
        reply, out, err, msgs = self.k.run(
            'import "display"\n'
            'func finish(id string) {\n\tdisplay.HandleOf(id).Update(display.Text(id + ": done"))\n}\n'
            'display.ShowAs("job-7", display.Text("job-7: waiting"))\n'
            'jp := mp.NewProcess(finish, "job-7")\njp.Start()\njp.Join()')
        self.assertEqual(reply["content"]["status"], "ok", err)
        shown = [m["content"] for m in msgs if m["msg_type"] == "display_data"]
        updates = [m["content"] for m in msgs if m["msg_type"] == "update_display_data"]
        self.assertEqual([s["transient"]["display_id"] for s in shown], ["job-7"])
        self.assertEqual([(u["transient"]["display_id"], u["data"]["text/plain"]) for u in updates],
                         [("job-7", "job-7: done")])

    def test_queue_items_come_back_as_their_types(self):
        reply, out, err, msgs = self.k.run(
            'type score struct {\n\tName   string\n\tPoints []int\n}\n'
            'func report(q *mp.Queue) {\n\tq.Put(score{"ada", []int{3, 4}})\n\tq.Put([]int{5, 6})\n}\n'
            'sq := mp.NewQueue()\nsp := mp.NewProcess(report, sq)\nsp.Start()\n'
            'first, _ := sq.Get()\nsecond, _ := sq.Get()\nsp.Join()\n'
            's := first.(score)\nxs := second.([]int)\n'
            'fmt.Println(s.Name, s.Points[1], xs[0]+xs[1])')
        self.assertEqual(reply["content"]["status"], "ok", err)
        self.assertEqual(out, "ada 4 11\n")

    def test_pool_progress_bar_redraws_in_place(self):
        reply, out, err, msgs = self.k.run(
            'import "time"\nfunc slowSquare(x int) int {\n\ttime.Sleep(20 * time.Millisecond)\n\treturn x * x\n}\n'
            'pp := mp.NewPool(2)\nsq, err := pp.Map(slowSquare, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, mp.WithProgress("squares"))\n'
            'pp.Close()\nfmt.Println(sq[19], err)')
        self.assertEqual(reply["content"]["status"], "ok", err)
        shown = [m for m in msgs if m["msg_type"] == "display_data"]
        updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(shown), 1)
        bar = shown[0]["content"]["transient"]["display_id"]
        self.assertTrue(bar.startswith("gomp-progress-"))
        self.assertGreaterEqual(len(updates), 1)
        for u in updates:
            self.assertEqual(u["content"]["transient"]["display_id"], bar)
        final = updates[-1]["content"]["data"]
        self.assertIn("20/20", final["text/plain"])
        self.assertIn("<progress", final["text/html"])
        self.assertEqual(out, "400 <nil>\n")
        # The bar is finished before the cell goes on.
        last_update = max(i for i, m in enumerate(msgs) if m["msg_type"] == "update_display_data")
        first_print = min(i for i, m in enumerate(msgs) if m["msg_type"] == "stream")
        self.assertLess(last_update, first_print)


class Failures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        cls.k.run('import (\n\t"fmt"\n\t"os"\n\t"mp"\n)')

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def test_child_panic(self):
        reply, out, err, _ = self.k.run(
            'func explode(n int) {\n\tpanic(fmt.Sprintf("child %d exploded", n))\n}\n'
            'pp := mp.NewProcess(explode, 5)\npp.Start()\npp.Join()\n'
            'code, exited := pp.ExitCode()\nfmt.Println("exit", code, exited)')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("exit 1 true", out)
        self.assertIn("child 5 exploded", err)

    def test_pool_panic_then_pool_still_works(self):
        reply, out, err, _ = self.k.run(
            'func fragile(n int) int {\n\tif n == 3 {\n\t\tpanic("three is bad")\n\t}\n\treturn n * 10\n}\n'
            'fp := mp.NewPool(2)\n_, err := fp.Map(fragile, []int{1, 2, 3, 4})\n'
            'fmt.Println("error:", err)\nout, err := fp.Map(fragile, []int{1, 2})\nfmt.Println(out, err)\nfp.Close()')
        self.assertEqual(reply["content"]["status"], "ok", err)
        self.assertIn("three is bad", out)
        self.assertIn("[10 20] <nil>", out)

    def test_worker_exit_is_an_error_not_a_hang(self):
        reply, out, err, _ = self.k.run(
            'func quit(n int) int {\n\tif n == 2 {\n\t\tos.Exit(4)\n\t}\n\treturn n\n}\n'
            'qp := mp.NewPool(2)\n_, err := qp.Map(quit, []int{1, 2, 3})\nfmt.Println("error:", err != nil)\n'
            'v, err := qp.Apply(quit, 7)\nfmt.Println(v, err)\nqp.Close()')
        self.assertEqual(reply["content"]["status"], "ok", err)
        self.assertIn("error: true", out)
        self.assertIn("7 <nil>", out)

    def test_closure_is_refused_in_the_parent(self):
        reply, out, err, _ = self.k.run(
            'k := 3\nclosure := func(n int) int { return n * k }\n'
            'cp := mp.NewPool(1)\n_, err := cp.Map(closure, []int{1})\nfmt.Println(err)\ncp.Close()')
        self.assertIn("top level", out)

    def test_exit_code_and_terminate(self):
        reply, out, err, _ = self.k.run(
            'import "time"\nfunc forever() {\n\ttime.Sleep(time.Hour)\n}\n'
            'func leave() {\n\tos.Exit(3)\n}\n'
            'a := mp.NewProcess(leave)\na.Start()\na.Join()\nfmt.Println(a.ExitCode())\n'
            'b := mp.NewProcess(forever)\nb.Start()\nb.Terminate()\nb.Join()\nfmt.Println(b.ExitCode())')
        self.assertEqual(out, "3 true\n-15 true\n")


class Lifetimes(unittest.TestCase):
    """Interrupt, shutdown and SIGKILL of the kernel leave no child."""

    def start_sleeper(self, k):
        reply, out, err, _ = k.run(
            'import (\n\t"fmt"\n\t"time"\n\t"mp"\n)\nfunc sleeper() {\n\ttime.Sleep(time.Hour)\n}\n'
            'sl := mp.NewProcess(sleeper)\nsl.Start()\nfmt.Println(sl.Pid())')
        self.assertEqual(reply["content"]["status"], "ok", err)
        pid = int(out.strip())
        self.assertTrue(alive(pid))
        return pid

    def test_interrupt_stops_the_cells_processes(self):
        k = Kernel()
        try:
            k.run('import (\n\t"fmt"\n\t"os"\n\t"time"\n\t"mp"\n)\nfunc nap(i int) {\n\tfmt.Println("napping", i, os.Getpid())\n\ttime.Sleep(time.Hour)\n}\nkept := 5')
            msg_id = k.kc.execute(
                'var naps []*mp.Process\nfor i := 0; i < 3; i++ {\n\tp := mp.NewProcess(nap, i)\n'
                '\tnaps = append(naps, p)\n\tp.Start()\n}\nfor _, p := range naps {\n\tp.Join()\n}')
            seen = ""
            deadline = time.time() + 30
            while seen.count("napping") < 3 and time.time() < deadline:
                try:
                    m = k.kc.get_iopub_msg(timeout=1)
                except queue.Empty:
                    continue
                if m["msg_type"] == "stream":
                    seen += m["content"]["text"]
            # The cell's children, not the spare worker the kernel keeps
            # warm once a notebook imports mp.
            kids = [int(l.split()[2]) for l in seen.splitlines() if l.startswith("napping")]
            self.assertEqual(len(kids), 3)
            self.assertTrue(set(kids) <= set(children_of(k.interpreter_pid())))
            k.km.interrupt_kernel()
            reply = k.reply_for(msg_id)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(wait_gone(kids), [])
            reply, out, err, _ = k.run("fmt.Println(kept)")
            self.assertEqual(out, "5\n")
        finally:
            k.close()

    def test_client_death_ends_kernel_and_children(self):
        import subprocess
        import sys
        client = subprocess.Popen([sys.executable, "-c", (
            "import time\n"
            "from jupyter_client.manager import start_new_kernel\n"
            "km, kc = start_new_kernel(kernel_name='gomp')\n"
            "r = kc.execute_interactive('import (\"fmt\"\\n\"time\"\\n\"mp\"\\n)\\n"
            "func s() { time.Sleep(time.Hour) }\\np := mp.NewProcess(s)\\np.Start()\\n"
            "fmt.Println(p.Pid())', timeout=60, output_hook=lambda m: m['msg_type'] == 'stream' and "
            "print(km.provisioner.process.pid, m['content']['text'].strip(), flush=True))\n"
            "time.sleep(3600)\n")], stdout=subprocess.PIPE, text=True)
        try:
            kernel, child = map(int, client.stdout.readline().split())
            self.assertTrue(alive(kernel) and alive(child))
            client.kill()
            client.wait()
            self.assertEqual(wait_gone([kernel, child]), [], "the kernel outlived the client that started it")
        finally:
            client.kill()
            client.stdout.close()

    def warm_spare(self, k):
        """A notebook that imports mp gets a spare worker, started after
        the cell: wait for it and return its pid."""
        k.run('import "mp"')
        deadline = time.time() + 20
        while time.time() < deadline:
            kids = children_of(k.interpreter_pid())
            if kids:
                return kids[0]
            time.sleep(0.05)
        self.fail("no spare worker after a cell imported mp")

    def test_shutdown_ends_children(self):
        k = Kernel()
        spare = self.warm_spare(k)
        pid = self.start_sleeper(k)
        k.close()
        self.assertEqual(wait_gone([pid, spare]), [])

    def test_sigkill_of_the_kernel_ends_children(self):
        k = Kernel()
        spare = self.warm_spare(k)
        pid = self.start_sleeper(k)
        os.kill(k.pid(), signal.SIGKILL)
        try:
            self.assertEqual(wait_gone([pid, spare]), [], "a child outlived its SIGKILLed kernel")
        finally:
            k.kc.stop_channels()
            k.km.cleanup_resources()


if __name__ == "__main__":
    unittest.main(verbosity=2)
