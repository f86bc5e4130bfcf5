# SPDX-License-Identifier: GPL-2.0
"""Checks on a paused guest for the ps columns, RAM checks, symbol arguments
and `symbolize` (docs/testbed.md, "What is asserted"):

    ps-ext      ps --json name/tty_nr/tty/pcpu/pmem for every task; the ps aux table
    ram         info --json "ram" = /proc/iomem System RAM; reads outside RAM refused
    vread-sym   vread/vtop with SYMBOL[+OFFSET]
    symbolize   symbolize ADDR... = the kernel's %pS of each address

Each takes (tool, truth[, ...]) and returns a one-line summary or raises Fail.
"""
import math
import random
import re
import struct

from mmtool import Fail, limit

PS_EXT_TYPES = {"name": str, "tty_nr": int, "tty": str, "pcpu": (int, float),
                "pmem": (int, float)}
PS_TABLE_HEADER = ["UID", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME",
                   "COMMAND"]
# Workqueue descriptions: the kernel copies the workqueue's name (WORKER_DESC_LEN
# is 24 on 6.1, 32 later, NUL included).
WQ_DESC = re.compile(r"[\x21-\x7e]{1,31}")


def tty_name(nr):
    """ps's name for a tty_nr (new_encode_dev), None for one it cannot name."""
    if nr == 0:
        return "?"
    major = (nr >> 8) & 0xfff
    minor = (nr & 0xff) | ((nr >> 12) & 0xfff00)
    if major == 4:
        return "ttyS%d" % (minor - 64) if minor >= 64 else "tty%d" % minor
    if 136 <= major <= 143:
        return "pts/%d" % ((major - 136) * 256 + minor)
    return None


def name_check(t, got, descs):
    """(ok, drift, expected) for a task's "name": exactly /proc stat's comm;
    for a workqueue worker the description after +/- is the last workqueue
    it ran and may have changed between the truth and the pause: then it must
    still be task->comm, +/-, and a workqueue name (drift, counted)."""
    if got == t.scomm:
        return True, False, t.scomm
    if not t.wq_worker or not isinstance(got, str):
        return False, False, t.scomm
    base = t.kcomm or t.comm
    if not got.startswith(base):
        return False, False, t.scomm
    rest = got[len(base):]
    had_desc = len(t.scomm) > len(base)
    if rest == "":
        # A worker's description is never cleared once it has run work.
        return not had_desc, False, t.scomm
    if rest[0] in "+-" and WQ_DESC.fullmatch(rest[1:]):
        return True, rest[1:] not in descs, t.scomm
    return False, False, t.scomm


def wq_descs(truth):
    out = set()
    for t in truth.tasks.values():
        base = t.kcomm or t.comm
        if t.wq_worker and len(t.scomm) > len(base) + 1:
            out.add(t.scomm[len(base) + 1:])
    return out


class PauseClock:
    """What the guest's uptime was when it was paused, as bounds: truth.c
    reads /proc/uptime just before END (uptime_end) and then keeps a CPU busy
    so that the kernel's clocks stay current; the host paused it `delay`
    seconds (measured, plus slack) after it saw END."""

    def __init__(self, truth, delay):
        self.lo = truth.uptime_end - 0.25      # /proc/uptime's 10 ms, a tick of lag
        self.hi = truth.uptime_end + delay + 0.5
        self.snap = truth.uptime_snap
        self.hz = truth.clk_tck


