"""The report: turns the JSON-lines measurements into the comparison table,
prints it, writes bench/RESULTS.md and refreshes the headline block of
bench/README.md.

Every row pairs gomp's figure with one peer's, measured in the same run,
and gives the ratio gomp/peer and what it means ("2.1x faster").
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SECTIONS = [
    ("kernel", "1. Kernel protocol (gomp vs Python's ipykernel, same jupyter_client driver)"),
    ("cpu", "2. Interpreter: CPU-bound cells (gomp vs CPython and compiled Go)"),
    ("mp", "3. mp vs Python multiprocessing (fork and spawn; in the kernel and in plain processes)"),
]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(v, unit):
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        s = f"{v:,.0f}"
    elif abs(v) >= 100:
        s = f"{v:.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}" if abs(v) >= 0.01 else f"{v:.2g}"
    return f"{s} {unit}".strip()


def compare(g, p, better):
    """compare gives the ratio gomp/peer and its meaning."""
    if g is None or p is None:
        return "", ""
    if better == "equal":
        return "", "same" if g == p else f"differs by {g - p:+g}"
    if not g or not p:
        return "", ""
    r = g / p
    faster = r < 1 if better == "lower" else r > 1
    k = 1 / r if r < 1 else r
    if abs(k - 1) < 0.005:
        return f"{r:.2f}", "even"
    word = ("faster" if faster else "slower") if better == "lower" else (
        "more" if faster else "less")
    return f"{r:.3g}", (f"{k:.0f}x {word}" if k >= 10 else f"{k:.2f}x {word}")


def aim(section, metric, peer, g, p, nproc, better):
    """aim is the issue's target for this row, if any, and whether it is met."""
    if g is None or p is None or not p:
        return ""
    r = g / p
    if section == "mp" and "hosts (netns" in metric:
        return ("met" if r >= 0.9 else "missed") + " (within 10% of the ceiling)"
    if section == "mp" and ("on the cluster" in metric or "Apply" in metric):
        return ""  # the issue sets no aim: the figures say what a cluster costs
    if section == "kernel" and "ipykernel" in peer and (
            "cold" in metric or ("trivial" in metric and "median" in metric)):
        return ("met" if r <= 1 else "missed") + " (<= 1x)"
    if section == "mp" and metric.startswith("Process:"):
        if "fork" in peer:
            return ("met" if r <= 2 else "missed") + " (within 2x of fork)"
        return ("met" if r < 1 else "missed") + " (ahead of spawn)"
    if section == "mp" and "compiled workers" in metric:
        if "Map of a trivial" in metric:
            return ("met" if r >= 2 else "missed") + " (>= 2x)"
        if "fib(27)" in metric and peer == "compiled Go":
            return ("met" if r <= 1.5 else "missed") + " (within 1.5x)"
        if "fib(27)" in metric and "CPython" in peer:
            return ("met" if r <= 0.1 else "missed") + " (10x faster)"
        if "speedup" in metric:
            return ("met" if r >= 0.9 else "missed") + " (within 10% of the ceiling)"
    if section == "mp" and metric.startswith("compiled worker: build"):
        return ("met" if g <= 1.5 else "missed") + " (<= 1.5 s)"
    if section == "mp" and ("Map of a trivial" in metric or "Queue" in metric):
        return ("met" if r > 1 else "missed") + " (ahead)"
    if section == "mp" and "speedup" in metric and peer == "machine ceiling":
        return ("met" if g >= 0.9 * nproc else "missed") + f" (>= {0.9 * nproc:.1f}x)"
    return ""


def rows(recs, nproc):
    """rows yields (section, metric, gomp, peer, peer figure, ratio, meaning, aim)."""
    order, by, unusable = [], {}, {}
    for r in recs:
        if r["metric"] == "kernel usable":
            unusable[r["section"], r["impl"]] = r["note"] or "kernel unusable"
            continue
        key = (r["section"], r["metric"])
        if key not in by:
            order.append(key)
        by.setdefault(key, []).append(r)
    for key in order:
        group = by[key]
        gs = [r for r in group if r["impl"] == "gomp"]
        g = gs[-1] if gs else None
        gtext = fmt(g["value"], g["unit"]) if g else unusable.get((key[0], "gomp"), "n/a")
        if g and g["value"] is None:
            gtext = g["note"] or "n/a"
        for p in (r for r in group if r["impl"] != "gomp"):
            ptext = fmt(p["value"], p["unit"]) if p["value"] is not None else (
                p["note"] or unusable.get((key[0], p["impl"]), "n/a"))
            gv = g["value"] if g else None
            ratio, meaning = compare(gv, p["value"], p["better"])
            yield (key[0], key[1], gtext, p["impl"], ptext, ratio, meaning,
                   aim(key[0], key[1], p["impl"], gv, p["value"], nproc, p["better"]))


def table(rs, section):
    out = ["| Metric | gomp | Peer | Peer's figure | gomp/peer | gomp is | Aim |",
           "|---|---|---|---|---|---|---|"]
    last = None
    for r in rs:
        if r[0] != section:
            continue
        metric = r[1] if r[1] != last else '"'
        last = r[1]
        out.append("| " + " | ".join([metric, *map(str, r[2:])]) + " |")
    return "\n".join(out)


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError as e:
        return f"unavailable ({e})"


