# SPDX-License-Identifier: GPL-2.0
"""Kernel text integrity on a running guest (docs/text.md): `mintmon text`
against the guest's own changes and against bytes the test flips in its
memory file.

    text-clean   `text sites`: every run-time patch site holds what its state
                 says; a baseline of the running guest, then `text verify`:
                 nothing tampered
    text-legit   four legitimate changes made inside the guest, each after a
                 fresh baseline: a batch of tracepoints enabled (jump labels,
                 static calls), the function tracer on two functions (ftrace),
                 kprobes on vfs_write and inside ksys_write (kprobe), the
                 preemption mode switched (static calls); each verify must
                 explain the change with the right kind and find nothing
                 tampered; then every change is undone
    text-tamper  the guest paused, bytes flipped through the memory file in a
                 function, over a jump-label site (a jmp to a wrong target)
                 and in .rodata: verify exits 3 and names each SYMBOL+OFF;
                 with the bytes put back it is clean again
    text-image   `text verify --image` with the guest's own vmlinuz (its payload
                 decompressed, relocated by the KASLR offset mintmon found):
                 no unexplained byte; with the other kernel's vmlinuz: refused
                 with one clear line; with a byte flipped (paused): exit 3,
                 the byte named
    lsmod        a module of the kernel's own package (drivers/net/dummy.ko)
                 loaded with insmod: `lsmod --json` equals the guest's
                 /proc/modules (name, size, references, state, address); its
                 text is in a baseline, and a byte flipped in it is tampered,
                 named [dummy]+0x10
    text-watch   `watch --text-cycle 2000` on the running guest: a byte of
                 linux_proc_banner flipped turns it "tampered" within a cycle
                 and a step (the confirmation), naming the page; put back, it
                 is "running" again

The guest's commands run through the scenario's `mintmon-cmd sh`
(tests/guest/scenario.sh); each ends by printing a token computed in the
guest, so the console's echo of the command line cannot be mistaken for it.
"""
import json
import lzma
import os
import random
import re
import subprocess
import time

import health_checks
from mmtool import Fail, limit

TRACING = "/sys/kernel/tracing"
EXIT_TAMPERED = 3


def guest_sh(guest, cmd, timeout=60):
    """Run cmd in the guest and wait until it finished."""
    n = random.randrange(1 << 20, 1 << 24)
    pos = guest.console_size()
    guest.send_console("mintmon-cmd sh %s; echo mintmon-text-$((%d + 1))\n" % (cmd, n))
    guest.wait_console(b"mintmon-text-%d" % (n + 1), timeout, start=pos)


def _verify(tool, baseline, want_rc=0):
    r = tool.result("text", "verify", "--baseline", baseline, "--json")
    if r.crash or r.timeout or r.rc != want_rc:
        raise Fail(r.describe() + (" (wanted exit %d)" % want_rc if r.rc is not None else ""))
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Fail("text verify --json: not JSON: %s" % e)


def _baseline(tool, path):
    r = tool.result("text", "baseline", "-o", path, "--json")
    if r.crash or r.timeout or r.rc != 0:
        raise Fail(r.describe())
    return json.loads(r.out)


def check_text_clean(tool, workdir):
    sites = tool.json("text", "sites", "--json")
    bad = ["%s %s at %s holds %s, not what its state says" % (
        s["kind"], s["symbol"], s["addr"], s["form"]) for s in sites if not s["consistent"]]
    kinds = {}
    for s in sites:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    for k in ("jump_label", "static_call", "ftrace"):
        if kinds.get(k, 0) < 100:
            bad.append("only %d %s sites decoded" % (kinds.get(k, 0), k))
    path = os.path.join(workdir, "text-clean.mmtb")
    b = _baseline(tool, path)
    if b["sites"] != len(sites):
        bad.append("baseline kept %d sites, text sites listed %d" % (b["sites"], len(sites)))
    v = _verify(tool, path)
    if v["tampered"]:
        bad.append("verify right after the baseline: %d tampered: %s" % (
            v["tampered"], [c for c in v["changes"] if c["verdict"] != "explained"][:3]))
    if bad:
        raise Fail("text-clean", limit(bad))
    return "%d sites, all consistent (%s); baseline %d pages, verify %s" % (
        len(sites), ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())),
        b["pages"], v["result"])


def _kprobe_offsets():
    """Try offsets into ksys_write until the kernel takes one (an instruction boundary)."""
    return ("for o in $(seq 5 40); do echo \"p:mmint ksys_write+$o\" >> %s/kprobe_events "
            "2>/dev/null && break; done" % TRACING)


