#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-health: what `mintmon watch` costs and how fast it notices.

On one running Debian guest (tests/lib/qemu.py, KASLR on, its load running):

  cost       watch at 100 ms and at 10 ms for --seconds each: CPU time of the
             watch process (utime + stime from /proc) per second, and reads and
             bytes per poll (its own metrics); `mintmon poll` at the same
             period, in the same run, as the baseline (the session's poll alone)
  hang       QMP stop: time until watch prints hung, minus --hung-after (the
             threshold a user sets), in periods; then cont. --runs times per period
  panic      sysrq c with kernel.panic=0: time until watch prints panicked, in
             periods; then QMP system_reset and the next boot. --runs times per period

Medians. Nothing is asserted; the figures go to docs/benchmarks.md.

    python3 tests/bench/bench_health.py --mintmon build/bin/mintmon [--runs 3]
        [--seconds 20] [--kernel 6.1-amd64] [--out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import kernels  # noqa: E402
import qemu  # noqa: E402
from health_checks import free_port, terminate  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def metric(port, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        for ln in r.read().decode().splitlines():
            if ln.startswith(name + "{"):
                return float(ln.rsplit(" ", 1)[1])
    return None


class Watch:
    def __init__(self, mintmon, target, interval, hung_after):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [mintmon, "watch", target, "--interval", str(interval), "--hung-after",
             str(hung_after), "--metrics", "127.0.0.1:%d" % self.port],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                self.lines.append((time.monotonic(), json.loads(raw)))
            except ValueError:
                pass

    def wait(self, state, since, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for t, o in list(self.lines):
                if t >= since and o.get("new") == state:
                    return t
            time.sleep(0.002)
        return None

    def stop(self):
        terminate(self.proc)


def cost(mintmon, target, interval, seconds):
    w = Watch(mintmon, target, interval, 1000)
    time.sleep(2)
    c0, p0 = cpu_seconds(w.proc.pid), metric(w.port, "mintmon_polls_total")
    r0, b0 = metric(w.port, "mintmon_read_requests_total"), metric(w.port, "mintmon_read_bytes_total")
    t0 = time.monotonic()
    time.sleep(seconds)
    c1, p1 = cpu_seconds(w.proc.pid), metric(w.port, "mintmon_polls_total")
    r1, b1 = metric(w.port, "mintmon_read_requests_total"), metric(w.port, "mintmon_read_bytes_total")
    t1 = time.monotonic()
    w.stop()
    # The baseline: the session's poll alone, at the same period.
    p = subprocess.Popen([mintmon, "-t", target, "poll", "--interval", str(interval)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    d0, u0 = cpu_seconds(p.pid), time.monotonic()
    time.sleep(seconds)
    d1, u1 = cpu_seconds(p.pid), time.monotonic()
    terminate(p)
    polls = p1 - p0
    return {"cpu_pct": 100 * (c1 - c0) / (t1 - t0), "polls_per_s": polls / (t1 - t0),
            "reads_per_poll": (r1 - r0) / polls, "bytes_per_poll": (b1 - b0) / polls,
            "poll_cpu_pct": 100 * (d1 - d0) / (u1 - u0)}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--kernel", default="6.1-amd64")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    mintmon = os.path.abspath(a.mintmon)
    k = kernels.get(a.kernel)
    qemu._install_handlers()
    out = []
    with qemu.Guest(k.vmlinuz, a.initrd, console_input=True, name="bench-health") as g:
        g.wait_for_truth(300)
        pos = g.console_size()
        g.send_console("mintmon-cmd load\n")
        g.wait_console(b"mintmon-scenario: load running", 60, start=pos)
        target = "file:" + g.memfile
        costs = {iv: cost(mintmon, target, iv, a.seconds) for iv in (100, 10)}
        hang, panic = {100: [], 10: []}, {100: [], 10: []}
        for iv in (100, 10):
            hung_after = 2 * iv
            w = Watch(mintmon, target, iv, hung_after)
            time.sleep(2)
            for _ in range(a.runs):
                t0 = time.monotonic()
                g.stop()
                t = w.wait("hung", t0)
                g.cont()
                if t is not None:
                    hang[iv].append((t - t0) * 1000 - hung_after)
                w.wait("running", time.monotonic())
                time.sleep(1)
            w.stop()
        boot = 1
        for iv in (100, 10):
            for _ in range(a.runs):
                w = Watch(mintmon, target, iv, 2 * iv)
                time.sleep(2)
                pos = g.console_size()
                t0 = time.monotonic()
                g.send_console("mintmon-cmd panic\n")
                t = w.wait("panicked", t0)
                if t is not None:
                    panic[iv].append((t - t0) * 1000)
                w.stop()
                g.reset()
                g.wait_for_truth(300, index=boot)
                boot += 1
                pos = g.console_size()
                g.send_console("mintmon-cmd load\n")
                g.wait_console(b"mintmon-scenario: load running", 60, start=pos)
    out.append("guest: %s, 2 vCPUs under TCG, its load running; %d runs per period" % (
        k.release, a.runs))
    out.append("")
    out.append("| period | watch CPU (one core) | `poll` alone, same period | polls/s | reads/poll"
               " | bytes/poll |")
    out.append("|---|---|---|---|---|---|")
    for iv in (100, 10):
        c = costs[iv]
        out.append("| %d ms | %.2f%% | %.2f%% | %.1f | %.1f | %.0f |" % (
            iv, c["cpu_pct"], c["poll_cpu_pct"], c["polls_per_s"], c["reads_per_poll"],
            c["bytes_per_poll"]))
    out.append("")
    out.append("| period | hang: after --hung-after (2 periods), median (all) | in periods |"
               " panic: median (all) | in periods |")
    out.append("|---|---|---|---|---|")
    for iv in (100, 10):
        h, p = hang[iv], panic[iv]
        hm = statistics.median(h) if h else float("nan")
        pm = statistics.median(p) if p else float("nan")
        out.append("| %d ms | %.0f ms (%s) | %.1f | %.0f ms (%s) | %.1f |" % (
            iv, hm, ", ".join("%.0f" % x for x in h), hm / iv, pm,
            ", ".join("%.0f" % x for x in p), pm / iv))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