def pcpu_bounds(clock, start_ticks, ticks, rate):
    """Intervals that %CPU may lie in, for a task that had used `ticks`
    (USER_HZ, truncated) at the second snapshot and used CPU at `rate` (CPU
    seconds per second) since. ps: (utime + stime) / (uptime - start_time) *
    100, where procps takes whole seconds of life (and shows 0.0 when that
    is 0); a plain division is accepted too."""
    hz = float(clock.hz)
    start = start_ticks / hz
    cpu_lo = ticks / hz
    cpu_hi = (ticks + 1) / hz + max(clock.hi - clock.snap, 0) * rate
    out = []
    a_lo, a_hi = clock.lo - start, clock.hi - start
    out.append((100.0 * cpu_lo / a_hi if a_hi > 0 else 0.0,
                100.0 * cpu_hi / a_lo if a_lo > 0.01 else math.inf))
    i_lo = min(math.floor(clock.lo) - math.floor(start), math.floor(clock.lo - start))
    i_hi = max(math.floor(clock.hi) - math.floor(start), math.floor(clock.hi - start))
    if i_lo <= 0:
        out.append((0.0, 0.0))
        i_lo = 1
    if i_hi >= 1:
        out.append((100.0 * cpu_lo / i_hi, 100.0 * cpu_hi / i_lo))
    return out


def pcpu_ok(value, bounds):
    """Tolerance around each interval: 0.15 for one decimal (ps truncates,
    others round) and float noise; 10% of the value, as the CPU rate since
    the snapshot is an estimate. /proc's utime + stime add up to the task's
    sum_exec_runtime (cputime_adjust scales the tick samples to it): a tool
    that shows the raw tick samples instead is off by much more for tasks
    that run often but briefly, and fails."""
    return any(lo * 0.9 - 0.15 <= value <= hi * 1.1 + 0.15 for lo, hi in bounds)


def _rate(truth, t, hz):
    """CPU seconds per second since the second snapshot: as over the second
    before it (+2% for what a tick hides); 1 for a task not in the first
    snapshot and for the truth process (it compresses, sends, then spins)."""
    if t.ticks_prev is None or t.tgid == truth.self_pid:
        return 1.0
    # A kernel thread may wake between the snapshot and the pause (kcompactd,
    # khugepaged, kdamond working on the churn's pages): its rate is unknown,
    # so the bound is a whole CPU.
    if t.kthread:
        return 1.0
    return (t.ticks - t.ticks_prev) / hz + 0.02


def task_pcpu_ok(truth, clock, t, value):
    """The task's own times, or (for a process's main thread) the whole
    process's, as ps aux shows for a process."""
    hz = float(truth.clk_tck)
    own = pcpu_bounds(clock, t.start_ticks, t.ticks, _rate(truth, t, hz))
    if pcpu_ok(value, own):
        return True, own
    if t.tid == t.tgid:
        threads = [x for x in truth.tasks.values() if x.tgid == t.tgid]
        rate = sum(_rate(truth, x, hz) for x in threads)
        proc = pcpu_bounds(clock, t.start_ticks, t.pticks, rate)
        if pcpu_ok(value, proc):
            return True, proc
    return False, own


