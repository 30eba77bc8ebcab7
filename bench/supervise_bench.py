"""supervise_bench.py: what running cells in a supervised interpreter
process costs, measured side by side in one run against a gomp built
without it (the kernel holding the interpreter itself).

    python supervise_bench.py --before OLD_GOMP --after NEW_GOMP [--quick]

Both binaries get a kernelspec in a private JUPYTER_DATA_DIR; the two
kernels are driven by the same jupyter_client code (kernel_bench.Kernel),
interleaved so that machine noise hits both alike. It prints a markdown
table: cold start to kernel_info_reply, the trivial execute round trip (in
a fresh notebook and in one holding 50 declarations and 20 variables),
100,000 printed lines to idle, and, for the supervised kernel, a crash of
that notebook's interpreter to the error reply, restore included."""

import argparse
import json
import os
import tempfile

from kernel_bench import Kernel
from results import median

TRIVIAL = "x = 1"
STREAM = 'import "fmt"\nfor i := 0; i < 100000; i++ {\n\tfmt.Println(i)\n}'
CRASH = 'func boom() { panic("boom") }\ntime.AfterFunc(0, boom)\ntime.Sleep(time.Minute)'


def big_notebook():
    """50 declarations and 20 small variables, as one cell."""
    lines = ['import (\n\t"fmt"\n\t"strings"\n\t"time"\n)', "var x int"]
    for i in range(25):
        lines.append(f"type rec{i} struct {{ A, B int; Name string }}")
        lines.append(f"func f{i}(n int) int {{ return n*{i} + len(strings.Repeat(\"a\", {i})) }}")
    for i in range(20):
        lines.append(f"v{i} := rec{i % 25}{{A: {i}, B: f{i}(2), Name: fmt.Sprint({i})}}")
    return "\n".join(lines)


def install(data, name, binary):
    d = os.path.join(data, "kernels", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "kernel.json"), "w") as f:
        json.dump({"argv": [binary, "kernel", "{connection_file}"], "display_name": name,
                   "language": "go", "interrupt_mode": "signal"}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="gomp-supervise-bench-")
    os.environ["JUPYTER_DATA_DIR"] = data
    os.environ["JUPYTER_PATH"] = data
    names = {"before": "gomp-before", "after": "gomp-after"}
    install(data, names["before"], a.before)
    install(data, names["after"], a.after)
    reps = dict(cold=5, trivial=100, stream=2, crash=3) if a.quick else dict(cold=15, trivial=600, stream=15, crash=10)

    rows = {}

    def add(metric, which, v):
        rows.setdefault(metric, {}).setdefault(which, []).append(v)

    for _ in range(reps["cold"]):
        for w, n in names.items():
            k = Kernel(n)
            try:
                add("cold start to kernel_info_reply (ms)", w, k.start() * 1000)
            finally:
                k.stop()

    kernels = {w: Kernel(n) for w, n in names.items()}
    for k in kernels.values():
        k.start()
        k.run("var x int")
    for _ in range(reps["trivial"] // 20):
        for w, k in kernels.items():
            for _ in range(20):
                r = k.execute(TRIVIAL, keep_text=False)
                add("trivial execute to execute_reply (ms)", w, r.reply_s * 1000)
                add("trivial execute to idle (ms)", w, r.idle_s * 1000)
    for _ in range(reps["stream"]):
        for w, k in kernels.items():
            r = k.execute(STREAM, keep_text=False)
            assert r.lines == 100000, r.lines
            add("print 100000 lines to idle (ms)", w, r.idle_s * 1000)
    for k in kernels.values():
        k.stop()

    kernels = {w: Kernel(n) for w, n in names.items()}
    for k in kernels.values():
        k.start()
        k.run(big_notebook())
    for _ in range(reps["trivial"] // 20):
        for w, k in kernels.items():
            for _ in range(20):
                r = k.execute(TRIVIAL, keep_text=False)
                add("trivial execute to idle, 50 decls + 20 vars notebook (ms)", w, r.idle_s * 1000)
    k = kernels["after"]
    for _ in range(reps["crash"]):
        r = k.execute(CRASH, keep_text=False)
        assert "A new interpreter restored the notebook" in r.error, r.error
        add("crash of that notebook to error reply, restore included (ms)", "after", r.reply_s * 1000)
        r = k.run("fmt.Println(v19.B, f3(1))")
    for k in kernels.values():
        k.stop()

    print("| Metric (median) | in-process interpreter (before) | supervised interpreter (after) | after − before | after / before |")
    print("|---|---|---|---|---|")
    for metric, by in rows.items():
        b = median(by["before"]) if "before" in by else None
        f = median(by["after"])
        if b is None:
            print(f"| {metric} | n/a | {f:.2f} | | |")
        else:
            print(f"| {metric} | {b:.2f} | {f:.2f} | {f - b:+.2f} | {f / b:.3f} |")


if __name__ == "__main__":
    main()
