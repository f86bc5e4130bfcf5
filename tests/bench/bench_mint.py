#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-mint: what mintmon.ko's watchdog costs node 0, and ps of a
peer through /dev/mint/N.

On the emulated 3-node Mint machine (tests/mint/machine.py; kexec-mint,
KASLR on, every node one TCG CPU), mintmon.ko loaded on node 0:

  watchdog   for period_ms 100 (10 Hz) and 10 (100 Hz), two peers: per peer,
             the watchdog's own time per poll (poll_ns_total / polls over
             all --windows windows of --seconds together; a poll never
             sleeps, so this is CPU time), bytes read by a poll (median),
             the share of one core (time per second, over all windows),
             the session's looks per second at a stalled heartbeat (those
             the listing budget put off included) and its searches from
             scratch. Baseline in the same run: node 0's idle
             share of its CPU (/proc/stat) with the module loaded but each
             watchdog at 60 s, against the same at the measured period.
  ps         node 1 runs 600 extra sleeping processes; `mintmon -t node:1 ps`
             on node 0 (through /dev/mint/node1) against `mintmon ps` of the
             same peer through the shared memory file from the host, --runs
             times each, alternating. Node 0 is an emulated CPU: the ratio
             says how much of a difference the path makes, not the device.

Medians where not said otherwise. Nothing is asserted; the figures go to docs/benchmarks.md.

    python3 tests/bench/bench_mint.py --mintmon build/bin/mintmon [--runs 5]
        [--seconds 10] [--windows 5] [--out FILE]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "mint"))
import machine  # noqa: E402
import module_checks  # noqa: E402


def peer_stats(n0, ids):
    files = ("polls", "poll_ns_total", "poll_bytes", "looks", "searches")
    cmd = "; ".join("cd /sys/kernel/mint/node%d && cat %s" % (k, " ".join(files)) for k in ids)
    rc, out = n0.run(cmd + "; head -n 1 /proc/stat; cut -d' ' -f1 /proc/uptime")
    v = out.split()
    n = len(files)
    stats = {}
    for i, k in enumerate(ids):
        stats[k] = tuple(int(x) for x in v[n * i:n * i + n])
    cpu = [int(x) for x in v[n * len(ids) + 1:n * len(ids) + 11]]
    return stats, cpu, float(v[-1])


def idle_share(cpu0, cpu1):
    d = [b - a for a, b in zip(cpu0, cpu1)]
    return (d[3] + d[4]) / max(1, sum(d))


def watchdog(n0, ids, period, seconds, windows):
    n0.run("echo %d > /sys/module/mintmon/parameters/period_ms" % period)
    time.sleep(2)
    tot_polls = {k: 0 for k in ids}
    tot_ns = {k: 0 for k in ids}
    tot_s = 0.0
    nbytes = {k: [] for k in ids}
    looks = {k: [] for k in ids}
    searches = {k: [] for k in ids}
    idle = []
    for _ in range(windows):
        s0, c0, t0 = peer_stats(n0, ids)
        time.sleep(seconds)
        s1, c1, t1 = peer_stats(n0, ids)
        tot_s += t1 - t0
        for k in ids:
            polls, ns = s1[k][0] - s0[k][0], s1[k][1] - s0[k][1]
            tot_polls[k] += polls
            tot_ns[k] += ns
            if polls:
                nbytes[k].append(s1[k][2])
                looks[k].append((s1[k][3] - s0[k][3]) / (t1 - t0))
                searches[k].append(s1[k][4] - s0[k][4])
        idle.append(idle_share(c0, c1) * 100)
    med = statistics.median
    # At the baseline's 60 s period a window may see no poll: only idle counts there.
    # Time per poll and share over all windows together, not medians: a listing
    # of the whole window comes every ~17 s (look_budget_ppm), and a median of
    # 5 s windows would leave it out.
    return {k: (tot_ns[k] / tot_polls[k] / 1000.0, med(nbytes[k]),
                tot_ns[k] / (tot_s * 1e9) * 100, med(looks[k]), sum(searches[k]))
            if tot_polls[k] else None for k in ids}, med(idle)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    lines = []

    def say(s=""):
        print(s, flush=True)
        lines.append(s)
    with machine.MintMachine(nodes=3, node_files_for=module_checks.node_files(a.mintmon)) as m:
        n0 = m.nodes[0]
        rc, out = n0.run("insmod /lib/mintmon_dev.ko && insmod /lib/mintmon.ko period_ms=60000")
        if rc:
            raise SystemExit("insmod failed: %s" % out)
        ids = [1, 2]
        for k in ids:
            module_checks.wait_state(n0, k, "running", 120)
        _, base_idle = watchdog(n0, ids, 60000, a.seconds, a.windows)
        say("## mintmon.ko watchdog on node 0 (emulated CPU, two peers)")
        say()
        say("| period | peer | time per poll | bytes per poll | share of one core | looks/s "
            "| searches (all windows) | node 0 idle (baseline: %.1f%% with the watchdogs "
            "at 60 s) |" % base_idle)
        say("|---|---|---|---|---|---|---|---|")
        for period in (100, 10):
            res, idle = watchdog(n0, ids, period, a.seconds, a.windows)
            for k in ids:
                us, b, pct, lk, srch = res[k]
                say("| %d ms (%d Hz) | node%d | %.0f us | %d | %.2f%% | %.1f | %d | %.1f%% |" % (
                    period, 1000 // period, k, us, b, pct, lk, srch, idle))
        n0.run("echo 100 > /sys/module/mintmon/parameters/period_ms")

        # ps of a 600-task peer: node 0 through the device vs the host through the file.
        p = m.nodes[1]
        p.run("i=0; while [ $i -lt 600 ]; do sleep 100000 & i=$((i+1)); done")
        rc, out = n0.run("mintmon -t node:1 ps | wc -l")
        tasks = int(out.split()[0]) - 1
        ws, wsize = m.layout.nodes[1]["kernel_window"]
        s, e = m.shared
        target = "file:%s:map=0x%x+0x%x@0" % (m.shm_path, s, e - s)
        dev, host = [], []
        for _ in range(a.runs):
            t = time.monotonic()
            rc, out = n0.run("t0=$(cut -d' ' -f1 /proc/uptime); mintmon -t node:1 ps >/dev/null; "
                             "t1=$(cut -d' ' -f1 /proc/uptime); echo $t0 $t1")
            t0, t1 = (float(x) for x in out.split()[-2:])
            dev.append(t1 - t0)
            t = time.monotonic()
            subprocess.run([a.mintmon, "-t", target, "--window", "0x%x-0x%x" % (ws, ws + wsize),
                            "ps"], check=True, stdout=subprocess.DEVNULL)
            host.append(time.monotonic() - t)
        say()
        say("## ps of a %d-task peer (node 1), %d runs, medians" % (tasks, a.runs))
        say()
        say("| path | time |")
        say("|---|---|")
        say("| node 0: `mintmon -t node:1 ps` through /dev/mint/node1 (emulated CPU, "
            "/proc/uptime: 10 ms steps) | %.2f s |" % statistics.median(dev))
        say("| host: `mintmon ps` through the shared memory file (native CPU) | %.3f s |" %
            statistics.median(host))
        say("| ratio node 0 / host | %.0fx |" % (statistics.median(dev) /
                                                 statistics.median(host)))
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
