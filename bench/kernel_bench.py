"""Kernel protocol benchmarks: one jupyter_client driver for every kernel.

Kernel starts a kernel by kernelspec name with jupyter_client's
KernelManager and talks to it over plain (synchronous) ZeroMQ sockets with
jupyter_client's Session, so gomp and ipykernel are driven by the very same
code. Every timestamp is taken when a message is read off a socket that
poll reported readable, so a reply and the idle status are timed separately.

Run as a script it measures part 1 of the harness (cold start, trivial
execute round trip, stream throughput), interleaving the kernels.
"""

import argparse
import subprocess
import time

import zmq
from jupyter_client.manager import KernelManager

from results import Results, median, p95

# The trivial cell is the same text for both kernels: an assignment to a
# variable the setup cell declared, which prints nothing.
SETUP = {"gomp": "var x int", "python3": "x = 0"}
TRIVIAL = "x = 1"
STREAM = {
    "gomp": 'import "fmt"\nfor i := 0; i < {n}; i++ {{\n\tfmt.Println(i)\n}}',
    "python3": "for i in range({n}):\n    print(i)",
}
# Rich output: n HTML displays, and n redraws of one display in place.
DISPLAYS = {
    "gomp": 'import (\n\t"display"\n\t"fmt"\n)\nfor i := 0; i < {n}; i++ {{\n\tdisplay.Show(display.HTML(fmt.Sprintf("<b>%d</b>", i)))\n}}',
    "python3": "from IPython.display import display, HTML\nfor i in range({n}):\n    display(HTML(f'<b>{{i}}</b>'))",
}
UPDATES = {
    "gomp": 'h := display.Show(display.HTML("start"))\nfor i := 0; i < {n}; i++ {{\n\th.Update(display.HTML(fmt.Sprintf("<b>%d</b>", i)))\n}}',
    "python3": "h = display(HTML('start'), display_id=True)\nfor i in range({n}):\n    h.update(HTML(f'<b>{{i}}</b>'))",
}
# Editor help: what Tab and Shift+Tab wait for, on a standard-library name.
COMPLETE = {"gomp": ("strings.Sp", 10), "python3": ("import os\nos.pa", 15)}
INSPECT = {"gomp": ("strings.Split", 10), "python3": ("str.split", 6)}
PEER = "python3 ipykernel"


class CellError(Exception):
    """CellError is an error reply to an execute_request."""


class Reply:
    """Reply is what one execute_request produced: seconds from sending it
    to the execute_reply and to the kernel's idle status, the text of
    stdout and stderr, and the error (ename: evalue), if any."""

    def __init__(self):
        self.reply_s = self.idle_s = None
        self.stdout, self.stderr, self.error = [], [], ""
        self.lines = 0
        self.displays = 0  # display_data and update_display_data messages


