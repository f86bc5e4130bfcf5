# SPDX-License-Identifier: GPL-2.0
"""One QEMU guest for the test bed: TCG, KASLR on, RAM in a shared-memory
file that a monitor can read while the guest runs, serial0 to a console log,
serial1 to a ground-truth file, and a QMP socket.

    with Guest(kernel, initrd, mem_mb=1024, la57=False) as g:
        truth = g.wait_for_truth(120)       # tests/lib/truth.py Truth
        g.stop()                            # QMP stop: the guest is paused
        run(["mintmon", "-t", "file:" + g.memfile, "ps"])
        g.dump_elf("/path/core")            # QMP dump-guest-memory, ELF
        g.cont()
        g.reset()                           # QMP system_reset: reboot (same kernel)
        truth2 = g.wait_for_truth(120, index=1)     # the next boot's truth

With console_input=True serial0 is a unix socket (its output still goes to
the console log): send_console("mintmon-cmd kexec\n") types a line on the
guest's ttyS0, the only way in besides QMP (tests/guest/scenario.sh reads it).

Everything a guest creates (QEMU process, /dev/shm/mintmon-PID-RAND memory
file, /tmp/mintmon-PID-RAND work directory with sockets and logs) is removed
on every exit path: the context manager, atexit, SIGTERM/SIGINT/SIGHUP, and
QEMU itself gets SIGKILL if the Python process dies (PR_SET_PDEATHSIG).
Leftovers of a killed (SIGKILL) run are swept by the next run: names hold the
creating PID, and files of dead PIDs are removed.

No `-device vmcoreinfo`: the monitor must find the kernel without help, and
that device only works when the guest loads qemu_fw_cfg anyway.
"""

import atexit
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth as truthmod  # noqa: E402

PREFIX = "mintmon-"
SHM_DIR = "/dev/shm"
_live = []
_handlers_installed = False


class GuestError(Exception):
    pass


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale():
    """Remove memory files and work directories left by dead test processes."""
    rx = re.compile(re.escape(PREFIX) + r"(\d+)-[0-9a-f]+")
    for d in (SHM_DIR, tempfile.gettempdir()):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            m = rx.match(n)
            if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
                continue
            path = os.path.join(d, n)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def cleanup_all():
    for g in list(_live):
        g.cleanup()


def _on_signal(signum, frame):
    cleanup_all()
    raise SystemExit(128 + signum)


def _install_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(cleanup_all)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            signal.signal(sig, _on_signal)
        except ValueError:      # not the main thread: atexit still covers us
            pass


def _die_with_parent():
    # Runs in the child before exec: SIGKILL QEMU when the test process dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
    os.setpgrp()                                # no terminal ^C straight to QEMU


