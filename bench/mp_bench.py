"""Python multiprocessing peers of the mp benchmarks (part 3).

Each bench_* function takes a multiprocessing context ("fork" or "spawn")
and returns one figure; mp_cells.txtar holds the gomp cells that measure
the same things the same way. The functions run in two settings:
  - plain processes: `python3 mp_bench.py --method fork` prints one
    "RESULT metric value" line per benchmark;
  - in the Python kernel: mp_compare.py imports this module in a cell and
    calls the same functions, so targets are importable even under spawn.
"""

import argparse
import multiprocessing
import statistics
import time

# Work sizes shared with mp_cells.txtar (mp_compare.py passes them in).
SIZES = dict(reps=10, pool_reps=5, items=100_000, fib_n=27, fib_count=16, messages=10_000,
             round_trips=2_000, applies=200)


def noop():
    pass


def stamp(v):
    v.value = time.time_ns()


def square(x):
    return x * x


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def produce(q, n):
    for i in range(n):
        q.put(i)


def echo(conn, n):
    for _ in range(n):
        conn.send(conn.recv())


def bench_first_output(ctx, reps):
    """Seconds (median) from creating a Process to its target running: the
    target stamps the wall clock into shared memory, as a first output."""
    v = ctx.Value("q", 0, lock=False)
    ts = []
    for _ in range(reps):
        t0 = time.time_ns()
        p = ctx.Process(target=stamp, args=(v,))
        p.start()
        p.join()
        ts.append((v.value - t0) / 1e9)
    return statistics.median(ts)


def bench_start_join(ctx, reps):
    """Seconds (median) to create, start and join a Process of a no-op."""
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def bench_pool_create(ctx, reps):
    """Seconds (median) from creating Pool(2) to its first map of two items
    returning: a pool that is ready to work."""
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        pool = ctx.Pool(2)
        pool.map(square, [1, 2])
        ts.append(time.perf_counter() - t0)
        pool.close()
        pool.join()
    return statistics.median(ts)


def bench_pool_map(ctx, items):
    """Items per second of Pool(2).map(square, range(items)) on a warm pool."""
    xs = list(range(items))
    with ctx.Pool(2) as pool:
        pool.map(square, [1, 2])
        t0 = time.perf_counter()
        out = pool.map(square, xs)
        d = time.perf_counter() - t0
    assert len(out) == items and out[-1] == xs[-1] ** 2
    return items / d


def bench_apply(ctx, n):
    """Seconds (median) of a Pool(2).apply(square) round trip, warm pool."""
    with ctx.Pool(2) as pool:
        pool.apply(square, (1,))
        ts = []
        for i in range(n):
            t0 = time.perf_counter()
            pool.apply(square, (i,))
            ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def bench_pool_speedup(ctx, n, count):
    """Serial time over Pool(2).map time for count calls of fib(n)."""
    t0 = time.perf_counter()
    for _ in range(count):
        fib(n)
    serial = time.perf_counter() - t0
    with ctx.Pool(2) as pool:
        pool.map(square, [1, 2])
        t0 = time.perf_counter()
        pool.map(fib, [n] * count, chunksize=1)
        par = time.perf_counter() - t0
    return serial / par


def bench_queue(ctx, n):
    """Messages per second through a Queue from a child to the parent."""
    q = ctx.Queue()
    p = ctx.Process(target=produce, args=(q, n))
    t0 = time.perf_counter()
    p.start()
    for _ in range(n):
        q.get()
    d = time.perf_counter() - t0
    p.join()
    return n / d


def bench_pipe(ctx, n):
    """Microseconds per round trip over a Pipe to a child that echoes."""
    a, b = ctx.Pipe()
    p = ctx.Process(target=echo, args=(b, n))
    p.start()
    a.send(0)
    a.recv()
    t0 = time.perf_counter()
    for i in range(n - 1):
        a.send(i)
        a.recv()
    d = time.perf_counter() - t0
    p.join()
    return d / (n - 1) * 1e6


def run_all(method, sizes=None):
    """run_all yields (metric, value) for every benchmark, in table order."""
    s = dict(SIZES, **(sizes or {}))
    ctx = multiprocessing.get_context(method)
    yield "first_output", bench_first_output(ctx, s["reps"])
    yield "start_join", bench_start_join(ctx, s["reps"])
    yield "pool_create", bench_pool_create(ctx, s["pool_reps"])
    yield "pool_map", bench_pool_map(ctx, s["items"])
    yield "apply", bench_apply(ctx, s["applies"])
    yield "pool_speedup", bench_pool_speedup(ctx, s["fib_n"], s["fib_count"])
    yield "queue", bench_queue(ctx, s["messages"])
    yield "pipe", bench_pipe(ctx, s["round_trips"])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--method", choices=["fork", "spawn"], required=True)
    ap.add_argument("--sizes", default="", help="overrides, e.g. reps=3,items=1000")
    a = ap.parse_args()
    sizes = {k: int(v) for k, v in (kv.split("=") for kv in a.sizes.split(",") if kv)}
    for metric, value in run_all(a.method, sizes):
        print("RESULT", metric, value, flush=True)


if __name__ == "__main__":
    main()
