#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Integration tests: mintmon against real Debian kernels under QEMU.

Each run boots one kernel (KASLR on, RAM in /dev/shm) with the scenario
initramfs (tests/guest/), waits for the guest's own view of itself (the
"truth", sent over its second serial port), pauses the guest with QMP `stop`,
then runs mintmon on the memory file and compares. Test cases per run:

    truth    the harness itself: truth complete, scenario present, memory
             file holds the guest's vmcoreinfo
    info     `info --json` vs uname, VMCOREINFO, /proc/iomem, kcore reads
    syms     `syms` vs /proc/kallsyms, line for line
    ps       `ps --json` vs /proc/PID/task/TID for every task
    vread    `vread --raw` of vartest's variables and of linux_banner

One run also dumps the paused guest with QMP dump-guest-memory and repeats
info/syms/ps/vread on `-t elf:CORE` (cases elf-dump, elf-info, ...).

    python3 tests/integration/test_kernels.py [--mintmon PATH] [--initrd PATH]
        [--only LABEL[,LABEL]] [-j N] [--logs DIR] [--mem MiB]

Prints one line per test case and ends with "N passed, N failed".
"""

import argparse
import concurrent.futures
import json
import mmap
import os
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import kernels  # noqa: E402
import qemu  # noqa: E402
from bad_input import BadInputFail, check_bad_input  # noqa: E402

MAX_DETAILS = 15
TOOL_TIMEOUT = 120

# label, kernel flavour, 5-level paging, also test an ELF core[, extra kernel arguments]
RUNS = [
    ("6.1-amd64", "6.1-amd64", False, True),
    ("6.1-cloud-amd64", "6.1-cloud-amd64", False, False),
    ("6.1-rt-amd64", "6.1-rt-amd64", False, False),
    ("6.12-amd64", "6.12-amd64", False, False),
    ("6.12-cloud-amd64", "6.12-cloud-amd64", False, False),
    ("6.12-rt-amd64", "6.12-rt-amd64", False, False),
    ("6.12-amd64-la57", "6.12-amd64", True, False),
    # KASLR off (the seeds' setup): offset 0, default memory layout. KASLR
    # picks offset 0 now and then too; this makes that case certain.
    ("6.1-amd64-nokaslr", "6.1-amd64", False, False, "nokaslr"),
]
CASES = ("truth", "info", "syms", "ps", "vread")
ELF_CASES = ("elf-dump", "elf-info", "elf-syms", "elf-ps", "elf-vread")
# With the ELF run (one kernel): corrupt copies of its memory (bad_input.py).
BAD_CASES = ("bad-input",)


class Fail(Exception):
    def __init__(self, summary, details=()):
        super().__init__(summary)
        self.summary, self.details = summary, list(details)


def limit(details):
    details = list(details)
    if len(details) > MAX_DETAILS:
        return details[:MAX_DETAILS] + ["... and %d more" % (len(details) - MAX_DETAILS)]
    return details


class Tool:
    def __init__(self, path, target):
        self.path, self.target = path, target

    def run(self, *args):
        cmd = [self.path, "-t", self.target] + list(args)
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=TOOL_TIMEOUT)
        except FileNotFoundError:
            raise Fail("cannot run %s (not built?)" % self.path)
        except subprocess.TimeoutExpired:
            raise Fail("`%s` did not finish in %ds" % (" ".join(cmd[3:]), TOOL_TIMEOUT))
        if r.returncode != 0:
            err = r.stderr.decode(errors="replace").strip().splitlines()
            raise Fail("`mintmon %s` exited %d: %s" % (
                " ".join(cmd[3:]), r.returncode, err[-1] if err else "(no stderr)"))
        return r.stdout

    def json(self, *args):
        out = self.run(*args)
        try:
            return json.loads(out)
        except ValueError as e:
            raise Fail("`mintmon %s` printed invalid JSON: %s" % (" ".join(args), e))


# ---- the checks ----

def check_truth(truth, guest, la57):
    """The harness and scenario are sound: otherwise no other result means anything."""
    problems = []
    tasks = list(truth.tasks.values())
    if truth.vmcoreinfo is None:
        problems.append("no VMCOREINFO ground truth: %s" % truth.vmcoreinfo_absent_reason)
    elif truth.vmcoreinfo.get("OSRELEASE") != truth.release:
        problems.append("VMCOREINFO OSRELEASE %r != uname -r %r" % (
            truth.vmcoreinfo.get("OSRELEASE"), truth.release))
    if truth.paging_levels not in (None, 5 if la57 else 4):
        problems.append("guest uses %d-level paging, run wants %d" % (
            truth.paging_levels, 5 if la57 else 4))
    if truth.kernel_code is None:
        problems.append("no 'Kernel code' line in /proc/iomem")
    core, _ = truth.core_kallsyms()
    if len(core) < 10000 or not truth.symbol("_text"):
        problems.append("/proc/kallsyms looks censored or short (%d lines, _text at %r)" % (
            len(core), truth.symbol("_text")))
    by_comm = {}
    for t in tasks:
        by_comm.setdefault(t.comm, []).append(t)
    pool = [t for t in tasks if t.args == "/bin/threads pool 4"]
    if len(pool) != 5 or len({t.tgid for t in pool}) != 1:
        problems.append("scenario: 'threads pool 4' should be 5 tasks of one tgid, got %d" %
                        len(pool))
    if not any(t.uid == 1000 and not t.kthread for t in tasks):
        problems.append("scenario: no task of uid 1000")
    if not any(t.state == "T" for t in tasks):
        problems.append("scenario: no stopped task")
    if not any(t.state == "Z" for t in tasks):
        problems.append("scenario: no zombie")
    if not any(len(t.args) > 4096 and t.comm == "longargs" for t in tasks):
        problems.append("scenario: no longargs process with > 4 KiB of arguments")
    if sum(t.kthread for t in tasks) < 10:
        problems.append("scenario: fewer than 10 kernel threads")
    pid, variables = truth.variables()
    if pid not in truth.tasks or len(variables) != 3:
        problems.append("scenario: vartest output incomplete (pid %s, %d values)" % (
            pid, len(variables)))
    unstable = [t for t in tasks if t.stable != "S" and t.tgid != truth.self_pid]
    # The guest's RAM must really be the memory file the tool reads.
    with open(guest.memfile, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            if m.size() != guest.mem_mb << 20:
                problems.append("memory file is %d bytes, guest has %d MiB" % (
                    m.size(), guest.mem_mb))
            if m.find(b"OSRELEASE=%s\n" % truth.release.encode()) < 0:
                problems.append("memory file %s has no 'OSRELEASE=%s'" % (
                    guest.memfile, truth.release))
        finally:
            m.close()
    if problems:
        raise Fail("harness/scenario problem", problems)
    boot = "%.1fs" % guest.boot_seconds if guest.boot_seconds is not None else "?"
    return "%s, %d tasks (%d kthreads, %d not stable), %d kallsyms lines; " \
        "boot %s, truth complete %.1fs" % (
            truth.release, len(tasks), sum(t.kthread for t in tasks), len(unstable),
            len(core), boot, guest.truth_seconds)


def _hex_eq(got, want):
    try:
        return int(got, 16) == want
    except (TypeError, ValueError):
        return False


INFO_TYPES = {"release": str, "banner": str, "kaslr_offset": str, "text_virt": str,
              "text_phys": str, "phys_base": str, "page_offset_base": str,
              "vmemmap_base": str, "paging_levels": int, "symbols": int, "btf_size": int}


def check_info(tool, truth, la57):
    info = tool.json("info", "--json")
    if not isinstance(info, dict):
        raise Fail("info --json is not an object")
    bad = []
    for k, typ in INFO_TYPES.items():
        if k not in info:
            bad.append("key %s missing" % k)
        elif not isinstance(info[k], typ) or isinstance(info[k], bool):
            bad.append("key %s: want %s, got %r" % (k, typ.__name__, info[k]))
        elif typ is str and k not in ("release", "banner") and not info[k].startswith("0x"):
            bad.append("key %s: want \"0x...\", got %r" % (k, info[k]))
    contract = len(bad)

    core, _ = truth.core_kallsyms()
    expect = [("release", truth.release, lambda g, w: g == w)]
    banner = truth.kvars.get("linux_banner")
    if banner is not None:
        expect.append(("banner", banner.rstrip("\n"), lambda g, w: g.rstrip("\n") == w))
    hexkeys = [("kaslr_offset", truth.kaslr_offset), ("text_virt", truth.symbol("_text")),
               ("text_phys", truth.kernel_code and truth.kernel_code[0]),
               ("phys_base", truth.phys_base),
               ("page_offset_base", truth.kvars.get("page_offset_base")),
               ("vmemmap_base", truth.kvars.get("vmemmap_base"))]
    skipped = []
    for k, want in hexkeys:
        if want is None:
            skipped.append(k)
        else:
            expect.append((k, want, _hex_eq))
    expect.append(("paging_levels", 5 if la57 else 4, lambda g, w: g == w))
    expect.append(("symbols", len(core), lambda g, w: g == w))
    start, stop = truth.symbol("__start_BTF"), truth.symbol("__stop_BTF")
    if start and stop:
        expect.append(("btf_size", stop - start, lambda g, w: g == w))
    else:
        expect.append(("btf_size", "> 0", lambda g, w: g > 0))

    for k, want, ok in expect:
        if k not in info or not isinstance(info[k], INFO_TYPES[k]):
            continue            # reported above
        if not ok(info[k], want):
            bad.append("%s: expected %s, got %r" % (
                k, hex(want) if isinstance(want, int) and k not in (
                    "paging_levels", "symbols", "btf_size") else repr(want), info[k]))
    if bad:
        raise Fail("%d of %d info fields wrong%s" % (
            len(bad) - contract, len(expect),
            ", %d break the contract" % contract if contract else ""), bad)
    note = " (no ground truth for %s)" % ", ".join(skipped) if skipped else ""
    return "release %s, kaslr %s, %d fields match%s" % (
        info["release"], info["kaslr_offset"], len(expect), note)


def check_syms(tool, truth):
    out = tool.run("syms").decode("utf-8", "surrogateescape").splitlines()
    want, tagged = truth.core_kallsyms()
    got = [ln for ln in out if "\t[" not in ln]
    got_tagged = len(out) - len(got)
    extra = ""
    if tagged or got_tagged:
        extra = " (not compared: %d tagged lines in /proc/kallsyms, %d in mintmon: %s)" % (
            len(tagged), got_tagged, ", ".join(sorted({ln.split("\t")[1] for ln in tagged})))
    if got == want:
        return "%d lines equal%s" % (len(want), extra)
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            break
    else:
        i = min(len(got), len(want))
    details = ["first difference at line %d:" % (i + 1),
               "  expected %r" % (want[i] if i < len(want) else "(end of /proc/kallsyms)"),
               "  got      %r" % (got[i] if i < len(got) else "(end of mintmon output)")]
    ndiff = sum(1 for g, w in zip(got, want) if g != w) + abs(len(got) - len(want))
    raise Fail("%d lines from mintmon, %d in /proc/kallsyms, %d differ%s" % (
        len(got), len(want), ndiff, extra), details)


PS_TYPES = {"pid": int, "tgid": int, "ppid": int, "uid": int, "euid": int, "state": str,
            "comm": str, "args": str, "kthread": bool, "rss_kb": int, "vsz_kb": int,
            "start_time_ns": int}


def _expected_comm_ok(t, got):
    """task->comm as the kernel holds it. /proc/.../comm decorates kernel
    threads (workqueue suffixes, full names): use the sched file's comm, or
    failing that accept task->comm as a 15-byte prefix of the decorated one."""
    if t.kcomm:
        return got == t.kcomm, t.kcomm
    if t.kthread:
        return len(got) > 0 and t.comm.startswith(got) and len(got) <= 15, t.comm[:15] + "*"
    return got == t.comm, t.comm


def check_ps_table(tool, truth, present):
    """The human table, like ps aux: a header, then one line per process with
    PID its tgid and COMMAND its arguments, or [comm] without any."""
    lines = tool.run("ps").decode(errors="replace").splitlines()
    if not lines or lines[0].split() != ["UID", "PID", "PPID", "STAT", "START", "TIME", "VSZ",
                                         "RSS", "COMMAND"]:
        return ["ps table: unexpected header %r" % (lines[0] if lines else "")]
    bad, rows = [], {}
    for line in lines[1:]:
        f = line.split(None, 8)
        if len(f) < 9 or not f[1].isdigit():
            bad.append("ps table: malformed line %r" % line[:80])
            continue
        rows[int(f[1])] = (int(f[2]), f[8])
    procs = {t.tgid for tid, t in truth.tasks.items() if tid in present and tid == t.tgid}
    for pid in sorted(procs - set(rows)):
        bad.append("ps table: process %d missing" % pid)
    for pid in sorted(procs & set(rows)):
        t = truth.tasks[pid]
        want = t.args or "[%s]" % (t.kcomm or t.comm)
        ppid, command = rows[pid]
        if ppid != t.ppid or (command != want and not (not t.args and command.startswith("["))):
            bad.append("ps table: process %d: expected ppid %d, %r; got %d, %r" % (
                pid, t.ppid, want[:60], ppid, command[:60]))
    return bad


def check_ps(tool, truth):
    ps = tool.json("ps", "--json")
    if not isinstance(ps, list):
        raise Fail("ps --json is not an array")
    bad, got = [], {}
    for i, o in enumerate(ps):
        if not isinstance(o, dict):
            raise Fail("ps --json element %d is not an object" % i)
        for k, typ in PS_TYPES.items():
            if k not in o or not isinstance(o[k], typ) or (typ is int and
                                                           isinstance(o[k], bool)):
                bad.append("element %d (pid %s): key %s missing or not %s: %r" % (
                    i, o.get("pid"), k, typ.__name__, o.get(k)))
        if isinstance(o.get("pid"), int):
            if o["pid"] in got:
                bad.append("pid %d listed twice" % o["pid"])
            got[o["pid"]] = o
    if bad:
        raise Fail("ps --json does not follow the contract", limit(bad))
    if 0 in got:
        bad.append("pid 0 listed (the idle tasks are not processes; /proc omits them)")

    present = {tid for tid, t in truth.tasks.items() if t.stable in ("S", "U")}
    transient = {tid for tid, t in truth.tasks.items() if t.stable in ("N", "G")}
    missing = sorted(present - set(got))
    extra = sorted(set(got) - present - transient - {0})
    for tid in missing:
        t = truth.tasks[tid]
        bad.append("tid %d (%s) missing" % (tid, t.kcomm or t.comm))
    notes = []
    for tid in extra:
        o = got[tid]
        if o.get("kthread"):
            notes.append("kernel thread %d (%s) born after the snapshot" % (tid, o["comm"]))
        else:
            bad.append("tid %d (%s) listed by mintmon but not in /proc" % (tid, o["comm"]))

    compared = states = sizes = 0
    for tid in sorted(present & set(got)):
        t, o = truth.tasks[tid], got[tid]
        label = "tid %d (%s)" % (tid, t.kcomm or t.comm)
        compared += 1
        for k, want in (("tgid", t.tgid), ("ppid", t.ppid), ("uid", t.uid), ("euid", t.euid),
                        ("args", t.args), ("kthread", t.kthread)):
            if o[k] != want:
                w, g = want, o[k]
                if k == "args" and (len(w) > 60 or len(g) > 60):
                    j = next((j for j, (a, b) in enumerate(zip(w, g)) if a != b),
                             min(len(w), len(g)))
                    bad.append("%s args: %d chars expected, %d got, first difference at "
                               "char %d: expected %r, got %r" % (
                                   label, len(w), len(g), j, w[j:j + 20], g[j:j + 20]))
                else:
                    bad.append("%s %s: expected %r, got %r" % (label, k, w, g))
        ok, shown = _expected_comm_ok(t, o["comm"])
        if not ok:
            bad.append("%s comm: expected %r, got %r" % (label, shown, o["comm"]))
        # A state seen twice, 1 s apart, is the state at the pause; the truth
        # process itself was running while it looked.
        if t.stable == "S" and t.tgid != truth.self_pid:
            states += 1
            if o["state"] != t.state:
                bad.append("%s state: expected %r, got %r" % (label, t.state, o["state"]))
        # /proc's starttime is start_boottime in USER_HZ (100) ticks: nsec_to_clock_t().
        if o["start_time_ns"] // 10000000 != t.start_ticks:
            bad.append("%s start_time_ns %d is %d ticks, /proc says %d" % (
                label, o["start_time_ns"], o["start_time_ns"] // 10000000, t.start_ticks))
        # Memory sizes: for tasks that sat still (not the truth process, which
        # was reading /proc while it looked).
        if t.stable == "S" and t.tgid != truth.self_pid and t.state != "Z":
            sizes += 1
            for k, want in (("vsz_kb", t.vsz_kb), ("rss_kb", t.rss_kb)):
                if o[k] != want:
                    bad.append("%s %s: expected %d, got %d" % (label, k, want, o[k]))
    bad += check_ps_table(tool, truth, present)
    if bad:
        raise Fail("%d problems over %d tasks" % (len(bad), len(present)), limit(bad + notes))
    return "%d tasks agree (states and sizes of %d/%d compared)%s" % (
        compared, states, sizes, "; " + "; ".join(notes[:3]) if notes else "")


def check_vread(tool, truth):
    pid, variables = truth.variables()
    bad, done = [], []
    for name, addr, value in variables:
        want = struct.pack("<Q", value)
        try:
            got = tool.run("vread", "0x%x" % addr, "8", "--pid", str(pid), "--raw")
        except Fail as e:
            bad.append("%s at 0x%x: %s" % (name, addr, e.summary))
            continue
        if got != want:
            bad.append("%s at 0x%x (pid %d): expected %s, got %s" % (
                name, addr, pid, want.hex(), got.hex() or "(nothing)"))
        else:
            done.append(name)
    banner, addr = truth.kvars.get("linux_banner"), truth.symbol("linux_banner")
    if banner and addr:
        want = banner.encode()[:64]
        try:
            got = tool.run("vread", "0x%x" % addr, str(len(want)), "--raw")
            if got != want:
                bad.append("linux_banner at 0x%x: expected %r, got %r" % (addr, want, got))
            else:
                done.append("linux_banner")
        except Fail as e:
            bad.append("linux_banner at 0x%x: %s" % (addr, e.summary))
    # vmalloc and vmemmap: translated through the kernel's page tables, not
    # linearly; the guest read the same bytes through /proc/kcore.
    for name in ("vmalloc_stack", "vmemmap_text"):
        va, want = truth.kvars.get(name + "_va"), truth.kvars.get(name + "_bytes")
        if va is None or want is None:
            bad.append("%s: the guest could not read it through /proc/kcore" % name)
            continue
        try:
            got = tool.run("vread", "0x%x" % va, str(len(want)), "--raw")
        except Fail as e:
            bad.append("%s at 0x%x: %s" % (name, va, e.summary))
            continue
        if got != want:
            bad.append("%s at 0x%x: expected %s, got %s" % (name, va, want.hex(), got.hex()))
        else:
            done.append(name)
    if bad:
        raise Fail("%d of %d reads wrong" % (len(bad), len(bad) + len(done)), bad)
    return "%s read correctly" % ", ".join(done)


def check_elf_dump(path):
    """The core QEMU wrote is what the tool expects: ELF64, PT_LOADs."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if len(eh) < 64 or eh[:4] != b"\x7fELF" or eh[4] != 2:
            raise Fail("%s is not an ELF64 file" % path)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads, notes, total = 0, 0, 0
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", ph, i * phentsize)
        if p_type == 1:
            loads += 1
            total += struct.unpack_from("<Q", ph, i * phentsize + 40)[0]    # p_memsz
        elif p_type == 4:
            notes += 1
    if loads == 0:
        raise Fail("ELF core has no PT_LOAD")
    return "%d PT_LOAD (%d MiB), %d PT_NOTE, %d MiB file" % (
        loads, total >> 20, notes, os.path.getsize(path) >> 20)