class QMP:
    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self._read()                            # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise GuestError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, timeout=30, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.settimeout(timeout)
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise GuestError("QMP %s: %s" % (cmd, r["error"].get("desc", r["error"])))
            # anything else is an asynchronous event

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Guest:
    def __init__(self, kernel, initrd, mem_mb=1024, smp=2, la57=False, append="",
                 name="guest", qemu="qemu-system-x86_64", extra_args=(),
                 boot_marker=b"mintmon-scenario: starting", console_input=False,
                 machine=None):
        # Guests of any size: past the PCI hole below 4 GiB QEMU splits RAM
        # (pc: more than 3.5 GiB -> 3 GiB low; q35: 2.75 GiB or more -> 2 GiB
        # low), the rest sits at 4 GiB and up, and the memory file holds it
        # right after the low part: file offsets above the split are not
        # physical addresses (mintmon learns the split from the guest's e820
        # table; machine_layout() says what QEMU does).
        if machine not in (None, "pc", "q35"):
            raise ValueError("machine must be None (QEMU's default, pc), 'pc' or 'q35'")
        self.machine = machine
        self.kernel, self.initrd = kernel, initrd
        self.mem_mb, self.smp, self.la57 = mem_mb, smp, la57
        self.append, self.name, self.qemu, self.extra_args = append, name, qemu, list(extra_args)
        self.proc = None
        self.qmp = None
        self.workdir = None
        self.memfile = None
        self.boot_started = None
        self.truth_seconds = None
        # boot_seconds: time until boot_marker (printed by /init) shows on the console.
        self.boot_marker, self.boot_seconds = boot_marker, None
        self.console_input = console_input
        self.truth_times = {}       # truth index -> seconds from start() until complete
        self._cleaned = False

    # -- lifecycle --

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    def start(self):
        _install_handlers()
        sweep_stale()
        tag = "%s%d-%s" % (PREFIX, os.getpid(), secrets.token_hex(4))
        self.workdir = tempfile.mkdtemp(prefix=tag + "-")
        self.memfile = os.path.join(SHM_DIR, tag)
        _live.append(self)
        self.console_path = os.path.join(self.workdir, "console.log")
        self.truth_path = os.path.join(self.workdir, "truth.bin")
        self.qmp_path = os.path.join(self.workdir, "qmp.sock")
        self.console_sock = os.path.join(self.workdir, "console.sock")
        cpu = "max" if self.la57 else "max,la57=off"
        # KASLR stays on (never nokaslr). noirqdebug: on PREEMPT_RT the
        # threaded 8250 handler finds most interrupts already served, the
        # spurious-IRQ detector then disables ttyS1's IRQ and the truth
        # crawls out by polling (40 s instead of 3 s).
        # tsc=reliable: no clocksource watchdog on the TSC. After a QMP stop and
        # cont it would mark the TSC unstable, and the static-key flip that
        # follows patches text, which under TCG sometimes hits an int3 left in
        # sched_clock_cpu() (seen on 7.2-rt and 6.12 guests: "Oops: int3").
        cmdline = ("console=ttyS0,115200 panic=-1 oops=panic loglevel=4 noirqdebug "
                   "tsc=reliable " + self.append)
        args = [self.qemu, "-accel", "tcg", "-m", "%dM" % self.mem_mb, "-smp", str(self.smp),
                "-cpu", cpu, "-nographic", "-nodefaults", "-no-user-config", "-no-reboot",
                "-object", "memory-backend-file,id=ram,size=%dM,mem-path=%s,share=on" % (
                    self.mem_mb, self.memfile),
                "-machine", ("%s,memory-backend=ram" % self.machine) if self.machine
                else "memory-backend=ram",
                "-kernel", self.kernel, "-initrd", self.initrd, "-append", cmdline.strip(),
                "-serial", "file:" + self.truth_path,
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path] + self.extra_args
        # serial0 (the console) comes first: -serial options are numbered in order.
        if self.console_input:
            # Output goes to the log whether or not a client is connected.
            serial0 = ["-chardev", "socket,id=con,path=%s,server=on,wait=off,logfile=%s" % (
                self.console_sock, self.console_path), "-serial", "chardev:con"]
        else:
            serial0 = ["-serial", "file:" + self.console_path]
        i = args.index("-serial")
        args[i:i] = serial0
        self.argv = args
        self.stderr_path = os.path.join(self.workdir, "qemu.stderr")
        self.boot_started = time.monotonic()
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=subprocess.STDOUT,
                                         preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise GuestError("QEMU exited at start (%d): %s" % (
                    self.proc.returncode, self._tail(self.stderr_path)))
            if os.path.exists(self.qmp_path):
                try:
                    self.qmp = QMP(self.qmp_path)
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise GuestError("QMP socket did not come up")
            time.sleep(0.05)

    def cleanup(self):
        """Kill QEMU and remove everything this guest created. Idempotent."""
        if self._cleaned:
            return
        self._cleaned = True
        if self.qmp:
            try:
                self.qmp.execute("quit", timeout=2)
            except (OSError, GuestError, ValueError):
                pass
            self.qmp.close()
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for path in (self.memfile,):
            if path:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    # -- observation --

    @staticmethod
    def _tail(path, n=30):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return "(no %s)" % path
        return "\n".join(data.decode(errors="replace").splitlines()[-n:])

    def console(self):
        with open(self.console_path, "rb") as f:
            return f.read().decode(errors="replace")

    def console_tail(self, n=30):
        return self._tail(self.console_path, n)

    def save_logs(self, dest_dir):
        """Copy console log, truth stream and QEMU's stderr to dest_dir."""
        os.makedirs(dest_dir, exist_ok=True)
        for p in (self.console_path, self.truth_path, self.stderr_path):
            if p and os.path.exists(p):
                shutil.copy(p, dest_dir)
        with open(os.path.join(dest_dir, "qemu.argv"), "w") as f:
            f.write(" ".join(self.argv) + "\n")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def truth_data(self):
        try:
            with open(self.truth_path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def truths_complete(self):
        """How many complete truth streams the guest has sent (one per boot)."""
        return truthmod.count_complete(self.truth_data())

    def wait_for_truth(self, timeout=180, index=0):
        """Wait until the guest's index-th truth stream (0: the first boot's,
        1: the next boot's...) ends with its END marker; return a truth.Truth.
        Raises GuestError if QEMU exits or time runs out."""
        deadline = time.monotonic() + timeout
        last = "nothing received"
        while True:
            try:
                with open(self.truth_path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                data = b""
            self._check_boot_marker()
            try:
                t = truthmod.Truth(data, index)
                self.truth_times[index] = time.monotonic() - self.boot_started
                if index == 0:
                    self.truth_seconds = self.truth_times[index]
                self._restore_no_reboot()
                return t
            except truthmod.Incomplete as e:
                last = "%s (%d bytes)" % (e, len(data))
            except truthmod.TruthError as e:
                raise GuestError("corrupt ground truth: %s" % e)
            if not self.alive():
                raise GuestError("QEMU exited (%s) before the truth was complete: %s\n%s" % (
                    self.proc.returncode, last, self.console_tail()))
            if time.monotonic() > deadline:
                raise GuestError("no complete truth #%d after %ds: %s\nconsole:\n%s" % (
                    index + 1, timeout, last, self.console_tail()))
            time.sleep(0.2)

    def wait_console(self, pattern, timeout=60, start=0):
        """Wait until bytes pattern shows in the console log at or after offset
        start; return the offset just past it. GuestError if QEMU exits or
        time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(self.console_path, "rb") as f:
                    f.seek(start)
                    data = f.read()
            except FileNotFoundError:
                data = b""
            i = data.find(pattern)
            if i >= 0:
                return start + i + len(pattern)
            if not self.alive():
                raise GuestError("QEMU exited (%s) while waiting for %r:\n%s" % (
                    self.proc.returncode, pattern, self.console_tail()))
            if time.monotonic() > deadline:
                raise GuestError("no %r on the console after %ds:\n%s" % (
                    pattern, timeout, self.console_tail()))
            time.sleep(0.1)

    def console_size(self):
        try:
            return os.path.getsize(self.console_path)
        except OSError:
            return 0

    def _check_boot_marker(self):
        if self.boot_seconds is None and self.boot_marker:
            try:
                with open(self.console_path, "rb") as f:
                    if self.boot_marker in f.read():
                        self.boot_seconds = time.monotonic() - self.boot_started
            except FileNotFoundError:
                pass

    # -- control --

    def stop(self):
        """Pause the guest's CPUs (QMP stop) and wait until QEMU says so."""
        self.qmp.execute("stop")
        for _ in range(100):
            if not self.qmp.execute("query-status")["running"]:
                return
            time.sleep(0.05)
        raise GuestError("guest still running after QMP stop")

    def cont(self):
        self.qmp.execute("cont")

    def reset(self):
        """Reset the machine (QMP system_reset): it reboots the same kernel and
        initramfs, with a new KASLR placement; RAM keeps its contents until
        overwritten. -no-reboot turns every reset into a shutdown, this one
        and the one SeaBIOS asks for itself when it finds it ran before (a
        guest reset, moments later): the reboot action stays "reset" until
        the next wait_for_truth() succeeds (the boot is over), then goes back
        to "shutdown", so that a panic ends QEMU again."""
        self.qmp.execute("set-action", reboot="reset")
        self._no_reboot_pending = True
        self.qmp.execute("system_reset")

    def _restore_no_reboot(self):
        if getattr(self, "_no_reboot_pending", False):
            self.qmp.execute("set-action", reboot="shutdown")
            self._no_reboot_pending = False

    def send_console(self, text):
        """Type text on the guest's console (ttyS0); needs console_input=True."""
        if not self.console_input:
            raise GuestError("send_console needs Guest(console_input=True)")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(10)
            s.connect(self.console_sock)
            s.sendall(text.encode() if isinstance(text, str) else text)
            # Let QEMU take the bytes before the connection goes away.
            time.sleep(0.2)
        except OSError as e:
            raise GuestError("console socket: %s" % e)
        finally:
            s.close()

    def machine_layout(self):
        """QEMU's RAM layout for this guest as (low_end, high_size): guest
        RAM [0, low_end) at file offsets [0, low_end), the rest (high_size
        bytes) at physical 4 GiB and up, file offset low_end. QEMU 7.2's
        rules (hw/i386/pc_piix.c, pc_q35.c) without max-ram-below-4g."""
        size = self.mem_mb << 20
        if self.machine == "q35":
            low = 0x80000000 if size >= 0xb0000000 else size
        else:
            low = 0xc0000000 if size > 0xe0000000 else size
        return low, size - low

    def phys_to_file(self, pa):
        """File offset of guest physical address pa, None if no RAM there."""
        low, high = self.machine_layout()
        if pa < low:
            return pa
        if 1 << 32 <= pa < (1 << 32) + high:
            return pa - (1 << 32) + low
        return None

    def dump_elf(self, path, timeout=300):
        """Write an ELF core of guest memory (QMP dump-guest-memory, paging
        off: loads carry physical addresses)."""
        path = os.path.abspath(path)
        self.qmp.execute("dump-guest-memory", timeout=timeout, paging=False,
                         protocol="file:" + path, format="elf")
        return path


def main(argv):
    """python3 tests/lib/qemu.py VMLINUZ INITRD [--la57]: boot, print the truth
    summary and the memory file, pause, clean up."""
    import argparse
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("kernel")
    ap.add_argument("initrd")
    ap.add_argument("--la57", action="store_true")
    ap.add_argument("--mem", type=int, default=1024)
    ap.add_argument("--machine", choices=("pc", "q35"))
    ap.add_argument("--timeout", type=int, default=180)
    a = ap.parse_args(argv)
    with Guest(a.kernel, a.initrd, mem_mb=a.mem, la57=a.la57, machine=a.machine) as g:
        t = g.wait_for_truth(a.timeout)
        g.stop()
        print("truth after %.1fs: %s, %d tasks, %d kallsyms lines; memory file %s" % (
            g.truth_seconds, t.release, len(t.tasks), len(t.kallsyms), g.memfile))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