LEGIT = [
    # (name, command in the guest, kinds that must explain it, symbols that must show)
    ("tracepoints", "echo 1 > %s/events/sched/enable; echo 1 > %s/events/kmem/enable; "
     "echo 1 > %s/events/block/enable" % (TRACING, TRACING, TRACING),
     ("jump_label", "static_call"), ()),
    ("function tracer", "echo vfs_read > %s/set_ftrace_filter; echo do_sys_openat2 >> "
     "%s/set_ftrace_filter; echo function > %s/current_tracer" % (TRACING, TRACING, TRACING),
     ("ftrace",), ("vfs_read+", "do_sys_openat2+")),
    ("kprobes", "echo 'p:mmprobe vfs_write' >> %s/kprobe_events; %s; "
     "echo 1 > %s/events/kprobes/enable; sleep 1" % (TRACING, _kprobe_offsets(), TRACING),
     ("kprobe", "ftrace"), ("ksys_write+", "vfs_write+")),
    ("preemption mode", "echo full > /sys/kernel/debug/sched/preempt",
     ("static_call",), ()),
]

UNDO = ("echo nop > {t}/current_tracer; echo > {t}/set_ftrace_filter; "
        "echo 0 > {t}/events/enable; echo > {t}/kprobe_events; "
        "echo voluntary > /sys/kernel/debug/sched/preempt").format(t=TRACING)


def check_text_legit(tool, guest, workdir):
    guest_sh(guest, "mount -t tracefs none %s; mount -t debugfs none /sys/kernel/debug" % TRACING)
    bad, said = [], []
    first = os.path.join(workdir, "text-first.mmtb")
    _baseline(tool, first)
    for i, (name, cmd, kinds, symbols) in enumerate(LEGIT):
        path = os.path.join(workdir, "text-legit-%d.mmtb" % i)
        _baseline(tool, path)
        guest_sh(guest, cmd)
        v = _verify(tool, path)
        if v["tampered"]:
            bad.append("%s: %d tampered: %s" % (name, v["tampered"], [
                (c["symbol"], c.get("old"), c.get("new")) for c in v["changes"]
                if c["verdict"] != "explained"][:3]))
        for k in kinds:
            if not v["explained"].get(k):
                bad.append("%s: no change explained as %s (%s)" % (name, k, v["explained"]))
        for sym in symbols:
            hits = [c for c in v["changes"] if c["symbol"].startswith(sym) and
                    c["verdict"] == "explained"]
            if not hits:
                bad.append("%s: no explained change in %s" % (name, sym.rstrip("+")))
        said.append("%s: %s" % (name, ", ".join("%d %s" % (n, k) for k, n in
                                                 v["explained"].items() if n)))
    guest_sh(guest, UNDO)
    time.sleep(1)
    v = _verify(tool, first)
    if v["tampered"]:
        bad.append("after undoing everything: %d tampered against the first baseline" %
                   v["tampered"])
    if bad:
        raise Fail("text-legit", limit(bad))
    return "; ".join(said) + "; undone: %s against the first baseline" % v["result"]


def _poke(tool, guest, where, data):
    """Write data at SYMBOL+OFF through the memory file; returns the old bytes."""
    t = tool.json("vtop", "--json", where)
    off = guest.phys_to_file(int(t["phys"], 16))
    with open(guest.memfile, "r+b") as f:
        f.seek(off)
        old = f.read(len(data))
        f.seek(off)
        f.write(data)
    return old


def check_text_tamper(tool, guest, workdir):
    sites = tool.json("text", "sites", "--json")
    # A jump label site holding a nop5 inside a function: give it a jmp to a wrong place.
    jl = next((s for s in sites if s["kind"] == "jump_label" and s["form"] == "nop5" and
               "+0x" in s["symbol"] and not s["symbol"].startswith("__SC")), None)
    if jl is None:
        raise Fail("text-tamper: no jump label site holding a nop5")
    path = os.path.join(workdir, "text-tamper.mmtb")
    guest.stop()
    restore = []
    try:
        _baseline(tool, path)
        jl_sym = jl["symbol"].split("/")[0]
        wrong = (0x40).to_bytes(4, "little", signed=True)
        flips = [("do_sys_openat2+0x20", None), (jl_sym, b"\xe9" + wrong),
                 ("linux_proc_banner+0x3", None)]
        for where, data in flips:
            if data is None:
                cur = tool.json("vtop", "--json", where)
                with open(guest.memfile, "rb") as f:
                    f.seek(guest.phys_to_file(int(cur["phys"], 16)))
                    data = bytes(b ^ 0xff for b in f.read(2 if "openat" in where else 1))
            restore.append((where, _poke(tool, guest, where, data)))
        v = _verify(tool, path, EXIT_TAMPERED)
        bad = []
        tampered = [c for c in v["changes"] if c["verdict"] == "tampered"]
        for where, _ in flips:
            if not any(c["symbol"].split("/")[0] == where for c in tampered):
                bad.append("no tampered change at %s: %s" % (where, [
                    c["symbol"] for c in tampered]))
        if v["tampered"] != len(flips):
            bad.append("%d tampered changes for %d flips" % (v["tampered"], len(flips)))
        for where, old in reversed(restore):
            _poke(tool, guest, where, old)
        restore = []
        v2 = _verify(tool, path)
        if v2["result"] != "clean":
            bad.append("bytes put back, verify says %s" % v2["result"])
    finally:
        for where, old in reversed(restore):
            _poke(tool, guest, where, old)
        guest.cont()
    if bad:
        raise Fail("text-tamper", limit(bad))
    return "tampered at %s, exit 3; clean once put back" % ", ".join(w for w, _ in flips)


