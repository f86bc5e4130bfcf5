#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mintmon against drgn on one paused guest (make bench; docs/benchmarks.md).

Boots the Debian 6.1 amd64 kernel with ~640 processes, pauses it, then times
in the same run, alternating the tools so load changes hit both alike:

  mintmon ps       whole process on the raw memory file, no debug info
  mintmon info     whole process: attach only (symbols, layouts)
  drgn             whole process: load the kernel's full debug info
                   (linux-image-*-dbg) and a vmcore of the same guest, walk
                   every task's pid, comm and parent's pid

and reports medians, ratios to drgn, peak memory (ru_maxrss), bytes read
from the target and mintmon's own attach/ps split (-v). The vmcore is the
guest's memory with a VMCOREINFO note and direct-map and kernel-image loads,
as a kdump vmcore has; drgn 0.0.22 needs those.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import initramfs  # noqa: E402
import kernels  # noqa: E402
import qemu  # noqa: E402

NPROC = 600
INIT = """#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
i=0
while [ $i -lt %d ]; do sleep 86400 & i=$((i + 1)); done
sleep 2
echo "mintmon-bench: ready $(ls -d /proc/[0-9]* | wc -l) processes"
while true; do sleep 86400; done
""" % NPROC

DRGN_SCRIPT = r"""
import sys, time, resource
import drgn
from drgn.helpers.linux.pid import for_each_task
t0 = time.monotonic()
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
t1 = time.monotonic()
n = 0
for task in for_each_task(prog):
    pid = task.pid.value_(); comm = task.comm.string_(); ppid = task.real_parent.pid.value_()
    n += 1
t2 = time.monotonic()
print("drgn: load %.4f walk %.4f tasks %d" % (t1 - t0, t2 - t1, n))
"""


def run_timed(argv, **kw):
    """Run argv; return (wall seconds, stdout, stderr)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = p.communicate()
    wall = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (argv[0], p.returncode, err.decode()[-500:]))
    return wall, out.decode(), err.decode()


def peak_rss_kib(argv):
    """Peak RSS of one run of argv, by GNU time. (A child forked from this
    Python process would start with Python's own RSS in its ru_maxrss.)"""
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, check=True)
    return int(p.stderr.decode().strip().splitlines()[-1])


def dbg_vmlinux(release):
    """The kernel's full debug info: linux-image-RELEASE-dbg, cached."""
    cache = os.path.join(kernels.cache_dir(), "dbg")
    os.makedirs(cache, exist_ok=True)
    vmlinux = os.path.join(cache, "vmlinux-" + release)
    if os.path.exists(vmlinux):
        return vmlinux
    pkg = "linux-image-%s-dbg" % release
    debs = [f for f in os.listdir(cache) if f.startswith(pkg + "_") and f.endswith(".deb")]
    if not debs:
        print("bench: downloading %s (about 850 MB)" % pkg, flush=True)
        subprocess.run(["apt-get", "download", "-q", pkg], cwd=cache, check=True)
        debs = [f for f in os.listdir(cache) if f.startswith(pkg + "_")]
    member = "./usr/lib/debug/boot/vmlinux-" + release
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", os.path.join(cache, debs[0])],
                           stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-O", member], stdin=tar.stdout, check=True,
                   stdout=open(vmlinux + ".tmp", "wb"))
    tar.wait()
    os.rename(vmlinux + ".tmp", vmlinux)
    return vmlinux


def mintmon_out(mintmon, target, *args):
    return subprocess.run([mintmon, "-t", target] + list(args), check=True,
                          stdout=subprocess.PIPE).stdout


def write_vmcore(mintmon, memfile, path):
    """memfile plus a VMCOREINFO note and direct-map + image loads."""
    target = "file:" + memfile
    info = json.loads(mintmon_out(mintmon, target, "info", "--json"))
    syms = dict(
        (l.split()[2], int(l.split()[0], 16)) for l in
        mintmon_out(mintmon, target, "syms").decode().splitlines()
        if l.split()[2] in ("vmcoreinfo_data", "vmcoreinfo_size", "_end"))
    ptr = struct.unpack("<Q", mintmon_out(mintmon, target, "vread", "%#x" % syms["vmcoreinfo_data"],
                                          "8", "--raw"))[0]
    text = mintmon_out(mintmon, target, "vread", "%#x" % ptr, "4096", "--raw").split(b"\0")[0]
    size = os.path.getsize(memfile)
    text_virt, text_phys = int(info["text_virt"], 16), int(info["text_phys"], 16)
    image = (syms["_end"] - text_virt + 0x1fffff) & ~0x1fffff
    pob = int(info["page_offset_base"], 16)

    name = b"VMCOREINFO\0"
    note = struct.pack("<III", len(name), len(text), 0) + name.ljust(12, b"\0") + text
    note += b"\0" * (-len(note) % 4)
    phnum = 3
    data_off = 0x1000 + 0x1000 * ((64 + 56 * phnum + len(note)) // 0x1000)
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    eh += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56 * phnum, 0, 0, len(note), 0, 4)
    ph += struct.pack("<IIQQQQQQ", 1, 7, data_off, pob, 0, size, size, 0x1000)
    ph += struct.pack("<IIQQQQQQ", 1, 7, data_off + text_phys, text_virt, text_phys, image,
                      image, 0x1000)
    with open(path, "wb") as out:
        out.write(eh + ph + note)
        out.write(b"\0" * (data_off - len(eh + ph + note)))
        with open(memfile, "rb") as mem:
            while True:
                chunk = mem.read(64 << 20)
                if not chunk:
                    break
                out.write(chunk)


