#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mintmon against drgn on one paused guest (make bench; docs/benchmarks.md).

Boots the Debian 6.1 amd64 kernel with ~640 processes, pauses it, then times
in the same run, alternating the commands so load changes hit all alike:

  cold ps        `mintmon --no-cache -v ps --json`: attach by searching the
                 kernel's read-only data, every task with its arguments
  cold info      `mintmon --no-cache info`: attach only
  cold + store   `mintmon -v info` with an empty cache: attach, then keep
                 the entry (what the first attach to a boot costs)
  warm info      `mintmon -v info` with the cache of this boot
  warm ps        `mintmon -v ps --json` with the cache of this boot
  baseline       `BASELINE -v info` (--baseline: another mintmon binary,
                 e.g. the last commit's, for its attach bytes and time)
  drgn           load the kernel's full debug info (linux-image-*-dbg) and a
                 vmcore of the same guest, walk every task's pid, comm and
                 parent's pid

then one `mintmon poll` (reads, round trips and bytes of each poll), and
reports medians, ratios (to drgn, to the cold attach, to the baseline),
peak memory (ru_maxrss), bytes read from the target and mintmon's own
split (-v): attach, the task walk's round trips per task, arguments. The
vmcore is the guest's memory with a VMCOREINFO note and direct-map and
kernel-image loads, as a kdump vmcore has; drgn 0.0.22 needs those.
Nothing here asserts a time: figures are reported, not judged.

--warm-only: no drgn, no debug info; the same guest, then only warm
`-v info` attaches, alternating mintmon and --baseline (each with its own
cache of this boot, made once before the runs), for medians of the warm
attach of both in the same run; --target file:PATH uses a saved memory
image instead of booting.
"""
import argparse
import contextlib
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


def peak_rss_kib(argv, env=None):
    """Peak RSS of one run of argv, by GNU time. (A child forked from this
    Python process would start with Python's own RSS in its ru_maxrss.)"""
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, check=True, env=env)
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
    """mintmon: a program path or an argv prefix."""
    argv = list(mintmon) if isinstance(mintmon, (list, tuple)) else [mintmon]
    return subprocess.run(argv + ["-t", target] + list(args), check=True,
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
    ap.add_argument("--baseline", default=None,
                    help="another mintmon binary whose cold attach is measured in the same run")
    ap.add_argument("--baseline-name", default=None, help="what to call it in the report")
    ap.add_argument("--warm-only", action="store_true",
                    help="only warm attaches, of --mintmon and --baseline (no drgn)")
    ap.add_argument("--target", default=None,
                    help="with --warm-only: file:PATH of a saved memory image (no guest)")
    args = ap.parse_args()

    if args.warm_only:
        work = tempfile.mkdtemp(prefix="mintmon-bench-")
        try:
            report = measure_warm(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(report)
        if args.out:
            with open(args.out, "w") as f:
                f.write(report + "\n")
        return

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


ATTACH_RE = re.compile(r"attach ([\d.]+) ms, (\d+) bytes(?: in (\d+) reads)?")
TOTAL_RE = re.compile(r"(\d+) round trips in all")
WALK_RE = re.compile(r"ps: (\d+) tasks walked in ([\d.]+) ms: (\d+) round trips, (\d+) of them "
                     r"dependent list reads, (\d+) restarts; ([\d.]+) ms reading arguments")
PS_RE = re.compile(r"; ps ([\d.]+) ms, (\d+) bytes in (\d+) reads")


def verbose_split(err):
    """mintmon -v's figures: attach ms, bytes, reads; round trips in all."""
    m = ATTACH_RE.search(err)
    if not m:
        raise RuntimeError("no attach figures in mintmon -v output:\n" + err[-500:])
    t = TOTAL_RE.search(err)
    return (float(m.group(1)), int(m.group(2)), int(m.group(3) or 0),
            int(t.group(1)) if t else 0)


def warm_runs(args, target, work):
    """Medians of warm `-v info` of --mintmon and --baseline, alternating."""
    bins = [("mintmon", args.mintmon)]
    if args.baseline:
        bins.append((args.baseline_name or "baseline", args.baseline))
    envs, r, fig = {}, {}, {}
    for name, binary in bins:
        cache = os.path.join(work, "cache-%d" % len(envs))
        os.makedirs(cache, mode=0o700)
        envs[name] = dict(os.environ, MINTMON_CACHE_DIR=cache)
        _, _, err = run_timed([binary, "-v", "-t", target, "info"], env=envs[name])
        if "cache: stored" not in err:
            raise RuntimeError("%s: the first attach kept no cache entry:\n%s" % (name, err[-500:]))
        r[name] = {"attach": [], "info": []}
    for _ in range(args.runs):
        for name, binary in bins:
            w, _, err = run_timed([binary, "-v", "-t", target, "info"], env=envs[name])
            if "cache: hit" not in err:
                raise RuntimeError("%s: the warm attach missed the cache:\n%s" % (name, err[-500:]))
            ms, nbytes, reads, _ = verbose_split(err)
            r[name]["attach"].append(ms)
            r[name]["info"].append(w)
            fig[name] = (nbytes, reads)
    lines = ["target: %s, %d runs, medians" % (target, args.runs), "",
             "| binary | warm attach (in-process) | whole `info` process | bytes / reads | ratio |",
             "|---|---|---|---|---|"]
    first = median(r[bins[0][0]]["attach"])
    for name, _ in bins:
        a = median(r[name]["attach"])
        lines.append("| %s | %.1f ms (min %.1f, max %.1f) | %.3f s | %d / %d | %.2f |" % (
            name, a, min(r[name]["attach"]), max(r[name]["attach"]),
            median(r[name]["info"]), fig[name][0], fig[name][1], a / first))
    return "\n".join(lines)


def measure_warm(args, work):
    """--warm-only: a saved image, or the bench guest booted and paused."""
    if args.target:
        return warm_runs(args, args.target, work)
    kern = kernels.get(args.kernel)
    with paused_guest(kern, work) as g:
        return "guest: %s\n%s" % (kern.release, warm_runs(args, "file:" + g.memfile, work))


@contextlib.contextmanager
def paused_guest(kern, work):
    """The bench guest (600 sleeps), booted until it says it is ready, then paused."""
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
        yield g


def measure(args, kern, vmlinux, work):
    """Boot the guest, pause it, time everything; return the report."""
    with paused_guest(kern, work) as g:
        marker = re.search(rb"mintmon-bench: ready (\d+)", open(g.console_path, "rb").read())
        target = "file:" + g.memfile
        vmcore = os.path.join(work, "vmcore")
        mm = args.mintmon
        nocache = [mm, "--no-cache"]
        write_vmcore(nocache, g.memfile, vmcore)
        drgn_script = os.path.join(work, "walk.py")
        open(drgn_script, "w").write(DRGN_SCRIPT)

        # The cache of this boot, made by one attach.
        cache = os.path.join(work, "cache")
        warm_env = dict(os.environ, MINTMON_CACHE_DIR=cache)
        _, _, err = run_timed([mm, "-v", "-t", target, "info"], env=warm_env)
        if "cache: stored" not in err:
            raise RuntimeError("the first attach kept no cache entry:\n" + err[-500:])
        entry_bytes = sum(os.path.getsize(os.path.join(cache, f)) for f in os.listdir(cache))

        r = dict((k, []) for k in (
            "cold_ps", "cold_info", "warm_info", "warm_ps", "drgn", "drgn_load", "drgn_walk",
            "cold_attach", "store_attach", "warm_attach", "base_attach", "base_info",
            "walk_ms", "args_ms", "ps_ms", "warm_ps_attach"))
        fig = {}
        for i in range(args.runs):
            w, out, err = run_timed(nocache + ["-v", "-t", target, "ps", "--json"])
            r["cold_ps"].append(w)
            ms, fig["cold_bytes"], fig["cold_reads"], _ = verbose_split(err)
            r["cold_attach"].append(ms)
            wm, ps = WALK_RE.search(err), PS_RE.search(err)
            r["walk_ms"].append(float(wm.group(2)))
            r["args_ms"].append(float(wm.group(6)))
            r["ps_ms"].append(float(ps.group(1)))
            fig["ps_bytes"], fig["ps_reads"] = int(ps.group(2)), int(ps.group(3))
            fig["tasks"], fig["walk_trips"], fig["chain_reads"], fig["restarts"] = (
                int(wm.group(1)), int(wm.group(3)), int(wm.group(4)), int(wm.group(5)))
            fig["ps_total_trips"] = verbose_split(err)[3]
            fig["ntasks"] = len(json.loads(out))

            w, _, err = run_timed(nocache + ["-v", "-t", target, "info"])
            r["cold_info"].append(w)
            fig["cold_trips"] = verbose_split(err)[3]

            store = os.path.join(work, "store-%d" % i)
            _, _, err = run_timed([mm, "-v", "-t", target, "info"],
                                  env=dict(os.environ, MINTMON_CACHE_DIR=store))
            if "cache: stored" not in err:
                raise RuntimeError("no entry stored:\n" + err[-500:])
            r["store_attach"].append(verbose_split(err)[0])
            shutil.rmtree(store)

            w, _, err = run_timed([mm, "-v", "-t", target, "info"], env=warm_env)
            if "cache: hit" not in err:
                raise RuntimeError("the warm attach missed the cache:\n" + err[-500:])
            r["warm_info"].append(w)
            ms, fig["warm_bytes"], fig["warm_reads"], fig["warm_trips"] = verbose_split(err)
            r["warm_attach"].append(ms)

            w, _, err = run_timed([mm, "-v", "-t", target, "ps", "--json"], env=warm_env)
            r["warm_ps"].append(w)
            r["warm_ps_attach"].append(verbose_split(err)[0])

            if args.baseline:
                w, _, err = run_timed([args.baseline, "-v", "-t", target, "info"])
                r["base_info"].append(w)
                ms, fig["base_bytes"], _, _ = verbose_split(err)
                r["base_attach"].append(ms)

            w, out, _ = run_timed(["/usr/bin/python3", drgn_script, vmcore, vmlinux])
            r["drgn"].append(w)
            m = re.search(r"load ([\d.]+) walk ([\d.]+) tasks (\d+)", out)
            r["drgn_load"].append(1000 * float(m.group(1)))
            r["drgn_walk"].append(1000 * float(m.group(2)))
            fig["drgn_tasks"] = int(m.group(3))

        # Polls of the attached session: the first line is the attach.
        _, out, _ = run_timed([mm, "-t", target, "poll", "--count", "11", "--interval", "1"],
                              env=warm_env)
        polls = [json.loads(l) for l in out.splitlines()][1:]
        rss_cold = peak_rss_kib(nocache + ["-t", target, "ps", "--json"])
        rss_warm = peak_rss_kib([mm, "-t", target, "ps", "--json"], env=warm_env)
        rss_dr = peak_rss_kib(["/usr/bin/python3", drgn_script, vmcore, vmlinux])
        os.unlink(vmcore)

    med = dict((k, median(v)) for k, v in r.items() if v)
    # The same attach as `info`'s, then ps's own.
    fig["ps_trips"] = fig["ps_total_trips"] - fig["cold_trips"]
    drgn_total, drgn_load, drgn_walk = med["drgn"], med["drgn_load"], med["drgn_walk"]
    mib = 1 << 20
    lines = [
        "guest: Linux %s, %s processes in /proc, %d tasks (mintmon) / %d (drgn, incl. swapper);"
        " %d runs each, interleaved; medians" % (
            kern.release, marker.group(1).decode() if marker else "?", fig["ntasks"],
            fig["drgn_tasks"], args.runs),
        "",
        "| measure | mintmon | drgn + debug info | ratio |",
        "|---|---|---|---|",
        "| whole process: `mintmon ps --json`, warm (cache of this boot) vs drgn load + walk "
        "| %.3f s | %.3f s | %.2f |" % (med["warm_ps"], drgn_total, med["warm_ps"] / drgn_total),
        "| whole process: `mintmon --no-cache ps --json` (cold) vs drgn load + walk "
        "| %.3f s | %.3f s | %.2f |" % (med["cold_ps"], drgn_total, med["cold_ps"] / drgn_total),
        "| whole process: `mintmon info` (attach only), warm / cold | %.3f s / %.3f s | | "
        "%.2f / %.2f |" % (med["warm_info"], med["cold_info"], med["warm_info"] / drgn_total,
                           med["cold_info"] / drgn_total),
        "| attach: symbols + layouts ready (in-process), warm | %.1f ms | %.1f ms (load debug "
        "info) | %.3f |" % (med["warm_attach"], drgn_load, med["warm_attach"] / drgn_load),
        "| attach, cold (no cache) | %.1f ms | | %.3f |" % (
            med["cold_attach"], med["cold_attach"] / drgn_load),
        "| task walk: every task's fields (mintmon: pid, tgid, ppid, uids, state, comm, mm, "
        "sizes, times, tty; drgn: pid, comm, parent's pid) | %.2f ms | %.2f ms | %.2f |" % (
            med["walk_ms"], drgn_walk, med["walk_ms"] / drgn_walk),
        "| `ps` in full: the walk, every process's arguments read through its page tables "
        "(%.2f ms of it), JSON | %.2f ms | | %.2f |" % (
            med["args_ms"], med["ps_ms"], med["ps_ms"] / drgn_walk),
        "| peak memory (ru_maxrss): `ps --json` warm / cold | %.1f / %.1f MiB | %.1f MiB | "
        "%.2f / %.2f |" % (rss_warm / 1024, rss_cold / 1024, rss_dr / 1024, rss_warm / rss_dr,
                           rss_cold / rss_dr),
        "",
        "| attach | bytes read from the target | reads | in-process time | ratio to cold |",
        "|---|---|---|---|---|",
        "| cold, `--no-cache` | %d (%.2f MiB) | %d | %.1f ms | 1 |" % (
            fig["cold_bytes"], fig["cold_bytes"] / mib, fig["cold_reads"], med["cold_attach"]),
        "| cold, then keeping the entry (%.1f MiB file) | %d | %d | %.1f ms | %.2f |" % (
            entry_bytes / mib, fig["cold_bytes"], fig["cold_reads"], med["store_attach"],
            med["store_attach"] / med["cold_attach"]),
        "| warm: an entry for this boot | %d (%.1f KiB) | %d | %.1f ms | %.2f |" % (
            fig["warm_bytes"], fig["warm_bytes"] / 1024, fig["warm_reads"], med["warm_attach"],
            med["warm_attach"] / med["cold_attach"]),
    ]
    if args.baseline:
        lines.append("| baseline `%s` (cold) | %d (%.2f MiB) | | %.1f ms | %.2f |" % (
            args.baseline_name or os.path.basename(args.baseline), fig["base_bytes"],
            fig["base_bytes"] / mib, med["base_attach"], med["base_attach"] / med["cold_attach"]))
    lines += [
        "",
        "| poll (%d polls of the attached kernel) | reads | round trips | bytes |" % len(polls),
        "|---|---|---|---|",
        "| per poll, most | %d | %d | %d |" % (
            max(p["reads"] for p in polls), max(p["round_trips"] for p in polls),
            max(p["bytes"] for p in polls)),
        "| states | %s | | |" % ", ".join(sorted(set(p["state"] for p in polls))),
        "",
        "| `ps` (%d tasks walked) | round trips | per task |" % fig["tasks"],
        "|---|---|---|",
        "| dependent list reads (one per task: the next task's address comes from it) "
        "| %d | %.2f |" % (fig["chain_reads"], fig["chain_reads"] / fig["tasks"]),
        "| the task walk, in all (list reads + vectored reads of cred, mm, signal, ...) "
        "| %d | %.2f |" % (fig["walk_trips"], fig["walk_trips"] / fig["tasks"]),
        "| `ps` in all, with every process's arguments | %d | %.2f |" % (
            fig["ps_trips"], fig["ps_trips"] / fig["tasks"]),
        "| list restarts (the list changed under the walk) | %d | |" % fig["restarts"],
        "| bytes read by `ps` / reads | %d / %d | |" % (fig["ps_bytes"], fig["ps_reads"]),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