def machine(gomp, quick):
    mem = sh("free", "-h").splitlines()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    py = sys.executable  # the venv's python bench/run runs this with
    return [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("mode", "quick (--quick smoke run: fewer repetitions)" if quick else "full"),
        ("machine", f"{platform.node()}, {os.cpu_count()} CPUs (nproc {sh('nproc')}), {cpu}"),
        ("memory", mem[1].split()[1] + " total" if len(mem) > 1 else "unknown"),
        ("kernel/os", f"{platform.system()} {platform.release()}"),
        ("load average (1, 5, 15 min) when written", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("go", sh("go", "version")),
        ("gomp", sh(gomp, "version") if os.path.exists(gomp) else "did not build (gomp rows are n/a)"),
        ("gomp tree", sh("git", "-C", HERE, "describe", "--always", "--dirty")),
        ("python3", sh(py, "--version")),
        ("ipykernel", sh(py, "-c", "import ipykernel; print(ipykernel.__version__)")),
        ("jupyter_client", sh(py, "-c", "import jupyter_client; print(jupyter_client.__version__)")),
    ]


def headline(rs):
    """headline picks the rows the README leads with."""
    want = [
        ("kernel", "cold start", "python3 ipykernel"),
        ("kernel", "trivial execute to idle (median)", "python3 ipykernel"),
        ("kernel", "lines: to idle", "python3 ipykernel"),
        ("kernel", "HTML displays: to idle", "python3 ipykernel"),
        ("kernel", "updates of one display: to idle", "python3 ipykernel"),
        ("kernel", "complete a standard-library name: later", "python3 ipykernel"),
        ("kernel", "inspect a standard-library name: first", "python3 ipykernel"),
        ("cpu", "fib(27)", "CPython (ipykernel)"),
        ("cpu", "fib(27)", "compiled Go"),
        ("cpu", "mapLoop", "CPython (ipykernel)"),
        ("mp", "create+Start to target", "Python fork (plain)"),
        ("mp", "create+Start to target", "Python spawn (plain)"),
        ("mp", "Map of a trivial", "Python fork (plain)"),
        ("mp", "speedup", "machine ceiling"),
        ("mp", "fib(27) as a Pool task, interpreted", "compiled Go"),
        ("mp", "fib(27) as a Pool task, compiled", "compiled Go"),
        ("mp", "fib(27) as a Pool task, compiled", "CPython (plain)"),
        ("mp", "ints, compiled workers", "Python fork (plain)"),
        ("mp", "speedup over Pool(1), compiled", "machine ceiling"),
        ("mp", "build + Start, first", "Process start+Join, interpreted"),
        ("mp", "one function changed", "Process start+Join, interpreted"),
        ("mp", "Queue", "Python fork (plain)"),
        ("mp", "ints, on the cluster", "gomp local Pool(2)"),
        ("mp", "ints, on the cluster", "Python fork (plain)"),
        ("mp", "round trip, on the cluster", "gomp local Pool(2)"),
        ("mp", "hosts (netns", "machine ceiling"),
    ]
    out = ["| Headline | gomp | Peer | gomp is | Aim |", "|---|---|---|---|---|"]
    for sec, part, peer in want:
        for r in rs:
            if r[0] == sec and part in r[1] and r[3] == peer:
                out.append(f"| {r[1]} | {r[2]} | {peer}: {r[4]} | {r[6] or 'n/a'} | {r[7]} |")
                break
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results")
    ap.add_argument("--gomp", default="gomp", help="the gomp binary measured")
    ap.add_argument("--gotest", help="output of the Go benchmarks")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--readme", default=os.path.join(HERE, "README.md"),
                    help="README whose headline block to refresh ('' for none)")
    a = ap.parse_args()
    rs = list(rows(load(a.results), os.cpu_count()))
    info = machine(a.gomp, a.quick)
    parts = ["# gomp benchmark results", "",
             "Written by `bench/run`; see bench/README.md for what each row means.", ""]
    parts += [f"- {k}: {v}" for k, v in info] + ["", "## Headline", "", headline(rs), ""]
    for sec, title in SECTIONS:
        parts += [f"## {title}", "", table(rs, sec), ""]
    if a.gotest and os.path.exists(a.gotest):
        with open(a.gotest) as f:
            parts += ["## 4. Go benchmarks of the hot paths",
                      "", "`go test -run '^$' -bench . -benchmem ./kernel ./interp ./mp`", "",
                      "```", f.read().rstrip(), "```", ""]
    text = "\n".join(parts)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)
    if a.readme and os.path.exists(a.readme):
        with open(a.readme) as f:
            readme = f.read()
        block = (f"<!-- headline:start -->\nFrom the last run ({info[0][1]}, {info[1][1]}):\n\n"
                 f"{headline(rs)}\n<!-- headline:end -->")
        new = re.sub(r"<!-- headline:start -->.*<!-- headline:end -->", lambda _: block,
                     readme, flags=re.S)
        with open(a.readme, "w") as f:
            f.write(new)


if __name__ == "__main__":
    main()
