# SPDX-License-Identifier: GPL-2.0
"""Health on a RUNNING guest (test_kernels.py runs these in the long live
phase, after poll-steady, on 6.1 and 6.12), with `mintmon watch` and a real
Prometheus server (Debian's prometheus, on loopback) watching all along:

    health          `health --json` says running (the load keeps CPUs busy);
                    threads, uptime and free memory are the guest's own
    hung            QMP stop: `health` says hung and names the CPUs that
                    stopped with the tasks they run; cont: running again
    tainted         the guest writes 64 (TAINT_USER) to /proc/sys/kernel/tainted:
                    `health` says tainted, with the number and letters the
                    guest's own /proc/sys/kernel/tainted implies
    panicked        echo c > /proc/sysrq-trigger (kernel.panic=0: the guest
                    stays down): panicked, with the sysrq panic message and
                    the oops lines from its log
    watch           `watch --interval 100` printed each change (hung, running,
                    tainted, panicked) within a generous bound of the event, and
                    ran --on-change for each
    prometheus      Prometheus scraped `watch --metrics`: its query API gives
                    mintmon_state for the guest, running before, panicked after
    rebooted        (after the reset that follows) `health` says rebooted, then
                    running on the new kernel; watch saw rebooted
"""
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

from mmtool import Fail, limit

WATCH_INTERVAL = 100        # ms
HUNG_AFTER = 1000           # ms: generous under TCG on a loaded host
WATCH_BOUND = 15.0          # s from the event to watch's line (the benchmark measures the real latency)
# kernel/panic.c taint_flags[] letters, bit by bit (the guest's own table agrees; docs/health.md).
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTNJ"


def taint_letters(mask):
    return "".join(TAINT_LETTERS[i] if i < len(TAINT_LETTERS) else "?"
                   for i in range(64) if mask >> i & 1)


def terminate(proc, timeout=10):
    """SIGTERM, then SIGKILL if it does not end within timeout; its exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Watch:
    """`mintmon watch` in the background: [(host time, JSON object)]."""

    def __init__(self, mintmon, target, workdir, extra=(), name="on-change"):
        self.port = free_port()
        self.changes_file = os.path.join(workdir, name + ".log")
        self.cmd = [mintmon, "watch", target, "--interval", str(WATCH_INTERVAL),
                    "--hung-after", str(HUNG_AFTER), "--metrics", "127.0.0.1:%d" % self.port,
                    "--on-change", 'echo "$MINTMON_OLD_STATE $MINTMON_NEW_STATE" >> %s' %
                    self.changes_file] + list(extra)
        self.lines, self.bad = [], []
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                self.lines.append((time.monotonic(), json.loads(raw)))
            except ValueError:
                self.bad.append(raw[:200])

    def wait_state(self, state, since, timeout=WATCH_BOUND):
        """(host time, line) of the first change to state after since, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for t, o in list(self.lines):
                if t >= since and o.get("new") == state:
                    return t, o
            time.sleep(0.05)
        return None

    def stop(self):
        rc = terminate(self.proc)
        self._t.join(5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Prometheus:
    """Debian's prometheus scraping watch's metrics every second, on loopback."""

    def __init__(self, target_port, workdir):
        self.binary = shutil.which("prometheus")
        self.port = free_port()
        self.dir = os.path.join(workdir, "prometheus")
        os.makedirs(self.dir, exist_ok=True)
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: mintmon\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % target_port)
        self.proc = None
        if not self.binary:
            return
        self.log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--config.file=" + cfg, "--storage.tsdb.path=" + self.dir + "/data",
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def query(self, expr):
        url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
            self.port, urllib.request.quote(expr))
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.loads(r.read())

    def wait_value(self, expr, want, timeout=30):
        """The query's first value, once it equals want; Fail on timeout."""
        end, last = time.monotonic() + timeout, None
        while time.monotonic() < end:
            try:
                res = self.query(expr)
                vals = res.get("data", {}).get("result", [])
                last = [v["value"][1] for v in vals]
                if vals and vals[0]["value"][1] == want:
                    return vals[0]
            except (OSError, ValueError) as e:
                last = str(e)
            time.sleep(0.5)
        raise Fail("Prometheus: %s is not %s after %ds (last: %r)" % (expr, want, timeout, last))

    def stop(self):
        if self.proc:
            terminate(self.proc)
            if not self.log.closed:
                self.log.close()

    kill = stop


