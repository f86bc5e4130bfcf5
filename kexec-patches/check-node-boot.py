#!/usr/bin/env python3
"""Check what a Mint node kernel reported about its own memory.

Usage: check-node-boot.py LAYOUT_JSON NODE UPSTREAM REPORT SERIAL_LOG

LAYOUT_JSON is `mint-memmap ... --json` (the expected layout, computed by the
engine's CLI independently of kexec); REPORT holds the node kernel's
"MINTCHECK dmesg ..." and "MINTCHECK iomem ..." lines; SERIAL_LOG is the whole
guest console (for the bootstrap's "MINTBOOT" lines). UPSTREAM is 1 when the
node was loaded by unpatched kexec with memmap= arguments: then the check
expects the flaw (other nodes' RAM in the node's boot map).
Prints one line per check; exit status 1 if any failed.
"""
import json
import re
import sys


def main():
    layout_path, node, upstream, report, serial = sys.argv[1:6]
    node, upstream = int(node), upstream == "1"
    layout = json.load(open(layout_path))
    text = open(report, errors="replace").read()
    boot = open(serial, errors="replace").read()
    failures = []

    def check(ok, what):
        print(("  ok    " if ok else "  FAIL  ") + what)
        if not ok:
            failures.append(what)

    nodes = {n["id"]: n for n in layout["nodes"]}
    me = nodes[node]

    def regions(n):
        return [(r["start"], r["start"] + r["size"]) for r in nodes[n]["regions"]]

    others = [(n, r) for n in nodes if n != node for r in regions(n)]
    monitored = set(me["monitors"])
    win = (me["kernel_window"]["start"],
           me["kernel_window"]["start"] + me["kernel_window"]["size"])

    # The node kernel's boot map as it printed it: (start, end exclusive, type).
    e820 = [(int(s, 16), int(e, 16) + 1, t) for s, e, t in
            re.findall(r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)", text)]
    check(len(e820) > 0, "node kernel printed its boot e820 (BIOS-e820 lines)")
    usable = merge([(s, e) for s, e, t in e820 if t == "usable"])

    m = re.search(r"MINTBOOT refusal rc=(\d+) (.*)", boot)
    check(m is not None and m.group(1) != "0" and "no such node" in m.group(2),
          "kexec-mint refuses a node outside the layout with one line: %s"
          % (m.group(2).strip() if m else "no output"))

    for name, pattern in (("fw-conflict", "does not fit this machine's firmware map"),
                          ("not-ram", "is not RAM on this machine")):
        m = re.search(r"MINTBOOT refuse-%s rc=(\d+) loaded=(\d) (.*)" % name, boot)
        check(m is not None and m.group(1) != "0" and m.group(2) == "0" and pattern in m.group(3),
              "kexec-mint refuses the %s layout at load time, nothing loaded: %s"
              % (name, m.group(3).strip() if m else "no output"))

    leak = [(n, "%#x-%#x" % (max(s, r[0]), min(e, r[1]) - 1)) for s, e in usable
            for n, r in others if overlaps((s, e), r)]
    if upstream:
        # The flaw the series fixes: without it the node boots with RAM
        # that belongs to other nodes, and its decompressor may land there.
        check(len(leak) > 0, "EXPECTED FLAW: upstream kexec + memmap= hands node %d other "
              "nodes' RAM in its boot map: %s" % (node, leak[:3]))
        return 1 if failures else 0

    own = merge([(e["addr"], e["addr"] + e["size"]) for e in me["e820"] if e["name"] == "RAM"])
    check(usable == own, "usable RAM in the boot e820 is exactly node %d's: %s" % (node, fmt(own)))
    check(not leak, "no other node's memory appears as RAM")
    names = {"RAM": "usable", "reserved": "reserved", "ACPI": "ACPI", "NVS": "NVS",
             "unusable": "unusable"}
    for e in me["e820"]:
        want = (e["addr"], e["addr"] + e["size"], names.get(e["name"], e["name"]))
        found = any(t == want[2] and s <= want[0] and want[1] <= x for s, x, t in e820)
        check(found, "engine entry %#x-%#x %s is in the boot map"
              % (want[0], want[1] - 1, e["name"]))
    for n in sorted(monitored):
        for r in regions(n):
            covered = any(t == "reserved" and s <= r[0] and r[1] <= x for s, x, t in e820)
            check(covered, "monitored node %d's region %#x-%#x is reserved" % (n, r[0], r[1] - 1))
    bad = ["%#x-%#x %s (node %d)" % (s, x - 1, t, n) for s, x, t in e820 for n, r in others
           if overlaps((s, x), r) and not (t == "reserved" and n in monitored)]
    check(not bad, "no entry gives another node's memory other than as a monitor's "
          "reserved window %s" % (bad[:3] if bad else ""))

    # kexec -d's own account of where it put the segments.
    mems = re.findall(r"segment\[(\d+)\]\.mem   = 0x([0-9a-f]+)", boot)
    sizes = dict(re.findall(r"segment\[(\d+)\]\.memsz = 0x([0-9a-f]+)", boot))
    segs = [(int(a, 16), int(a, 16) + int(sizes.get(i, "0"), 16)) for i, a in mems]
    check(len(segs) > 0 and all(win[0] <= s and e <= win[1] for s, e in segs),
          "all %d kexec segments lie in node %d's kernel window: %s" % (len(segs), node, fmt(segs)))

    code = re.search(r"iomem ([0-9a-f]+)-([0-9a-f]+) : Kernel code", text)
    check(code is not None, "node kernel lists its Kernel code in /proc/iomem")
    if code:
        cs, ce = int(code.group(1), 16), int(code.group(2), 16) + 1
        check(win[0] <= cs and ce <= win[1], "Kernel code %#x-%#x lies in node %d's kernel "
              "window %#x-%#x" % (cs, ce - 1, node, win[0], win[1] - 1))
    return 1 if failures else 0


def merge(rs):
    out = []
    for s, e in sorted(rs):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def fmt(rs):
    return ", ".join("%#x-%#x" % (s, e - 1) for s, e in rs)


if __name__ == "__main__":
    sys.exit(main())
