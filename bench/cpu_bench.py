"""Part 2: CPU-bound cells in gomp against CPython and compiled Go.

The workloads are bench/cpu/loops.go (compiled by bench/run into the cpu
binary, and sent as a gomp cell minus its package clause) and its twin
bench/cpu/loops.py (sent as a cell to the Python kernel). Each timed cell
calls one workload once and prints "RESULT name result seconds"; the
compiled binary prints the same lines. Rounds alternate gomp, CPython and
compiled Go, and the table shows medians over rounds.
"""

import os
import subprocess

from kernel_bench import start_all
from results import Results, kernel_args, median

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ["fib(27)", "sliceLoop(200000)", "mapLoop(200000)"]
HELPER = {
    "gomp": '''import (
	"fmt"
	"time"
)

func timeIt(name string, f func() int) {
	start := time.Now()
	r := f()
	fmt.Println("RESULT", name, r, time.Since(start).Seconds())
}''',
    "python3": '''import time

def time_it(name, f):
    start = time.perf_counter()
    r = f()
    print("RESULT", name, r, time.perf_counter() - start)''',
}
CALL = {
    "gomp": 'timeIt("{w}", func() int {{ return {w} }})',
    "python3": 'time_it("{w}", lambda: {w})',
}
IMPL = {"gomp": "gomp", "python3": "CPython (ipykernel)"}
COMPILED = "compiled Go"


def source(lang):
    """source is the workload file as a cell for lang."""
    name = "loops.go" if lang == "gomp" else "loops.py"
    with open(os.path.join(HERE, "cpu", name)) as f:
        text = f.read()
    if lang == "gomp":
        text = text.replace("package main\n", "", 1)
    return text


def parse(text):
    """parse reads "RESULT name result seconds" lines into {name: (result, s)}."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "RESULT":
            out[f[1]] = (f[2], float(f[3]))
    return out


def main():
    a = kernel_args(__doc__)
    res = Results()
    setup = {lang: source(lang) + "\n" for lang in ("gomp", "python3")}
    names = a.kernels.split(",")
    kernels = start_all(res, names, {}, section="cpu")
    errors = {IMPL[n]: "kernel did not start" for n in names if n not in kernels}
    for n, k in list(kernels.items()):
        try:
            k.run(setup[n])
            k.run(HELPER[n])
        except Exception as e:
            print(f"  {n}: workload setup failed: {e}")
            errors[IMPL[n]] = f"error: {e}"[:200]
            k.stop()
            del kernels[n]
    impls = [IMPL[n] for n in names] + [COMPILED]
    times = {(impl, w): [] for impl in impls for w in WORKLOADS}
    results = {}
    try:
        for _ in range(1 if a.quick else 5):
            for w in WORKLOADS:
                for n, k in list(kernels.items()):
                    try:
                        r = k.execute(CALL[n].format(w=w), timeout=120)
                    except TimeoutError as e:
                        errors[IMPL[n]] = f"error: {e}"
                        kernels.pop(n).stop()
                        continue
                    got = parse("".join(r.stdout)).get(w)
                    if r.error or got is None:
                        print(f"  {n}: {w} failed: {r.error}")
                        errors[IMPL[n]] = f"error: {r.error}"[:200]
                        continue
                    results[(IMPL[n], w)] = got[0]
                    times[(IMPL[n], w)].append(got[1])
            out = subprocess.run([a.gobin, "-reps", "1"], capture_output=True,
                                 text=True, check=True).stdout
            for name, (r, s) in parse(out).items():
                results[(COMPILED, name)] = r
                times[(COMPILED, name)].append(s)
    finally:
        for k in kernels.values():
            k.stop()
    for w in WORKLOADS:
        want = results.get((COMPILED, w))
        for impl in impls:
            xs = times[(impl, w)]
            note = "" if xs else errors.get(impl, "no result")
            if xs and results.get((impl, w)) != want:
                note = f"wrong result {results.get((impl, w))}, want {want}"
            res.add("cpu", w, impl, median(xs) * 1000 if xs else None, "ms", note=note)

if __name__ == "__main__":
    main()
