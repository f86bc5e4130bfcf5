# SPDX-License-Identifier: GPL-2.0
"""Checks on a RUNNING guest (docs/testbed.md, "Live, reboot, kexec"):

    live         ps/dmesg/syms/info/vread, round after round, under a fork/exec storm
                 and memory churn: never a crash or hang, every failure one
                 line and exit 1, markers always right, at most half failing
    poll-steady  a `mintmon poll` session across the live rounds: always the
                 same kernel, heartbeat moving
    reboot       QMP system_reset: the guest comes back with a new KASLR
                 offset and sends a second truth; `info` finds the new kernel
    poll-reboot  a poll session across that reset: "rebooted" once, with the
                 new identity, promptly, never the old one once it is gone
    kexec        the guest kexecs into another kernel release (console
                 command); third truth; `info` finds the new kernel
    poll-kexec   the same session checks across the kexec
"""
import json
import re
import signal
import subprocess
import threading
import time

from kernel_log import live_dmesg_verifier
from mmtool import Fail, limit

LIVE_ROUNDS = 40            # about 0.3 s each on this machine
LIVE_BUDGET = 35.0          # seconds: no new round after this
# The short live phase every other run ends with (test_kernels.py): the same
# checks, fewer rounds, on every kernel.
SHORT_ROUNDS = 20
SHORT_BUDGET = 15.0
LIVE_TIMEOUT = 30           # seconds per command: longer is a hang
POLL_INTERVAL = 100         # ms
POLL_KEYS = {"poll": int, "time_ms": (int, float), "state": str, "reads": int, "bytes": int}
POLL_ID_KEYS = {"boot_id": str, "release": str, "kaslr_offset": str, "heartbeat": int}
STATES = ("attached", "same", "rebooted", "gone")


def markers(truth):
    """The long-lived scenario tasks (every thread): vartest, the threads
    processes, sleep, longargs."""
    vpid, _ = truth.variables()
    out = []
    for t in truth.tasks.values():
        if t.stable not in ("S", "U"):
            continue
        if t.tgid == vpid or t.args.startswith("/bin/threads ") or t.args == "sleep 86400" \
                or (t.comm == "longargs" and len(t.args) > 4096):
            out.append(t)
    return out


def _comm_ok(t, got):
    return got == (t.kcomm or t.comm)


def _check_ps_markers(ps, marks):
    by = {o.get("pid"): o for o in ps if isinstance(o, dict)}
    bad = []
    for t in marks:
        o = by.get(t.tid)
        if o is None:
            bad.append("marker tid %d (%s) missing" % (t.tid, t.comm))
            continue
        for k, want in (("tgid", t.tgid), ("ppid", t.ppid), ("uid", t.uid), ("args", t.args)):
            if o.get(k) != want:
                bad.append("marker tid %d (%s) %s: expected %r, got %r" % (
                    t.tid, t.comm, k, want if k != "args" else want[:40],
                    o.get(k) if k != "args" else str(o.get(k))[:40]))
        if not _comm_ok(t, o.get("comm")):
            bad.append("marker tid %d comm: expected %r, got %r" % (
                t.tid, t.kcomm or t.comm, o.get("comm")))
    return bad


