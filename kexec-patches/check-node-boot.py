#!/usr/bin/env python3
"""Check what a Mint node kernel reported about its own memory and identity.

Usage: check-node-boot.py LAYOUT_JSON NODE UPSTREAM REPORT SERIAL_LOG [MINT_MEMMAP [REPORT2]]

LAYOUT_JSON is `mint-memmap ... --json` (the expected layout, computed by the
engine's CLI independently of kexec); REPORT holds the node kernel's
"MINTCHECK dmesg|iomem|cmdline|handover ..." lines; SERIAL_LOG is the whole
guest console (for the bootstrap's "MINTBOOT" lines). UPSTREAM is 1 when the
node was loaded by unpatched kexec with memmap= arguments: then the check
expects the flaw (other nodes' RAM in the node's boot map). MINT_MEMMAP, the
CLI, reads the layout the node was handed (setup_data) back. REPORT2 is the
report of a second node kernel that the first one loaded itself
(qemu-check.sh --self-kexec; its kexec's lines are "MINTSELF ...").
Prints one line per check; exit status 1 if any failed.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HANDOVER_MAGIC, HANDOVER_HDR = 0x484E544D, 24


def main():
    layout_path, node, upstream, report, serial = sys.argv[1:6]
    memmap_cli = sys.argv[6] if len(sys.argv) > 6 else None
    report2 = sys.argv[7] if len(sys.argv) > 7 else None
    node, upstream = int(node), upstream == "1"
    layout = json.load(open(layout_path))
    boot = open(serial, errors="replace").read()
    failures = []

    def check(ok, what):
        print(("  ok    " if ok else "  FAIL  ") + what)
        if not ok:
            failures.append(what)

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

    ident = check_node(layout, node, upstream, open(report, errors="replace").read(),
                       loader_lines(boot, "MINTBOOT"), memmap_cli, check)
    if report2:
        m = re.search(r"MINTSELF load rc=(\d+)", boot)
        check(m is not None and m.group(1) == "0",
              "node %d loads itself again with kexec-mint --reuse-cmdline: rc=%s"
              % (node, m.group(1) if m else "none"))
        print("  -- the node kernel node %d loaded itself:" % node)
        ident2 = check_node(layout, node, upstream, open(report2, errors="replace").read(),
                            loader_lines(boot, "MINTSELF"), memmap_cli, check)
        check(ident is not None and ident == ident2,
              "self-kexec keeps the identity: %s, then %s" % (ident_str(ident), ident_str(ident2)))
    return 1 if failures else 0


def ident_str(ident):
    return "none" if ident is None else "mint_node=%d mint_layout=%016x" % ident


def loader_lines(boot, tag):
    """kexec -d's lines of one load, as qemu-check.sh tagged them."""
    return "\n".join(l for l in boot.splitlines() if l.startswith(tag + " load "))


def check_node(layout, node, upstream, text, loader, memmap_cli, check):
    """The checks on one node kernel's report; returns its (node, hash) or None."""
    nodes = {n["id"]: n for n in layout["nodes"]}
    me = nodes[node]

    def regions(n):
        return [(r["start"], r["start"] + r["size"]) for r in nodes[n]["regions"]]

    others = [(n, r) for n in nodes if n != node for r in regions(n)]
    win = (me["kernel_window"]["start"],
           me["kernel_window"]["start"] + me["kernel_window"]["size"])

    # The node kernel's boot map as it printed it: (start, end exclusive, type).
    lines = re.findall(r"(BIOS-e820: \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] [\w ]+?)\s*$", text, re.M)
    e820 = [(int(s, 16), int(e, 16) + 1, t) for s, e, t in
            re.findall(r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)", text)]
    check(len(e820) > 0, "node kernel printed its boot e820 (BIOS-e820 lines)")
    usable = merge([(s, e) for s, e, t in e820 if t == "usable"])

    leak = [(n, "%#x-%#x" % (max(s, r[0]), min(e, r[1]) - 1)) for s, e in usable
            for n, r in others if overlaps((s, e), r)]
    if upstream:
        # The flaw the series fixes: without it the node boots with RAM
        # that belongs to other nodes, and its decompressor may land there.
        check(len(leak) > 0, "EXPECTED FLAW: upstream kexec + memmap= hands node %d other "
              "nodes' RAM in its boot map: %s" % (node, leak[:3]))
        return None

    own = merge([(e["addr"], e["addr"] + e["size"]) for e in me["e820"] if e["name"] == "RAM"])
    check(usable == own, "usable RAM in the boot e820 is exactly node %d's: %s" % (node, fmt(own)))
    check(not leak, "no other node's memory appears as RAM")
    names = {"RAM": "usable", "reserved": "reserved", "ACPI": "ACPI", "NVS": "ACPI",
             "unusable": "unusable"}
    for e in me["e820"]:
        want = (e["addr"], e["addr"] + e["size"], names.get(e["name"], e["name"]))
        found = any(t == want[2] and s <= want[0] and want[1] <= x for s, x, t in e820)
        check(found, "engine entry %#x-%#x %s is in the boot map"
              % (want[0], want[1] - 1, e["name"]))
    # Every other node's memory is reserved, monitored or not: never a gap.
    missing = ["node %d %#x-%#x" % (n, r[0], r[1] - 1) for n, r in others
               if not any(t == "reserved" and s <= r[0] and r[1] <= x for s, x, t in e820)]
    check(not missing, "all %d regions of the other nodes are reserved%s"
          % (len(others), ": not %s" % missing[:3] if missing else ""))
    bad = ["%#x-%#x %s (node %d)" % (s, x - 1, t, n) for s, x, t in e820 for n, r in others
           if overlaps((s, x), r) and t != "reserved"]
    check(not bad, "no entry gives another node's memory other than as reserved %s"
          % (bad[:3] if bad else ""))

    # kexec -d's own account of where it put the segments.
    mems = re.findall(r"segment\[(\d+)\]\.mem   = 0x([0-9a-f]+)", loader)
    sizes = dict(re.findall(r"segment\[(\d+)\]\.memsz = 0x([0-9a-f]+)", loader))
    segs = [(int(a, 16), int(a, 16) + int(sizes.get(i, "0"), 16)) for i, a in mems]
    check(len(segs) > 0 and all(win[0] <= s and e <= win[1] for s, e in segs),
          "all %d kexec segments lie in node %d's kernel window: %s" % (len(segs), node, fmt(segs)))

    code = re.search(r"iomem ([0-9a-f]+)-([0-9a-f]+) : Kernel code", text)
    check(code is not None, "node kernel lists its Kernel code in /proc/iomem")
    if code:
        cs, ce = int(code.group(1), 16), int(code.group(2), 16) + 1
        check(win[0] <= cs and ce <= win[1], "Kernel code %#x-%#x lies in node %d's kernel "
              "window %#x-%#x" % (cs, ce - 1, node, win[0], win[1] - 1))
    return check_identity(layout, node, text, lines, memmap_cli, check)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) % (1 << 64)
    return h