def check_ps_ext(tool, truth, delay):
    """name, tty_nr, tty, pcpu and pmem of every task; the ps aux table."""
    ps = tool.json("ps", "--json")
    if not isinstance(ps, list):
        raise Fail("ps --json is not an array")
    got, bad, wrong = {}, [], {}
    for o in ps:
        if not isinstance(o, dict) or not isinstance(o.get("pid"), int):
            raise Fail("ps --json has an element without an integer pid: %r" % (o,))
        for k, typ in PS_EXT_TYPES.items():
            if k not in o or not isinstance(o[k], typ) or isinstance(o[k], bool):
                wrong.setdefault(k, []).append("pid %d: %r" % (o["pid"], o.get(k)))
        got[o["pid"]] = o
    if wrong:
        raise Fail("ps --json lacks the new fields", [
            "%s missing or not %s in %d of %d tasks (%s)" % (
                k, PS_EXT_TYPES[k].__name__ if isinstance(PS_EXT_TYPES[k], type) else "a number",
                len(v), len(ps), ", ".join(v[:3])) for k, v in wrong.items()])
    if truth.mem_total_kb is None or truth.uptime_end is None:
        raise Fail("no MemTotal or uptime in the truth")
    clock = PauseClock(truth, delay)
    descs = wq_descs(truth)
    present = {tid for tid, t in truth.tasks.items() if t.stable in ("S", "U")}
    compared = drift = wq = 0
    drifted = []
    for tid in sorted(present & set(got)):
        t, o = truth.tasks[tid], got[tid]
        label = "tid %d (%s)" % (tid, t.scomm)
        compared += 1
        ok, dr, want = name_check(t, o["name"], descs)
        wq += t.wq_worker
        if not ok:
            bad.append("%s name: expected %r, got %r" % (label, want, o["name"]))
        elif dr or o["name"] != t.scomm:
            drift += 1
            drifted.append("%s -> %s" % (t.scomm, o["name"]))
        if o["tty_nr"] != t.tty_nr:
            bad.append("%s tty_nr: expected %#x, got %#x" % (label, t.tty_nr, o["tty_nr"]))
        want_tty = tty_name(o["tty_nr"])
        if want_tty is None and o["tty"] in ("", "?"):
            bad.append("%s tty: %r for tty_nr %#x" % (label, o["tty"], o["tty_nr"]))
        elif want_tty is not None and o["tty"] != want_tty:
            bad.append("%s tty: tty_nr %#x is %r, got %r" % (
                label, o["tty_nr"], want_tty, o["tty"]))
        ok, bounds = task_pcpu_ok(truth, clock, t, float(o["pcpu"]))
        if not ok:
            bad.append("%s pcpu %.1f: expected %s (/proc: %d ticks, start %d; uptime "
                       "%.2f-%.2f)" % (label, o["pcpu"], " or ".join(
                           "%.2f-%.2f" % b for b in bounds), t.ticks, t.start_ticks,
                           clock.lo, clock.hi))
        # Resident size: the truth's for tasks that sat still, else the tool's own.
        still = t.stable == "S" and t.tgid != truth.self_pid and t.state != "Z"
        rss = t.rss_kb if still else o.get("rss_kb", 0)
        want = 100.0 * rss / truth.mem_total_kb
        if abs(float(o["pmem"]) - want) > 0.1 + 1e-6:
            bad.append("%s pmem %.1f: expected %.2f (rss %d kB of %d kB)" % (
                label, o["pmem"], want, rss, truth.mem_total_kb))
    if wq and drift * 2 > wq:
        bad.append("%d of %d workqueue workers changed description since the truth: %s" % (
            drift, wq, "; ".join(drifted[:5])))
    # The markers: on a serial port and on a pseudo-terminal, with exact names.
    for args, want in (("sleep 86401", "ttyS0"), ("sleep 86402", "pts/")):
        t = next((x for x in truth.tasks.values() if x.args == args), None)
        if t is None or t.tid not in got:
            bad.append("marker %r missing" % args)
        elif not got[t.tid]["tty"].startswith(want):
            bad.append("marker %r: tty %r, expected %s" % (args, got[t.tid]["tty"], want))
    bad += check_ps_table(tool, truth, present, got, clock, descs)
    if bad:
        raise Fail("%d problems over %d tasks" % (len(bad), compared), limit(bad))
    burner = next((x for x in truth.tasks.values() if x.args.startswith("/bin/churn burn")),
                  None)
    hold = next((x for x in truth.tasks.values() if x.args.startswith("/bin/churn hold")),
                None)
    return "%d tasks: name, tty, pcpu, pmem agree%s%s%s" % (
        compared, "; %d/%d workqueue descriptions moved on" % (drift, wq) if drift else "",
        "; burner %%CPU %.1f" % got[burner.tid]["pcpu"] if burner and burner.tid in got else "",
        "; holder %%MEM %.1f" % got[hold.tid]["pmem"] if hold and hold.tid in got else "")