def _health(tool):
    h = tool.json("health", "--json", "--hung-after", str(HUNG_AFTER))
    if not isinstance(h, dict) or "state" not in h:
        raise Fail("health --json is not an object with a state: %r" % (h,))
    return h


def check_health_running(tool, truth):
    h = _health(tool)
    bad = []
    if h["state"] != "running":
        bad.append("state %r, expected running (heartbeat %r, cpus %r)" % (
            h["state"], h.get("heartbeat"), h.get("cpus")))
    if h.get("release") != truth.release:
        bad.append("release %r" % h.get("release"))
    if not isinstance(h.get("threads"), int) or not len(truth.tasks) // 2 < h["threads"] < 4000:
        bad.append("threads %r, the guest had %d tasks" % (h.get("threads"), len(truth.tasks)))
    if truth.uptime_end is not None and not h.get("uptime_ns", 0) / 1e9 >= truth.uptime_end:
        bad.append("uptime %.1f s, the guest said %.1f s before" % (
            h.get("uptime_ns", 0) / 1e9, truth.uptime_end))
    if truth.mem_total_kb and not 0 < h.get("free_kb", 0) < truth.mem_total_kb:
        bad.append("free %r kB of %d" % (h.get("free_kb"), truth.mem_total_kb))
    if h.get("taint") != 0 or not h.get("heartbeat", {}).get("moved"):
        bad.append("taint %r, heartbeat %r" % (h.get("taint"), h.get("heartbeat")))
    if not h.get("last_log", {}).get("text"):
        bad.append("no last log line")
    if bad:
        raise Fail("health on the running guest", bad)
    return "running: %d threads, load %s, %d MiB free, uptime %.1f s, %d CPUs, last log %r" % (
        h["threads"], h["load"], h["free_kb"] // 1024, h["uptime_ns"] / 1e9, len(h["cpus"]),
        h["last_log"]["text"][:40])


def check_hung(tool, guest, watch):
    """QMP stop, health and watch say hung; cont, running again."""
    bad = []
    t0 = time.monotonic()
    guest.stop()
    try:
        time.sleep(HUNG_AFTER / 1000 + 0.3)
        h = _health(tool)
        stuck = [c for c in h.get("cpus", []) if c.get("stuck")]
        if h["state"] != "hung":
            bad.append("paused guest: state %r, expected hung (cpus %r)" % (
                h["state"], h.get("cpus")))
        elif not stuck or not all(isinstance(c.get("task", {}).get("pid"), int) for c in stuck):
            bad.append("hung without the stopped CPUs and their tasks: %r" % h.get("cpus"))
        w = watch.wait_state("hung", t0)
        if w is None:
            bad.append("watch did not say hung within %.0f s" % WATCH_BOUND)
        else:
            hung_after = w[0] - t0
    finally:
        t1 = time.monotonic()
        guest.cont()
    time.sleep(0.5)
    h2 = _health(tool)
    if h2["state"] != "running":
        bad.append("after cont: state %r, expected running" % h2["state"])
    w2 = watch.wait_state("running", t1)
    if w2 is None:
        bad.append("watch did not say running again within %.0f s of cont" % WATCH_BOUND)
    if bad:
        raise Fail("stop/cont", bad)
    return "paused: hung, CPUs %s stopped (%s); watch: hung %.1f s after the stop, running " \
        "%.1f s after cont" % (",".join(str(c["cpu"]) for c in stuck),
                              ", ".join("%s/%s" % (c["task"]["pid"], c["task"]["comm"])
                                        for c in stuck), hung_after, w2[0] - t1)


