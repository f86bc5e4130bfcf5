# SPDX-License-Identifier: GPL-2.0
"""The emulated Mint machine: N OS nodes, each a QEMU (TCG) guest, sharing one
memory file at the same guest-physical addresses.

Guest-physical memory of every node (three NUMA memdevs, in this order):

    [0, S)          private RAM: firmware, the bootstrap kernel, region1 copies
    [S, E)          /dev/shm/mintmon-mint-<id>, shared by all nodes (share=on)
    [E, E + HIGH)   private RAM: firmware tables (ACPI), the bootstrap kernel

S and E come from the layout (mint-memmap --json): the lowest start and the
highest end of the node regions at or above 1 MiB, so the file holds every
node's region2 and region3 and file offset = physical address - S. Regions
below 1 MiB (the preset's region1, the real-mode trampoline areas) stay in
each guest's private low memory at the same addresses: each guest's own
firmware owns the first pages, which one shared page could not hold for three
firmwares (docs/mint-machine.md).

Each guest boots a bootstrap kernel that is told (memmap=SIZE$S) that [S, E)
is reserved, so neither its decompressor (KASLR) nor its allocator touch the
shared file. Its /init loads the node kernel with kexec into the node's
kernel window and boots it:

    kexec="mint"      build/bin/kexec-mint --mint-node=K --mint-preset=kexec-mint,N
                      (or --mint-layout=/etc/mint-layout.txt with layout_file=;
                      the node's e820 comes from the layout engine, no memmap=)
    kexec="upstream"  build/bin/kexec-upstream --mem-min/--mem-max of the window,
                      plus `mint-memmap --node K --cmdline` as kernel arguments
                      (plain upstream kexec with memmap=: shows that the
                      arguments alone do not keep a node out of its peers'
                      memory; not the seed, whose flaw is test_mint.py's case e)

The node kernel's /init writes ground truth (/proc/iomem, /proc/cmdline,
dmesg) to its second serial port and then reads shell commands from its
console (a QEMU unix socket; everything it prints is also in the console log).
The node's initramfs also holds kexec and the kernel, so a node can reboot
itself into a fresh node kernel (Node.start_reboot/wait_reboot).

    with MintMachine(nodes=3) as m:             # boots all nodes
        rc, out = m.nodes[1].run("cat /proc/meminfo")
        t = m.nodes[0].truth()                  # {"iomem": ..., "dmesg": ...}
        m.read_phys(addr, size)                 # through the shared file

node_files=[(src, dest[, mode])] adds files to every node's initramfs (a
kernel module, mintmon), node_files_for={node: [(src, dest[, mode])]} to one
node's only (initramfs.binary_files() gives a host binary with its shared
libraries and loader); node_append={node: args} adds kernel arguments;
node_kernels={node: "6.12-amd64"} boots that node's node kernel from another
Debian kernel (kernels.get(); the bootstrap kernel stays `kernel`);
layout_file=PATH takes the machine's layout from a layout file instead of the
kexec-mint preset (copied into every initramfs as /etc/mint-layout.txt).

The node id reaches the node kernel as mint_node=K on its command line:
kexec-mint appends it itself (with mint_layout=HASH, the identity hand-over,
and refuses an --append that sets either), so the harness appends it only for
kexec-upstream (append_node_id= overrides).

A machine left running by `mint-machine up` is found again with
MintMachine.attach(workdir).
"""

import bisect
import ctypes
import json
import lzma
import mmap
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import initramfs  # noqa: E402
import kernels  # noqa: E402
from qemu import QMP, GuestError  # noqa: E402

PREFIX = "mintmon-mint-"
SHM_DIR = "/dev/shm"
MIB = 1 << 20
LOW_LIMIT = 1 * MIB             # regions below this stay private (see above)
HIGH_MB = 128                   # private memory above the shared file
BOOT_TIMEOUT = 240              # seconds for all nodes to reach their shell
STATE = "state.json"
GUEST_LAYOUT = "/etc/mint-layout.txt"   # layout_file= inside the guests


