"""Worker hosts as network namespaces, for the cluster rows of part 3.

Hosts(gomp) makes a switch namespace holding a bridge, joins this
namespace to it by a veth pair (so the benchmark's kernel, here, reaches
the server) and runs `gomp cluster serve` here on that link's address;
each host(name) is a namespace on the bridge in which join() runs a
`gomp worker --join` of one slot. It needs root and iproute2's ip;
available() says why not otherwise. Names start with gomp<pid>-, as the
e2e test's do, so that either removes what a killed run left behind.
"""

import os
import re
import socket
import subprocess
import tempfile


def available():
    """available returns "" when namespaces can be made, else why not."""
    if os.geteuid() != 0:
        return "needs root for `ip netns add`"
    try:
        subprocess.run(["ip", "-V"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        return f"no iproute2 ip: {e}"
    return ""


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def remove_stale():
    """remove_stale removes namespaces named after processes that are gone."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"gomp(\d+)-\S+", line)
        if m and not pid_alive(int(m.group(1))):
            kill_in(line.split()[0])
            subprocess.run(["ip", "netns", "del", line.split()[0]], capture_output=True)


def kill_in(ns):
    out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
    for pid in out.split():
        try:
            os.kill(int(pid), 9)
        except OSError:
            pass


class Hosts:
    """Hosts is the server here and worker hosts on a private subnet."""

    def __init__(self, gomp):
        remove_stale()
        self.gomp = gomp
        pid = os.getpid()
        self.prefix = f"gomp{pid}"
        # A subnet per run: this namespace routes to it.
        self.net = f"10.214.{pid % 250}."
        self.spaces, self.procs, self.workers, self.link = [], [], {}, None
        self.dir = tempfile.mkdtemp(prefix="gomp-bench-hosts-")
        try:
            self.sw = self._netns("switch")
            ip("-n", self.sw, "link", "add", "br0", "type", "bridge")
            ip("-n", self.sw, "link", "set", "br0", "up")
            self.link = self.prefix  # this namespace's end of the veth pair
            ip("link", "add", self.link, "type", "veth", "peer", "name", "up0", "netns", self.sw)
            ip("-n", self.sw, "link", "set", "up0", "master", "br0", "up")
            ip("addr", "add", self.net + "1/24", "dev", self.link)
            ip("link", "set", self.link, "up")
            self.hosts = 1
            self.url, self.join_url, self.creds = self._serve()
        except Exception:
            self.close()
            raise

    def _netns(self, name):
        ns = f"{self.prefix}-{name}"
        ip("netns", "add", ns)
        self.spaces.append(ns)
        ip("-n", ns, "link", "set", "lo", "up")
        return ns

    def _serve(self):
        with socket.socket() as so:
            so.bind((self.net + "1", 0))
            addr = "%s1:%d" % (self.net, so.getsockname()[1])
        creds = os.path.join(self.dir, "token")
        serve = subprocess.Popen([self.gomp, "cluster", "serve", "--listen", addr, "--store",
                                  os.path.join(self.dir, "store"), "--creds", creds],
                                 stdout=subprocess.PIPE, text=True)
        self.procs.append(serve)
        for line in serve.stdout:
            if "mp.WithCluster(" in line:
                url = line.split("mp.WithCluster(", 1)[1].strip().rstrip(")").strip('"')
                return url, "nats://" + addr, creds
        raise RuntimeError("gomp cluster serve ended before printing the pools' URL")

    def host(self, name):
        """host adds a namespace on the bridge with the next address."""
        self.hosts += 1
        ns = self._netns(name)
        port = f"p{self.hosts}"
        ip("-n", self.sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
        ip("-n", self.sw, "link", "set", port, "master", "br0", "up")
        ip("-n", ns, "addr", "add", f"{self.net}{self.hosts}/24", "dev", "eth0")
        ip("-n", ns, "link", "set", "eth0", "up")
        return ns

    def join(self, ns):
        """join runs a worker of one slot on host ns, once it has joined."""
        w = subprocess.Popen(["ip", "netns", "exec", ns, self.gomp, "worker", "--join", self.join_url,
                              "--creds", self.creds, "--slots", "1"], stdout=subprocess.PIPE, text=True)
        if "joined" not in w.stdout.readline():
            w.kill()
            w.wait()
            raise RuntimeError(f"gomp worker on {ns} did not join")
        self.workers[ns] = w

    def leave(self, ns):
        """leave stops the worker on host ns."""
        w = self.workers.pop(ns)
        w.terminate()
        w.wait()

    def close(self):
        for ns in list(self.workers):
            self.leave(ns)
        for p in reversed(self.procs):
            p.terminate()
            p.wait()
        for ns in reversed(self.spaces):
            kill_in(ns)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if self.link:
            subprocess.run(["ip", "link", "del", self.link], capture_output=True)
        subprocess.run(["rm", "-rf", self.dir])