class Kernel:
    """Kernel is one running kernel and the client sockets that drive it."""

    def __init__(self, name):
        self.name = name
        self.km = KernelManager(kernel_name=name)
        self.km.shutdown_wait_time = 3.0
        self.shell = self.iopub = None

    def start(self, timeout=60):
        """start launches the kernel and returns the seconds from launching
        it to the first kernel_info_reply."""
        # The kernel binds its ports after it starts; until then ZeroMQ
        # retries the connection every RECONNECT_IVL (100 ms by default),
        # which would round a fast kernel's start up to the next retry.
        self.km.context.setsockopt(zmq.RECONNECT_IVL, 5)
        t0 = time.perf_counter()
        self.km.start_kernel(stderr=subprocess.DEVNULL)
        self.shell = self.km.connect_shell()
        self.iopub = self.km.connect_iopub()
        msg = self.km.session.msg("kernel_info_request", {})
        self.km.session.send(self.shell, msg)
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not self.shell.poll(int(left * 1000)):
                raise TimeoutError(f"{self.name}: no kernel_info_reply in {timeout}s")
            _, reply = self.km.session.recv(self.shell, mode=0)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                cold = time.perf_counter() - t0
                break
        self._settle_iopub()
        return cold

    def _settle_iopub(self, timeout=30):
        """_settle_iopub waits until the IOPub subscription is live (a
        kernel_info round trip whose idle status arrives), since a SUB
        socket drops what was published before it connected."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            msg = self.km.session.msg("kernel_info_request", {})
            self.km.session.send(self.shell, msg)
            got = time.perf_counter() + 0.5
            while time.perf_counter() < got:
                if not self.iopub.poll(100):
                    continue
                _, m = self.km.session.recv(self.iopub, mode=0)
                if (m["msg_type"] == "status"
                        and m["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                        and m["content"]["execution_state"] == "idle"):
                    self._drain_shell()
                    return
        raise TimeoutError(f"{self.name}: IOPub never delivered a status")

    def _drain_shell(self):
        while self.shell.poll(0):
            self.km.session.recv(self.shell, mode=0)

    def execute(self, code, timeout=600, keep_text=True):
        """execute runs code as a cell and returns its Reply; it waits for
        both the execute_reply and the idle status of this request."""
        r = Reply()
        msg = self.km.session.msg("execute_request", dict(
            code=code, silent=False, store_history=False, user_expressions={},
            allow_stdin=False, stop_on_error=True))
        mid = msg["header"]["msg_id"]
        poller = zmq.Poller()
        poller.register(self.shell, zmq.POLLIN)
        poller.register(self.iopub, zmq.POLLIN)
        t0 = time.perf_counter()
        self.km.session.send(self.shell, msg)
        deadline = t0 + timeout
        while r.reply_s is None or r.idle_s is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{self.name}: cell did not finish in {timeout}s")
            for sock, _ in poller.poll(int(left * 1000)):
                _, m = self.km.session.recv(sock, mode=0)
                now = time.perf_counter() - t0
                if m["parent_header"].get("msg_id") != mid:
                    continue
                self._take(r, sock, m, now, keep_text)
        return r

    def _take(self, r, sock, m, now, keep_text):
        t, c = m["msg_type"], m["content"]
        if sock is self.shell and t == "execute_reply":
            r.reply_s = now
            if c.get("status") != "ok" and not r.error:
                r.error = f"{c.get('ename', '')}: {c.get('evalue', '')}"
        elif t == "status" and c.get("execution_state") == "idle":
            r.idle_s = now
        elif t == "stream":
            r.lines += c["text"].count("\n")
            if keep_text:
                (r.stdout if c["name"] == "stdout" else r.stderr).append(c["text"])
        elif t in ("display_data", "update_display_data"):
            r.displays += 1
        elif t == "error":
            r.error = f"{c.get('ename', '')}: {c.get('evalue', '')}"

    def request(self, msg_type, content, timeout=60):
        """request sends a shell request and returns the seconds to its
        reply and the reply's content."""
        msg = self.km.session.msg(msg_type, content)
        t0 = time.perf_counter()
        self.km.session.send(self.shell, msg)
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not self.shell.poll(int(left * 1000)):
                raise TimeoutError(f"{self.name}: no reply to {msg_type} in {timeout}s")
            _, m = self.km.session.recv(self.shell, mode=0)
            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return time.perf_counter() - t0, m["content"]

    def run(self, code, **kw):
        """run executes code and raises CellError if it failed."""
        r = self.execute(code, **kw)
        if r.error:
            raise CellError(r.error.strip())
        return r

    def stop(self):
        """stop shuts the kernel down (politely, then by force)."""
        for s in (self.shell, self.iopub):
            if s is not None:
                s.close(linger=0)
        if not self.km.has_kernel:
            return
        try:
            self.km.shutdown_kernel(now=False)
        except Exception:
            self.km.shutdown_kernel(now=True)


def lang(name):
    """lang maps a kernelspec name to the key of the cell tables."""
    return "gomp" if name == "gomp" else "python3"


def label(name):
    return "gomp" if name == "gomp" else PEER


def bench_cold(res, names, reps):
    cold = {n: [] for n in names}
    errors = {}
    for _ in range(reps):
        for n in names:
            k = Kernel(n)
            try:
                cold[n].append(k.start())
            except Exception as e:
                print(f"  {n}: start failed: {e}")
                errors[n] = f"error: {e}"[:200]
            finally:
                k.stop()
    for n in names:
        v = median(cold[n]) * 1000 if cold[n] else None
        res.add("kernel", "cold start to first kernel_info_reply (median)",
                label(n), v, "ms", note=errors.get(n, "") if v is None else f"{len(cold[n])} starts")