def check_tainted(tool, guest, watch):
    pos = guest.console_size()
    t0 = time.monotonic()
    guest.send_console("mintmon-cmd taint\n")
    end = guest.wait_console(b"mintmon-scenario: tainted ", 30, start=pos)
    guest.wait_console(b"\n", 10, start=end)
    with open(guest.console_path, "rb") as f:
        f.seek(end)
        mask = int(f.read().split(b"\n", 1)[0].strip())
    h = _health(tool)
    bad = []
    if h["state"] != "tainted":
        bad.append("state %r, expected tainted" % h["state"])
    if h.get("taint") != mask or h.get("taint_letters") != taint_letters(mask):
        bad.append("taint %r (%r), the guest's /proc/sys/kernel/tainted says %d (%s)" % (
            h.get("taint"), h.get("taint_letters"), mask, taint_letters(mask)))
    w = watch.wait_state("tainted", t0)
    if w is None:
        bad.append("watch did not say tainted")
    if bad:
        raise Fail("tainted", bad)
    return "tainted %d (%s), as the guest says; watch %.1f s after" % (
        mask, h["taint_letters"], w[0] - t0)


def check_panicked(tool, guest, watch, prom, seen):
    """seen["before"]: what Prometheus had for the panicked state before."""
    seen["before"] = prom.wait_value('mintmon_state{state="panicked"}', "0") if prom.proc else None
    pos = guest.console_size()
    t0 = time.monotonic()
    guest.send_console("mintmon-cmd panic\n")
    guest.wait_console(b"Kernel panic - not syncing", 60, start=pos)
    time.sleep(0.5)
    h = _health(tool)
    bad = []
    if h["state"] != "panicked":
        bad.append("state %r, expected panicked" % h["state"])
    msg = h.get("panic_message", "")
    if "sysrq triggered crash" not in msg:
        bad.append("panic message %r" % msg)
    report = h.get("report", [])
    if not any("sysrq" in ln.lower() for ln in report) or not any(
            "RIP:" in ln or "Call Trace" in ln or "Oops" in ln for ln in report):
        bad.append("the report lacks the sysrq and oops lines: %r" % report[:6])
    w = watch.wait_state("panicked", t0)
    if w is None:
        bad.append("watch did not say panicked")
    elif "sysrq triggered crash" not in w[1].get("evidence", {}).get("panic_message", ""):
        bad.append("watch's evidence has no panic message: %r" % w[1].get("evidence"))
    if bad:
        raise Fail("panic", limit(bad))
    return "panicked (%s), %d report lines from the log; watch %.1f s after the sysrq" % (
        msg, len(report), w[0] - t0)


def check_prometheus(prom, seen):
    before = seen.get("before")
    if not prom.proc:
        raise Fail("no prometheus binary (tests/setup.sh installs Debian's prometheus)")
    after = prom.wait_value('mintmon_state{state="panicked"}', "1")
    running = prom.query('mintmon_state{state="running"}')["data"]["result"]
    return "mintmon_state{state=\"panicked\"} went %s -> %s; running now %s; target %s" % (
        before["value"][1] if before else "?", after["value"][1],
        [r["value"][1] for r in running], after["metric"].get("target"))


def check_rebooted(tool, watch, t_event, new_truth):
    h = _health(tool)
    bad = []
    if h["state"] != "rebooted":
        bad.append("first look after the reset: state %r, expected rebooted" % h["state"])
    if h.get("release") != new_truth.release:
        bad.append("release %r" % h.get("release"))
    h2 = _health(tool)
    if h2["state"] not in ("running", "tainted"):
        bad.append("second look: state %r, expected running" % h2["state"])
    w = watch.wait_state("rebooted", t_event)
    if w is None:
        bad.append("watch did not say rebooted")
    if bad:
        raise Fail("after the reset", bad)
    return "rebooted (boot id %s, last look %s), then %s; watch said rebooted %.1f s after " \
        "the reset" % (h["boot_id"], h.get("last_boot_id"), h2["state"], w[0] - t_event)


