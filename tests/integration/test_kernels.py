#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Integration tests: mintmon against real Debian kernels under QEMU.

Each run boots one kernel (KASLR on, RAM in /dev/shm) with the scenario
initramfs (tests/guest/), waits for the guest's own view of itself (the
"truth", sent over its second serial port), pauses the guest with QMP `stop`,
then runs mintmon on the memory file and compares. Test cases per run:

    truth      the harness itself: truth complete, scenario present, memory
               file holds the guest's vmcoreinfo
    info       `info --json` vs uname, VMCOREINFO, /proc/iomem, kcore reads
    syms       `syms` vs /proc/kallsyms, line for line
    ps         `ps --json` vs /proc/PID/task/TID for every task
    vread      `vread --raw` of vartest's variables and of linux_banner
    ps-ext     name, tty_nr, tty, pcpu, pmem of every task; the ps aux table
    ram        info's RAM ranges = /proc/iomem System RAM; reads outside refused
    vread-sym  vread/vtop SYMBOL[+OFFSET]
    symbolize  symbolize ADDR... = the kernel's %pS
    dmesg      dmesg --json and dmesg vs /dev/kmsg, record for record (kernel_log.py)

Two runs (6.1-amd64, 6.12-amd64) then check kernel text integrity on the
running guest (text_checks.py: text-clean, text-legit, text-tamper,
text-watch; lsmod with a module of the kernel's own package loaded) before
the live phases.

One run also dumps the paused guest with QMP dump-guest-memory and repeats
info/syms/ps/vread/ps-ext/ram on `-t elf:CORE` (cases elf-dump, elf-info, ...).
One (7.x-bpo-amd64) has its guest send its BTF with the truth and checks
`--btf` on a copy of its memory whose own BTF is wiped (case btf-file).
Every run then lets its guest run on (live.py): live and poll-steady under
load (a short phase of 20 rounds). Two runs (6.1-amd64, 6.12-amd64) make it
the long one (40 rounds), then reboot/poll-reboot (QMP system_reset) and
kexec/poll-kexec (into another kernel), in that order on the same boot.

    python3 tests/integration/test_kernels.py [--mintmon PATH] [--initrd PATH]
        [--kexec PATH] [--all-kernels] [--only LABEL[,LABEL]] [-j N] [--logs DIR]
        [--mem MiB]

--all-kernels: RUNS plus a plain run of every other Debian series x flavour
(`make check-kernels`; the labels are the kernel names of tests/lib/kernels.py).

Prints one line per test case and ends with "N passed, N failed".
"""

import argparse
import concurrent.futures
import mmap
import os
import secrets
import shutil
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import initramfs  # noqa: E402
import kernels  # noqa: E402
import qemu  # noqa: E402
import live  # noqa: E402
from bad_input import BadInputFail, btf_less_copy, check_bad_input, expect_error  # noqa: E402
from mmtool import Fail, Tool, limit  # noqa: E402
from paused_ext import check_ps_ext, check_ram, check_symbolize, check_vread_sym  # noqa: E402
from kernel_log import check_dmesg  # noqa: E402
import health_checks  # noqa: E402
import text_checks  # noqa: E402


# On the kernel command line: the guest sends its /sys/kernel/btf/vmlinux
# with the truth (tests/guest/scenario.sh; 2 MB more over the serial line).
BTF_ARG = "mintmon.btf"


class Run:
    """label, kernel flavour; la57: 5-level paging; elf: also test an ELF
    core and bad input; append: extra kernel arguments; live: after the
    paused checks, the live suite, a reset and a kexec into this flavour;
    btf: case btf-file (--btf on a copy of the memory without its BTF)."""

    def __init__(self, label, flavour, la57=False, elf=False, append="", live=None,
                 btf=False, watchmem=False, text=False):
        self.label, self.flavour, self.la57, self.elf = label, flavour, la57, elf
        self.append, self.live, self.btf, self.watchmem = append, live, btf, watchmem
        self.text = text
        if btf:     # the guest adds its /sys/kernel/btf/vmlinux to the truth
            self.append = (append + " " + BTF_ARG).strip()


RUNS = [
    # live: the kernel the guest kexecs into. 6.12 kexec'd from 6.1 sometimes
    # oopses early under TCG (an int3 left in sched_clock_cpu): 6.1 kexecs
    # itself, and the 6.12 run kexecs into another kernel (6.1).
    # text: the text integrity cases, with this other kernel's image to refuse.
    Run("6.1-amd64", "6.1-amd64", elf=True, live="6.1-amd64", text="6.12-amd64"),
    Run("6.1-cloud-amd64", "6.1-cloud-amd64"),
    Run("6.1-rt-amd64", "6.1-rt-amd64"),
    Run("6.12-amd64", "6.12-amd64", live="6.1-amd64", text="6.1-amd64"),
    Run("6.12-rt-amd64", "6.12-rt-amd64"),
    # Debian 13's own 6.12 build (another compiler), and the two 7.x suites
    # (docs/kernels.md): kallsyms tables 4-aligned with PC-relative offsets,
    # timekeeper_data. The newest (trixie-backports) with 4- and 5-level
    # paging, and --btf on a copy of its memory whose own BTF is wiped.
    Run("6.12-deb13-cloud-amd64", "6.12-deb13-cloud-amd64"),
    Run("7.x-bpo-amd64", "7.x-bpo-amd64", btf=True),
    Run("7.x-bpo-amd64-la57", "7.x-bpo-amd64", la57=True),
    Run("7.x-sid-rt-amd64", "7.x-sid-rt-amd64"),
    # KASLR off (the seeds' setup): offset 0, default memory layout. KASLR
    # picks offset 0 now and then too; this makes that case certain.
    Run("6.1-amd64-nokaslr", "6.1-amd64", append="nokaslr", watchmem=True),
]


def all_runs():
    """`make check-kernels`: RUNS, plus one plain run (4-level paging, KASLR)
    of every kernel name RUNS does not boot that way: every Debian series
    (tests/lib/kernels.py) in every flavour."""
    covered = {r.flavour for r in RUNS if not r.la57}
    return RUNS + [Run(n, n) for n in kernels.NAMES if n not in covered]


CASES = ("truth", "info", "syms", "ps", "vread", "ps-ext", "ram", "vread-sym", "symbolize",
         "dmesg")
ELF_CASES = ("elf-dump", "elf-info", "elf-syms", "elf-ps", "elf-vread", "elf-ps-ext", "elf-ram",
             "elf-dmesg")
# With the ELF run (one kernel): corrupt copies of its memory (bad_input.py).
BAD_CASES = ("bad-input",)
# With btf: --btf on a copy of the memory whose BTF is wiped.
BTF_CASES = ("btf-file",)
TEXT_CASES = ("text-clean", "text-legit", "text-tamper", "text-image", "text-watch", "lsmod")
# Runs with `live`: on the running guest, after everything above (they end its first boot).
LIVE_CASES = ("live", "poll-steady", "health", "unreachable", "hung", "tainted", "panicked",
              "prometheus", "reboot", "poll-reboot", "rebooted", "dmesg-follow", "kexec",
              "poll-kexec", "watch")
# Every other run ends with a shorter live phase: the same commands and the
# same poll session on the running guest under load, fewer rounds, no reset
# or kexec. So every kernel is read running as well as paused.
SHORT_LIVE_CASES = ("live", "poll-steady", "health")


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
    # On a serial port (major 4, minor 64) and on a pty (major 136-143).
    if not any(t.tty_nr == (4 << 8 | 64) and t.args == "sleep 86401" for t in tasks):
        problems.append("scenario: no 'sleep 86401' with ttyS0 as controlling terminal")
    if not any(136 <= (t.tty_nr >> 8) & 0xfff <= 143 and t.args == "sleep 86402"
               for t in tasks):
        problems.append("scenario: no 'sleep 86402' on a pseudo-terminal")
    hz = truth.clk_tck
    if not any(t.args.startswith("/bin/churn burn") and t.ticks >= 1.4 * hz for t in tasks):
        problems.append("scenario: no 'churn burn' with >= 1.4 s of CPU time")
    if not any(t.args.startswith("/bin/churn hold") and t.rss_kb >= 90 * 1024 for t in tasks):
        problems.append("scenario: no 'churn hold' with >= 90 MiB resident")
    if not truth.system_ram or truth.mem_total_kb is None or truth.uptime_end is None:
        problems.append("truth: no System RAM in iomem, MemTotal or uptime (%r, %r, %r)" % (
            truth.system_ram, truth.mem_total_kb, truth.uptime_end))
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
              "vmemmap_base": str, "paging_levels": int, "page_table": str,
              "page_table_first_mib": bool, "symbols": int, "btf_size": int}


def check_info(tool, truth, la57):
    info = tool.json("info", "--json")
    if not isinstance(info, dict):
        raise Fail("info --json is not an object")
    bad = []
    for k, typ in INFO_TYPES.items():
        if k not in info:
            bad.append("key %s missing" % k)
        elif not isinstance(info[k], typ) or (typ is not bool and isinstance(info[k], bool)):
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
    # The guest's whole memory is the target: its trampoline in the first MiB
    # names the running kernel, so a session's looks read the first MiB only.
    expect.append(("page_table_first_mib", True, lambda g, w: g is w))
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
        # process itself was running while it looked. "R" twice is only that
        # when the task ran for most of that second (else it was caught
        # running twice, like rcu_preempt now and then).
        running = t.state == "R" and (t.ticks_prev is None or
                                      t.ticks - t.ticks_prev < truth.clk_tck // 2)
        # A kernel thread asleep at both looks may still wake on a timer before
        # the pause (khugepaged, kcompactd working on the scenario's memory):
        # between running and sleeping its state is not settled; any other
        # letter (T, Z, X, P...) must match.
        woke = t.kthread and {t.state, o["state"]} <= {"R", "S", "D", "I"}
        if t.stable == "S" and t.tgid != truth.self_pid and not running and not woke:
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


class OptTool(Tool):
    """A Tool whose every command line carries opts (--no-cache, --btf FILE)."""

    def __init__(self, path, target, opts):
        super().__init__(path, target)
        self.opts = list(opts)

    def result(self, *args, **kw):
        return super().result(*(self.opts + list(args)), **kw)


def check_btf_file(mintmon, memfile, workdir, truth, la57):
    """--btf: a kernel without usable BTF, and its BTF as a file. A copy of
    the memory with the magic at __start_BTF zeroed; attached cold
    (--no-cache: no attach cache may stand in for the corrupted image)."""
    btf = truth.btf
    if btf is None:
        raise Fail("no BTF in the truth: %s" % truth.btf_absent_reason)
    start = truth.symbol("__start_BTF")
    if not start:
        raise Fail("no __start_BTF in /proc/kallsyms")
    d = os.path.join(workdir, "btf-file")
    os.makedirs(d, exist_ok=True)
    try:
        bfile = os.path.join(d, "vmlinux.btf")
        with open(bfile, "wb") as f:
            f.write(btf)
        copy = os.path.join(d, "no-btf")
        try:
            phys = btf_less_copy(mintmon, memfile, btf, start, copy)
        except BadInputFail as e:
            raise Fail(str(e))
        try:
            err = expect_error(mintmon, ["-t", "file:" + copy, "--no-cache", "info"], "btf",
                               "info without --btf")
        except BadInputFail as e:
            raise Fail(str(e))
        tool = OptTool(mintmon, "file:" + copy, ["--no-cache", "--btf", bfile])
        bad = []
        for name, fn, a in (("info", check_info, (tool, truth, la57)),
                            ("ps", check_ps, (tool, truth)), ("syms", check_syms, (tool, truth))):
            try:
                fn(*a)
            except Fail as e:
                bad.append("%s: %s" % (name, e.summary))
                bad.extend("  " + x for x in e.details[:5])
        src = tool.json("info", "--json").get("btf_source")
        if src != "file":
            bad.append("info --json btf_source: expected 'file', got %r" % src)
        if bad:
            raise Fail("with --btf on the copy without BTF", bad)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return "magic at physical %#x zeroed: %r; with --btf (%d bytes) info, ps, syms agree, " \
        "btf_source file" % (phys, err, len(btf))


# ---- running ----

def outer_initrd(args, run, workdir):
    """The scenario initramfs plus what a guest needs to kexec itself: a
    static kexec, the other kernel and the plain scenario initramfs as the
    next boot's (/boot/initrd.gz). An appended second cpio archive: the
    kernel unpacks both."""
    target = kernels.get(run.live)
    if not os.path.exists(args.kexec):
        raise Fail("no static kexec at %s (make %s)" % (args.kexec, args.kexec))
    extra = os.path.join(workdir, "kexec.cpio.gz")
    files = [(args.kexec, "/sbin/kexec", 0o755), (target.vmlinuz, "/boot/vmlinuz", 0o644),
             (args.initrd, "/boot/initrd.gz", 0o644)]
    if run.text:
        # A module of this run's own kernel for lsmod (text_checks.py).
        files.append((text_checks.extract_module(kernels.get(run.flavour), workdir),
                      text_checks.GUEST_MODULE, 0o644))
    initramfs.build(extra, os.path.join(ROOT, "tests", "guest", "scenario.sh"), files,
                    busybox=None, level=1)
    out = os.path.join(workdir, "scenario-kexec.cpio.gz")
    with open(out, "wb") as o:
        for part in (args.initrd, extra):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, o)
    os.unlink(extra)
    return out, target.release


def run_live(args, guest, truth, record, results, kexec_release, sessions, short=False):
    """The guest runs again: load, live rounds with a poll session, a reset,
    a kexec (not without a kexec initramfs: kexec_release None); short: the
    load and live rounds only, fewer of them. Each phase needs the one
    before; a phase that cannot start marks the rest as not run. Poll
    sessions go to `sessions` (the caller kills what is left)."""
    tool = Tool(args.mintmon, "file:" + guest.memfile)

    def skip(cases, why):
        results.extend((c, False, why, []) for c in cases)

    try:
        guest.cont()
        pos = guest.console_size()
        guest.send_console("mintmon-cmd load\n")
        guest.wait_console(b"mintmon-scenario: load running", 60, start=pos)
        time.sleep(1)                               # let the storm get going
        steady = live.PollSession(args.mintmon, "file:" + guest.memfile)
        sessions.append(steady)
        if short:
            record("live", live.check_live, tool, truth, None, live.SHORT_ROUNDS,
                   live.SHORT_BUDGET)
        else:
            record("live", live.check_live, tool, truth)
        time.sleep(0.5)
        steady.stop()
        record("poll-steady", live.check_poll_steady, steady, truth)
    except qemu.GuestError as e:
        skip(("live", "poll-steady"), "guest: %s" % str(e).splitlines()[0])
    if short:
        record("health", health_checks.check_health_running, tool, truth)
        return

    # Health, with watch and Prometheus watching (health_checks.py). The
    # panic ends this boot: the reset below brings the guest back.
    watch = prom = follow = None
    try:
        watch = health_checks.Watch(args.mintmon, "file:" + guest.memfile, guest.workdir)
        sessions.append(watch)
        prom = health_checks.Prometheus(watch.port, guest.workdir)
        sessions.append(prom)
        follow = health_checks.DmesgFollow(args.mintmon, "file:" + guest.memfile)
        sessions.append(follow)
        record("health", health_checks.check_health_running, tool, truth)
        record("unreachable", health_checks.check_unreachable, args.mintmon, guest.workdir)
        record("hung", health_checks.check_hung, tool, guest, watch)
        record("tainted", health_checks.check_tainted, tool, guest, watch)
        seen = {}
        record("panicked", health_checks.check_panicked, tool, guest, watch, prom, seen)
        record("prometheus", health_checks.check_prometheus, prom, seen)
    except qemu.GuestError as e:
        skip(("health", "unreachable", "hung", "tainted", "panicked", "prometheus"),
             "guest: %s" % str(e).splitlines()[0])

    # Reboot: QMP system_reset, the same kernel comes back (new KASLR offset).
    truth2 = None
    try:
        sess = live.PollSession(args.mintmon, "file:" + guest.memfile)
        sessions.append(sess)
        sess.wait_lines(3, 20)
        sampler = live.InfoSampler(tool)
        t_event = time.monotonic()
        try:
            guest.reset()
            truth2 = guest.wait_for_truth(args.boot_timeout, index=1)
            t_truth = time.monotonic()
            time.sleep(2)                           # the session settles on the new kernel
        finally:
            sampler.stop()
            sess.stop()
        record("reboot", live.check_new_kernel, tool, truth, truth2, "reset")
        record("poll-reboot", live.check_identity_change, sess, truth, truth2, t_event,
               t_truth, sampler, "reset")
        if watch:
            record("rebooted", health_checks.check_rebooted, tool, watch, t_event, truth2)
        if follow:
            record("dmesg-follow", health_checks.check_dmesg_follow, follow, truth2)
    except qemu.GuestError as e:
        skip(("reboot", "poll-reboot"), "guest: %s" % str(e).splitlines()[0])
    if kexec_release is None or truth2 is None:
        if truth2 is None and kexec_release is not None:
            skip(("kexec", "poll-kexec"), "no second boot")
        if watch:
            record("watch", health_checks.check_watch_run, watch, 1 if truth2 else 0)
        if prom:
            prom.stop()
        return

    # kexec from inside (the console command), into the other release.
    try:
        sess = live.PollSession(args.mintmon, "file:" + guest.memfile)
        sessions.append(sess)
        sess.wait_lines(3, 20)
        sampler = live.InfoSampler(tool)
        pos = guest.console_size()
        t_event = time.monotonic()
        try:
            guest.send_console("mintmon-cmd kexec\n")
            guest.wait_console(b"mintmon-scenario: kexec\r\n", 30, start=pos)
            truth3 = guest.wait_for_truth(args.boot_timeout, index=2)
            t_truth = time.monotonic()
            time.sleep(2)
        finally:
            sampler.stop()
            sess.stop()
        record("kexec", live.check_new_kernel, tool, truth2, truth3, "kexec", kexec_release)
        record("poll-kexec", live.check_identity_change, sess, truth2, truth3, t_event,
               t_truth, sampler, "kexec")
    except qemu.GuestError as e:
        skip(("kexec", "poll-kexec"), "guest: %s" % str(e).splitlines()[0])
    if watch:
        record("watch", health_checks.check_watch_run, watch, 2)
    if prom:
        prom.stop()


def run_one(run, args):
    """Boot one guest and run its cases; returns [(case, ok, summary, details)]."""
    results = []
    cases = list(CASES) + (list(ELF_CASES + BAD_CASES) if run.elf else []) + \
        (list(BTF_CASES) if run.btf else []) + (["watch-memory"] if run.watchmem else []) + \
        (list(TEXT_CASES) if run.text else []) + \
        list(LIVE_CASES if run.live else SHORT_LIVE_CASES)

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

    def missing():
        done = {r[0] for r in results}
        return [c for c in cases if c not in done]

    try:
        k = kernels.get(run.flavour)
    except kernels.KernelError as e:
        return [(c, False, "kernel %s unavailable: %s" % (run.flavour, e), []) for c in cases]
    workdir = tempfile.mkdtemp(prefix="%s%d-%s-" % (qemu.PREFIX, os.getpid(),
                                                     secrets.token_hex(4)))
    initrd, kexec_release = args.initrd, None
    if run.live:
        try:
            initrd, kexec_release = outer_initrd(args, run, workdir)
        except (Fail, kernels.KernelError, OSError) as e:
            # Without kexec the paused checks still run; the live ones report why not.
            msg = e.summary if isinstance(e, Fail) else str(e)
            results.extend((c, False, "no kexec initramfs: %s" % msg, [])
                           for c in ("kexec", "poll-kexec"))
    sessions, guest, note = [], None, ""
    try:
        for attempt in (1, 2):
            guest = qemu.Guest(k.vmlinuz, initrd, mem_mb=args.mem, la57=run.la57,
                               name=run.label, append=run.append,
                               console_input=True)
            try:
                guest.start()
                truth = guest.wait_for_truth(args.boot_timeout)
                t_truth = time.monotonic()
                guest.stop()
                # How long the guest ran on after the truth was seen: %CPU bounds.
                delay = time.monotonic() - t_truth + 0.2
                break
            except qemu.GuestError as e:
                msg = str(e).splitlines()
                path = getattr(guest, "console_path", None)
                console = guest.console() if path and os.path.exists(path) else ""
                if attempt == 1 and not guest.alive():
                    # The guest died while booting, before the scenario: a
                    # panic (seen once with 5-level paging under TCG: a fault
                    # in just-patched kernel text), or a reset before the
                    # kernel printed anything (seen once on 6.12-rt, SeaBIOS
                    # twice on the console, with two test runs sharing the
                    # two cores). Not mintmon's doing: boot once more, and
                    # say so in the truth case.
                    why = next((ln.strip() for ln in console.splitlines()
                                if "RIP:" in ln or "BUG:" in ln), msg[0])
                    if "Kernel panic" not in console:
                        why = "QEMU exited, %d bytes on the console" % len(console)
                    note = "; first boot died (%s), booted again" % why[:80]
                    if args.logs:
                        guest.save_logs(os.path.join(args.logs, run.label + "-boot1"))
                    guest.cleanup()
                    continue
                results.insert(0, ("truth", False, msg[0], msg[1:]))
                results.extend((c, False, "no ground truth (guest failed)", [])
                               for c in missing())
                return results
        if not record("truth", lambda: check_truth(truth, guest, run.la57) + note):
            return results + [(c, False, "skipped: harness problem", []) for c in missing()]
        tool = Tool(args.mintmon, "file:" + guest.memfile)
        mem_bytes = guest.mem_mb << 20
        record("info", check_info, tool, truth, run.la57)
        record("syms", check_syms, tool, truth)
        record("ps", check_ps, tool, truth)
        record("vread", check_vread, tool, truth)
        record("ps-ext", check_ps_ext, tool, truth, delay)
        record("ram", check_ram, tool, truth, mem_bytes)
        record("vread-sym", check_vread_sym, tool, truth)
        record("symbolize", check_symbolize, tool, truth)
        record("dmesg", check_dmesg, tool, truth)
        if run.elf:
            core = os.path.join(guest.workdir, "core.elf")
            try:
                guest.dump_elf(core)
            except qemu.GuestError as e:
                results.append(("elf-dump", False, str(e), []))
                results.extend((c, False, "no ELF core", []) for c in ELF_CASES[1:])
                core = None
            if core and record("elf-dump", check_elf_dump, core):
                etool = Tool(args.mintmon, "elf:" + core)
                record("elf-info", check_info, etool, truth, run.la57)
                record("elf-syms", check_syms, etool, truth)
                record("elf-ps", check_ps, etool, truth)
                record("elf-vread", check_vread, etool, truth)
                record("elf-ps-ext", check_ps_ext, etool, truth, delay)
                record("elf-ram", check_ram, etool, truth, mem_bytes)
                record("elf-dmesg", check_dmesg, etool, truth)
            elif core:
                results.extend((c, False, "no usable ELF core", []) for c in ELF_CASES[1:])
            if core:
                try:
                    os.unlink(core)
                except OSError:
                    pass
            record("bad-input", lambda: "%d cases, one clear error line each" % len(
                check_bad_input(args.mintmon, guest.memfile, guest.workdir)))
        if run.btf:
            record("btf-file", check_btf_file, args.mintmon, guest.memfile, guest.workdir,
                   truth, run.la57)
        if run.watchmem:
            record("watch-memory", health_checks.check_watch_memory, args.mintmon,
                   guest.memfile)
        if run.text:
            # Text integrity on the running guest (text_checks.py), before the live load.
            try:
                guest.cont()
                record("text-clean", text_checks.check_text_clean, tool, guest.workdir)
                record("text-legit", text_checks.check_text_legit, tool, guest, guest.workdir)
                record("text-tamper", text_checks.check_text_tamper, tool, guest,
                       guest.workdir)
                record("text-image", text_checks.check_text_image, tool, guest, k.vmlinuz,
                       kernels.get(run.text).vmlinuz)
                record("text-watch", text_checks.check_text_watch, args.mintmon, tool, guest)
                record("lsmod", text_checks.check_lsmod, tool, guest)
            except qemu.GuestError as e:
                results.extend((c, False, "guest: %s" % str(e).splitlines()[0], [])
                               for c in TEXT_CASES if c not in {r[0] for r in results})
        # Last: the guest runs on (it is the end of its first boot).
        try:
            run_live(args, guest, truth, record, results, kexec_release, sessions,
                     short=not run.live)
        except Exception as e:      # a harness bug: report it, keep the other runs going
            results.extend((c, False, "harness: %s: %s" % (type(e).__name__, e), [])
                           for c in missing())
        return results + [(c, False, "not run", []) for c in missing()]
    finally:
        for s in sessions:
            s.kill()
        if guest:
            if args.logs and not all(r[1] for r in results):
                guest.save_logs(os.path.join(args.logs, run.label))
            guest.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--kexec", default=os.path.join(ROOT, "build", "bin", "kexec-upstream"),
                    help="static kexec for the guests that kexec themselves")
    ap.add_argument("--all-kernels", action="store_true",
                    help="every kernel series in every flavour (make check-kernels): %d runs" %
                    len(all_runs()))
    ap.add_argument("--only", help="comma-separated run labels (%s; with --all-kernels "
                    "also %s)" % (", ".join(r.label for r in RUNS), ", ".join(
                        r.label for r in all_runs()[len(RUNS):])))
    ap.add_argument("-j", "--jobs", type=int, default=1, help="guests at a time")
    ap.add_argument("--mem", type=int, default=1024, help="guest RAM in MiB (<= 1024)")
    ap.add_argument("--boot-timeout", type=int, default=180)
    ap.add_argument("--logs", help="save console/truth logs of failing runs here")
    args = ap.parse_args(argv)
    args.mintmon = os.path.abspath(args.mintmon)
    args.kexec = os.path.abspath(args.kexec)
    if not os.path.exists(args.initrd):
        print("no initramfs at %s: run `make %s` first" % (args.initrd, args.initrd),
              file=sys.stderr)
        return 2
    runs = all_runs() if args.all_kernels else RUNS
    if args.only:
        want = args.only.split(",")
        runs = [r for r in runs if r.label in want]
        if len(runs) != len(want):
            ap.error("unknown run label in %r" % args.only)

    # Fetch kernels up front (serially: apt and the cache are shared).
    for flavour in sorted({r.flavour for r in runs} | {r.live for r in runs if r.live}):
        try:
            kernels.get(flavour)
        except kernels.KernelError as e:
            print("kernels: %s" % e, file=sys.stderr)

    qemu._install_handlers()
    passed = failed = 0
    t0 = time.monotonic()
    # mintmon's attach cache (on by default) in a directory of this run's own:
    # each guest's first command attaches cold, the later ones warm, and no
    # entry outlives the run.
    cache_dir = tempfile.mkdtemp(prefix="mintmon-attach-cache-")
    os.environ["MINTMON_CACHE_DIR"] = cache_dir

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
        return run.label, run_one(run, args), time.monotonic() - start

    try:
        if args.jobs <= 1:
            for run in runs:
                report(*job(run))
        else:
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
                for res in ex.map(job, runs):
                    report(*res)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    print("     (all runs: %.1fs)" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