def check_ps_table(tool, truth, present, js, clock, descs):
    """The human table, like ps aux: one line per process, kernel threads as
    [name] with the full name."""
    lines = tool.run("ps").decode(errors="replace").splitlines()
    if not lines or lines[0].split() != PS_TABLE_HEADER:
        return ["ps table: header %r, expected %r" % (
            lines[0] if lines else "", " ".join(PS_TABLE_HEADER))]
    bad, rows = [], {}
    for line in lines[1:]:
        f = line.split(None, 10)
        if len(f) < 11 or not f[1].isdigit():
            bad.append("ps table: malformed line %r" % line[:80])
            continue
        rows[int(f[1])] = f
    procs = {t.tgid for tid, t in truth.tasks.items() if tid in present and tid == t.tgid}
    for pid in sorted(procs - set(rows)):
        bad.append("ps table: process %d missing" % pid)
    for pid in sorted(procs & set(rows)):
        t, f = truth.tasks[pid], rows[pid]
        uid, cpu, mem, vsz, rss, tty, stat, command = f[0], f[2], f[3], f[4], f[5], f[6], \
            f[7], f[10]
        label = "ps table: process %d (%s)" % (pid, t.scomm)
        if uid.isdigit() and int(uid) != t.uid:
            bad.append("%s: UID %s, expected %d" % (label, uid, t.uid))
        if t.args:
            if command != t.args:
                bad.append("%s: COMMAND %r, expected %r" % (label, command[:60], t.args[:60]))
        elif not (command.startswith("[") and command.endswith("]") and
                  name_check(t, command[1:-1], descs)[0]):
            bad.append("%s: COMMAND %r, expected [%s]" % (label, command[:60], t.scomm))
        want_tty = tty_name(t.tty_nr)
        if want_tty is not None and tty != want_tty:
            bad.append("%s: TTY %r, expected %r" % (label, tty, want_tty))
        o = js.get(pid)
        if o is None:
            continue
        try:
            if not task_pcpu_ok(truth, clock, t, float(cpu))[0]:
                bad.append("%s: %%CPU %s out of bounds" % (label, cpu))
            if abs(float(mem) - float(o["pmem"])) > 0.05 + 1e-6:
                bad.append("%s: %%MEM %s, ps --json says %s" % (label, mem, o["pmem"]))
        except ValueError:
            bad.append("%s: %%CPU/%%MEM not numbers: %r %r" % (label, cpu, mem))
        if vsz != str(o.get("vsz_kb")) or rss != str(o.get("rss_kb")):
            bad.append("%s: VSZ/RSS %s/%s, ps --json says %s/%s" % (
                label, vsz, rss, o.get("vsz_kb"), o.get("rss_kb")))
        if not stat.startswith(o.get("state", "?")):
            bad.append("%s: STAT %r, ps --json state %r" % (label, stat, o.get("state")))
    return bad


# ---- RAM ----

def _hexes(line):
    return {int(x, 16) for x in re.findall(r"0x([0-9a-fA-F]+)", line)}