def check_identity(layout, node, text, e820_lines, memmap_cli, check):
    """The hand-over (setup_data) and mint_node=/mint_layout= of one node kernel."""
    blobs = [bytes.fromhex(h) for h in re.findall(r"handover ([0-9a-f]*)\s*$", text, re.M)]
    check(len(blobs) == 1, "the node kernel has one setup_data entry of type 0x4d494e54 "
          "(found %d)" % len(blobs))
    if len(blobs) != 1 or len(blobs[0]) < HANDOVER_HDR:
        return None
    blob = blobs[0]
    magic, version, hdr, bnode, tlen, bhash = struct.unpack("<IHHIIQ", blob[:HANDOVER_HDR])
    body = blob[hdr:hdr + tlen]
    check(magic == HANDOVER_MAGIC and version == 1 and hdr == HANDOVER_HDR and
          len(blob) == hdr + tlen, "hand-over header: magic %#x, version %d, header %d, "
          "%d bytes of text in %d" % (magic, version, hdr, tlen, len(blob)))
    check(bnode == node, "the hand-over names node %d (want %d)" % (bnode, node))
    check(fnv1a64(body) == bhash, "the hand-over's text hashes to its header's %016x" % bhash)
    cmdline = (re.findall(r"MINTCHECK cmdline (.*)$", text, re.M) or [""])[0]
    words = cmdline.split()
    want = ["mint_node=%d" % node, "mint_layout=%016x" % bhash]
    got = [w for w in words if re.match(r"mint[_-](node|layout)", w)]
    check(got == want, "the command line carries exactly %s: %s" % (" ".join(want), got))
    if not memmap_cli:
        return (bnode, bhash)
    with tempfile.NamedTemporaryFile("wb", suffix=".layout", delete=False) as f:
        f.write(body)
    try:
        def cli(*args):
            r = subprocess.run([memmap_cli, "--layout", f.name] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            return r.returncode, r.stdout, r.stderr.decode(errors="replace").strip()

        rc, out, err = cli("--canonical")
        check(rc == 0 and out == body, "mint-memmap reads the handed-over layout back into the "
              "same canonical text%s" % (": " + err if err else ""))
        rc, out, err = cli("--hash")
        check(rc == 0 and out.decode().strip() == "%016x" % bhash,
              "mint-memmap --hash of it is mint_layout= (%s)" % out.decode().strip())
        # The boot map is exactly the handed-over layout's e820 for the node.
        rc, out, err = cli("--node", str(node), "--e820")
        want_lines = out.decode().splitlines()
        check(rc == 0 and want_lines == e820_lines, "the boot e820 is exactly the handed-over "
              "layout's map of node %d (%d entries)%s" % (node, len(want_lines), "" if
              want_lines == e820_lines else ": %s" % sorted(set(want_lines) ^ set(e820_lines))))
        # ... and that layout is the expected one, plus the machine's firmware.
        rc, out, err = cli("--json")
        got_layout = json.loads(out) if rc == 0 else {"nodes": [], "firmware": []}

        def shape(lay):
            return [(n["id"], n["cpus"], n["regions"], n["monitors"],
                     [(w["start"], w["size"]) for w in n["windows"] if w["owner"] is None])
                    for n in lay["nodes"]]

        fw = {(x["start"], x["size"], x["type"]) for x in got_layout["firmware"]}
        check(shape(got_layout) == shape(layout) and all(
              (x["start"], x["size"], x["type"]) in fw for x in layout["firmware"]),
              "the handed-over layout is the one asked for, with %d firmware ranges (the "
              "layout's %d and the machine's)" % (len(fw), len(layout["firmware"])))
    finally:
        os.unlink(f.name)
    return (bnode, bhash)


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
