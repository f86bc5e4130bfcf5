#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seeds of fuzz_memmap_handover: hand-over blobs (docs/memmap.md,
"Identity hand-over") of the layout seeds and presets, as kexec-mint builds
them, plus a few broken ones.

Usage: tests/fuzz/gen_handover_seeds.py MINT_MEMMAP OUTDIR
The canonical text comes from `mint-memmap --canonical`, so the seeds follow
the engine; the header is packed here (struct mint_memmap_handover).
"""
import os
import struct
import subprocess
import sys

MAGIC, VERSION, HDR = 0x484E544D, 1, 24


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) % (1 << 64)
    return h


def blob(text, node):
    return struct.pack("<IHHIIQ", MAGIC, VERSION, HDR, node, len(text), fnv1a64(text)) + text


def main():
    cli, out = sys.argv[1:3]
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    sources = [("preset%d" % n, ["--preset", "kexec-mint", "--nodes", str(n)]) for n in (1, 2, 3)]
    for name in ("kexec-mint-3.txt", "two-nodes-acpi.txt", "high-memory.txt"):
        path = os.path.join(here, "seeds", "fuzz_memmap_layout", name)
        sources.append((name[:-4], ["--layout", path]))
    for name, args in sources:
        text = subprocess.run([cli] + args + ["--canonical"], check=True,
                              stdout=subprocess.PIPE).stdout
        nodes = text.count(b"\nnode ")
        for node in range(nodes):
            open(os.path.join(out, "%s-node%d.bin" % (name, node)), "wb").write(blob(text, node))
    text = subprocess.run([cli, "--preset", "kexec-mint", "--nodes", "2", "--canonical"],
                          check=True, stdout=subprocess.PIPE).stdout
    good = blob(text, 1)
    broken = {
        "bad-hash": good[:16] + struct.pack("<Q", 0) + good[24:],
        "no-node": blob(text, 5),
        "truncated": good[:-3],
        "big-header": good[:6] + struct.pack("<H", 32) + good[8:] + b"\0" * 8,
    }
    for name, data in broken.items():
        open(os.path.join(out, name + ".bin"), "wb").write(data)


if __name__ == "__main__":
    main()
