#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Guests bigger than the PCI hole: mintmon on QEMU's split memory file.

Past the hole below 4 GiB, QEMU puts guest RAM [0, L) at file offsets
[0, L) and the rest at physical 4 GiB and up, right after it in the memory
file (pc: L = 3 GiB above 3.5 GiB of RAM; q35: L = 2 GiB from 2.75 GiB).
mintmon must learn L from the guest's e820 table (monitor/user/layout.h).
Runs (one guest at a time, each removed before the next boots):

    4g-q35         4 GiB, -machine q35: 2 GiB low, 2 GiB at 4 GiB
    8g-pc          8 GiB, QEMU's default pc machine: 3 GiB low, 5 GiB at 4 GiB
    4g-pc-nokaslr  4 GiB, pc, KASLR off: the kernel below the split (identity
                   finds it; only e820 says the file is split); no ELF core
    1g-pc          only with --bench: the 1 GiB baseline for the timings

Cases per run, on `-t file:MEMFILE` and (elf-*) on an ELF core of the paused
guest (QMP dump-guest-memory): truth (the harness), layout (info's layout
line and JSON field name QEMU's split; the e820 RAM = /proc/iomem's System
RAM), info, ps, vread (test_kernels.py's checks), high (memory above 4 GiB:
where vartest's variables are by `vtop --pid`, and direct-map reads of
non-zero pages above 4 GiB against the file bytes QEMU's layout puts there
and, for the ELF core, against the core's own PT_LOAD bytes), timing
(`mintmon -v --no-cache` attach and ps, cold).

    python3 tests/integration/test_bigmem.py [--mintmon PATH] [--initrd PATH]
        [--kernel FLAVOUR] [--only LABEL[,LABEL]] [--bench] [--no-elf] [--logs DIR]

Prints one line per case and ends with "N passed, M failed".
"""

import argparse
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, HERE)
import kernels  # noqa: E402
import qemu  # noqa: E402
from mmtool import Fail, Tool  # noqa: E402
from test_kernels import check_info, check_ps, check_truth, check_vread  # noqa: E402

G4 = 1 << 32


class Run:
    """elf: also the ELF core cases; append: kernel arguments; bench_only: the
    1 GiB timing baseline (--bench)."""

    def __init__(self, label, mem_mb, machine, elf=True, append="", bench_only=False):
        self.label, self.mem_mb, self.machine, self.elf = label, mem_mb, machine, elf
        self.append, self.bench_only = append, bench_only


RUNS = [
    Run("4g-q35", 4096, "q35"),
    Run("8g-pc", 8192, None),
    # KASLR off: the kernel at 16 MiB, below the split. The identity layout
    # finds it, and only its e820 table tells that the file is split (reading
    # as identity would give wrong bytes above 3 GiB, not an error).
    Run("4g-pc-nokaslr", 4096, None, elf=False, append="nokaslr"),
    Run("1g-pc", 1024, None, bench_only=True),
]


def expected_layout(guest):
    low, high = guest.machine_layout()
    return "qemu split at %#x" % low if high else "identity"


def check_layout(tool, truth, guest, want):
    """info names the layout (text and JSON), and the RAM it learnt is /proc/iomem's."""
    info = tool.json("info", "--json")
    text = tool.run("info").decode(errors="replace")
    bad = []
    if info.get("layout") != want:
        bad.append("info --json layout: expected %r, got %r" % (want, info.get("layout")))
    m = re.search(r"^layout\s+(.*)$", text, re.M)
    if not m or m.group(1) != want:
        bad.append("info layout line: expected %r, got %r" % (want, m and m.group(1)))
    try:
        got = [(int(r["start"], 16), int(r["end"], 16)) for r in info.get("ram", [])]
    except (TypeError, KeyError, ValueError):
        got = None
    if got != truth.system_ram:
        bad.append("ram: expected %s, got %s" % (
            ", ".join("%#x-%#x" % r for r in truth.system_ram),
            got and ", ".join("%#x-%#x" % r for r in got)))
    if bad:
        raise Fail("%d problems" % len(bad), bad)
    above = sum(e - max(s, G4) for s, e in truth.system_ram if e > G4)
    return "%r; %d RAM ranges agree, %d MiB above 4 GiB" % (want, len(got), above >> 20)


def elf_loads(path):
    """[(paddr, offset, filesz)] of an ELF core's PT_LOADs."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if p_type == 1 and filesz:
            loads.append((paddr, off, filesz))
    return loads


def elf_offset(loads, pa):
    for paddr, off, size in loads:
        if paddr <= pa < paddr + size:
            return off + pa - paddr
    return None


def pick_high_pages(guest, truth, n=8):
    """Up to n physical pages above 4 GiB, in System RAM, that do not hold zeros
    (an untouched page reads as zeros wherever a reader looks)."""
    low, high = guest.machine_layout()
    ram = [(max(s, G4), e) for s, e in truth.system_ram if e > G4]
    pages = []
    with open(guest.memfile, "rb") as f:
        for s, e in ram:
            step = max(0x1000, ((e - s) // 512) & ~0xfff)
            pa = s
            while pa + 0x1000 <= e and len(pages) < n:
                f.seek(guest.phys_to_file(pa))
                data = f.read(0x1000)
                if data.count(0) < len(data) - 64:
                    pages.append(pa)
                    pa += step * 16      # spread them out
                else:
                    pa += step
    return pages


def check_high(tool, truth, guest, core=None):
    """Memory above 4 GiB reads right: vartest's pages (by vtop --pid) and
    direct-map reads of non-zero pages compared with the bytes QEMU stores
    for them (the memory file at its split offset; the ELF core's PT_LOAD)."""
    bad, notes = [], []
    pob = truth.kvars.get("page_offset_base")
    if pob is None:
        raise Fail("no page_offset_base in the truth")
    pid, variables = truth.variables()
    high_vars = []
    for name, addr, value in variables:
        r = tool.json("vtop", "0x%x" % addr, "--pid", str(pid), "--json")
        pa = int(r["phys"], 16)
        if pa >= G4:
            high_vars.append(name)
            # The same bytes through the kernel's direct map of that physical page.
            got = tool.run("vread", "0x%x" % (pob + pa), "8", "--raw")
            if got != struct.pack("<Q", value):
                bad.append("%s at physical %#x via the direct map: expected %016x, got %s" % (
                    name, pa, value, got.hex()))
    notes.append("vartest variables above 4 GiB: %s" % (", ".join(high_vars) or "none"))
    pages = pick_high_pages(guest, truth)
    if not pages:
        bad.append("no non-zero page above 4 GiB in the memory file")
    loads = elf_loads(core) if core else None
    checked = 0
    with open(guest.memfile, "rb") as mf, open(core or guest.memfile, "rb") as cf:
        for pa in pages:
            mf.seek(guest.phys_to_file(pa))
            want = mf.read(256)
            if core:
                off = elf_offset(loads, pa)
                if off is None:
                    bad.append("ELF core has no PT_LOAD for physical %#x" % pa)
                    continue
                cf.seek(off)
                if cf.read(256) != want:
                    bad.append("ELF core and memory file disagree at physical %#x "
                               "(is the split model wrong?)" % pa)
                    continue
            got = tool.run("vread", "0x%x" % (pob + pa), "256", "--raw")
            if got != want:
                bad.append("physical %#x (virtual %#x): expected %s..., got %s..." % (
                    pa, pob + pa, want[:16].hex(), got[:16].hex()))
            checked += 1
    if bad:
        raise Fail("%d problems" % len(bad), bad + notes)
    return "%d non-zero pages above 4 GiB read right (%#x..%#x); %s" % (
        checked, min(pages), max(pages), "; ".join(notes))


ATTACH_RX = re.compile(r"attach ([\d.]+) ms, (\d+) bytes in (\d+) reads; (\w+) ([\d.]+) ms")


def measure(tool, command):
    """Cold (--no-cache) attach and command times from `mintmon -v`, best of 3."""
    best = None
    for _ in range(3):
        r = tool.result("-v", "--no-cache", command, "--json")
        if r.rc != 0:
            raise Fail(r.describe())
        m = next((ATTACH_RX.search(ln) for ln in r.err if ATTACH_RX.search(ln)), None)
        if not m:
            raise Fail("no timing line in `mintmon -v %s`: %r" % (command, r.err[-2:]))
        # Layouts whose attach found no kernel before the right one (each a search).
        missed = sum("no kernel" in ln for ln in r.err if ln.startswith("mintmon: layout:"))
        t = (float(m.group(1)), int(m.group(2)), float(m.group(5)), r.seconds, missed)
        best = t if best is None or t[0] < best[0] else best
    return best


def check_timing(tool, timings, label):
    a_info = measure(tool, "info")
    a_ps = measure(tool, "ps")
    timings[label] = (a_info, a_ps)
    return "attach %.0f ms (%.1f MiB read, %d layouts without a kernel first), ps %.0f ms " \
        "after attach; wall: info %.2fs, ps %.2fs (cold, best of 3)" % (
            a_info[0], a_info[1] / 2**20, a_info[4], a_ps[2], a_info[3], a_ps[3])


def run_one(run, args, timings):
    results = []

    def record(case, fn, *a):
        t0 = time.monotonic()
        try:
            results.append((case, True, fn(*a), [], time.monotonic() - t0))
        except Fail as e:
            results.append((case, False, e.summary, e.details, time.monotonic() - t0))
        except Exception as e:      # a harness bug must show, not abort the rest
            results.append((case, False, "%s: %s" % (type(e).__name__, e), [],
                            time.monotonic() - t0))

    k = kernels.get(args.kernel)
    guest, note = None, ""
    try:
        for attempt in (1, 2):
            guest = qemu.Guest(k.vmlinuz, args.initrd, mem_mb=run.mem_mb, machine=run.machine,
                               name=run.label, append=run.append)
            try:
                guest.start()
                truth = guest.wait_for_truth(args.boot_timeout)
                guest.stop()
                break
            except qemu.GuestError as e:
                # A guest kernel that dies while booting under TCG (seen now
                # and then, test_kernels.py boots again too) is not mintmon's
                # doing: once more, and the truth case says so.
                if attempt == 1 and not guest.alive():
                    note = "; first boot failed (%s), booted again" % str(e).splitlines()[0][:80]
                    if args.logs:
                        guest.save_logs(os.path.join(args.logs, run.label + "-boot1"))
                    guest.cleanup()
                    continue
                results.append(("truth", False, str(e).splitlines()[0], [], 0))
                return results
        record("truth", lambda: check_truth(truth, guest, False) + note)
        if not results[-1][1]:
            return results
        want = expected_layout(guest)
        tool = Tool(args.mintmon, "file:" + guest.memfile)
        record("layout", check_layout, tool, truth, guest, want)
        if run.bench_only:
            record("timing", check_timing, tool, timings, run.label)
            return results
        record("info", check_info, tool, truth, False)
        record("ps", check_ps, tool, truth)
        record("vread", check_vread, tool, truth)
        record("high", check_high, tool, truth, guest)
        record("timing", check_timing, tool, timings, run.label)
        if args.no_elf or not run.elf:
            return results
        core = os.path.join(guest.workdir, "core.elf")
        try:
            t0 = time.monotonic()
            guest.dump_elf(core)
            results.append(("elf-dump", True, "%d MiB in %.1fs" % (
                os.path.getsize(core) >> 20, time.monotonic() - t0), [], 0))
        except qemu.GuestError as e:
            results.append(("elf-dump", False, str(e), [], 0))
            return results
        etool = Tool(args.mintmon, "elf:" + core)
        record("elf-layout", check_layout, etool, truth, guest, "elf")
        record("elf-info", check_info, etool, truth, False)
        record("elf-ps", check_ps, etool, truth)
        record("elf-vread", check_vread, etool, truth)
        record("elf-high", check_high, etool, truth, guest, core)
        os.unlink(core)
        return results
    finally:
        if guest:
            if args.logs and not all(r[1] for r in results):
                guest.save_logs(os.path.join(args.logs, run.label))
            guest.cleanup()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--kernel", default="6.12-amd64", help="kernel flavour (tests/lib/kernels.py)")
    ap.add_argument("--only", help="comma-separated run labels (%s)" % ", ".join(
        r.label for r in RUNS))
    ap.add_argument("--bench", action="store_true", help="also the 1 GiB timing baseline")
    ap.add_argument("--no-elf", action="store_true", help="skip the ELF core cases")
    ap.add_argument("--boot-timeout", type=int, default=240)
    ap.add_argument("--logs", help="save console/truth logs of failing runs here")
    args = ap.parse_args(argv)
    args.mintmon = os.path.abspath(args.mintmon)
    if not os.path.exists(args.initrd):
        print("no initramfs at %s: run `make %s` first" % (args.initrd, args.initrd),
              file=sys.stderr)
        return 2
    runs = [r for r in RUNS if args.bench or not r.bench_only]
    if args.only:
        want = args.only.split(",")
        runs = [r for r in RUNS if r.label in want]
        if len(runs) != len(want):
            ap.error("unknown run label in %r" % args.only)
    try:
        kernels.get(args.kernel)
    except kernels.KernelError as e:
        print("kernels: %s" % e, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    qemu._install_handlers()
    cache_dir = tempfile.mkdtemp(prefix="mintmon-attach-cache-")
    os.environ["MINTMON_CACHE_DIR"] = cache_dir
    passed = failed = 0
    timings = {}
    t_all = time.monotonic()
    try:
        # One guest at a time: an 8 GiB guest's memory file is 8 GiB of /dev/shm.
        for run in runs:
            t0 = time.monotonic()
            for case, ok, summary, details, secs in run_one(run, args, timings):
                print("%s %s %s: %s" % ("PASS" if ok else "FAIL", run.label, case, summary))
                for d in details:
                    print("      %s" % d)
                passed += ok
                failed += not ok
            print("     (%s: %.1fs)" % (run.label, time.monotonic() - t0), flush=True)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    if timings:
        print("     timings (cold attach, --no-cache, best of 3):")
        for label, (info, ps) in timings.items():
            print("     %-8s attach %7.1f ms, %6.1f MiB read, %d layouts without a kernel "
                  "first; ps %7.1f ms" % (label, info[0], info[1] / 2**20, info[4], ps[2]))
    print("     (all runs: %.1fs)" % (time.monotonic() - t_all))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