def check_ram(tool, truth, mem_bytes):
    """info --json "ram" = the top-level System RAM of /proc/iomem ([start,
    end)); a read of a hole below the memory file's end and of device memory
    beyond it fail with one line naming the address; RAM still reads."""
    bad, notes = [], []
    info = tool.json("info", "--json")
    ram = info.get("ram") if isinstance(info, dict) else None
    want = truth.system_ram
    if not want:
        raise Fail("no System RAM lines in the guest's /proc/iomem")
    if not isinstance(ram, list):
        bad.append("info --json has no \"ram\" array (got %r)" % (ram,))
    else:
        try:
            got = [(int(r["start"], 16), int(r["end"], 16)) for r in ram]
            if any(not (r["start"].startswith("0x") and r["end"].startswith("0x"))
                   for r in ram):
                bad.append("ram: start/end must be \"0x...\" strings: %r" % ram[:3])
        except (TypeError, KeyError, ValueError, AttributeError):
            got = None
            bad.append("ram: elements must be {\"start\": \"0x...\", \"end\": \"0x...\"}: %r" %
                       ram[:3])
        if got is not None and got != want:
            bad.append("ram: expected %s, got %s" % (
                ", ".join("%#x-%#x" % r for r in want), ", ".join("%#x-%#x" % r for r in got)))
    pob = truth.kvars.get("page_offset_base")
    if pob is None:
        raise Fail("no page_offset_base in the truth", bad)

    def in_ram(pa):
        return any(s <= pa < e for s, e in want)
    hole = 0xa0000
    if in_ram(hole) or hole >= mem_bytes:
        hole = next((e for s, e in want if e < mem_bytes and not in_ram(e)), None)
    cases = []
    if hole is not None:
        cases.append(("hole", hole))
    # Beyond the memory file: the local APIC's page, through the direct map.
    cases.append(("device", 0xfee00000 if 0xfee00000 >= mem_bytes else mem_bytes + 0x1000))
    for what, pa in cases:
        va = pob + pa
        r = tool.result("vread", "%#x" % va, "8")
        if r.crash or r.timeout:
            bad.append("vread of %s %#x: %s" % (what, pa, r.describe()))
        elif r.rc != 1 or len(r.err) != 1:
            bad.append("vread of %s %#x (virtual %#x) must fail with exit 1 and one line, got "
                       "exit %s, %d lines: %r" % (what, pa, va, r.rc, len(r.err),
                                                  r.err[:2] or r.out[:60]))
        elif not _hexes(r.err[0]) & {pa, va}:
            bad.append("vread of %s %#x: %r names neither %#x nor %#x" % (
                what, pa, r.err[0], pa, va))
        else:
            notes.append("%s %#x: %s" % (what, pa, r.err[0]))
    # And RAM itself still reads (the refusals are not a blanket failure).
    ok_pa = next(s for s, e in want if e - s >= 0x2000) + 0x1000
    r = tool.result("vread", "%#x" % (pob + ok_pa), "8", "--raw")
    if r.rc != 0 or len(r.out) != 8:
        bad.append("vread of RAM at %#x: %s" % (ok_pa, r.describe()))
    if bad:
        raise Fail("%d problems" % len(bad), bad)
    return "%d RAM ranges agree; refused: %s" % (len(want), "; ".join(notes))


# ---- symbol arguments ----

def check_vread_sym(tool, truth):
    bad, done = [], []
    jiffies = truth.symbol("jiffies")
    banner_addr, banner = truth.symbol("linux_banner"), truth.kvars.get("linux_banner")
    if not jiffies or not banner_addr or not banner:
        raise Fail("no jiffies/linux_banner in the truth")

    def vread(*a):
        r = tool.result("vread", *a)
        if r.rc != 0 or r.crash:
            bad.append(r.describe())
            return None
        return r.out
    by_name, by_addr = vread("jiffies", "8", "--raw"), vread("%#x" % jiffies, "8", "--raw")
    if by_name is not None and by_addr is not None:
        if by_name != by_addr or len(by_name) != 8:
            bad.append("vread jiffies 8: %s, at %#x: %s" % (by_name.hex(), jiffies, by_addr.hex()))
        elif struct.unpack("<Q", by_name)[0] == 0:
            bad.append("vread jiffies: 0")
        else:
            done.append("jiffies")
    want = banner.encode()[0x10:0x20]
    got = vread("linux_banner+0x10", "16", "--raw")
    if got is not None:
        if got != want:
            bad.append("vread linux_banner+0x10 16: expected %r, got %r" % (want, got))
        else:
            done.append("linux_banner+0x10")
    # vtop by name = vtop by number.
    a = tool.result("vtop", "linux_banner", "--json")
    b = tool.result("vtop", "%#x" % banner_addr, "--json")
    if a.rc != 0 or b.rc != 0 or a.crash or b.crash:
        bad.append("vtop linux_banner: %s; by number: %s" % (
            a.describe() if a.rc else "ok", b.describe() if b.rc else "ok"))
    elif a.out != b.out:
        bad.append("vtop linux_banner %r != vtop %#x %r" % (a.out[:80], banner_addr, b.out[:80]))
    else:
        done.append("vtop linux_banner")
    # An unknown symbol: one line naming it, not a crash.
    r = tool.result("vread", "no_such_symbol_mintmon", "8")
    if r.crash or r.rc not in (1, 2) or len(r.err) != 1 or "no_such_symbol_mintmon" not in r.err[0]:
        bad.append("vread of an unknown symbol: expected exit 1 or 2 and one line naming it, "
                   "got exit %s: %r" % (r.rc, r.err[:2]))
    else:
        done.append("unknown symbol refused")
    if bad:
        raise Fail("%d of %d symbol reads wrong" % (len(bad), len(bad) + len(done)), bad)
    return ", ".join(done)