WATCH_CYCLE_MS = 2000


def check_text_watch(mintmon, tool, guest):
    w = health_checks.Watch(mintmon, "file:" + guest.memfile, guest.workdir,
                            extra=["--text-cycle", str(WATCH_CYCLE_MS)], name="text-watch")
    old = None
    try:
        if w.wait_state("running", 0, 30) is None:
            raise Fail("text-watch: watch never said running: %s" % w.lines[-3:])
        # The first cycle takes the baseline; tamper after it.
        time.sleep(2.5 * WATCH_CYCLE_MS / 1000)
        page = int(tool.json("vtop", "--json", "linux_proc_banner")["vaddr"], 16) & ~4095
        t0 = time.monotonic()
        old = _poke(tool, guest, "linux_proc_banner+0x3", b"\x41")
        # A cycle to see it, a step to confirm it, and TCG's slack.
        bound = 2 * WATCH_CYCLE_MS / 1000 + 3
        got = w.wait_state("tampered", t0, bound)
        bad = []
        if got is None:
            bad.append("no tampered state within %.1f s of the flip: %s" % (
                bound, [o.get("new") for _, o in w.lines]))
        else:
            ev = got[1]["evidence"]
            if int(ev.get("tampered_at", "0"), 16) != page or ev.get("tampered_pages") != 1:
                bad.append("evidence names %s (%s pages), the flip was in page 0x%x" % (
                    ev.get("tampered_at"), ev.get("tampered_pages"), page))
        _poke(tool, guest, "linux_proc_banner+0x3", old)
        old = None
        t1 = time.monotonic()
        back = w.wait_state("running", t1, 3 * WATCH_CYCLE_MS / 1000 + 3)
        if back is None:
            bad.append("still not running %.0f s after the byte was put back" % (
                3 * WATCH_CYCLE_MS / 1000 + 3))
        if bad:
            raise Fail("text-watch", bad)
        return "tampered %.1f s after the flip (cycle %.1f s), naming page 0x%x; running %.1f s " \
            "after it was put back" % (got[0] - t0, WATCH_CYCLE_MS / 1000, page, back[0] - t1)
    finally:
        if old is not None:
            _poke(tool, guest, "linux_proc_banner+0x3", old)
        w.stop()


GUEST_MODULE = "/lib/mintmon-test/dummy.ko"
MODULE_IN_DEB = "kernel/drivers/net/dummy.ko"


def extract_module(kernel, workdir):
    """drivers/net/dummy.ko out of the kernel's own .deb (xz-decompressed if need be)."""
    prefix = "./lib/modules/%s/%s" % (kernel.release, MODULE_IN_DEB)
    names = subprocess.run(["dpkg-deb", "-c", kernel.deb], check=True, stdout=subprocess.PIPE,
                           text=True).stdout
    member = next((ln.split()[-1] for ln in names.splitlines()
                   if ln.split()[-1] in (prefix, prefix + ".xz")), None)
    if member is None:
        raise Fail("lsmod: %s has no %s" % (kernel.deb, MODULE_IN_DEB))
    tar = subprocess.run("dpkg-deb --fsys-tarfile %s | tar -xO %s" % (kernel.deb, member),
                         shell=True, check=True, stdout=subprocess.PIPE).stdout
    data = lzma.decompress(tar) if member.endswith(".xz") else tar
    out = os.path.join(workdir, "dummy.ko")
    with open(out, "wb") as f:
        f.write(data)
    return out


def guest_output(guest, cmd, timeout=60):
    """cmd's output in the guest, between markers computed there."""
    n = random.randrange(1 << 20, 1 << 24)
    pos = guest.console_size()
    guest.send_console("mintmon-cmd sh echo mm-b$((%d + 1)); %s; echo mm-e$((%d + 1))\n" % (
        n, cmd, n))
    end = guest.wait_console(b"mm-e%d" % (n + 1), timeout, start=pos)
    with open(guest.console_path, "rb") as f:
        f.seek(pos)
        data = f.read(end - pos)
    begin = data.rfind(b"mm-b%d" % (n + 1))
    body = data[begin:].split(b"\n")[1:-1]
    return [ln.decode(errors="replace").strip() for ln in body if ln.strip()]