def check_watch_run(watch, reboots):
    """The watch process itself: exits 0 on SIGTERM, every line a change, on-change ran,
    one "rebooted" for each of the guest's reboots and kexecs."""
    rc = watch.stop()
    bad = []
    seen = sum(1 for _, o in watch.lines if o.get("new") == "rebooted")
    if seen != reboots:
        bad.append("%d rebooted changes for %d reboots and kexecs" % (seen, reboots))
    err = watch.proc.stderr.read().decode(errors="replace")
    if rc != 0:
        bad.append("watch exited %s: %s" % (rc, err.strip()[-200:]))
    if "Sanitizer" in err or "runtime error" in err:
        bad.append("watch stderr: %s" % err[:200])
    if watch.bad:
        bad.append("%d lines are not JSON: %r" % (len(watch.bad), watch.bad[:2]))
    seq = [o["new"] for _, o in watch.lines]
    for a, b in zip(watch.lines, watch.lines[1:]):
        if a[1]["new"] != b[1]["old"]:
            bad.append("change %r follows %r" % (b[1], a[1]["new"]))
            break
    try:
        with open(watch.changes_file) as f:
            ran = f.read().split("\n")
    except OSError:
        ran = []
    ran = [ln for ln in ran if ln]
    if len(ran) != len(watch.lines):
        bad.append("--on-change ran %d times for %d changes (%s)" % (
            len(ran), len(watch.lines), " -> ".join(seq)))
    if bad:
        raise Fail("watch", bad)
    return "%d changes: %s; --on-change ran for each" % (len(seq), " -> ".join(seq))