def bench_round_trip(res, kernels, total, block=20):
    reply = {n: [] for n in kernels}
    idle = {n: [] for n in kernels}
    failed = {}
    for _ in range(max(1, total // block)):
        for n, k in kernels.items():
            for _ in range(block):
                if n in failed:
                    break
                try:
                    r = k.execute(TRIVIAL, keep_text=False, timeout=30)
                except TimeoutError as e:
                    failed[n] = f"error: {e}"
                    break
                if r.error:
                    failed[n] = f"error: {r.error}"[:200]
                    break
                reply[n].append(r.reply_s * 1000)
                idle[n].append(r.idle_s * 1000)
    for n in kernels:
        for what, xs in (("execute_reply", reply[n]), ("idle", idle[n])):
            for stat, f in (("median", median), ("p95", p95)):
                note = f"{len(xs)} requests" if xs else failed.get(n, "")
                res.add("kernel", f"trivial execute to {what} ({stat})", label(n),
                        f(xs) if xs else None, "ms", note=note)


def repeat_cell(kernels, cells, reps):
    """repeat_cell runs each kernel's cell (cells maps lang to code) reps
    times, interleaving the kernels, and returns the Replies per kernel and
    the first failure of each kernel that failed (its later runs are
    skipped)."""
    replies = {n: [] for n in kernels}
    failed = {}
    for _ in range(reps):
        for n, k in kernels.items():
            if n in failed:
                continue
            try:
                r = k.execute(cells[lang(n)], keep_text=False, timeout=60)
            except TimeoutError as e:
                failed[n] = f"error: {e}"
                continue
            if r.error:
                failed[n] = f"error: {r.error}"[:200]
                continue
            replies[n].append(r)
    return replies, failed


def add_cell_rows(res, kernels, what, replies, failed, count, count_unit, scale=1, unit="s"):
    """add_cell_rows reports the median time to idle of each kernel's runs
    and the fewest of count(reply), which must be equal across kernels."""
    for n in kernels:
        took = [r.idle_s * scale for r in replies[n]]
        res.add("kernel", f"{what}: to idle (median)", label(n),
                median(took) if took else None, unit, note=failed.get(n, ""))
        got = [count(r) for r in replies[n]]
        res.add("kernel", f"{what}: {count_unit} received (fewest)", label(n),
                min(got) if got else None, count_unit, better="equal", note=failed.get(n, ""))


def bench_stream(res, kernels, lines, reps):
    cells = {k: v.format(n=lines) for k, v in STREAM.items()}
    replies, failed = repeat_cell(kernels, cells, reps)
    add_cell_rows(res, kernels, f"print {lines} lines", replies, failed, lambda r: r.lines, "lines")


def bench_rich(res, kernels, n, reps):
    """bench_rich times n displays, and n redraws of one display, from one
    cell to idle, and counts the messages that arrived."""
    for what, table in ((f"{n} HTML displays", DISPLAYS), (f"{n} updates of one display", UPDATES)):
        cells = {k: v.format(n=n) for k, v in table.items()}
        replies, failed = repeat_cell(kernels, cells, reps)
        add_cell_rows(res, kernels, what, replies, failed, lambda r: r.displays, "messages", scale=1000, unit="ms")


def bench_help(res, kernels, reps):
    """bench_help times complete_request and inspect_request on a
    standard-library name (the first inspect parses the package's docs and
    is reported on its own)."""
    for what, table, msg_type in (("complete", COMPLETE, "complete_request"), ("inspect", INSPECT, "inspect_request")):
        for name, k in kernels.items():
            code, cursor = table[lang(name)]
            content = {"code": code, "cursor_pos": cursor}
            if msg_type == "inspect_request":
                content["detail_level"] = 0
            times, first, note = [], None, ""
            try:
                for i in range(reps + 1):
                    s, c = k.request(msg_type, content)
                    ok = c.get("status") == "ok" and (c.get("matches") or c.get("found"))
                    if not ok:
                        note = f"error: nothing found for {code!r}"
                    if i == 0:
                        first = s * 1000
                    else:
                        times.append(s * 1000)
            except TimeoutError as e:
                note = f"error: {e}"
            note = note or repr(code.splitlines()[-1])
            res.add("kernel", f"{what} a standard-library name: first", label(name), first, "ms", note=note)
            res.add("kernel", f"{what} a standard-library name: later (median)", label(name),
                    median(times) if times else None, "ms", note=note)


def start_all(res, names, setup, section="kernel"):
    """start_all starts one kernel per name and runs its setup cell; a
    kernel that fails is reported (its rows become n/a) and left out."""
    kernels = {}
    for n in names:
        k = Kernel(n)
        try:
            k.start()
            if setup.get(lang(n)):
                k.run(setup[lang(n)])
            kernels[n] = k
        except Exception as e:
            print(f"  {n}: kernel unusable: {e}", flush=True)
            res.add(section, "kernel usable", label(n), None, "", note=f"error: {e}"[:200])
            k.stop()
    return kernels


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernels", default="gomp,python3")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    names = a.kernels.split(",")
    res = Results()
    bench_cold(res, names, 2 if a.quick else 5)
    kernels = start_all(res, names, SETUP)
    try:
        bench_round_trip(res, kernels, 40 if a.quick else 200)
        bench_stream(res, kernels, 100_000, 1 if a.quick else 3)
        bench_rich(res, kernels, 200, 1 if a.quick else 5)
        bench_help(res, kernels, 5 if a.quick else 20)
    finally:
        for k in kernels.values():
            k.stop()


if __name__ == "__main__":
    main()