def check_lsmod(tool, guest):
    guest_sh(guest, "insmod %s" % GUEST_MODULE)
    lines = guest_output(guest, "cat /proc/modules")
    want = {}
    for ln in lines:
        f = ln.split()
        if len(f) >= 6 and re.match(r"^0x[0-9a-f]+$", f[5]):
            want[f[0]] = (int(f[1]), int(f[2]), f[4], int(f[5], 16))
    if "dummy" not in want:
        raise Fail("lsmod: the guest's /proc/modules has no dummy: %s" % lines[:5])
    got = {m["name"]: (m["size"], m["refcnt"], m["state"], int(m["address"], 16))
           for m in tool.json("lsmod", "--json")}
    bad = []
    for name, w in sorted(want.items()):
        if got.get(name) != w:
            bad.append("%s: mintmon %s, /proc/modules (size, refs, state, address) %s" % (
                name, got.get(name), w))
    for name in sorted(set(got) - set(want)):
        bad.append("%s listed by mintmon, not in /proc/modules" % name)
    # The module's text is in the baseline: a flipped byte in it is tampered, named [dummy]+OFF.
    mods = {m["name"]: m for m in tool.json("lsmod", "--json")}
    path = os.path.join(guest.workdir, "text-lsmod.mmtb")
    old = where = None
    guest.stop()
    try:
        b = _baseline(tool, path)
        if b.get("modules", 0) < len(want):
            bad.append("the baseline holds %s modules' text, %d are loaded" % (
                b.get("modules"), len(want)))
        where = "0x%x" % (int(mods["dummy"]["text"], 16) + 0x10)
        old = _poke(tool, guest, where, b"\xcc\xcc")
        if old == b"\xcc\xcc":
            old = _poke(tool, guest, where, b"\x90\x90")
        v = _verify(tool, path, EXIT_TAMPERED)
        if not any(c["verdict"] == "tampered" and c["symbol"].startswith("[dummy]+0x10")
                   for c in v["changes"]):
            bad.append("a flipped byte in dummy's text: %s" % [
                (c["symbol"], c["verdict"]) for c in v["changes"]][:4])
        _poke(tool, guest, where, old)
        old = None
        if _verify(tool, path)["result"] != "clean":
            bad.append("dummy's byte put back: verify is not clean")
    finally:
        if old is not None:
            _poke(tool, guest, where, old)
        guest.cont()
    if bad:
        raise Fail("lsmod", limit(bad))
    return "%d modules equal /proc/modules: %s; their text in the baseline, a flipped byte " \
        "in dummy's found" % (len(want), ", ".join(
            "%s %d %s" % (n, w[0], w[2]) for n, w in sorted(want.items())))


def check_text_image(tool, guest, own, other):
    bad = []
    r = tool.result("text", "verify", "--image", own, "--json")
    if r.crash or r.timeout or r.rc != 0:
        plain = tool.result("text", "verify", "--image", own)
        raise Fail("text-image: " + r.describe(), limit(
            plain.out.decode(errors="replace").splitlines()))
    v = json.loads(r.out.decode().splitlines()[-1])
    total = v["exact"] + v["runtime_variant"] + v["boot_variant"]
    if v["unexplained"] or v["exact"] < 0.95 * total:
        bad.append("own image: %s" % v)
    r2 = tool.result("text", "verify", "--image", other)
    if not r2.clean_failure() or "not the running kernel" not in r2.err_text:
        bad.append("the other kernel's image: %s" % r2.describe())
    # Tampering that no baseline saw: flip a byte of a function (paused).
    guest.stop()
    old = None
    try:
        old = _poke(tool, guest, "do_sys_openat2+0x20", b"\xcc")
        if old == b"\xcc":
            old = _poke(tool, guest, "do_sys_openat2+0x20", b"\x90")
        r3 = tool.result("text", "verify", "--image", own)
        if r3.rc != EXIT_TAMPERED or "do_sys_openat2+0x20/" not in r3.out.decode(errors="replace"):
            bad.append("a flipped byte: %s; %s" % (r3.describe(), r3.out.decode(
                errors="replace").splitlines()[:2]))
    finally:
        if old is not None:
            _poke(tool, guest, "do_sys_openat2+0x20", old)
        guest.cont()
    if bad:
        raise Fail("text-image", limit(bad))
    return "%s: %d bytes exact, %d runtime and %d boot-time variants, 0 unexplained, %d not " \
        "compared; the other kernel's refused; a flipped byte found" % (
            v["format"], v["exact"], v["runtime_variant"], v["boot_variant"], v["not_compared"])
