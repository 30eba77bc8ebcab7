"""Part 3: gomp's mp against Python's multiprocessing, fork and spawn, in
the kernel and in plain processes.

gomp runs the cells of mp_cells.txtar in its kernel; Python runs the
bench_* functions of mp_bench.py, imported in a Python kernel cell and in
plain `python3 mp_bench.py` processes. Rounds alternate the five settings;
the table shows each figure's median over rounds. Each round also measures
the machine's CPU-bound ceiling: one compiled fib alone against two at once.

gomp runs its cells twice per round: with interpreted workers (the rows
named as before) and with compiled workers (mp.SetWorkers(mp.Compiled):
the rows that say "compiled workers", with the build's latency).

The cluster rows (issue #18) use `gomp cluster serve` on loopback with two
joined workers, and, as root, a second server whose workers run in
network namespaces (bench/netns.py): each round times a CPU-bound Map
with one worker host, then with two, the same round's ceiling beside it.
"""

import os
import re
import string
import subprocess
import sys
import time

import netns
from kernel_bench import start_all
from results import Results, kernel_args, median

HERE = os.path.dirname(os.path.abspath(__file__))
# (key, row name, unit, better, scale from the raw figure)
METRICS = [
    ("first_output", "Process: create+Start to target's first output (median)", "ms", "lower", 1e3),
    ("start_join", "Process: create+Start+Join of a no-op (median)", "ms", "lower", 1e3),
    ("pool_create", "Pool(2): create to first Map of 2 items done (median)", "ms", "lower", 1e3),
    ("pool_map", "Pool(2).Map of a trivial func over 100000 ints", "items/s", "higher", 1),
    ("pool_speedup", "Pool(2).Map CPU-bound speedup over serial", "x", "higher", 1),
    ("queue", "Queue: messages/s from a child to the parent", "msg/s", "higher", 1),
    ("pipe", "Pipe: round trip to an echoing child", "us", "lower", 1),
]
NOT_YET = ("queue", "pipe")
# The cells run again with compiled workers: (key, row name, unit, better, scale).
COMPILED = [
    ("pool_map", "Pool(2).Map of a trivial func over 100000 ints, compiled workers", "items/s", "higher", 1),
    ("pool_fib", "fib(27) as a Pool task, compiled workers (median)", "ms", "lower", 1e3),
    ("pool_speedup_compiled", "Pool(2) CPU-bound speedup over Pool(1), compiled workers", "x", "higher", 1),
    ("build_first", "compiled worker: build + Start, first (warm Go build cache)", "s", "lower", 1),
    ("build_changed", "compiled worker: build + Start, one function changed", "s", "lower", 1),
    ("build_same", "compiled worker: Start, nothing changed (no build)", "s", "lower", 1),
]
PLAIN_FORK = "Python fork (plain)"
PLAIN = {"fork": PLAIN_FORK, "spawn": "Python spawn (plain)"}
KERNEL = {"fork": "Python fork (kernel)", "spawn": "Python spawn (kernel)"}
# Pools across machines (issue #18): `gomp cluster serve` on loopback with
# two joined workers of one slot each, against the local Pool(2) (both
# with interpreted workers) and Python's fork pool of the same run:
# (key, row name, unit, better, scale, [(peer, its impl, its key)]).
CLUSTER = [
    ("pool_map_cluster", "Pool(2).Map of a trivial func over 100000 ints, on the cluster (2 joined workers, loopback)",
     "items/s", "higher", 1, [("gomp local Pool(2)", "gomp", "pool_map"), ("Python fork (plain)", PLAIN_FORK, "pool_map")]),
    ("apply_local", "Pool(2).Apply of a trivial func, round trip, local (median)",
     "ms", "lower", 1e3, [("Python fork (plain)", PLAIN_FORK, "apply")]),
    ("apply_cluster", "Pool(2).Apply of a trivial func, round trip, on the cluster (2 joined workers, loopback) (median)",
     "ms", "lower", 1e3, [("gomp local Pool(2)", "gomp", "apply_local"), ("Python fork (plain)", PLAIN_FORK, "apply")]),
]
# The CPU-bound Map on a server whose workers (one slot each) run in
# network namespaces: the time with one worker host over the time with two.
HOSTS = ("hosts_speedup", "cluster Map CPU-bound speedup, interpreted workers on 2 hosts (netns, 1 slot each) over 1 host",
         "x", "higher", 1)
INTERPRETED_FIB = ("pool_fib", "fib(27) as a Pool task, interpreted workers (median)", "ms", "lower", 1e3)


