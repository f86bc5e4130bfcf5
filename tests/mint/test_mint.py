#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The emulated Mint machine test (issue 3, part 3).

Boots three OS nodes with build/bin/kexec-mint (tests/mint/machine.py) from the
layout file tests/mint/layouts/kexec-mint-3.layout (the kexec-mint preset
written out; checked first to give the preset's e820), node 2's node kernel
from Debian 6.12 (--node-kernels), and checks:
  a  every node kernel's `Kernel code` (its /proc/iomem) lies inside the
     node's kernel window, and every bootstrap kernel stayed in private memory;
  b  node 0 lists every peer window as reserved, in its boot e820 (dmesg) and
     its /proc/iomem; no node lists another node's memory as RAM; every node's
     RAM is exactly its regions from the layout engine; every node's boot e820
     lists every other node's memory (at or above 1 MiB) as reserved;
  h  each node got its identity from kexec-mint: mint_node=K and
     mint_layout=HASH on its command line, and a setup_data entry (type
     0x4d494e54) with its node id, the layout hash and the canonical layout;
  c  all nodes stay up while each runs memstress over most of its RAM for
     --stress-seconds (default 60); no corruption inside a node, and (seen
     from the host, through the shared file) no node's pattern in another
     node's memory;
  f  mintmon on the host, searching only a node's kernel window of the shared
     file, agrees with that node's uname, Kernel code and pid 1's arguments;
  g  mintmon watch --mint (every peer of node 0, in its kernel window) says
     each peer is running, with the release the node gives;
then runs tests/mint/module_checks.py's run() on that machine (the kernel
module's checks; --skip-module), then boots the same machine with plain
build/bin/kexec-upstream and the engine's memmap= arguments on the command
line, and checks
  d  why kexec-mint hands over the e820 itself: with upstream kexec each node
     kernel's `BIOS-provided physical RAM map` still offers other nodes'
     memory as RAM, whatever memmap= says (a test that expects the flaw: it
     fails when the flaw disappears);
and boots it once more with kexec-mint but node 0 given the seed's
"expansion" (its peer windows declared RAM on its command line: the seed
changed Kexec-Mint's firmware map code to grow node 0's region3 over its
peers), and checks
  e  the seed's failure is reproduced: node 0 boots, and while every node runs
     memstress a peer is hurt (expected failure; FAIL if node 0 never boots).

    tests/mint/test_mint.py [--stress-seconds N] [--seed-seconds N] [--logs DIR]
                            [--skip-upstream] [--skip-seed] [--skip-module]
                            [--node-kernels K=NAME,...] [--keep-logs]

Prints one line per case and "N passed, N failed"; exit status 1 on failure.
Logs of a failed run are kept in --logs (default build/mint/logs).
"""

import argparse
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import initramfs  # noqa: E402  (tests/lib, on the path through machine)
from machine import LOW_LIMIT, MachineError, MintMachine, _hex  # noqa: E402

E820_TYPES = {"usable": 1, "reserved": 2, "ACPI data": 3, "ACPI NVS": 4, "unusable": 5}
SETUP_MINT = 0x4d494e54        # setup_data type of kexec-mint's identity hand-over
SETUP_MINT_MAGIC = 0x484e544d  # the magic in its header
LAYOUTS = os.path.join(machine.HERE, "layouts")


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def case(self, name, ok, detail):
        print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


# -- parsing what a node said about itself --

def parse_iomem(text):
    """Top-level and nested /proc/iomem entries: [(start, end+1, name, depth)]."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        if m:
            out.append((int(m.group(2), 16), int(m.group(3), 16) + 1, m.group(4).strip(),
                        len(m.group(1)) // 2))
    return out


def parse_e820(log, title="BIOS-provided physical RAM map:"):
    """The e820 block after `title` in a kernel log: [(start, end+1, type)],
    or None if the log does not (yet) hold the complete block."""
    i = log.find(title)
    if i < 0:
        return None
    out = []
    rest = log[i + len(title):].splitlines()[1:]
    for line in rest:
        m = re.search(r"(?:BIOS-e820|user): \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$",
                      line.strip())
        if not m:
            return out if out else None
        out.append((int(m.group(1), 16), int(m.group(2), 16) + 1,
                    E820_TYPES.get(m.group(3).strip(), 0)))
    return None         # the block may still be arriving


def merge(ranges):
    """Union of [start, end) ranges, sorted and coalesced."""
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(r) for r in out]


def subtract(ranges, holes):
    """Parts of ranges not covered by holes (both lists of [start, end))."""
    out = []
    for s, e in merge(ranges):
        cur = s
        for hs, he in merge(holes):
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
        if cur < e:
            out.append((cur, e))
    return out


def fmt(ranges):
    return ", ".join("%s-%s" % (_hex(s), _hex(e - 1)) for s, e in ranges) or "none"


def owners(layout, start, end):
    """Nodes (other than none) whose regions overlap [start, end)."""
    hit = set()
    for n in layout.nodes:
        for rs, rsize, _, _ in n["regions"]:
            if rs < end and start < rs + rsize:
                hit.add(n["id"])
    return hit


# -- the cases --

def kernel_code(n):
    """[(start, end)] of `Kernel code` in the node's last boot truth."""
    t = n.truth()
    return [(a, b) for a, b, name, _ in parse_iomem(t["iomem"]) if name == "Kernel code"] \
        if t else []


def case_a(res, m, suffix="", bootstrap=True):
    s, e = m.shared
    for n in m.nodes:
        lay = m.layout.nodes[n.id]
        ws, wsize = lay["kernel_window"]
        code = kernel_code(n)
        if len(code) != 1:
            res.case("a.kernel-in-window%s node%d" % (suffix, n.id), False,
                     "expected one 'Kernel code' line in /proc/iomem, got %d" % len(code))
            continue
        a, b = code[0]
        res.case("a.kernel-in-window%s node%d" % (suffix, n.id), ws <= a and b <= ws + wsize,
                 "Kernel code %s-%s, window %s-%s" % (_hex(a), _hex(b - 1), _hex(ws),
                                                        _hex(ws + wsize - 1)))
    # The bootstrap kernels' view, printed before kexec: nothing in [s, e).
    for n in m.nodes if bootstrap else ():
        lines = re.findall(r"^mint-bootstrap: iomem (.*)$", n.console(), re.M)
        iomem = parse_iomem("\n".join(lines))
        bad = [(a, b, name) for a, b, name, _ in iomem
               if name in ("System RAM", "Kernel code", "Kernel data") and a < e and s < b]
        res.case("a.bootstrap-private node%d" % n.id, bool(iomem) and not bad,
                 "bootstrap RAM and kernel avoid the shared memory %s-%s" % (
                     _hex(s), _hex(e - 1)) if not bad else "bootstrap uses %s" % bad)


def case_b(res, m, suffix=""):
    for n in m.nodes:
        lay = m.layout.nodes[n.id]
        t = n.truth()
        e820 = parse_e820(t["dmesg"])
        iomem = parse_iomem(t["iomem"])
        own = merge((s, s + size) for s, size, _, _ in lay["regions"])
        want_ram = merge((a, a + size) for a, size, typ in lay["e820"] if typ == 1)
        if e820 is None:
            res.case("b.boot-e820%s node%d" % (suffix, n.id), False, "no BIOS-provided map in dmesg")
            continue
        ram = merge((a, b) for a, b, typ in e820 if typ == 1)
        res.case("b.boot-e820%s node%d" % (suffix, n.id), ram == want_ram,
                 "e820 RAM %s%s" % (fmt(ram), "" if ram == want_ram else
                                     " but the engine says %s" % fmt(want_ram)))
        # Top-level System RAM in /proc/iomem; the kernel may split a region
        # (setup_data) but must not add any byte outside its own regions.
        sysram = merge((a, b) for a, b, name, depth in iomem
                       if name == "System RAM" and depth == 0)
        foreign = subtract(sysram, own) + subtract(ram, own)
        who = set()
        for a, b in foreign:
            who |= owners(m.layout, a, b) - {n.id}
        res.case("b.no-foreign-ram%s node%d" % (suffix, n.id), not foreign,
                 "System RAM %s, all inside the node's regions" % fmt(sysram) if not foreign
                 else "RAM outside own regions: %s (nodes %s)" % (fmt(foreign), sorted(who)))
        reserved_e820 = merge((a, b) for a, b, typ in e820 if typ == 2)
        foreign_reserved(res, m, n.id, e820, reserved_e820, suffix)
        if not lay["windows"]:
            continue
        windows = [(s, s + size) for s, size, _ in lay["windows"]]
        reserved_iomem = merge((a, b) for a, b, name, depth in iomem
                               if name == "Reserved" and depth == 0)
        miss_e820 = subtract(windows, reserved_e820)
        miss_iomem = subtract(windows, reserved_iomem)
        res.case("b.windows-reserved%s node%d" % (suffix, n.id), not miss_e820 and not miss_iomem,
                 "%d peer windows reserved in e820 and /proc/iomem" % len(windows)
                 if not (miss_e820 or miss_iomem) else
                 "not reserved: e820 %s, iomem %s" % (fmt(miss_e820), fmt(miss_iomem)))


def foreign_reserved(res, m, k, e820, reserved, suffix=""):
    """b.foreign-reserved: every other node's regions at or above 1 MiB are
    reserved in node k's boot e820 (the engine lists all other nodes' memory,
    not only a monitor's windows). Regions below 1 MiB (region1, private low
    memory of each guest here) are only reported: reserved, absent or (a
    failure) usable."""
    ram = merge((a, b) for a, b, typ in e820 if typ == 1)
    high, low = [], []
    for p in m.layout.nodes:
        if p["id"] == k:
            continue
        for start, size, name, _ in p["regions"]:
            (high if start >= LOW_LIMIT else low).append((start, start + size, p["id"], name))
    miss = subtract([(a, b) for a, b, _, _ in high], reserved)
    seen, usable = [], []
    for a, b, who, name in low:
        if subtract([(a, b)], [(x, y) for x, y in ram]) != [(a, b)]:
            usable.append((a, b))
            what = "usable"
        elif not subtract([(a, b)], reserved):
            what = "reserved"
        elif subtract([(a, b)], reserved) == [(a, b)]:
            what = "absent"
        else:
            what = "partly reserved"
        seen.append("node%d %s %s-%s %s" % (who, name or "?", _hex(a), _hex(b - 1), what))
    ok = not miss and not usable
    res.case("b.foreign-reserved%s node%d" % (suffix, k), ok,
             ("%d peer regions reserved in the boot e820" % len(high) if ok else
              "not reserved in the boot e820: %s%s" % (
                  fmt(miss), "; usable: %s" % fmt(usable) if usable else ""))
             + "; below 1 MiB: %s" % ("; ".join(seen) or "none"))


def setup_data(t):
    """[(index, type, data bytes or None)] from a boot truth's setup_data
    section (bytes only for Mint's own type)."""
    out = []
    for line in (t or {}).get("setup_data", "").splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        try:
            typ = int(f[1], 0)
            data = bytes.fromhex(f[2]) if len(f) > 2 else None
        except ValueError:
            continue
        out.append((f[0], typ, data))
    return out


def memmap_text(text, *opts):
    """mint-memmap --layout FILE OPTS on layout text (a temporary file)."""
    with tempfile.NamedTemporaryFile("w", prefix="mint-layout-", suffix=".txt") as f:
        f.write(text)
        f.flush()
        return machine._run([machine.default_memmap(), "--layout", f.name] + list(opts),
                            "mint-memmap --layout %s" % " ".join(opts))


FIRMWARE_IOMEM = ("Reserved", "ACPI Tables", "ACPI Non-volatile Storage", "Unusable memory",
                  "Unknown E820 type")


def check_handover_text(m, n, text):
    """Problems with the layout text kexec-mint handed node n: it must be
    canonical (mint-memmap --canonical gives it back) and be the machine's
    layout (its --canonical) plus firmware ranges, each of which this guest's
    firmware reserves (a top-level Reserved/ACPI entry of the bootstrap
    kernel's /proc/iomem): kexec adds the running machine's firmware ranges
    to the layout it validates and hands over. Returns (problems, the added
    firmware lines)."""
    problems = []
    try:
        if memmap_text(text, "--canonical") != text:
            problems.append("the handed-over text is not canonical (mint-memmap --canonical "
                            "changes it)")
        base = m.layout.canonical()
    except MachineError as e:
        return ["cannot check the handed-over text: %s" % str(e).splitlines()[0]], []
    ours = set(ln for ln in base.splitlines() if ln.startswith("firmware "))
    added = [ln for ln in text.splitlines() if ln.startswith("firmware ") and ln not in ours]
    try:
        want = memmap_text(base + "".join(ln + "\n" for ln in added), "--canonical")
    except MachineError as e:
        return problems + ["the layout plus the added firmware %s does not validate: %s" % (
            added, str(e).splitlines()[0])], added
    if want != text:
        problems.append("the handed-over text is not this machine's layout (plus firmware "
                        "%s): %r" % (added, text[:120]))
    lines = re.findall(r"^mint-bootstrap: iomem (.*)$", n.console(), re.M)
    firmware = merge((a, b) for a, b, name, depth in parse_iomem("\n".join(lines))
                     if depth == 0 and name in FIRMWARE_IOMEM)
    for ln in added:
        f = ln.split()
        start, size = int(f[1], 0), int(f[2], 0)
        if subtract([(start, start + size)], firmware):
            problems.append("added %r is not reserved firmware in this guest (bootstrap "
                            "/proc/iomem: %s)" % (ln, fmt(firmware)))
    return problems, added


def case_h(res, m, suffix=""):
    """h.identity: kexec-mint handed node K its identity (kexec-patches/
    0006): exactly one mint_node=K and one mint_layout=HASH on /proc/cmdline,
    and one setup_data entry of type 0x4d494e54: a 24-byte little-endian
    header (u32 magic 0x484e544d, u16 version 1, u16 hdr_size 24, u32 node
    K, u32 text_len, u64 hash HASH), then the canonical text of the layout
    kexec validated, whose `mint-memmap --hash` is HASH. That layout is the
    machine's layout file plus the running guest's firmware ranges (kexec
    adds them), so HASH is the file's own `mint-memmap --hash` only where
    the guest has no firmware the file does not list: the detail names
    both."""
    try:
        file_hash = m.layout.hash().lower()
    except MachineError as e:
        file_hash = None
        missing = str(e).splitlines()[0]
    for n in m.nodes:
        name = "h.identity%s node%d" % (suffix, n.id)
        t = n.truth()
        if t is None or "setup_data" not in t:
            res.case(name, False, "no boot truth with a setup_data section")
            continue
        if file_hash is None:
            res.case(name, False, "cannot compute the layout's hash: %s" % missing)
            continue
        args = t.get("cmdline", "").split()
        problems = []
        ids = [a[len("mint_node="):] for a in args if a.startswith("mint_node=")]
        hashes = [a[len("mint_layout="):] for a in args if a.startswith("mint_layout=")]
        if ids != [str(n.id)]:
            problems.append("cmdline has mint_node=%s, want exactly mint_node=%d" % (
                ",".join(ids) or "(none)", n.id))
        cmd_hash = hashes[0].lower() if len(hashes) == 1 and \
            re.fullmatch(r"[0-9a-fA-F]{16}", hashes[0]) else None
        if cmd_hash is None:
            problems.append("cmdline has mint_layout=%s, want exactly one, 16 hex digits" % (
                ",".join(hashes) or "(none)"))
        ents = setup_data(t)
        mint = [d for _, typ, d in ents if typ == SETUP_MINT]
        decoded, added = "", []
        if len(mint) != 1:
            problems.append("%d setup_data entries of type %#x (types present: %s)" % (
                len(mint), SETUP_MINT, ", ".join("%#x" % typ for _, typ, _ in ents) or "none"))
        elif len(mint[0]) < 24:
            problems.append("setup_data entry is %d bytes, shorter than its header" %
                            len(mint[0]))
        else:
            d = mint[0]
            magic, version, hdr_size, node, text_len, h = struct.unpack_from("<IHHIIQ", d)
            decoded = "magic %#x version %d hdr_size %d node %d hash %016x, %d bytes of text" % (
                magic, version, hdr_size, node, h, text_len)
            for what, got, want in (("magic", magic, SETUP_MINT_MAGIC), ("version", version, 1),
                                    ("hdr_size", hdr_size, 24), ("node", node, n.id)):
                if got != want:
                    problems.append("setup_data %s %#x, want %#x" % (what, got, want))
            if hdr_size + text_len > len(d):
                problems.append("text (%d bytes from %d) does not fit the %d-byte entry" % (
                    text_len, hdr_size, len(d)))
            elif cmd_hash and "%016x" % h != cmd_hash:
                problems.append("setup_data hash %016x, cmdline mint_layout=%s" % (h, cmd_hash))
            else:
                try:
                    text = d[hdr_size:hdr_size + text_len].decode()
                except UnicodeDecodeError:
                    text = None
                    problems.append("setup_data text is not UTF-8")
                if text is not None:
                    try:
                        text_hash = memmap_text(text, "--hash").strip().lower()
                        if text_hash != "%016x" % h:
                            problems.append("setup_data hash %016x, but mint-memmap --hash of "
                                            "its text is %s" % (h, text_hash))
                    except MachineError as e:
                        problems.append("mint-memmap cannot read the handed-over text: %s" %
                                        str(e).splitlines()[0])
                    more, added = check_handover_text(m, n, text)
                    problems += more
        layout = "the layout file's hash %s%s" % (
            file_hash, " (the same: no firmware added)" if not added else
            ", plus the guest's firmware %s" % "; ".join(" ".join(ln.split()[1:3])
                                                        for ln in added))
        res.case(name, not problems,
                 "mint_node=%d mint_layout=%s: %s; setup_data %s" % (
                     n.id, cmd_hash, layout, decoded) if not problems else
                 "; ".join(problems) + ("; setup_data %s" % decoded if decoded else ""))


def case_layout_file(res, layout_file, nodes, name="layout-file"):
    """The layout file describes the preset's machine: mint-memmap computes
    the same e820 (every node), the same JSON nodes and (where it can say)
    the same hash for both."""
    mm = machine.default_memmap()
    try:
        outs = []
        for base in ([mm, "--layout", layout_file], [mm, "--preset", "kexec-mint", "--nodes",
                                                     str(nodes)]):
            try:
                h = machine._run(base + ["--hash"], "mint-memmap --hash").strip()
            except MachineError:
                h = None            # a mint-memmap without --hash
            outs.append((machine._run(base + ["--e820"], "mint-memmap --e820"),
                         json.loads(machine._run(base + ["--json"], "mint-memmap --json")), h))
    except (MachineError, ValueError) as e:
        return res.case(name, False, str(e))
    (e_file, j_file, h_file), (e_preset, j_preset, h_preset) = outs
    same = e_file == e_preset and j_file["nodes"] == j_preset["nodes"] and \
        j_file["memory"] == j_preset["memory"] and j_file["firmware"] == j_preset["firmware"] \
        and h_file == h_preset
    return res.case(name, same, "%s gives the e820 of preset kexec-mint,%d (%d lines)%s" % (
        os.path.relpath(layout_file, machine.TOP), nodes, len(e_file.splitlines()),
        ", hash %s" % h_file if h_file else "") if same else
        "%s differs from preset kexec-mint,%d: e820 %s, JSON %s, hash %s vs %s" % (
            layout_file, nodes, "same" if e_file == e_preset else "differs",
            "same" if j_file["nodes"] == j_preset["nodes"] else "differs", h_file, h_preset))


def preset_layout_file(nodes):
    """The layout file the kexec-mint machine boots from: the preset as
    layout text (mint-memmap --preset kexec-mint --nodes N --canonical),
    written to build/mint/kexec-mint-N.layout. Without --canonical the
    hand-written tests/mint/layouts/kexec-mint-N.layout, else None (the
    preset)."""
    try:
        text = machine._run([machine.default_memmap(), "--preset", "kexec-mint", "--nodes",
                             str(nodes), "--canonical"], "mint-memmap --canonical")
    except MachineError as e:
        hand = os.path.join(LAYOUTS, "kexec-mint-%d.layout" % nodes)
        print("info: %s; %s" % (str(e).splitlines()[0], "using " + hand
                                if os.path.exists(hand) else "booting from the preset"),
              flush=True)
        return hand if os.path.exists(hand) else None
    path = os.path.join(machine.TOP, "build", "mint", "kexec-mint-%d.layout" % nodes)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return path


def case_host_binary(res, m, k):
    """A dynamically linked host program (mintmon, with the libraries and
    loader initramfs.binary_files() added) runs in node k's initramfs."""
    try:
        rc, out = m.nodes[k].run("/bin/mintmon --help")
    except MachineError as e:
        return res.case("host-binary node%d" % k, False, str(e))
    res.case("host-binary node%d" % k, rc == 0 and "usage: mintmon" in out,
             "build/bin/mintmon with its shared libraries runs in the node (--help)"
             if rc == 0 else "mintmon --help exited %d: %s" % (rc, out.strip()[-300:]))


def stress(m, seconds, slack=120, nodes=None):
    """Run memstress on the nodes (all by default) for `seconds`. Returns
    ({node: its log, or None if it went down or did not finish}, the first
    node-down message or None, elapsed seconds)."""
    t0 = time.monotonic()
    done, last = {}, {}
    down = None
    nodes = m.nodes if nodes is None else nodes
    for n in nodes:
        try:
            rc, out = n.run("memstress %d %d >/tmp/memstress.log 2>&1 & echo started" % (
                n.id, seconds))
        except MachineError as e:
            rc, out = 1, str(e)
        if rc != 0 or "started" not in out:
            down = down or "node %d: cannot start memstress: %s" % (n.id, out.strip())
            done[n.id] = None
    deadline = t0 + seconds + slack
    while len(done) < len(nodes) and time.monotonic() < deadline:
        time.sleep(5)
        for n in nodes:
            if n.id in done:
                continue
            if not n.alive():
                down = down or "node %d: QEMU exited during the stress (last console line: %s)" % (
                    n.id, (n.console_tail(1) or "none").strip())
                done[n.id] = None
                continue
            try:
                _, out = n.run("tail -n 3 /tmp/memstress.log; "
                               "pidof memstress >/dev/null || echo EXITED", timeout=30)
                last[n.id] = (out.strip().splitlines() or [""])[-1]
                if "EXITED" in out:
                    done[n.id] = n.run("cat /tmp/memstress.log")[1]
            except MachineError as e:
                down = down or "node %d stopped answering: %s" % (n.id, e)
                done[n.id] = None
    for n in nodes:
        if n.id not in done:
            down = down or "node %d: memstress still running (%s)" % (n.id, last.get(n.id))
            done[n.id] = None
    return done, down, time.monotonic() - t0


def case_c(res, m, seconds):
    done, down, elapsed = stress(m, seconds)
    res.case("c.nodes-stay-up", down is None,
             "all %d nodes up for %.0fs of stress" % (len(m.nodes), elapsed) if down is None
             else down)
    for n in m.nodes:
        log = done.get(n.id)
        if log is None:
            res.case("c.stress node%d" % n.id, False, "no result (node down or timed out)")
            continue
        mdone = re.search(r"memstress: done node (\d+) passes (\d+) MiB (\d+) errors (\d+)", log)
        if not mdone:
            res.case("c.stress node%d" % n.id, False, "memstress failed: %s" % log.strip()[-300:])
            continue
        passes, mib, errors = int(mdone.group(2)), int(mdone.group(3)), int(mdone.group(4))
        ram = sum(size for _, size, _, _ in m.layout.nodes[n.id]["regions"])
        corrupt = re.findall(r"memstress: CORRUPT.*", log)
        if errors or passes < 2:
            res.case("c.stress node%d" % n.id, False, "%d errors in %d passes: %s" % (
                errors, passes, corrupt[:3]))
        else:
            # "Most of its RAM": at least 60% of what the layout gives the node.
            share = (mib << 20) * 100 // ram
            res.case("c.stress node%d" % n.id, share >= 60,
                     "%d MiB (%d%% of the node's RAM) x %d passes in >= %ds, no corruption" % (
                         mib, share, passes, seconds))
    # Ground truth from outside: which node's tags lie in whose memory.
    counts = m.scan_tags()
    foreign = {k: v for k, v in counts.items() if k[0] != k[1]}
    own = {w: v for (w, o), v in counts.items() if w == o}
    ok = not foreign and all(own.get(n.id, 0) > 0 for n in m.nodes)
    res.case("c.shared-memory-scan", ok,
             "each node's pattern only in its own regions (%s sampled words)" % (
                 ", ".join("node%d %d" % (k, v) for k, v in sorted(own.items())))
             if ok else "tags (writer, owner): %s" % counts)


def case_f(res, m, mintmon):
    """mintmon on the host finds each running node's kernel in the shared file,
    searching only that node's kernel window, and agrees with the node's own
    /proc: release, where its kernel code starts, pid 1's arguments."""
    s, e = m.shared
    target = "file:%s:map=%#x+%#x@0" % (m.shm_path, s, e - s)
    for n in m.nodes:
        name = "f.mintmon-finds node%d" % n.id
        ws, wsize = m.layout.nodes[n.id]["kernel_window"]
        code = kernel_code(n)
        try:
            rc1, release = n.run("uname -r")
            rc2, args1 = n.run("tr '\\0' ' ' < /proc/1/cmdline")
        except MachineError as ex:
            res.case(name, False, str(ex))
            continue
        if rc1 or rc2 or len(code) != 1:
            res.case(name, False, "cannot read the node's own view (uname, cmdline, iomem)")
            continue
        base = [mintmon, "-t", target, "--window", "%#x-%#x" % (ws, ws + wsize)]
        try:
            info = json.loads(subprocess.run(base + ["info", "--json"], check=True, timeout=60,
                                             stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE).stdout)
            ps = json.loads(subprocess.run(base + ["ps", "--json"], check=True, timeout=60,
                                           stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE).stdout)
        except (subprocess.SubprocessError, ValueError) as ex:
            res.case(name, False, "mintmon failed: %s" % ex)
            continue
        init = [t for t in ps if t["pid"] == 1]
        problems = []
        if info["release"] != release.strip():
            problems.append("release %r, node says %r" % (info["release"], release.strip()))
        if int(info["text_phys"], 16) != code[0][0]:
            problems.append("text at %s, node's Kernel code at %s" % (
                info["text_phys"], _hex(code[0][0])))
        if not init or init[0]["args"] != args1.strip():
            problems.append("pid 1 args %r, node says %r" % (
                init[0]["args"] if init else None, args1.strip()))
        res.case(name, not problems, "; ".join(problems) or
                 "%s, KASLR %s, text %s, %d tasks" % (info["release"], info["kaslr_offset"],
                                                      info["text_phys"], len(ps)))


def case_g(res, m, mintmon):
    """mintmon watch --mint: every peer of node 0 in the machine's own layout,
    each found in its kernel window of the shared file, is judged running, with
    the release that node reports."""
    s, e = m.shared
    target = "file:%s:map=%#x+%#x@0" % (m.shm_path, s, e - s)
    cmd = [mintmon, "watch", "--mint", m.layout.mint_spec(),
           "--memory", target, "--interval", "100", "--hung-after", "2000", "--count", "40"]
    try:
        out = subprocess.run(cmd, timeout=120, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        lines = [json.loads(ln) for ln in out.stdout.decode().splitlines() if ln.strip()]
    except (subprocess.SubprocessError, ValueError) as ex:
        res.case("g.watch-peers", False, "watch failed: %s" % ex)
        return
    last = {}
    for o in lines:
        last[o["target"]] = o
    for n in m.nodes[1:]:
        name = "g.watch-peers node%d" % n.id
        o = last.get("node%d" % n.id)
        try:
            rc, release = n.run("uname -r")
        except MachineError as ex:
            res.case(name, False, str(ex))
            continue
        if out.returncode != 0 or o is None:
            res.case(name, False, "watch exited %d, no line for node%d: %r" % (
                out.returncode, n.id, out.stderr.decode()[-200:]))
            continue
        ok = o["new"] in ("running", "tainted") and \
            o["evidence"].get("release") == release.strip()
        res.case(name, ok, "%s, %s (the node says %s)" % (
            o["new"], o["evidence"].get("release"), release.strip()))


def case_reboot(res, m, nodes):
    """Another boot for (a) and (b): the given nodes kexec themselves into a
    fresh node kernel (a new KASLR placement), all at once, as Mint nodes
    restart while their peers run; then every node is checked again."""
    t0 = time.monotonic()
    old = {n.id: kernel_code(n) for n in m.nodes}
    which = [m.nodes[k] for k in nodes]
    try:
        before = {n.id: n.start_reboot() for n in which}
        for n in which:
            n.wait_reboot(before[n.id])
        for n in m.nodes:
            if n not in which and n.run("echo ready", timeout=60)[0] != 0:
                raise MachineError("node %d does not answer after its peers rebooted" % n.id)
    except MachineError as e:
        res.case("reboot", False, str(e))
        return
    moved = sum(1 for n in which if kernel_code(n) != old[n.id])
    res.case("reboot", True, "node(s) %s rebooted themselves with kexec in %.0fs, the others "
             "kept running; %d of %d kernels moved (KASLR)" % (
                 ", ".join(str(n.id) for n in which), time.monotonic() - t0, moved, len(which)))
    case_a(res, m, suffix="-reboot", bootstrap=False)
    case_b(res, m, suffix="-reboot")
    case_h(res, m, suffix="-reboot")


def wait_maps(m, timeout, after_kexec=60):
    """Each node kernel's boot map after kexec, {node: e820 or None}. A node
    whose new kernel prints nothing within after_kexec seconds of `kexec -e`
    (its image overwritten by a peer) counts as None."""
    deadline = time.monotonic() + timeout
    maps, kexeced = {}, {}
    while time.monotonic() < deadline and len(maps) < len(m.nodes):
        for n in m.nodes:
            if n.id in maps:
                continue
            con = n.node_console()
            e820 = parse_e820(con)
            if e820 is not None:
                maps[n.id] = e820
            elif not n.alive():
                maps[n.id] = None
            elif con:
                t = kexeced.setdefault(n.id, time.monotonic())
                if time.monotonic() - t > after_kexec:
                    maps[n.id] = None
        time.sleep(0.5)
    return maps


def case_d(res, m, timeout, last_try=True):
    """Plain upstream kexec with the engine's memmap= arguments on the
    command line (not the seed: that is case e): the node kernel's boot map,
    which its decompressor uses before it reads memmap=, still offers other
    nodes' memory as RAM. Expected. Returns False (recording nothing) if no
    node printed its map and this is not the last try: all kernels overwrote
    each other, rare but random."""
    maps = wait_maps(m, timeout)
    if not any(maps.values()) and not last_try:
        print("info d: no node printed its boot map (all overwritten?); booting again",
              flush=True)
        return False
    got = 0
    for n in m.nodes:
        lay = m.layout.nodes[n.id]
        e820 = maps.get(n.id)
        if e820 is None:
            print("info d: node%d printed no boot map (%s)" % (
                n.id, "QEMU exited" if not n.alive() else "its kernel never started: "
                "overwritten by a peer?"), flush=True)
            continue
        got += 1
        own = merge((s, s + size) for s, size, _, _ in lay["regions"])
        ram = merge((a, b) for a, b, typ in e820 if typ == 1)
        foreign = subtract(ram, own)
        who = set()
        for a, b in foreign:
            who |= owners(m.layout, a, b) - {n.id}
        res.case("d.upstream-memmap-flaw node%d" % n.id, bool(who),
                 "expected flaw present: the boot map offers node(s) %s's memory as RAM (%s)" % (
                     sorted(who), fmt(foreign)) if who else
                 "boot map has no other node's memory as RAM: the flaw is gone? (%s)" % fmt(ram))
    if got == 0:
        res.case("d.upstream-memmap-flaw", False, "no node printed its boot map")
    # Informational: where the decompressor's KASLR put each kernel (random,
    # so not asserted); a kernel in another node's memory has been given RAM
    # that a peer uses, as memmap= could not prevent.
    deadline = time.monotonic() + 60
    pending = [n for n in m.nodes if maps.get(n.id)]
    while pending and time.monotonic() < deadline:
        for n in list(pending):
            t = n.truth()
            if t is None and n.alive():
                continue
            pending.remove(n)
            code = [(a, b) for a, b, name, _ in parse_iomem(t["iomem"]) if name == "Kernel code"] \
                if t else []
            for a, b in code:
                where = owners(m.layout, a, b)
                print("info d: node%d kernel code at %s: %s" % (
                    n.id, _hex(a), "in its own memory" if where == {n.id} else
                    "in node(s) %s's memory" % sorted(where) if where else
                    "outside every node's memory"), flush=True)
            if not code:
                print("info d: node%d did not finish booting (QEMU %s)" % (
                    n.id, "running" if n.alive() else "exited"), flush=True)
        time.sleep(0.5)
    for n in pending:
        print("info d: node%d did not finish booting in time" % n.id, flush=True)
    return True


def seed_expansion(layout):
    """Node 0's kernel arguments with its windows declared RAM instead of
    reserved: the seed's "expanded" node 0 (only '$' -> '@' on the tokens of
    the engine's own --cmdline whose start is a window; no arithmetic)."""
    starts = set(s for s, _, _ in layout.nodes[0]["windows"])
    out = []
    for tok in layout.nodes[0]["cmdline"].split():
        m = re.fullmatch(r"memmap=([^$@#]+)\$(0x[0-9a-fA-F]+|\d+)", tok)
        if m and int(m.group(2), 0) in starts:
            tok = "memmap=%s@%s" % (m.group(1), m.group(2))
        out.append(tok)
    return " ".join(out)


def case_e(res, m, seconds, last_try=True):
    """The seed's failure: node 0 (its windows declared RAM) uses the peers'
    memory. Expected: node 0 boots, and some peer is hurt. Manifestations
    counted: a peer that never boots or goes down, memstress corruption,
    node 0's pattern found (from the host) inside a peer's memory. Node 0
    not booting is a FAIL: the seed's failure needs a running node 0 (a
    broken node 0 would otherwise pass as "hurt peers"). But node 0 itself
    may lose the race for the memory it shares with its peers (its early
    allocations lie in node 2's region3 while node 2 boots there), so then,
    unless last_try, nothing is recorded and False returned: boot again."""
    # Every bootstrap must get as far as `kexec -e`: what happens after that
    # is the seed's failure, what happens before is a broken test bed.
    deadline = m.started + machine.BOOT_TIMEOUT
    while time.monotonic() < deadline and not all(
            n.node_console() or not n.alive() for n in m.nodes):
        time.sleep(0.5)
    stuck = [n.id for n in m.nodes if not n.node_console()]
    if stuck:
        res.case("e.seed-boot", False, "node(s) %s never reached kexec -e:\n%s" % (
            stuck, m.nodes[stuck[0]].console_tail()))
        return True
    # All have kexec'd now; a node kernel not up 75 s later (a healthy one
    # takes 15-45 s) is taken as hurt, not waited for.
    up = m.wait_up(time.monotonic() - m.started + 75, None, m.started)

    def never(n):
        return "node%d never booted (%s)" % (n.id, "QEMU exited: reset" if not n.alive() else
                                             "hung after kexec -e")
    if 0 not in up and not last_try:
        print("info e: %s; booting again (node 0 may lose the race for the memory it "
              "shares with its peers)" % never(m.nodes[0]), flush=True)
        return False
    if 0 not in up:
        res.case("e.seed-expansion-hurts-peers", False,
                 "%s: node 0 is the node whose windows are declared RAM, the seed's failure "
                 "shows only once it runs, so nothing was reproduced (peers: %s)\n%s" % (
                     never(m.nodes[0]), ", ".join(
                         "node%d %s" % (k, "up" if k in up else "not up")
                         for k in range(1, len(m.nodes))),
                     m.nodes[0].console_tail(15)))
        return True
    hurt = [never(n) for n in m.nodes if n.id not in up]
    t = m.nodes[0].truth()
    sysram = merge((a, b) for a, b, name, depth in parse_iomem(t["iomem"])
                   if name == "System RAM" and depth == 0)
    print("info e: node0 System RAM with the seed's expansion: %s" % fmt(sysram), flush=True)
    done, down, _ = stress(m, seconds, slack=60, nodes=[n for n in m.nodes if n.id in up])
    if down:
        hurt.append(down.splitlines()[0])
    for k in sorted(done):
        log = done[k]
        mdone = log and re.search(r"memstress: done node \d+ passes (\d+) MiB (\d+) errors (\d+)",
                                  log)
        if mdone:
            print("info e: node%d memstress %s MiB, %s passes, %s errors" % (
                k, mdone.group(2), mdone.group(1), mdone.group(3)), flush=True)
            if int(mdone.group(3)):
                hurt.append("node%d memstress saw %s corrupt words" % (k, mdone.group(3)))
    counts = m.scan_tags()
    in_peers = sum(v for (w, o), v in counts.items() if w == 0 and o not in (0, None))
    if in_peers:
        hurt.append("node 0's pattern in peers' memory (%d sampled words)" % in_peers)
    res.case("e.seed-expansion-hurts-peers", bool(hurt),
             "expected failure reproduced (node 0 booted): %s" % "; ".join(hurt) if hurt else
             "no peer was hurt: the reproduction is broken (tags %s)" % counts)
    return True


def load_module_checks(res):
    """tests/mint/module_checks.py (the kernel module's checks), or None if
    there is none or it does not import (a FAIL)."""
    try:
        import module_checks
    except ImportError as e:
        if getattr(e, "name", None) == "module_checks":
            return None
        res.case("module-checks", False, "tests/mint/module_checks.py: %s" % e)
        return None
    except Exception as e:     # a syntax error in it must not stop the other cases
        res.case("module-checks", False, "tests/mint/module_checks.py: %s: %s" % (
            type(e).__name__, e))
        return None
    return module_checks


def module_files(res, mod, args):
    """module_checks.node_files(mintmon), if it defines one: {node: [(src,
    dest, mode)]} to add to the kexec-mint machine's node initramfses. A
    missing source file is a FAIL (module-files) and none of them are added,
    so that the rest of the machine still boots."""
    fn = getattr(mod, "node_files", None)
    if not callable(fn):
        return {}
    try:
        files = {int(k): list(v) for k, v in fn(args.mintmon).items()}
    except Exception as e:
        res.case("module-files", False, "module_checks.node_files(): %s: %s" % (
            type(e).__name__, e))
        return {}
    missing = sorted(set(f[0] for v in files.values() for f in v
                         if isinstance(f[0], str) and not os.path.exists(f[0])))
    if missing:
        res.case("module-files", False, "not built: %s (the module checks run without them)" %
                 ", ".join(os.path.relpath(p, machine.TOP) for p in missing))
        return {}
    return files


def run_module_checks(res, m, mod, args):
    """module_checks.run(res, m, args), if it defines one: the kernel
    module's checks on the running kexec-mint machine."""
    run = getattr(mod, "run", None)
    if callable(run):
        run(res, m, args)


def main(argv):
    ap = argparse.ArgumentParser(description="emulated Mint machine test")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--stress-seconds", type=int, default=60)
    ap.add_argument("--logs", default=os.path.join(machine.TOP, "build", "mint", "logs"))
    ap.add_argument("--seed-seconds", type=int, default=20)
    ap.add_argument("--skip-upstream", action="store_true")
    ap.add_argument("--skip-seed", action="store_true")
    ap.add_argument("--skip-module", action="store_true",
                    help="do not run tests/mint/module_checks.py on the kexec-mint machine")
    ap.add_argument("--node-kernels", default="2=6.12-amd64",
                    help="node kernels of the kexec-mint machine other than 6.1-amd64, as "
                    "K=NAME,... (default 2=6.12-amd64; '' for none)")
    ap.add_argument("--layout", default=None,
                    help="layout file of the kexec-mint machine (default: the preset as "
                    "`mint-memmap --canonical` prints it, written to "
                    "build/mint/kexec-mint-N.layout; 'preset' for the preset itself)")
    ap.add_argument("--reboot-nodes", default=None,
                    help="comma-separated nodes that kexec themselves again after the stress "
                    "(default: all; '' for none)")
    ap.add_argument("--mintmon", default=os.path.join(machine.TOP, "build", "bin", "mintmon"))
    ap.add_argument("--keep-logs", action="store_true", help="keep logs of passing runs too")
    a = ap.parse_args(argv)
    try:
        node_kernels = {int(k): v for k, v in (
            kv.split("=", 1) for kv in a.node_kernels.split(",") if kv.strip())}
    except ValueError:
        ap.error("--node-kernels wants K=NAME,..., got %r" % a.node_kernels)
    if a.layout == "preset":
        layout_file = None
    elif a.layout:
        if not os.path.exists(a.layout):
            ap.error("no layout file %s" % a.layout)
        layout_file = a.layout
    else:
        layout_file = preset_layout_file(a.nodes)
    hand = os.path.join(LAYOUTS, "kexec-mint-%d.layout" % a.nodes)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    res = Results()
    t_start = time.monotonic()
    runs = ["mint"] + ([] if a.skip_upstream else ["upstream"]) + \
        ([] if a.skip_seed else ["seed"])
    upstream_tries = 2
    seed_tries = 3
    while runs:
        run = runs.pop(0)
        kexec = "upstream" if run == "upstream" else "mint"
        node_append = None
        opts, mod = {}, None
        if run == "mint":
            if layout_file:
                case_layout_file(res, layout_file, a.nodes)
            if os.path.exists(hand) and hand != layout_file:
                case_layout_file(res, hand, a.nodes, "layout-file hand-written")
            try:
                files_for = {0: initramfs.binary_files(a.mintmon, "/bin/mintmon")}
            except (OSError, ValueError) as e:
                res.case("host-binary node0", False, "cannot add %s: %s" % (a.mintmon, e))
                files_for = {}
            mod = None if a.skip_module else load_module_checks(res)
            for k, files in module_files(res, mod, a).items():
                files_for.setdefault(k, []).extend(files)
            opts = dict(layout_file=layout_file, node_kernels=node_kernels,
                        node_files_for=files_for)
        elif run == "seed":
            # kexec-mint gives the seed machine's nodes their id too (and
            # refuses an --append with mint_node=): nothing appended here.
            try:
                node_append = {0: seed_expansion(machine.Layout(machine.default_memmap(),
                                                                a.nodes))}
            except MachineError as e:
                res.case("e.seed-boot", False, str(e))
                continue
        m = MintMachine(nodes=a.nodes, kexec=kexec, node_append=node_append,
                        log=lambda msg, r=run: print("info %s: %s" % (r, msg), flush=True),
                        **opts)
        failed_before = res.failed
        t0 = time.monotonic()
        try:
            if run == "upstream":
                try:
                    m.up(wait=False)
                except MachineError as e:
                    res.case("d.upstream-memmap-boot", False, str(e))
                    continue
                upstream_tries -= 1
                if not case_d(res, m, machine.BOOT_TIMEOUT, last_try=upstream_tries == 0):
                    runs.insert(0, "upstream")
                continue
            if run == "seed":
                try:
                    m.up(wait=False)
                except MachineError as e:
                    res.case("e.seed-boot", False, str(e))
                    continue
                seed_tries -= 1
                if not case_e(res, m, a.seed_seconds, last_try=seed_tries == 0):
                    runs.insert(0, "seed")
                continue
            try:
                m.up()
            except MachineError as e:
                res.case("boot", False, str(e))
                continue
            res.case("boot", True, "%d nodes up with kexec-mint in %.0fs (%s)" % (
                a.nodes, m.timings["boot"], ", ".join(
                    "node%d %s" % (n.id, m.node_kernel(n.id).release) for n in m.nodes)))
            case_a(res, m)
            case_b(res, m)
            case_h(res, m)
            if any(f[1] == "/bin/mintmon" for f in opts["node_files_for"].get(0, [])):
                case_host_binary(res, m, 0)
            case_f(res, m, a.mintmon)
            case_g(res, m, a.mintmon)
            case_c(res, m, a.stress_seconds)
            reboot = range(a.nodes) if a.reboot_nodes is None else \
                [int(k) for k in a.reboot_nodes.split(",") if k.strip()]
            if reboot:
                case_reboot(res, m, list(reboot))
            if mod is not None:
                run_module_checks(res, m, mod, a)
        except MachineError as e:
            res.case("%s.machine" % run, False, str(e))
        except Exception as e:     # a harness bug must show as a failure, not hide the rest
            res.case("%s.harness" % run, False, "%s: %s" % (type(e).__name__, e))
        finally:
            if res.failed != failed_before or a.keep_logs:
                dest = os.path.join(a.logs, run)
                m.save_logs(dest)
                print("info: logs of the %s run kept in %s" % (run, dest), flush=True)
            m.down()
            print("info %s: machine run took %.0fs" % (run, time.monotonic() - t0), flush=True)
    print("mint machine test took %.0fs" % (time.monotonic() - t_start))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
