#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The emulated Mint machine test (issue 3, part 3).

Boots three OS nodes with build/bin/kexec-mint (tests/mint/machine.py) and checks:
  a  every node kernel's `Kernel code` (its /proc/iomem) lies inside the
     node's kernel window, and every bootstrap kernel stayed in private memory;
  b  node 0 lists every peer window as reserved, in its boot e820 (dmesg) and
     its /proc/iomem; no node lists another node's memory as RAM; every node's
     RAM is exactly its regions from the layout engine;
  c  all nodes stay up while each runs memstress over most of its RAM for
     --stress-seconds (default 60); no corruption inside a node, and (seen
     from the host, through the shared file) no node's pattern in another
     node's memory;
  f  mintmon on the host, searching only a node's kernel window of the shared
     file, agrees with that node's uname, Kernel code and pid 1's arguments;
  g  mintmon watch --mint (every peer of node 0, in its kernel window) says
     each peer is running, with the release the node gives;
then boots the same machine with build/bin/kexec-upstream and the engine's
memmap= arguments only, and checks
  d  the flaw the patch fixes is there: each node kernel's
     `BIOS-provided physical RAM map` offers other nodes' memory as RAM
     (a test that expects the flaw: it fails when the flaw disappears);
and boots it once more with kexec-mint but node 0 given the seed's
"expansion" (its peer windows declared RAM on its command line), and checks
  e  the seed's failure is reproduced: while every node runs memstress, the
     host finds node 0's pattern inside the peers' memory (expected failure).

    tests/mint/test_mint.py [--stress-seconds N] [--seed-seconds N] [--logs DIR]
                            [--skip-upstream] [--skip-seed] [--keep-logs]

Prints one line per case and "N passed, N failed"; exit status 1 on failure.
Logs of a failed run are kept in --logs (default build/mint/logs).
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
from machine import MachineError, MintMachine, _hex  # noqa: E402

E820_TYPES = {"usable": 1, "reserved": 2, "ACPI data": 3, "ACPI NVS": 4, "unusable": 5}


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
        if not lay["windows"]:
            continue
        windows = [(s, s + size) for s, size, _ in lay["windows"]]
        reserved_e820 = merge((a, b) for a, b, typ in e820 if typ == 2)
        reserved_iomem = merge((a, b) for a, b, name, depth in iomem
                               if name == "Reserved" and depth == 0)
        miss_e820 = subtract(windows, reserved_e820)
        miss_iomem = subtract(windows, reserved_iomem)
        res.case("b.windows-reserved%s node%d" % (suffix, n.id), not miss_e820 and not miss_iomem,
                 "%d peer windows reserved in e820 and /proc/iomem" % len(windows)
                 if not (miss_e820 or miss_iomem) else
                 "not reserved: e820 %s, iomem %s" % (fmt(miss_e820), fmt(miss_iomem)))


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
    cmd = [mintmon, "watch", "--mint", "preset:%s:%d" % (m.layout.preset, m.layout.nr_nodes),
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


def wait_maps(m, timeout, after_kexec=60):
    """Each node kernel's boot map after kexec, {node: e820 or None}. A node
    whose new kernel prints nothing within after_kexec seconds of `kexec -e`
    (its image overwritten by a peer, the seed's crash) counts as None."""
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
    """Returns False (recording nothing) if no node printed its map and this
    is not the last try: all kernels overwrote each other, rare but random."""
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
        res.case("d.upstream-flaw node%d" % n.id, bool(who),
                 "expected flaw present: the boot map offers node(s) %s's memory as RAM (%s)" % (
                     sorted(who), fmt(foreign)) if who else
                 "boot map has no other node's memory as RAM: the flaw is gone? (%s)" % fmt(ram))
    if got == 0:
        res.case("d.upstream-flaw", False, "no node printed its boot map")
    # Informational: where the decompressor's KASLR put each kernel (random,
    # so not asserted); a kernel in another node's memory is the seed's crash.
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


def case_e(res, m, seconds):
    """The seed's failure: node 0 (its windows declared RAM) uses the peers'
    memory. Expected: some peer is hurt. Manifestations counted: a peer that
    never boots or goes down, memstress corruption, node 0's pattern found
    (from the host) inside a peer's memory."""
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
        return
    # All have kexec'd now; a node kernel not up 75 s later (a healthy one
    # takes 15-45 s) is taken as hurt, not waited for.
    up = m.wait_up(time.monotonic() - m.started + 75, None, m.started)
    hurt = ["node%d never booted (%s)" % (n.id, "QEMU exited: reset" if not n.alive() else
                                          "hung after kexec -e")
            for n in m.nodes if n.id not in up]
    if 0 not in up:
        res.case("e.seed-expansion-hurts-peers", True,
                 "expected failure reproduced: %s" % "; ".join(hurt))
        return
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
             "expected failure reproduced: %s" % "; ".join(hurt) if hurt else
             "no peer was hurt: the reproduction is broken (tags %s)" % counts)


def main(argv):
    ap = argparse.ArgumentParser(description="emulated Mint machine test")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--stress-seconds", type=int, default=60)
    ap.add_argument("--logs", default=os.path.join(machine.TOP, "build", "mint", "logs"))
    ap.add_argument("--seed-seconds", type=int, default=20)
    ap.add_argument("--skip-upstream", action="store_true")
    ap.add_argument("--skip-seed", action="store_true")
    ap.add_argument("--reboot-nodes", default=None,
                    help="comma-separated nodes that kexec themselves again after the stress "
                    "(default: all; '' for none)")
    ap.add_argument("--mintmon", default=os.path.join(machine.TOP, "build", "bin", "mintmon"))
    ap.add_argument("--keep-logs", action="store_true", help="keep logs of passing runs too")
    a = ap.parse_args(argv)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    res = Results()
    t_start = time.monotonic()
    runs = ["mint"] + ([] if a.skip_upstream else ["upstream"]) + \
        ([] if a.skip_seed else ["seed"])
    upstream_tries = 2
    while runs:
        run = runs.pop(0)
        kexec = "upstream" if run == "upstream" else "mint"
        node_append = None
        if run == "seed":
            try:
                node_append = {0: seed_expansion(machine.Layout(machine.default_memmap(),
                                                                a.nodes))}
            except MachineError as e:
                res.case("e.seed-boot", False, str(e))
                continue
        m = MintMachine(nodes=a.nodes, kexec=kexec, node_append=node_append,
                        log=lambda msg, r=run: print("info %s: %s" % (r, msg), flush=True))
        failed_before = res.failed
        t0 = time.monotonic()
        try:
            if run == "upstream":
                try:
                    m.up(wait=False)
                except MachineError as e:
                    res.case("d.upstream-boot", False, str(e))
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
                case_e(res, m, a.seed_seconds)
                continue
            try:
                m.up()
            except MachineError as e:
                res.case("boot", False, str(e))
                continue
            res.case("boot", True, "%d nodes up with kexec-mint in %.0fs" % (
                a.nodes, m.timings["boot"]))
            case_a(res, m)
            case_b(res, m)
            case_f(res, m, a.mintmon)
            case_g(res, m, a.mintmon)
            case_c(res, m, a.stress_seconds)
            reboot = range(a.nodes) if a.reboot_nodes is None else \
                [int(k) for k in a.reboot_nodes.split(",") if k.strip()]
            if reboot:
                case_reboot(res, m, list(reboot))
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