class MachineError(Exception):
    pass


def _hex(x):
    return "0x%x" % x


def _run(argv, what):
    try:
        res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except OSError as e:
        raise MachineError("%s: %s" % (what, e))
    if res.returncode != 0:
        raise MachineError("%s failed (%d): %s" % (what, res.returncode,
                                                   res.stderr.decode(errors="replace").strip()))
    return res.stdout.decode()


def default_memmap():
    """The mint-memmap CLI: $MINT_MEMMAP or build/bin/mint-memmap."""
    return os.environ.get("MINT_MEMMAP") or os.path.join(TOP, "build", "bin", "mint-memmap")


def _pid_alive(pid, tag=None):
    """pid runs, and (if tag) its command line mentions tag (pid reuse)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read()
    except OSError:
        return False
    return tag is None or tag.encode() in cmd


class Layout:
    """The machine's memory as the layout engine computes it. Only reads
    mint-memmap's output: the arithmetic lives in memmap/. From the preset
    (preset, nodes) or from a layout file (layout_file; nodes, if given, must
    match the file)."""

    def __init__(self, memmap_bin, nodes=None, preset="kexec-mint", layout_file=None):
        self.memmap_bin, self.layout_file = memmap_bin, layout_file
        if layout_file:
            self.preset = None
            self.base = [memmap_bin, "--layout", layout_file]
        else:
            nodes = 3 if nodes is None else nodes
            self.preset = preset
            self.base = [memmap_bin, "--preset", preset, "--nodes", str(nodes)]
        j = json.loads(_run(self.base + ["--json"], "mint-memmap --json"))
        if nodes is None:
            nodes = len(j["nodes"])
        self.nr_nodes = nodes
        self.json = j
        self.nodes = []
        num = self._num
        for k, n in enumerate(j["nodes"]):
            if n.get("id", k) != k:
                raise MachineError("mint-memmap: node %d listed as %s" % (k, n.get("id")))
            kw = n["kernel_window"]
            self.nodes.append({
                "id": k,
                "regions": [(num(r["start"]), num(r["size"]), r.get("name", ""),
                             bool(r.get("kernel"))) for r in n["regions"]],
                "kernel_window": (num(kw["start"]), num(kw["size"])),
                "windows": [(num(w["start"]), num(w["size"]), w.get("owner"))
                            for w in n.get("windows", [])],
                "e820": [(num(e["addr"]), num(e["size"]), int(e["type"]))
                         for e in n.get("e820", [])],
                "cmdline": n.get("cmdline") or _run(
                    self.base + ["--node", str(k), "--cmdline"], "mint-memmap --cmdline").strip(),
            })
        if len(self.nodes) != nodes:
            raise MachineError("mint-memmap gave %d nodes, wanted %d" % (len(self.nodes), nodes))

    def mint_spec(self):
        """The layout as mintmon's --mint takes it."""
        return self.layout_file or "preset:%s:%d" % (self.preset, self.nr_nodes)

    def hash(self):
        """`mint-memmap --hash`: the layout hash (16 hex digits) kexec-mint
        hands a node as mint_layout= and in its setup_data."""
        return _run(self.base + ["--hash"], "mint-memmap --hash").strip()

    def canonical(self):
        """`mint-memmap --canonical`: the canonical layout text."""
        return _run(self.base + ["--canonical"], "mint-memmap --canonical")

    @staticmethod
    def _num(v):
        return int(v, 0) if isinstance(v, str) else int(v)

    def owner(self, addr):
        """Node whose RAM region holds addr, or None (interval lookup only)."""
        if not hasattr(self, "_starts"):
            ivs = sorted((start, start + size, n["id"]) for n in self.nodes
                         for start, size, _, _ in n["regions"])
            self._starts, self._ivs = [iv[0] for iv in ivs], ivs
        i = bisect.bisect_right(self._starts, addr) - 1
        if i >= 0 and addr < self._ivs[i][1]:
            return self._ivs[i][2]
        return None

    def shared_range(self):
        """[S, E): what the shared file holds (all regions at/above 1 MiB)."""
        starts, ends = [], []
        for n in self.nodes:
            for start, size, name, _ in n["regions"]:
                if start + size <= LOW_LIMIT:
                    continue
                if start < LOW_LIMIT:
                    raise MachineError("node %d region %s straddles 1 MiB: cannot emulate" % (
                        n["id"], name or _hex(start)))
                starts.append(start)
                ends.append(start + size)
        if not starts:
            raise MachineError("layout has no region above 1 MiB")
        s, e = min(starts), max(ends)
        if s % (2 * MIB) or e % (2 * MIB) or s < 64 * MIB:
            raise MachineError("shared range %s-%s: want 2 MiB alignment and >= 64 MiB below" % (
                _hex(s), _hex(e)))
        return s, e