def sizes(quick, lang):
    """sizes are the work sizes; the CPU-bound unit differs by language so
    that the serial run takes about half a second in each."""
    s = dict(reps=10, pool_reps=5, items=100_000, messages=10_000, round_trips=2_000,
             fib_n=23 if lang == "gomp" else 27, fib_count=16, cfib_n=32, salt=0, applies=200)
    if quick:
        s.update(reps=4, pool_reps=2, fib_count=8, messages=2_000, round_trips=500, applies=50)
    return s


def gomp_cells():
    """gomp_cells reads mp_cells.txtar into {name: cell source}."""
    with open(os.path.join(HERE, "mp_cells.txtar")) as f:
        parts = re.split(r"^-- (\S+) --\n", f.read(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def results_of(text):
    """results_of reads "RESULT [metric] value" lines."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == "RESULT":
            out[f[1] if len(f) == 3 else ""] = float(f[-1])
    return out


def first_output(text):
    """first_output pairs START and STAMP lines into a median in seconds."""
    starts = [int(l.split()[1]) for l in text.splitlines() if l.startswith("START ")]
    stamps = [int(l.split()[1]) for l in text.splitlines() if l.startswith("STAMP ")]
    if not starts or len(starts) != len(stamps):
        raise ValueError(f"{len(starts)} START lines but {len(stamps)} STAMP lines")
    return median([(b - a) / 1e9 for a, b in zip(starts, stamps)])


def run_gomp(k, cells, s, figs, errors, impl="gomp", keys=None):
    """run_gomp runs the mp cells named by keys (all of METRICS by default)
    once, recording them under impl; it returns False if the kernel hung (a
    timed-out cell leaves it busy, so it must be dropped)."""
    for key in keys or [m[0] for m in METRICS]:
        cell = string.Template(cells[key]).substitute(s)
        try:
            r = k.execute(cell, timeout=120)
        except TimeoutError as e:
            errors[impl, key] = f"error: {e}"
            return False
        text = "".join(r.stdout)
        if key in ("interpreted", "compiled"):
            continue
        try:
            if r.error:
                raise ValueError(r.error.strip().splitlines()[0])
            v = first_output(text) if key == "first_output" else results_of(text)[""]
            figs.setdefault((impl, key), []).append(v)
        except (ValueError, KeyError) as e:
            undefined = "undefined" in str(e) or "has no field or method" in str(e)
            errors[impl, key] = ("n/a (not implemented yet)" if key in NOT_YET and undefined
                                 else f"error: {e}"[:240])
    return True


def run_gomp_both(k, cells, s, figs, errors):
    """run_gomp_both runs the cells with interpreted workers, then the
    compiled rows' cells with compiled workers."""
    keys = ["interpreted"] + [m[0] for m in METRICS] + ["pool_fib", "apply_local"]
    if s.get("cluster"):
        keys += ["pool_map_cluster", "apply_cluster"]
    if not run_gomp(k, cells, s, figs, errors, keys=keys):
        return False
    keys = ["compiled"] + [m[0] for m in COMPILED]
    return run_gomp(k, cells, s, figs, errors, impl="gomp compiled", keys=keys)


def python_fib27():
    """python_fib27 times fib(27) in a plain CPython process (median of 3)."""
    code = ("import time\ndef fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n"
            "ts = []\nfor _ in range(3):\n    t = time.perf_counter(); fib(27); ts.append(time.perf_counter() - t)\n"
            "print(sorted(ts)[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def go_fib27(gobin):
    """go_fib27 is compiled Go's fib(27) from bench/cpu, in seconds."""
    out = subprocess.run([gobin, "-reps", "3"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f[:2] == ["RESULT", "fib(27)"]:
            return float(f[3])
    raise ValueError("bench/cpu printed no fib(27)")


def run_python_kernel(k, method, s, figs, errors):
    cell = (f"for m, v in mp_bench.run_all({method!r}, {s!r}):\n"
            f"    print('RESULT', m, v, flush=True)")
    try:
        r = k.execute(cell, timeout=300)
    except TimeoutError as e:
        errors[KERNEL[method], "*"] = f"error: {e}"
        return
    for key, v in results_of("".join(r.stdout)).items():
        figs.setdefault((KERNEL[method], key), []).append(v)
    if r.error:
        errors[KERNEL[method], "*"] = f"error: {r.error}"[:240]


def run_python_plain(method, s, figs, errors):
    arg = ",".join(f"{k}={v}" for k, v in s.items())
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "mp_bench.py"), "--method", method,
                            "--sizes", arg], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        errors[PLAIN[method], "*"] = f"error: {e}"
        return
    for key, v in results_of(p.stdout).items():
        figs.setdefault((PLAIN[method], key), []).append(v)
    if p.returncode:
        errors[PLAIN[method], "*"] = f"error: {p.stderr.strip().splitlines()[-1]}"[:240]


def ceiling(gobin, n=36):
    """ceiling is how many times faster two CPU-bound processes finish
    together than one after the other: 2.0 on two free cores."""
    t0 = time.perf_counter()
    subprocess.run([gobin, "-spin", str(n)], check=True, capture_output=True)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    ps = [subprocess.Popen([gobin, "-spin", str(n)], stdout=subprocess.DEVNULL) for _ in range(2)]
    for p in ps:
        p.wait()
    return 2 * one / (time.perf_counter() - t0)


def hosts_round(k, cells, s, hosts, figs, errors, gobin):
    """hosts_round times the CPU-bound Map on the namespaced cluster in the
    order one host, two hosts, two hosts, one host (so that a load that
    drifts steadily cancels out), and records the round's speedup (the
    one-host times over the two-host times) and the machine's ceiling,
    measured just before and just after; False if the kernel hung."""
    times = {}
    before = ceiling(gobin)
    order = (1, 2, 2, 1)
    for i, n in enumerate(order):
        if n == 2 and hosts.names[1] not in hosts.workers:
            hosts.join(hosts.names[1])
        try:
            ok = run_gomp(k, cells, dict(s, hosts=hosts.url), times, errors, impl=n, keys=["hosts_map"])
        finally:
            if n == 2 and order[i + 1:i + 2] != (2,):
                hosts.leave(hosts.names[1])
        if not ok:
            return False
    figs.setdefault(("machine", "hosts_ceiling"), []).append((before + ceiling(gobin)) / 2)
    one, two = times.get((1, "hosts_map"), []), times.get((2, "hosts_map"), [])
    if len(one) == 2 and len(two) == 2:
        figs.setdefault(("gomp", HOSTS[0]), []).append(sum(one) / sum(two))
    elif (1, "hosts_map") in errors or (2, "hosts_map") in errors:
        errors["gomp", HOSTS[0]] = errors.get((1, "hosts_map")) or errors.get((2, "hosts_map"))
    return True


def start_hosts(gomp, url):
    """start_hosts makes the namespaced cluster with two worker hosts, the
    first one joined; it returns it and "", or None and why not."""
    if not url:
        return None, "no gomp binary to serve with"
    why = netns.available()
    if why:
        return None, why
    try:
        hosts = netns.Hosts(gomp)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        return None, f"network namespaces: {e}"
    try:
        hosts.names = [hosts.host("worker1"), hosts.host("worker2")]
        hosts.join(hosts.names[0])
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        hosts.close()
        return None, f"network namespaces: {e}"
    return hosts, ""


def start_cluster(gomp):
    """start_cluster runs `gomp cluster serve` on a free loopback port and
    two `gomp worker --join` of one slot each; it returns the pools' URL
    and the processes to stop, or ("", []) when gomp is not there."""
    if not os.access(gomp, os.X_OK):
        return "", []
    import socket
    import tempfile
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        addr = "127.0.0.1:%d" % so.getsockname()[1]
    d = tempfile.mkdtemp(prefix="gomp-bench-cluster-")
    creds = os.path.join(d, "token")
    serve = subprocess.Popen([gomp, "cluster", "serve", "--listen", addr, "--store", os.path.join(d, "store"),
                              "--creds", creds], stdout=subprocess.PIPE, text=True)
    url = ""
    for line in serve.stdout:
        if "mp.WithCluster(" in line:
            url = line.split("mp.WithCluster(", 1)[1].strip().rstrip(")").strip('"')
            break
    procs = [serve]
    for _ in range(2):
        w = subprocess.Popen([gomp, "worker", "--join", "nats://" + addr, "--creds", creds, "--slots", "1"],
                             stdout=subprocess.PIPE, text=True)
        w.stdout.readline()
        procs.append(w)
    return url, procs


def main():
    a = kernel_args(__doc__)
    res = Results()
    names = a.kernels.split(",")
    setup = {"gomp": gomp_cells()["setup"],
             "python3": f"import sys\nsys.path.insert(0, {HERE!r})\nimport mp_bench"}
    kernels = start_all(res, names, setup, section="mp")
    impls = (["gomp"] if "gomp" in names else []) + (
        list(KERNEL.values()) if "python3" in names else []) + list(PLAIN.values())
    figs, errors = {}, {}
    for impl in impls:
        if impl == "gomp" and "gomp" not in kernels:
            errors["gomp", "*"] = "error: kernel unusable"
        if impl in KERNEL.values() and "python3" not in kernels:
            errors[impl, "*"] = "error: kernel unusable"
    rnd = 0
    gomp = os.path.join(os.path.dirname(a.gobin), "gomp")
    url, cluster_procs = start_cluster(gomp)
    hosts, no_hosts = start_hosts(gomp, url)
    try:
        for _ in range(1 if a.quick else 5):
            figs.setdefault(("machine", "ceiling"), []).append(ceiling(a.gobin))
            figs.setdefault(("compiled Go", "fib27"), []).append(go_fib27(a.gobin))
            figs.setdefault(("CPython (plain)", "fib27"), []).append(python_fib27())
            rnd += 1
            s = dict(sizes(a.quick, "gomp"), salt=int(time.time()) * 10 + rnd, cluster=url)
            if "gomp" in kernels and not run_gomp_both(kernels["gomp"], gomp_cells(), s, figs, errors):
                kernels.pop("gomp").stop()
            if "gomp" in kernels and hosts and not hosts_round(kernels["gomp"], gomp_cells(), s, hosts, figs, errors,
                                                          a.gobin):
                kernels.pop("gomp").stop()
            for method in ("fork", "spawn"):
                if "python3" in kernels:
                    run_python_kernel(kernels["python3"], method, sizes(a.quick, "py"),
                                      figs, errors)
                run_python_plain(method, sizes(a.quick, "py"), figs, errors)
    finally:
        for k in kernels.values():
            k.stop()
        for p in reversed(cluster_procs):
            p.terminate()
            p.wait()
        if hosts:
            hosts.close()
    for key, row, unit, better, scale in METRICS:
        for impl in impls:
            xs = figs.get((impl, key), [])
            note = "" if xs else errors.get((impl, key), errors.get((impl, "*"), "no result"))
            res.add("mp", row, impl, median(xs) * scale if xs else None, unit, better, note)
        if key == "pool_speedup":
            c = figs.get(("machine", "ceiling"), [])
            res.add("mp", row, "machine ceiling", median(c) if c else None, unit, better,
                    note="2 compiled fib(36) at once vs one; a speedup cannot beat it")
    for key, row, unit, better, scale, peers in CLUSTER:
        xs = figs.get(("gomp", key), [])
        note = "" if xs else errors.get(("gomp", key), "no result" if url else "no gomp binary to serve with")
        res.add("mp", row, "gomp", median(xs) * scale if xs else None, unit, better, note)
        for peer, impl, pkey in peers:
            ys = figs.get((impl, pkey), [])
            res.add("mp", row, peer, median(ys) * scale if ys else None, unit, better,
                    "" if ys else errors.get((impl, pkey), errors.get((impl, "*"), "no result")))
    key, row, unit, better, scale = HOSTS
    xs = figs.get(("gomp", key), [])
    note = "" if xs else errors.get(("gomp", key), no_hosts or "no result")
    res.add("mp", row, "gomp", median(xs) if xs else None, unit, better, note)
    c = figs.get(("machine", "hosts_ceiling"), [])
    res.add("mp", row, "machine ceiling", median(c) if c else None, unit, better,
            note="2 compiled fib(36) at once vs one, just before and after each round's two Maps")
    key, row, unit, better, scale = INTERPRETED_FIB
    compiled_rows(res, figs, errors, [(key, row, unit, better, scale)], "gomp")
    compiled_rows(res, figs, errors, COMPILED, "gomp compiled")


def compiled_rows(res, figs, errors, metrics, impl):
    """compiled_rows adds the rows of the worker-kind comparison, gomp's
    figure first and then the same run's peers for it."""
    def fig(who, key):
        xs = figs.get((who, key), [])
        return median(xs) if xs else None
    for key, row, unit, better, scale in metrics:
        xs = figs.get((impl, key), [])
        note = "" if xs else errors.get((impl, key), errors.get((impl, "*"), "no result"))
        res.add("mp", row, "gomp", median(xs) * scale if xs else None, unit, better, note)
        if key == "pool_map":
            for peer in PLAIN.values():
                v = fig(peer, "pool_map")
                res.add("mp", row, peer, v, unit, better, "" if v else "no result")
        elif key == "pool_fib":
            for peer, k in (("compiled Go", "fib27"), ("CPython (plain)", "fib27")):
                v = fig(peer, k)
                res.add("mp", row, peer, v * scale if v else None, unit, better, "" if v else "no result")
        elif key == "pool_speedup_compiled":
            v = fig("machine", "ceiling")
            res.add("mp", row, "machine ceiling", v, unit, better,
                    note="2 compiled fib(36) at once vs one; a speedup cannot beat it")
        elif key.startswith("build_"):
            v = fig("gomp", "start_join")
            res.add("mp", row, "Process start+Join, interpreted", v, unit, better,
                    "" if v else "no result")


if __name__ == "__main__":
    main()