def check_live(tool, truth, log=None, max_rounds=LIVE_ROUNDS, budget=LIVE_BUDGET):
    """Repeat ps --json, syms, info --json, vread (user, through --pid; kernel)
    while the guest runs its load: max_rounds rounds, none started after
    budget seconds."""
    marks = markers(truth)
    vpid, variables = truth.variables()
    if not marks or not variables:
        raise Fail("scenario markers or vartest values missing from the truth")
    vname, vaddr, vvalue = variables[0]
    banner_addr, banner = truth.symbol("linux_banner"), truth.kvars.get("linux_banner")
    core, _ = truth.core_kallsyms()
    want_banner = banner.encode()[:64]

    seen = set()
    sizes = []

    def v_ps(out):
        ps = json.loads(out)
        if not isinstance(ps, list) or len(ps) < len(marks):
            return ["ps --json: not an array of at least %d tasks" % len(marks)]
        seen.update(o.get("pid") for o in ps if isinstance(o, dict))
        sizes.append(len(ps))
        return _check_ps_markers(ps, marks)

    def v_syms(out):
        got = [ln for ln in out.decode("utf-8", "surrogateescape").splitlines()
               if "\t[" not in ln]
        return [] if got == core else ["syms: %d lines, %d expected, not equal" % (
            len(got), len(core))]

    def v_info(out):
        info = json.loads(out)
        bad = []
        if info.get("release") != truth.release:
            bad.append("info release %r" % info.get("release"))
        try:
            if int(info.get("kaslr_offset"), 16) != truth.kaslr_offset:
                bad.append("info kaslr_offset %r" % info.get("kaslr_offset"))
        except (TypeError, ValueError):
            bad.append("info kaslr_offset %r" % info.get("kaslr_offset"))
        return bad

    def v_uread(out):
        return [] if out == vvalue.to_bytes(8, "little") else [
            "vread %s: %s, expected %016x" % (vname, out.hex(), vvalue)]

    def v_kread(out):
        return [] if out == want_banner else ["vread linux_banner: %r" % out[:40]]

    commands = [
        ("ps", ("ps", "--json"), v_ps),
        ("dmesg", ("dmesg", "--json"), live_dmesg_verifier(truth)),
        ("syms", ("syms",), v_syms),
        ("info", ("info", "--json"), v_info),
        ("vread-user", ("vread", "%#x" % vaddr, "8", "--pid", str(vpid), "--raw"), v_uread),
        ("vread-kernel", ("vread", "%#x" % banner_addr, str(len(want_banner)), "--raw"),
         v_kread),
    ]
    stats = {name: [0, 0] for name, _, _ in commands}        # runs, clean failures
    errors, bad = {}, []
    start = time.monotonic()
    rounds = 0
    while rounds < max_rounds and time.monotonic() - start < budget:
        rounds += 1
        for name, args, verify in commands:
            r = tool.result(*args, timeout=LIVE_TIMEOUT)
            stats[name][0] += 1
            if r.timeout:
                bad.append("round %d %s: no answer in %ds (hang)" % (rounds, name, LIVE_TIMEOUT))
            elif r.crash:
                bad.append("round %d %s: %s" % (rounds, name, r.crash))
            elif r.rc == 0:
                if r.err:
                    bad.append("round %d %s: exit 0 but stderr %r" % (rounds, name, r.err[0]))
                try:
                    problems = verify(r.out)
                except (ValueError, TypeError, AttributeError) as e:
                    problems = ["%s: output not valid: %s" % (name, e)]
                bad += ["round %d %s" % (rounds, p) if not p.startswith("round") else p
                        for p in problems]
            elif r.clean_failure():
                stats[name][1] += 1
                key = re.sub(r"0x[0-9a-f]+", "0x…", r.err[0])
                errors.setdefault(key, [name, 0])[1] += 1
            else:
                bad.append("round %d %s: exit %s with %d stderr lines: %r" % (
                    rounds, name, r.rc, len(r.err), r.err[:3]))
    elapsed = time.monotonic() - start
    runs = sum(s[0] for s in stats.values())
    failed = sum(s[1] for s in stats.values())
    for name, (n, f) in stats.items():
        if n and f * 2 > n:
            bad.append("%s failed %d of %d times (more than half)" % (name, f, n))
    if rounds < 3:
        bad.append("only %d rounds in %.0fs" % (rounds, elapsed))
    if sizes and len(seen) < max(sizes) + 20:
        bad.append("the load does not show: %d distinct tasks over %d ps runs" % (
            len(seen), len(sizes)))
    summary = "%d rounds (%d runs) in %.1fs, %d clean failures (%s); ps saw %s tasks a run, " \
        "%d distinct" % (rounds, runs, elapsed, failed,
                         ", ".join("%s %d/%d" % (k, v[1], v[0]) for k, v in stats.items()),
                         "%d-%d" % (min(sizes), max(sizes)) if sizes else "no", len(seen))
    notes = ["error %dx (%s): %s" % (n, cmd, e) for e, (cmd, n) in sorted(errors.items())]
    if log is not None:
        log.extend(notes)
    if bad:
        raise Fail(summary + "; %d problems" % len(bad), limit(bad + notes))
    return summary + ("; errors: " + " | ".join(
        "%dx %s" % (n, e[:70]) for e, (_, n) in sorted(errors.items())[:4]) if errors else "")


# ---- poll sessions ----