class Node:
    """One OS node: a QEMU process and its console/truth channels."""

    def __init__(self, machine, k):
        self.m, self.id = machine, k
        d = machine.workdir
        self.console_path = os.path.join(d, "node%d.console" % k)
        self.truth_path = os.path.join(d, "node%d.truth" % k)
        self.sock_path = os.path.join(d, "node%d.sock" % k)
        self.qmp_path = os.path.join(d, "node%d.qmp" % k)
        self.stderr_path = os.path.join(d, "node%d.qemu.log" % k)
        self.initrd_path = os.path.join(d, "node%d.bootstrap.gz" % k)
        self.pid = None
        self.proc = None
        self.argv = None

    # -- state --

    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        return self.pid is not None and _pid_alive(self.pid, self.m.tag)

    def console(self):
        try:
            with open(self.console_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def console_tail(self, n=25):
        return "\n".join(self.console().splitlines()[-n:])

    def node_console(self):
        """The console after kexec: the node kernel's own log."""
        c = self.console()
        i = c.find("mint-bootstrap: kexec -e")
        return c[i:] if i >= 0 else ""

    def qemu_stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace").strip()
        except FileNotFoundError:
            return ""

    # -- ground truth (second serial port) --

    def truth(self, which="boot"):
        """Sections of the last complete truth block named `which`, as
        {section: text}; None if it has not arrived (yet)."""
        try:
            with open(self.truth_path, "rb") as f:
                data = f.read().decode(errors="replace")
        except FileNotFoundError:
            return None
        head = "=== mint-truth node %d %s\n" % (self.id, which)
        i = data.rfind(head)
        if i < 0:
            return None
        j = data.find("=== mint-truth end\n", i)
        if j < 0:
            return None
        out = {}
        for part in data[i + len(head):j].split("--- ")[1:]:
            name, _, body = part.partition("\n")
            out[name.strip()] = body
        return out

    # -- commands (console shell) --

    def run(self, cmd, timeout=60):
        """Run a shell command on the node; returns (exit status, output).
        The node's /init reads commands from the console without echo; the
        markers tell this command's output from kernel messages around it."""
        tag = secrets.token_hex(4)
        line = "echo @@B%s; { %s\n} </dev/null 2>&1; echo @@E%s $?\n" % (tag, cmd, tag)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(self.sock_path)
        except OSError as e:
            raise MachineError("node %d: console socket: %s" % (self.id, e))
        buf = b""
        deadline = time.monotonic() + timeout
        rx = re.compile(rb"@@B%s\r?\n(.*?)@@E%s (\d+)" % (tag.encode(), tag.encode()), re.S)
        try:
            s.sendall(line.encode())
            while True:
                m = rx.search(buf)
                if m:
                    return int(m.group(2)), m.group(1).decode(errors="replace").replace("\r", "")
                if time.monotonic() > deadline:
                    raise MachineError("node %d: `%s` did not finish in %ds" % (
                        self.id, cmd, timeout))
                if not self.alive():
                    raise MachineError("node %d: QEMU exited while running `%s`" % (self.id, cmd))
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    raise MachineError("node %d: console closed" % self.id)
                buf += chunk
        except OSError as e:
            # QEMU going away mid-command (a node reset, as the seed case
            # expects) resets the socket: that is a node down, not a bug.
            raise MachineError("node %d: console lost during `%s`: %s" % (self.id, cmd, e))
        finally:
            s.close()

    def qmp(self):
        return QMP(self.qmp_path)

    def boots(self):
        """How many node kernels have written their boot truth so far."""
        try:
            with open(self.truth_path, "rb") as f:
                return f.read().count(b"=== mint-truth node %d boot\n" % self.id)
        except FileNotFoundError:
            return 0

    def start_reboot(self):
        """kexec this node into a fresh node kernel (same kexec, same
        arguments: a new KASLR placement). Returns the boot count to wait
        past with wait_reboot()."""
        before = self.boots()
        rc, out = self.run("mint-reboot", timeout=180)
        if rc != 0:
            raise MachineError("node %d: mint-reboot failed (%d): %s" % (self.id, rc, out.strip()))
        return before

    def wait_reboot(self, before, timeout=240):
        deadline = time.monotonic() + timeout
        while self.boots() <= before or self.truth() is None:
            if not self.alive():
                raise MachineError("node %d: QEMU exited during reboot\n%s" % (
                    self.id, self.console_tail()))
            if time.monotonic() > deadline:
                raise MachineError("node %d: not back after %ds\n%s" % (
                    self.id, timeout, self.console_tail()))
            time.sleep(0.5)
        rc, out = self.run("echo ready", timeout=60)
        if rc != 0 or "ready" not in out:
            raise MachineError("node %d: shell does not answer after reboot: %r" % (self.id, out))


def pvh_vmlinux(vmlinuz, release):
    """The uncompressed vmlinux inside bzImage vmlinuz, cached. The bootstrap
    kernel boots it through QEMU's PVH entry: no decompressor run under TCG
    (seconds per node), and the bootstrap needs no KASLR; node kernels keep
    booting the bzImage through kexec, decompressor and KASLR included."""
    out = os.path.join(kernels.cache_dir(), "mint", "vmlinux-%s" % release)
    if os.path.exists(out):
        return out
    with open(vmlinuz, "rb") as f:
        d = f.read()
    # boot_params setup header: setup_sects at 0x1f1, payload_offset/length at 0x248.
    if len(d) < 0x250 or d[0x202:0x206] != b"HdrS":
        raise MachineError("%s is not a bzImage" % vmlinuz)
    base = ((d[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from("<II", d, 0x248)
    payload = d[base + off:base + off + length]
    if not payload.startswith(b"\xfd7zXZ\x00"):
        raise MachineError("%s: payload is not xz (only xz kernels are supported)" % vmlinuz)
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    except lzma.LZMAError as e:
        raise MachineError("%s: %s" % (vmlinuz, e))
    if not elf.startswith(b"\x7fELF"):
        raise MachineError("%s: payload is not an ELF vmlinux" % vmlinuz)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = "%s.tmp%d" % (out, os.getpid())
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, out)
    return out


def _die_with_parent():
    # In the QEMU child before exec: SIGKILL it if the test process dies.
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    os.setpgrp()


def sweep_stale():
    """Remove shared files and work directories of machines whose QEMUs are
    all gone (a run killed with SIGKILL, a machine whose QEMUs died)."""
    tmp = tempfile.gettempdir()
    tags = set()
    for d in (SHM_DIR, tmp):
        try:
            tags.update(n for n in os.listdir(d) if re.fullmatch(re.escape(PREFIX) + r"[0-9a-f]{12}", n))
        except OSError:
            pass
    for tag in tags:
        wd = os.path.join(tmp, tag)
        pids = []
        try:
            with open(os.path.join(wd, STATE)) as f:
                st = json.load(f)
            pids = [p for p in st.get("pids", []) if p]
            if st.get("owner") and _pid_alive(st["owner"]):
                continue
        except (OSError, ValueError):
            # No state yet: a machine being created right now, or debris.
            try:
                if time.time() - os.stat(os.path.join(SHM_DIR, tag)).st_mtime < 600:
                    continue
            except OSError:
                pass
        if any(_pid_alive(p, tag) for p in pids):
            continue
        try:
            os.unlink(os.path.join(SHM_DIR, tag))
        except OSError:
            pass
        shutil.rmtree(wd, ignore_errors=True)


class MintMachine:
    def __init__(self, nodes=None, kexec="mint", kernel="6.1-amd64", memmap_bin=None,
                 kexec_bin=None, detach=False, extra_append="", node_append=None,
                 node_files=(), log=None, layout_file=None, node_kernels=None,
                 node_files_for=None, append_node_id=None):
        if kexec not in ("mint", "upstream"):
            raise ValueError("kexec must be 'mint' or 'upstream'")
        if layout_file and kexec != "mint":
            raise ValueError("layout_file needs kexec='mint' (kexec-upstream reads no layout)")
        # nodes: 3 for the preset; a layout file's own count (nodes, if
        # given, must match it).
        self.layout_file = os.path.abspath(layout_file) if layout_file else None
        if nodes is None and not layout_file:
            nodes = 3
        self.nr_nodes, self.kexec, self.kernel_name = nodes, kexec, kernel
        self.node_kernels = {int(k): v for k, v in (node_kernels or {}).items()}
        self.node_files_for = {int(k): list(v) for k, v in (node_files_for or {}).items()}
        # kexec-mint hands the node its id itself (mint_node=, mint_layout=).
        self.append_node_id = kexec != "mint" if append_node_id is None else append_node_id
        self.memmap_bin = memmap_bin or default_memmap()
        self.kexec_bin = kexec_bin or os.environ.get("MINT_KEXEC_" + kexec.upper()) or \
            os.path.join(TOP, "build", "bin", "kexec-" + kexec)
        self.detach = detach
        self.extra_append = extra_append
        self.node_append = dict(node_append or {})     # {node: more kernel arguments}
        self.node_files = list(node_files)              # more (src, dest[, mode]) for node initrds
        self.log = log or (lambda msg: None)
        self.tag = None
        self.workdir = None
        self.shm_path = None
        self.nodes = []
        self.layout = None
        self.timings = {}
        self._down = False

    # -- context manager --

    def __enter__(self):
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc):
        self.down()
        return False

    # -- bring-up --

    def _prepare(self):
        for p, what in ((self.memmap_bin, "mint-memmap"), (self.kexec_bin, "kexec")):
            if not os.access(p, os.X_OK):
                raise MachineError("%s not found at %s (make it first)" % (what, p))
        self.layout = Layout(self.memmap_bin, self.nr_nodes, layout_file=self.layout_file)
        self.nr_nodes = self.layout.nr_nodes
        self.shared = self.layout.shared_range()
        for what in (self.node_kernels, self.node_files_for):
            bad = sorted(k for k in what if not 0 <= k < self.nr_nodes)
            if bad:
                raise MachineError("no node %s (the machine has nodes 0 to %d)" % (
                    bad, self.nr_nodes - 1))
        try:
            self.kernel = kernels.get(self.kernel_name)
            self.kernels = {k: kernels.get(name) for k, name in self.node_kernels.items()}
        except kernels.KernelError as e:
            raise MachineError(str(e))
        self.bootstrap_kernel = pvh_vmlinux(self.kernel.vmlinuz, self.kernel.release)
        self.memstress = os.path.join(TOP, "build", "mint", "memstress")
        if not os.access(self.memstress, os.X_OK):
            raise MachineError("%s missing (make %s)" % (self.memstress, os.path.relpath(
                self.memstress, TOP)))

    def node_kernel(self, k):
        """The Kernel node k's node kernel boots from (node_kernels, else
        the machine's kernel)."""
        return self.kernels.get(k, self.kernel)

    def _conf(self, k):
        """/etc/mint.conf: how node k's kernel is loaded (bootstrap and reboot)."""
        ws, wsize = self.layout.nodes[k]["kernel_window"]
        append = "console=ttyS0,115200 panic=-1 oops=panic numa=off"
        if self.append_node_id:
            append += " mint_node=%d" % k
        if self.kexec == "mint":
            args = ["--mint-node=%d" % k, "--mint-layout=" + GUEST_LAYOUT if self.layout_file
                    else "--mint-preset=kexec-mint,%d" % self.nr_nodes]
        else:
            args = ["--mem-min=" + _hex(ws), "--mem-max=" + _hex(ws + wsize - 1)]
            append += " " + self.layout.nodes[k]["cmdline"]
        for more in (self.extra_append, self.node_append.get(k)):
            if more:
                append += " " + more
        return ("NODE=%d\nKEXEC_ARGS=%s\nAPPEND=%s\n" % (
            k, shlex.quote(" ".join(args)), shlex.quote(append))).encode()

    def _layout_files(self):
        return [(self.layout_file, GUEST_LAYOUT, 0o644)] if self.layout_file else []

    def _node_initrd(self, k):
        """The node kernel's initramfs (nested inside the bootstrap's). It
        carries kexec and the kernel too, so that a node can reboot itself."""
        path = os.path.join(self.workdir, "node%d.initrd.gz" % k)
        initramfs.build(path, os.path.join(HERE, "guest", "node-init"), [
            (self.memstress, "/bin/memstress", 0o755),
            (os.path.join(HERE, "guest", "node-reboot"), "/bin/mint-reboot", 0o755),
            (self.node_kernel(k).vmlinuz, "/boot/vmlinuz", 0o644),
            (self.kexec_bin, "/sbin/kexec", 0o755),
            (self._conf(k), "/etc/mint.conf", 0o644),
        ] + self._layout_files() + self.node_files + self.node_files_for.get(k, []), level=1)
        return path

    def _bootstrap_initrd(self, node, node_initrd):
        initramfs.build(node.initrd_path, os.path.join(HERE, "guest", "bootstrap-init"), [
            (self.node_kernel(node.id).vmlinuz, "/boot/vmlinuz", 0o644),
            (node_initrd, "/boot/node-initrd.gz", 0o644),
            (self.kexec_bin, "/sbin/kexec", 0o755),
            (self._conf(node.id), "/etc/mint.conf", 0o644),
        ] + self._layout_files(), level=1)

    def _qemu_argv(self, node):
        s, e = self.shared
        low_mb, shared_mb = s // MIB, (e - s) // MIB
        k = node.id
        # The bootstrap kernel must not touch the shared file: reserved.
        append = "console=ttyS0,115200 panic=-1 numa=off memmap=%s$%s mint_node=%d" % (
            _hex(e - s), _hex(s), k)
        return ["qemu-system-x86_64", "-name", "%s-node%d" % (self.tag, k),
                "-accel", "tcg", "-cpu", "max,la57=off", "-smp", "1",
                "-m", "%dM" % (low_mb + shared_mb + HIGH_MB),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-object", "memory-backend-ram,id=low,size=%dM" % low_mb,
                "-object", "memory-backend-file,id=mint,size=%dM,mem-path=%s,share=on" % (
                    shared_mb, self.shm_path),
                "-object", "memory-backend-ram,id=high,size=%dM" % HIGH_MB,
                "-numa", "node,nodeid=0,cpus=0,memdev=low",
                "-numa", "node,nodeid=1,memdev=mint",
                "-numa", "node,nodeid=2,memdev=high",
                "-kernel", self.bootstrap_kernel, "-initrd", node.initrd_path, "-append", append,
                "-chardev", "socket,id=con,path=%s,server=on,wait=off,logfile=%s" % (
                    node.sock_path, node.console_path),
                "-serial", "chardev:con",
                "-chardev", "file,id=truth,path=%s" % node.truth_path,
                "-serial", "chardev:truth",
                "-qmp", "unix:%s,server=on,wait=off" % node.qmp_path]

    def up(self, wait=True):
        """Boot every node. wait: until every node's shell answers (raises
        MachineError otherwise); False: return once the QEMUs run."""
        t0 = time.monotonic()
        sweep_stale()
        self._prepare()
        self.tag = PREFIX + secrets.token_hex(6)
        self.workdir = os.path.join(tempfile.gettempdir(), self.tag)
        os.mkdir(self.workdir, 0o700)
        self.shm_path = os.path.join(SHM_DIR, self.tag)
        s, e = self.shared
        fd = os.open(self.shm_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, e - s)
        finally:
            os.close(fd)
        self.nodes = [Node(self, k) for k in range(self.nr_nodes)]
        self._save_state()
        for n in self.nodes:
            self._bootstrap_initrd(n, self._node_initrd(n.id))
        self.timings["prepare"] = time.monotonic() - t0
        t1 = time.monotonic()
        for n in self.nodes:
            n.argv = self._qemu_argv(n)
            with open(n.stderr_path, "wb") as err:
                n.proc = subprocess.Popen(
                    n.argv, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
                    preexec_fn=os.setsid if self.detach else _die_with_parent)
            n.pid = n.proc.pid
        self._save_state()
        self.log("started %d nodes (%s kexec, %s%s), shared memory %s = [%s, %s)" % (
            self.nr_nodes, self.kexec, "layout " + os.path.relpath(self.layout_file, TOP)
            if self.layout_file else "preset", "".join(
                ", node %d on %s" % (k, self.node_kernel(k).release)
                for k in sorted(self.kernels)), self.shm_path, _hex(s), _hex(e)))
        self.started = t1
        if wait:
            self.wait_ready(BOOT_TIMEOUT, t1)
            self.timings["boot"] = time.monotonic() - t1
        return self

    def wait_up(self, timeout, nodes=None, t1=None):
        """Wait at most timeout seconds (from t1) until the given nodes (all by
        default) have written their boot truth; returns the set that did.
        Does not raise: a node whose QEMU exited is simply not up."""
        t1 = t1 or time.monotonic()
        pending = set(range(self.nr_nodes) if nodes is None else nodes)
        up = set()
        while pending:
            for k in sorted(pending):
                n = self.nodes[k]
                if n.truth("boot") is not None:
                    pending.discard(k)
                    up.add(k)
                    self.timings.setdefault("node%d_up" % k, time.monotonic() - t1)
                    self.log("node %d up after %.1fs" % (k, time.monotonic() - t1))
                elif not n.alive():
                    pending.discard(k)
            if pending and time.monotonic() > t1 + timeout:
                break
            time.sleep(0.5)
        return up

    def wait_ready(self, timeout, t1=None):
        """Wait until every node's kernel wrote its boot truth and its shell
        answers. Raises MachineError naming the first node that failed."""
        want = set(range(self.nr_nodes))
        missing = want - self.wait_up(timeout, want, t1)
        if missing:
            k = min(missing)
            n = self.nodes[k]
            if not n.alive():
                raise MachineError("node %d: QEMU exited during boot (%s)\n%s\n%s" % (
                    k, n.proc.returncode if n.proc else "?", n.qemu_stderr(),
                    n.console_tail()))
            raise MachineError("node %d not up after %ds:\n%s" % (k, timeout, n.console_tail()))
        for n in self.nodes:
            rc, out = n.run("echo ready", timeout=60)
            if rc != 0 or "ready" not in out:
                raise MachineError("node %d: shell does not answer: %r" % (n.id, out))

    # -- state for the CLI --

    def _save_state(self):
        st = {"tag": self.tag, "workdir": self.workdir, "shm": self.shm_path,
              "nodes": self.nr_nodes, "kexec": self.kexec, "kernel": self.kernel_name,
              "shared": list(self.shared), "memmap_bin": self.memmap_bin,
              "layout_file": self.layout_file,
              "node_kernels": {str(k): v for k, v in self.node_kernels.items()},
              "pids": [n.pid for n in self.nodes],
              "owner": None if self.detach else os.getpid()}
        tmp = os.path.join(self.workdir, STATE + ".tmp")
        with open(tmp, "w") as f:
            json.dump(st, f, indent=1)
        os.replace(tmp, os.path.join(self.workdir, STATE))

    @classmethod
    def attach(cls, workdir):
        """The machine whose work directory is workdir (left by `up`)."""
        with open(os.path.join(workdir, STATE)) as f:
            st = json.load(f)
        m = cls(nodes=st["nodes"], kexec=st["kexec"], kernel=st["kernel"],
                memmap_bin=st["memmap_bin"], detach=True, layout_file=st.get("layout_file"),
                node_kernels=st.get("node_kernels"))
        m.tag, m.workdir, m.shm_path = st["tag"], st["workdir"], st["shm"]
        m.shared = tuple(st["shared"])
        m.nodes = [Node(m, k) for k in range(m.nr_nodes)]
        for n, pid in zip(m.nodes, st["pids"]):
            n.pid = pid
        return m

    # -- teardown --

    def down(self):
        """Stop every QEMU this machine started, remove the shared file and
        the work directory. Idempotent; safe on a half-built machine."""
        if self._down:
            return
        self._down = True
        for n in self.nodes:
            if n.proc is not None:
                if n.proc.poll() is None:
                    n.proc.kill()
                n.proc.wait()
            elif n.pid and _pid_alive(n.pid, self.tag):
                os.kill(n.pid, signal.SIGKILL)
                for _ in range(100):
                    if not _pid_alive(n.pid, self.tag):
                        break
                    time.sleep(0.05)
        if self.shm_path:
            try:
                os.unlink(self.shm_path)
            except FileNotFoundError:
                pass
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def save_logs(self, dest):
        """Copy console logs, truth files and QEMU messages to dest."""
        os.makedirs(dest, exist_ok=True)
        for n in self.nodes:
            for p in (n.console_path, n.truth_path, n.stderr_path):
                if os.path.exists(p):
                    shutil.copy(p, dest)
            if n.argv:
                with open(os.path.join(dest, "node%d.argv" % n.id), "w") as f:
                    f.write(" ".join(shlex.quote(a) for a in n.argv) + "\n")

    # -- the shared memory, seen from outside --

    def read_phys(self, addr, size):
        """size bytes at guest-physical addr, read from the shared file."""
        s, e = self.shared
        if addr < s or addr > e or e - addr < size:
            raise MachineError("%s+%s is outside the shared memory [%s, %s)" % (
                _hex(addr), _hex(size), _hex(s), _hex(e)))
        with open(self.shm_path, "rb") as f:
            f.seek(addr - s)
            return f.read(size)

    def scan_tags(self, magic=0x4d494e54, stride=512):
        """Sample the shared file every `stride` bytes for memstress tags
        (64-bit words whose upper half is magic); returns
        {(writer node, owner node or None): count}."""
        s, e = self.shared
        counts = {}
        with open(self.shm_path, "rb") as f:
            mm = mmap.mmap(f.fileno(), e - s, prot=mmap.PROT_READ)
            try:
                words = memoryview(mm).cast("Q")
                step = stride // 8
                for chunk in range(0, len(words), 1 << 20):
                    part = words[chunk:chunk + (1 << 20):step]
                    for i, w in enumerate(part):
                        if w >> 32 != magic:
                            continue
                        addr = s + (chunk + i * step) * 8
                        key = ((w >> 24) & 0xff, self.layout.owner(addr) if self.layout else None)
                        counts[key] = counts.get(key, 0) + 1
                    part.release()
                words.release()
            finally:
                mm.close()
        return counts