def _metric(port, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        for ln in r.read().decode().splitlines():
            if ln.startswith(name + "{"):
                return float(ln.rsplit(" ", 1)[1])
    return None


def _rss_kb(pid):
    """The process's anonymous resident memory (heap, stack): what it holds.
    Not VmRSS, whose file-backed part (its code, libc) comes and goes with
    the host's page cache: in one CI run it grew 116 kB between the two
    samples of a watch whose heap did not grow (valgrind, a watch of 1500
    polls: 215 allocations in all, every one freed)."""
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("RssAnon:"):
                return int(ln.split()[1])
    return None


def check_watch_memory(mintmon, memfile, polls=10000):
    """watch's memory stays flat: its anonymous RSS after 1,000 polls and
    after 10,000 (1 ms apart, on the paused guest) differ by at most two
    pages."""
    port = free_port()
    cmd = [mintmon, "watch", "file:" + memfile, "--interval", "1", "--hung-after", "100",
           "--count", str(polls), "--metrics", "127.0.0.1:%d" % port]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    samples, bad = {}, []
    try:
        end = time.monotonic() + 300
        while p.poll() is None and time.monotonic() < end:
            try:
                n = _metric(port, "mintmon_polls_total")
            except OSError:
                n = None
            if n is not None:
                for mark in (1000, polls * 95 // 100):
                    if n >= mark and mark not in samples:
                        samples[mark] = (n, _rss_kb(p.pid))
            if len(samples) == 2:
                break
            time.sleep(0.05)
        p.wait(300)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        bad.append("watch exited %s: %s" % (p.returncode, err.strip()[-200:]))
    if len(samples) != 2:
        raise Fail("could not sample watch's memory at two poll counts: %r" % samples, bad)
    (n1, r1), (n2, r2) = sorted(samples.values())
    if r2 - r1 > 8:
        bad.append("anonymous RSS grew from %d kB at poll %d to %d kB at poll %d" % (
            r1, n1, r2, n2))
    if bad:
        raise Fail("watch over %d polls" % polls, bad)
    return "anonymous RSS %d kB at poll %d, %d kB at poll %d" % (r1, n1, r2, n2)


class DmesgFollow:
    """`mintmon dmesg --follow --json` in the background: every line parsed."""

    def __init__(self, mintmon, target):
        self.proc = subprocess.Popen([mintmon, "-t", target, "dmesg", "--follow", "--json",
                                      "--interval", "100"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.lines, self.bad = [], []
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                self.lines.append(json.loads(raw))
            except ValueError:
                self.bad.append(raw[:200])

    def stop(self):
        rc = terminate(self.proc)
        self._t.join(5)
        return rc

    kill = stop


def check_dmesg_follow(follow, new_truth):
    """Across the panic and the reset: the first boot's records as they came
    (the panic among them), one rebooted line naming the new release, then the
    new kernel's log from its first record; sequence numbers going up in each."""
    rc = follow.stop()
    bad = []
    err = follow.proc.stderr.read().decode(errors="replace")
    if rc != 0 or "Sanitizer" in err:
        bad.append("dmesg --follow exited %s: %s" % (rc, err.strip()[-200:]))
    if follow.bad:
        bad.append("%d lines are not JSON: %r" % (len(follow.bad), follow.bad[:2]))
    boots, cur = [], []
    for o in follow.lines:
        if o.get("rebooted"):
            boots.append((cur, o))
            cur = []
        elif "seq" in o:
            cur.append(o)
    boots.append((cur, None))
    first = boots[0][0]
    if not any("sysrq triggered crash" in o.get("text", "") for o in first):
        bad.append("the first boot's records lack the panic (written after --follow started)")
    if len(boots) != 2:
        bad.append("%d rebooted lines for one reset" % (len(boots) - 1))
    else:
        marker, after = boots[0][1], boots[1][0]
        if marker.get("release") != new_truth.release:
            bad.append("rebooted line %r, the guest runs %s" % (marker, new_truth.release))
        if not after or after[0].get("seq") != 0 or \
                not after[0].get("text", "").startswith("Linux version"):
            bad.append("after the reboot the log does not start over: %r" % (after[:1],))
    for recs, _ in boots:
        seqs = [o["seq"] for o in recs]
        if seqs != sorted(set(seqs)):
            bad.append("sequence numbers not increasing within a boot")
            break
    if bad:
        raise Fail("dmesg --follow", limit(bad))
    return "%d records of the first boot (the panic included), rebooted -> %s, %d records " \
        "of the next from seq 0 (%d boots seen)" % (len(first), boots[0][1]["release"],
                                                    len(boots[1][0]), len(boots))


def check_unreachable(mintmon, workdir):
    """health on memory that holds no kernel: unreachable, exit 0; watch on a
    file that does not exist: one unreachable line, and it goes on."""
    empty = os.path.join(workdir, "no-kernel.mem")
    with open(empty, "wb") as f:
        f.truncate(16 << 20)
    bad = []
    try:
        r = subprocess.run([mintmon, "-t", "file:" + empty, "health", "--json"], timeout=60,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        h = json.loads(r.stdout)
        if r.returncode != 0 or h.get("state") != "unreachable" or not h.get("error"):
            bad.append("health on zeros: exit %d, %r" % (r.returncode, h))
        gone = os.path.join(workdir, "gone.mem")
        r = subprocess.run([mintmon, "watch", "file:" + gone, "--interval", "20", "--count",
                            "10"], timeout=60, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
        if r.returncode != 0 or [o["new"] for o in lines] != ["unreachable"]:
            bad.append("watch on a missing file: exit %d, %r" % (r.returncode, lines))
    finally:
        os.unlink(empty)
    if bad:
        raise Fail("unreachable targets", bad)
    return "health on 16 MiB of zeros: unreachable (%s); watch on a missing file: one " \
        "unreachable line in 10 periods" % h["error"][:60]