class PollSession:
    """`mintmon -t TARGET poll --interval MS` in the background; every line
    with the host time it arrived."""

    def __init__(self, mintmon, target, interval=POLL_INTERVAL):
        self.cmd = [mintmon, "-t", target, "poll", "--interval", str(interval)]
        self.lines = []             # (host monotonic time, raw line)
        self.err = b""
        self.rc = None
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        self._out = threading.Thread(target=self._read_out, daemon=True)
        self._errt = threading.Thread(target=self._read_err, daemon=True)
        self._out.start()
        self._errt.start()

    def _read_out(self):
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.decode(errors="replace").rstrip("\n")))

    def _read_err(self):
        self.err = self.proc.stderr.read()

    def alive(self):
        return self.proc.poll() is None

    def wait_lines(self, n, timeout):
        """Wait until n lines came; False if the session ended or time ran out."""
        deadline = time.monotonic() + timeout
        while len(self.lines) < n:
            if not self.alive() or time.monotonic() > deadline:
                time.sleep(0.1)
                return len(self.lines) >= n
            time.sleep(0.05)
        return True

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.rc = None
        else:
            self.rc = self.proc.returncode
        self._out.join(5)
        self._errt.join(5)
        return self.rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_lines(self):
        return self.err.decode(errors="replace").strip().splitlines()


def parse_poll(session):
    """[(host time, dict)] of a stopped session; Fail on any contract breach:
    exit 0 on SIGTERM, no sanitizer report, each line one JSON object with
    the keys of its state, poll numbers consecutive, time_ms non-decreasing,
    the first line "attached" or "gone"."""
    bad = []
    err = session.stderr_lines()
    text = session.err.decode(errors="replace")
    if session.rc is None:
        bad.append("poll did not exit within 10 s of SIGTERM")
    elif session.rc != 0:
        bad.append("poll exited %d%s: %s" % (session.rc, " (signal)" if session.rc < 0 else "",
                                             err[-1] if err else "(no stderr)"))
    for mark in ("Sanitizer", "runtime error"):
        if mark in text:
            bad.append("poll stderr has %r" % mark)
    out, last_n, last_t = [], None, None
    for i, (t, raw) in enumerate(session.lines):
        try:
            o = json.loads(raw)
            if not isinstance(o, dict):
                raise ValueError("not an object")
        except ValueError as e:
            bad.append("line %d not a JSON object (%s): %r" % (i + 1, e, raw[:100]))
            continue
        probs = []
        for k, typ in POLL_KEYS.items():
            if not isinstance(o.get(k), typ) or isinstance(o.get(k), bool):
                probs.append("%s=%r" % (k, o.get(k)))
        st = o.get("state")
        if st not in STATES:
            probs.append("state %r" % st)
        elif st == "gone":
            if not isinstance(o.get("error"), str) or not o["error"]:
                probs.append("gone without error")
            if "boot_id" in o:
                probs.append("gone with a boot_id")
        else:
            for k, typ in POLL_ID_KEYS.items():
                if not isinstance(o.get(k), typ) or isinstance(o.get(k), bool):
                    probs.append("%s=%r" % (k, o.get(k)))
            if isinstance(o.get("boot_id"), str) and not re.fullmatch(r"[0-9a-f]{16}",
                                                                      o["boot_id"]):
                probs.append("boot_id %r is not 16 hex digits" % o["boot_id"])
            if isinstance(o.get("kaslr_offset"), str) and not re.fullmatch(
                    r"0x[0-9a-f]+", o["kaslr_offset"]):
                probs.append("kaslr_offset %r" % o["kaslr_offset"])
        if isinstance(o.get("poll"), int):
            if last_n is not None and o["poll"] != last_n + 1:
                probs.append("poll %d after %d" % (o["poll"], last_n))
            last_n = o["poll"]
        if isinstance(o.get("time_ms"), (int, float)):
            if last_t is not None and o["time_ms"] < last_t:
                probs.append("time_ms goes back")
            last_t = o["time_ms"]
        if i == 0 and st not in ("attached", "gone"):
            probs.append("first line is %r" % st)
        if probs:
            bad.append("line %d: %s: %s" % (i + 1, ", ".join(probs), raw[:120]))
        out.append((t, o))
    if not session.lines:
        bad.append("no output%s" % (": " + err[-1] if err else ""))
    if bad:
        raise Fail("poll session breaks the contract", limit(bad))
    return out


def _kaslr(o):
    try:
        return int(o.get("kaslr_offset"), 16)
    except (TypeError, ValueError):
        return None