def check_symbolize(tool, truth, count=24):
    """symbolize ADDR+1 for sampled text symbols: NAME+0x1/0xSIZE, NAME any
    symbol at that address, SIZE up to the next higher address (the kernel's
    kallsyms_lookup_size_offset); addresses outside the kernel: `ADDR ?`."""
    core, _ = truth.core_kallsyms()
    names, addrs = {}, set()
    text = []
    for ln in core:
        f = ln.split(" ", 2)
        if len(f) != 3:
            continue
        a = int(f[0], 16)
        names.setdefault(a, set()).add(f[2].split("\t")[0])
        addrs.add(a)
        if f[1] in "tT":
            text.append(a)
    order = sorted(addrs)
    nxt = {a: b for a, b in zip(order, order[1:])}
    cands = sorted({a for a in text if a in nxt and nxt[a] - a >= 2})
    if len(cands) < count:
        raise Fail("only %d text symbols to sample" % len(cands))
    rng = random.Random(truth.release)
    picks = rng.sample(cands, count)
    stext = truth.symbol("_stext") or truth.symbol("_text")
    if stext and stext not in picks and stext in nxt and nxt[stext] - stext >= 2:
        picks[0] = stext
    nosym = [0x1000]
    pob = truth.kvars.get("page_offset_base")
    if pob:
        nosym.append(pob + 0x100000)
    query = [a + 1 for a in picks] + nosym
    out = tool.run("symbolize", *("%#x" % a for a in query)).decode(errors="replace")
    lines = out.splitlines()
    bad = []
    if len(lines) != len(query):
        raise Fail("symbolize: %d addresses, %d lines" % (len(query), len(lines)),
                   limit(lines))
    for q, line in zip(query, lines):
        f = line.split()
        try:
            if len(f) != 2 or int(f[0], 16) != q:
                raise ValueError
        except ValueError:
            bad.append("%#x: malformed line %r" % (q, line))
            continue
        if q - 1 not in names:              # the no-symbol cases
            if f[1] != "?":
                bad.append("%#x: expected ?, got %r" % (q, f[1]))
            continue
        m = re.fullmatch(r"(.+)\+0x([0-9a-f]+)/0x([0-9a-f]+)", f[1])
        want = "%s+0x1/%#x" % ("|".join(sorted(names[q - 1])), nxt[q - 1] - (q - 1))
        if not m or m.group(1) not in names[q - 1] or int(m.group(2), 16) != 1 or \
                int(m.group(3), 16) != nxt[q - 1] - (q - 1):
            bad.append("%#x: expected %s, got %r" % (q, want, f[1]))
    if bad:
        raise Fail("%d of %d addresses wrong" % (len(bad), len(query)), limit(bad))
    return "%d addresses (%d text symbols + 1, %d outside the kernel) agree" % (
        len(query), len(picks), len(nosym))