# ---- running ----

def run_one(label, flavour, la57, elf, *rest):
    args = rest[-1]
    append = rest[0] if len(rest) > 1 else ""
    """Boot one guest and run its cases; returns [(case, ok, summary, details)]."""
    results = []
    cases = [c for c in CASES] + ([c for c in ELF_CASES + BAD_CASES] if elf else [])

    def record(case, fn, *a):
        try:
            results.append((case, True, fn(*a), []))
            return True
        except Fail as e:
            results.append((case, False, e.summary, e.details))
        except BadInputFail as e:
            results.append((case, False, str(e), []))
        except Exception as e:      # a harness bug must show, not abort the other runs
            results.append((case, False, "%s: %s" % (type(e).__name__, e), []))
        return False

    try:
        k = kernels.get(flavour)
    except kernels.KernelError as e:
        return [(c, False, "kernel %s unavailable: %s" % (flavour, e), []) for c in cases]
    guest = qemu.Guest(k.vmlinuz, args.initrd, mem_mb=args.mem, la57=la57, name=label,
                       append=append)
    try:
        try:
            guest.start()
            truth = guest.wait_for_truth(args.boot_timeout)
            guest.stop()
        except qemu.GuestError as e:
            msg = str(e).splitlines()
            return [("truth", False, msg[0], msg[1:])] + [
                (c, False, "no ground truth (guest failed)", []) for c in cases[1:]]
        if not record("truth", check_truth, truth, guest, la57):
            return results + [(c, False, "skipped: harness problem", []) for c in cases[1:]]
        tool = Tool(args.mintmon, "file:" + guest.memfile)
        record("info", check_info, tool, truth, la57)
        record("syms", check_syms, tool, truth)
        record("ps", check_ps, tool, truth)
        record("vread", check_vread, tool, truth)
        if elf:
            core = os.path.join(guest.workdir, "core.elf")
            try:
                guest.dump_elf(core)
            except qemu.GuestError as e:
                results.append(("elf-dump", False, str(e), []))
                return results + [(c, False, "no ELF core", []) for c in ELF_CASES[1:]]
            if record("elf-dump", check_elf_dump, core):
                etool = Tool(args.mintmon, "elf:" + core)
                record("elf-info", check_info, etool, truth, la57)
                record("elf-syms", check_syms, etool, truth)
                record("elf-ps", check_ps, etool, truth)
                record("elf-vread", check_vread, etool, truth)
            else:
                results += [(c, False, "no usable ELF core", []) for c in ELF_CASES[1:]]
            try:
                os.unlink(core)
            except OSError:
                pass
            record("bad-input", lambda: "%d cases, one clear error line each" % len(
                check_bad_input(args.mintmon, guest.memfile, guest.workdir)))
        return results
    finally:
        if args.logs and not all(r[1] for r in results):
            guest.save_logs(os.path.join(args.logs, label))
        guest.cleanup()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--only", help="comma-separated run labels (%s)" % ", ".join(
        r[0] for r in RUNS))
    ap.add_argument("-j", "--jobs", type=int, default=1, help="guests at a time")
    ap.add_argument("--mem", type=int, default=1024, help="guest RAM in MiB (<= 1024)")
    ap.add_argument("--boot-timeout", type=int, default=180)
    ap.add_argument("--logs", help="save console/truth logs of failing runs here")
    args = ap.parse_args(argv)
    args.mintmon = os.path.abspath(args.mintmon)
    if not os.path.exists(args.initrd):
        print("no initramfs at %s: run `make %s` first" % (args.initrd, args.initrd),
              file=sys.stderr)
        return 2
    runs = RUNS
    if args.only:
        want = args.only.split(",")
        runs = [r for r in RUNS if r[0] in want]
        if len(runs) != len(want):
            ap.error("unknown run label in %r" % args.only)

    # Fetch kernels up front (serially: apt and the cache are shared).
    for flavour in sorted({r[1] for r in runs}):
        try:
            kernels.get(flavour)
        except kernels.KernelError as e:
            print("kernels: %s" % e, file=sys.stderr)

    qemu._install_handlers()
    passed = failed = 0
    t0 = time.monotonic()

    def report(label, results, seconds):
        nonlocal passed, failed
        for case, ok, summary, details in results:
            print("%s %s %s: %s" % ("PASS" if ok else "FAIL", label, case, summary))
            for d in details:
                print("      %s" % d)
            passed += ok
            failed += not ok
        print("     (%s: %.1fs)" % (label, seconds), flush=True)

    def job(run):
        start = time.monotonic()
        return run[0], run_one(*run, args), time.monotonic() - start

    if args.jobs <= 1:
        for run in runs:
            report(*job(run))
    else:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            for res in ex.map(job, runs):
                report(*res)
    print("     (all runs: %.1fs)" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