def check_poll_steady(session, truth):
    """Nothing happened to the kernel: attached, then only "same", one boot
    id, the truth's identity, heartbeat moving forward."""
    lines = parse_poll(session)
    bad = []
    first = lines[0][1]
    if first["state"] != "attached":
        bad.append("first line %r: %s" % (first["state"], first.get("error")))
    else:
        if first.get("release") != truth.release or _kaslr(first) != truth.kaslr_offset:
            bad.append("attached to %s/%s, the guest runs %s/%#x" % (
                first.get("release"), first.get("kaslr_offset"), truth.release,
                truth.kaslr_offset))
    states = {}
    beats = []
    for _, o in lines:
        states[o["state"]] = states.get(o["state"], 0) + 1
        if o["state"] != "gone":
            beats.append(o["heartbeat"])
    for i, (_, o) in enumerate(lines[1:], 2):
        if o["state"] != "same" or o.get("boot_id") != first.get("boot_id"):
            bad.append("line %d: %s (boot_id %s, %s) on a kernel that did not change" % (
                i, o["state"], o.get("boot_id"), o.get("error", "")))
    if any(b < a for a, b in zip(beats, beats[1:])):
        bad.append("heartbeat went backwards")
    if len(beats) >= 2 and beats[-1] <= beats[0]:
        bad.append("heartbeat did not move on a running guest (%d .. %d)" % (beats[0], beats[-1]))
    if len(lines) < 5:
        bad.append("only %d polls" % len(lines))
    if bad:
        raise Fail("%d of %d polls wrong" % (len(bad), len(lines)), limit(bad) + ["timeline:"] +
                   ["  " + x for x in timeline(lines, lines[0][0])])
    return "%d polls, all same kernel (boot_id %s), heartbeat %d -> %d" % (
        len(lines), first.get("boot_id"), beats[0], beats[-1])


class InfoSampler:
    """`mintmon info --json` again and again in the background: when did the
    new kernel become attachable? [(start, end, rc, release, kaslr)]."""

    def __init__(self, tool, pause=0.2):
        self.tool, self.pause = tool, pause
        self.samples = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            t0 = time.monotonic()
            try:
                r = self.tool.result("info", "--json", timeout=30)
            except Fail:
                return
            rel = kaslr = None
            if r.rc == 0:
                try:
                    o = json.loads(r.out)
                    rel, kaslr = o.get("release"), int(o.get("kaslr_offset"), 16)
                except (ValueError, TypeError, AttributeError):
                    pass
            self.samples.append((t0, time.monotonic(), r.rc, rel, kaslr))
            self._stop.wait(self.pause)

    def stop(self):
        self._stop.set()
        self._t.join(40)

    def first_ok(self, release, kaslr):
        return next((s for s in self.samples if s[2] == 0 and s[3] == release and
                     s[4] == kaslr), None)


