"""The CPU-bound workloads in Python, line for line the same as loops.go.

The file is sent verbatim as a cell to the Python kernel and also imported
by plain scripts.
"""


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def sliceLoop(n):
    xs = [0] * n
    for i in range(n):
        xs[i] = i * 7 % 1000
    s = 0
    for p in range(5):
        for x in xs:
            s += x ^ p
    return s


def mapLoop(n):
    m = {}
    keys = n // 10
    for i in range(n):
        k = i % keys
        m[k] = m.get(k, 0) + i
    s = 0
    for i in range(keys):
        s += m[i] % 7
    return s + len(m)
