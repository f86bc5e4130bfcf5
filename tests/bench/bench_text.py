#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel text integrity: what `mintmon text` costs (make bench-text;
docs/benchmarks.md).

Boots the Debian 6.1 and 6.12 amd64 kernels in turn (the scenario guest,
paused once it sent its truth), then, alternating in the same run, N times
each:

  baseline    `mintmon -v text baseline -o F`: read and hash every page of
              text and rodata, decode every patch site, compress, write
  verify      `mintmon -v text verify --baseline F` (nothing changed)
  image       `mintmon -v text verify --image VMLINUZ`: decompress, relocate,
              compare with every patch site (run-time and boot-time) explained
  sha256sum   `sha256sum` of the same bytes, copied once into a file in
              /dev/shm (read from memory, as mintmon reads the guest's):
              the reference the issue sets (verify at >= 0.8 of its rate)

and reports medians of wall time, the command's own time and bytes from
-v ("text N ms, B bytes in R reads"), and verify's throughput over
sha256sum's. Nothing is asserted: figures are reported, not judged.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import kernels  # noqa: E402
import qemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SPLIT = re.compile(r"text ([0-9.]+) ms, ([0-9]+) bytes in ([0-9]+) reads")


def timed(argv, ok=(0,)):
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    if p.returncode not in ok:
        raise SystemExit("%s failed (%d): %s" % (argv, p.returncode, p.stderr.decode()[-300:]))
    return wall, p.stdout.decode(), p.stderr.decode()


def regions(mintmon, target):
    syms = {}
    out = subprocess.run([mintmon, "-t", target, "syms"], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    for ln in out.splitlines():
        a, _, n = ln.split()[:3]
        if n in ("_stext", "_etext", "__start_rodata", "__end_rodata") and n not in syms:
            syms[n] = int(a, 16)
    return [("_stext", syms["_etext"] - syms["_stext"]),
            ("__start_rodata", syms["__end_rodata"] - syms["__start_rodata"])]


def one_kernel(args, name, work):
    k = kernels.get(name)
    with qemu.Guest(k.vmlinuz, args.initrd, mem_mb=1024, name="bench-text") as g:
        g.wait_for_truth(300)
        g.stop()
        target = "file:" + g.memfile
        mm = [args.mintmon, "-t", target]
        # The same bytes, read once, for sha256sum.
        copy = os.path.join("/dev/shm", "mintmon-bench-text-%d" % os.getpid())
        try:
            with open(copy, "wb") as f:
                for sym, size in regions(args.mintmon, target):
                    f.write(subprocess.run(mm + ["vread", "--raw", sym, str(size)], check=True,
                                           stdout=subprocess.PIPE).stdout)
            nbytes = os.path.getsize(copy)
            base = os.path.join(work, "b.mmtb")
            timed(mm + ["text", "baseline", "-o", base])     # warm the attach cache
            r = {"baseline": [], "verify": [], "image": [], "sha256sum": []}
            split = {"baseline": [], "verify": [], "image": []}
            for _ in range(args.runs):
                w, _, err = timed(mm + ["-v", "text", "baseline", "-o", base])
                r["baseline"].append(w)
                split["baseline"].append(SPLIT.search(err).groups())
                w, _, err = timed(mm + ["-v", "text", "verify", "--baseline", base])
                r["verify"].append(w)
                split["verify"].append(SPLIT.search(err).groups())
                w, _, err = timed(mm + ["-v", "text", "verify", "--image", k.vmlinuz])
                r["image"].append(w)
                split["image"].append(SPLIT.search(err).groups())
                w, _, _ = timed(["sha256sum", copy])
                r["sha256sum"].append(w)
            size = os.path.getsize(base)
        finally:
            if os.path.exists(copy):
                os.unlink(copy)
    med = {k2: statistics.median(v) for k2, v in r.items()}
    own = {k2: statistics.median(float(s[0]) for s in v) / 1000 for k2, v in split.items()}
    read = {k2: (int(v[0][1]), int(v[0][2])) for k2, v in split.items()}
    rows = ["| %s | %s | %.1f MiB |" % (name, k.release, nbytes / 1048576)]
    lines = ["### %s (%s): %.1f MiB of text and rodata, baseline file %.1f MiB" % (
        name, k.release, nbytes / 1048576, size / 1048576), "",
        "| step | median wall | median own (-v) | bytes read | reads | MB/s (own) |",
        "|---|---|---|---|---|---|"]
    for step in ("baseline", "verify", "image"):
        lines.append("| %s | %.1f ms | %.1f ms | %d | %d | %.0f |" % (
            step, med[step] * 1000, own[step] * 1000, read[step][0], read[step][1],
            nbytes / own[step] / 1e6))
    lines.append("| sha256sum (same bytes, in /dev/shm) | %.1f ms | | %d | | %.0f |" % (
        med["sha256sum"] * 1000, nbytes, nbytes / med["sha256sum"] / 1e6))
    lines += ["", "verify / sha256sum throughput: %.2f (wall), %.2f (verify's own time)" % (
        med["sha256sum"] / med["verify"], med["sha256sum"] / own["verify"]), ""]
    return rows, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out")
    args = ap.parse_args()
    out = ["## Text integrity: `mintmon text` (bench_text.py, %d runs each, medians)" % args.runs,
           ""]
    with tempfile.TemporaryDirectory(prefix="mintmon-bench-text-") as work:
        for name in ("6.1-amd64", "6.12-amd64"):
            out += one_kernel(args, name, work)[1]
    text = "\n".join(out)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