def median(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mintmon", required=True)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--kernel", default="6.1-amd64")
    ap.add_argument("--out", default=None, help="also write the report here")
    args = ap.parse_args()

    if (subprocess.run(["/usr/bin/python3", "-c", "import drgn"],
                       stderr=subprocess.DEVNULL).returncode or
            not os.path.exists("/usr/bin/time")):
        subprocess.run(["apt-get", "install", "-y", "-q", "python3-drgn", "time"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    kern = kernels.get(args.kernel)
    vmlinux = dbg_vmlinux(kern.release)
    work = tempfile.mkdtemp(prefix="mintmon-bench-")
    try:
        report = measure(args, kern, vmlinux, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report + "\n")


def measure(args, kern, vmlinux, work):
    """Boot the guest, pause it, time both tools; return the report."""
    initrd = os.path.join(work, "bench.cpio.gz")
    initramfs.build(initrd, INIT)
    with qemu.Guest(kern.vmlinuz, initrd, mem_mb=1024, smp=2,
                    boot_marker=b"mintmon-bench: ready") as g:
        deadline = time.monotonic() + 300
        while g.boot_seconds is None:
            g._check_boot_marker()
            if not g.alive() or time.monotonic() > deadline:
                raise SystemExit("bench: guest did not come up:\n" + g.console_tail())
            time.sleep(0.5)
        g.stop()
        marker = re.search(rb"mintmon-bench: ready (\d+)", open(g.console_path, "rb").read())
        target = "file:" + g.memfile
        vmcore = os.path.join(work, "vmcore")
        write_vmcore(args.mintmon, g.memfile, vmcore)
        drgn_script = os.path.join(work, "walk.py")
        open(drgn_script, "w").write(DRGN_SCRIPT)

        mm_ps, mm_info, dr, walk, load, attach, ps_ms = [], [], [], [], [], [], []
        walk_ms, args_ms = [], []
        bytes_attach = bytes_ps = ntasks = drgn_tasks = 0
        for i in range(args.runs):
            w, out, err = run_timed([args.mintmon, "-v", "-t", target, "ps", "--json"])
            mm_ps.append(w)
            m = re.search(r"attach ([\d.]+) ms, (\d+) bytes read; ps ([\d.]+) ms, (\d+) bytes", err)
            split = re.search(r"ps: ([\d.]+) ms reading arguments from user memory, ([\d.]+) ms "
                              r"formatting", err)
            attach.append(float(m.group(1)))
            ps_ms.append(float(m.group(3)))
            walk_ms.append(float(m.group(3)) - float(split.group(1)) - float(split.group(2)))
            args_ms.append(float(split.group(1)))
            bytes_attach, bytes_ps = int(m.group(2)), int(m.group(4))
            ntasks = len(json.loads(out))
            w, _, _ = run_timed([args.mintmon, "-t", target, "info"])
            mm_info.append(w)
            w, out, _ = run_timed(["/usr/bin/python3", drgn_script, vmcore, vmlinux])
            dr.append(w)
            m = re.search(r"load ([\d.]+) walk ([\d.]+) tasks (\d+)", out)
            load.append(float(m.group(1)))
            walk.append(float(m.group(2)))
            drgn_tasks = int(m.group(3))
        rss_mm = peak_rss_kib([args.mintmon, "-t", target, "ps", "--json"])
        rss_dr = peak_rss_kib(["/usr/bin/python3", drgn_script, vmcore, vmlinux])
        os.unlink(vmcore)

    lines = [
        "guest: Linux %s, %s processes in /proc, %d tasks (mintmon) / %d (drgn, incl. swapper);"
        " %d runs each, interleaved; medians" % (
            kern.release, marker.group(1).decode() if marker else "?", ntasks, drgn_tasks,
            args.runs),
        "",
        "| measure | mintmon | drgn + debug info | ratio |",
        "|---|---|---|---|",
        "| whole process: `mintmon ps --json` vs drgn load + walk | %.3f s | %.3f s | %.2f |" % (
            median(mm_ps), median(dr), median(mm_ps) / median(dr)),
        "| whole process: `mintmon info` (attach only) | %.3f s | | %.2f |" % (
            median(mm_info), median(mm_info) / median(dr)),
        "| attach: symbols + layouts ready (in-process) | %.1f ms | %.1f ms (load debug info) | %.3f |" % (
            median(attach), 1000 * median(load), median(attach) / (1000 * median(load))),
        "| task walk: every task's fields (mintmon: pid, tgid, ppid, uids, state, comm, mm, "
        "sizes, times; drgn: pid, comm, parent's pid) | %.2f ms | %.2f ms | %.2f |" % (
            median(walk_ms), 1000 * median(walk), median(walk_ms) / (1000 * median(walk))),
        "| `ps` in full: the walk, every process's arguments read through its page tables "
        "(%.2f ms of it), JSON | %.2f ms | | %.2f |" % (
            median(args_ms), median(ps_ms), median(ps_ms) / (1000 * median(walk))),
        "| peak memory (ru_maxrss) | %.1f MiB | %.1f MiB | %.2f |" % (
            rss_mm / 1024, rss_dr / 1024, rss_mm / rss_dr),
        "| bytes read from the target: attach / ps | %d / %d | | |" % (bytes_attach, bytes_ps),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