def timeline(lines, t0, n=12):
    """Runs of equal (state, boot_id, kaslr) lines, with times relative to t0."""
    runs = []
    for t, o in lines:
        key = (o["state"], o.get("boot_id"), o.get("kaslr_offset"), o.get("error"))
        if runs and runs[-1][0] == key:
            runs[-1][2] = t
            runs[-1][3] += 1
        else:
            runs.append([key, t, t, 1])
    out = ["%+.2fs..%+.2fs %dx %s %s" % (a - t0, b - t0, c, k[0], (
        "boot_id %s kaslr %s" % (k[1], k[2]) if k[0] != "gone" else k[3]))
        for k, a, b, c in runs]
    return out if len(out) <= n else out[:n // 2] + ["..."] + out[-n // 2:]


def check_identity_change(session, old, new, t_event, t_new_truth, sampler, what):
    """The poll session across a reboot/kexec at host time t_event; the new
    kernel's truth arrived at t_new_truth."""
    lines = parse_poll(session)
    bad, notes = [], []
    first = lines[0][1]
    if first["state"] != "attached":
        raise Fail("session did not attach before the %s: %s" % (what, first.get("error")))
    if first.get("release") != old.release or _kaslr(first) != old.kaslr_offset:
        bad.append("attached to %s/%s before the %s, the guest ran %s/%#x" % (
            first.get("release"), first.get("kaslr_offset"), what, old.release,
            old.kaslr_offset))
    old_id = first.get("boot_id")
    same_kaslr = old.kaslr_offset == new.kaslr_offset and old.release == new.release
    if same_kaslr:
        notes.append("new KASLR offset equals the old one: offsets cannot tell them apart")
    before = [(t, o) for t, o in lines if t < t_event]
    after = [(t, o) for t, o in lines if t >= t_event]
    for i, (_, o) in enumerate(before[1:], 2):
        if o["state"] != "same" or o.get("boot_id") != old_id:
            bad.append("line %d, before the %s: %s %s" % (i, what, o["state"],
                                                          o.get("boot_id") or o.get("error")))
    reb = [i for i, (_, o) in enumerate(after) if o["state"] == "rebooted"]
    if len(reb) != 1:
        bad.append("%d \"rebooted\" lines after the %s, expected exactly 1" % (len(reb), what))
    seen_change = False
    for i, (t, o) in enumerate(after):
        st = o["state"]
        if reb and i < reb[0] and st not in ("same", "gone"):
            bad.append("before \"rebooted\": %s" % st)
        if reb and i > reb[0] and st == "gone":
            bad.append("\"gone\" after \"rebooted\": %s" % o.get("error"))
        if st == "same" and o.get("boot_id") == old_id:
            if seen_change:
                bad.append("\"same\" with the old boot_id after a gone/rebooted line")
            elif t > t_new_truth:
                bad.append("\"same\" with the old boot_id after the new kernel sent its truth")
        if st == "same" and not same_kaslr and seen_change and _kaslr(o) == old.kaslr_offset:
            bad.append("\"same\" with the old KASLR offset after a gone/rebooted line")
        if st in ("gone", "rebooted"):
            seen_change = True
    idents = [o for _, o in lines if o["state"] in ("attached", "rebooted")]
    last = idents[-1]
    if last.get("release") != new.release or _kaslr(last) != new.kaslr_offset:
        bad.append("last identity %s/%s, the new kernel is %s/%#x" % (
            last.get("release"), last.get("kaslr_offset"), new.release, new.kaslr_offset))
    if reb:
        r = after[reb[0]][1]
        if r.get("boot_id") == old_id:
            bad.append("\"rebooted\" kept the old boot_id %s" % old_id)
        for _, o in after[reb[0] + 1:]:
            if o.get("boot_id") != r.get("boot_id"):
                bad.append("after \"rebooted\": boot_id %s, not %s" % (
                    o.get("boot_id"), r.get("boot_id")))
                break
    if not any(t > t_new_truth for t, _ in lines):
        bad.append("the session has no line after the new kernel's truth arrived")
    # Promptness: the new kernel was attachable when an `info` on the same
    # file first succeeded with its identity; "rebooted" must come within 3
    # polls of that: at most 3 other lines arrive after it (not counting one
    # within 50 ms, a poll that did its reads before). 3, not 2: while the old
    # kernel still reads intact the session takes another only once that one's
    # heartbeat moved between two looks (session.c), one poll more; a frozen
    # image an earlier boot left in RAM is never taken.
    ok = sampler.first_ok(new.release, new.kaslr_offset) if sampler else None
    if ok is None:
        notes.append("no `info` run succeeded with the new identity (%d samples)" % (
            len(sampler.samples) if sampler else 0))
    elif reb:
        t_reb = after[reb[0]][0]
        late = sum(1 for t, o in after[:reb[0]] if t > ok[1] + 0.05)
        notes.append("attachable %.1fs after the %s (info), rebooted line %.1fs after, %d "
                     "polls in between" % (ok[1] - t_event, what, t_reb - t_event, late))
        if late > 3:
            bad.append("\"rebooted\" came %d polls after `info` could attach to the new "
                       "kernel (at most 3): %s" % (late, ", ".join(
                           "%s at +%.2fs" % (o["state"], t - ok[1])
                           for t, o in after[:reb[0] + 1] if t > ok[1] + 0.05)))
    counts = {}
    for _, o in after:
        counts[o["state"]] = counts.get(o["state"], 0) + 1
    summary = "%d polls after the %s (%s)" % (
        len(after), what, ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    if bad:
        raise Fail(summary, limit(bad + notes) + ["timeline (from the %s):" % what] +
                   ["  " + x for x in timeline(lines, t_event)])
    return summary + "; " + "; ".join(notes)


def check_new_kernel(tool, old, new, what, want_release=None):
    """The guest really changed kernels and mintmon info (one shot) sees it."""
    bad = []
    if want_release and new.release != want_release:
        bad.append("the guest runs %s after the %s, expected %s" % (new.release, what,
                                                                     want_release))
    if new.kaslr_offset is None:
        bad.append("no KASLR offset in the new truth")
    info = tool.json("info", "--json")
    if info.get("release") != new.release or _kaslr(info) != new.kaslr_offset:
        bad.append("info finds %s/%s, the guest runs %s/%#x" % (
            info.get("release"), info.get("kaslr_offset"), new.release, new.kaslr_offset or 0))
    if bad:
        raise Fail("%d problems" % len(bad), bad)
    return "%s/%#x -> %s/%#x; info agrees" % (old.release, old.kaslr_offset, new.release,
                                              new.kaslr_offset)
