# SPDX-License-Identifier: GPL-2.0
"""Parse the ground truth that tests/guest/truth.c sends over the guest's
second serial port.

Framing (see truth.c):
    "MINTMON-TRUTH 1\\n"
    per section: "SECTION NAME ENC RAWLEN LEN CRC32\\n" LEN bytes "\\n"
    "END NSECTIONS\\n"

A guest that reboots (reset, kexec) runs its scenario again and appends a
new stream to the same port: Truth(data, index=N) parses the N-th (from 0),
count_complete(data) says how many are complete.

    python3 tests/lib/truth.py FILE [INDEX]     summary of a truth file
"""

import re
import sys
import zlib

MAGIC = b"MINTMON-TRUTH 1\n"
PF_KTHREAD = 0x00200000
PF_WQ_WORKER = 0x00000020
TASK_FIELDS = ["tid", "tgid", "ppid", "uid", "euid", "state", "flags", "stable", "vsz_kb",
               "rss_kb", "start_ticks", "comm", "kcomm", "args", "scomm", "tty_nr", "ticks",
               "ticks_prev", "pticks"]


class TruthError(Exception):
    pass


class Incomplete(TruthError):
    """The stream ends before its END marker (the guest is still sending)."""


def parse_sections(data, index=0):
    """Return {name: bytes} from the index-th complete truth stream in data;
    raise Incomplete if its END marker has not arrived yet, TruthError if the
    stream is corrupt."""
    return _parse_stream(data, index)[0]


def count_complete(data):
    """How many complete truth streams data holds (a corrupt one ends the count)."""
    n = 0
    while True:
        try:
            _parse_stream(data, n)
        except TruthError:
            return n
        n += 1


def _parse_stream(data, index):
    """(sections, end offset) of the index-th stream. Streams are parsed in
    order, so a compressed payload that happens to hold the magic cannot be
    taken for the start of the next one."""
    pos = 0
    for i in range(index):
        try:
            _, pos = _parse_stream_at(data, pos)
        except Incomplete as e:
            raise Incomplete("stream %d of %d: %s" % (i + 1, index + 1, e))
    return _parse_stream_at(data, pos)


def _parse_stream_at(data, pos):
    start = data.find(MAGIC, pos)
    if start < 0:
        raise Incomplete("no MINTMON-TRUTH header yet")
    pos = start + len(MAGIC)
    sections = {}
    while True:
        eol = data.find(b"\n", pos)
        if eol < 0:
            raise Incomplete("truncated section header")
        line = data[pos:eol].decode("ascii", "replace")
        pos = eol + 1
        if line.startswith("END "):
            if int(line[4:]) != len(sections):
                raise TruthError("END says %s sections, got %d" % (line[4:], len(sections)))
            return sections, pos
        m = re.fullmatch(r"SECTION (\S+) (raw|zlib) (\d+) (\d+) ([0-9a-f]{8})", line)
        if not m:
            raise TruthError("bad section header %r at byte %d" % (line[:80], eol))
        name, enc, rawlen, length, crc = m.group(1), m.group(2), int(m.group(3)), \
            int(m.group(4)), int(m.group(5), 16)
        if len(data) - pos < length + 1:
            raise Incomplete("section %s: %d of %d bytes" % (name, len(data) - pos, length))
        payload = data[pos:pos + length]
        if data[pos + length:pos + length + 1] != b"\n":
            raise TruthError("section %s not followed by newline" % name)
        pos += length + 1
        if enc == "zlib":
            try:
                payload = zlib.decompress(payload)
            except zlib.error as e:
                raise TruthError("section %s: %s" % (name, e))
        if len(payload) != rawlen or zlib.crc32(payload) != crc:
            raise TruthError("section %s: length or CRC mismatch" % name)
        sections[name] = payload


class Task:
    """One task as /proc showed it. stable: S (same state in both snapshots),
    U (state changed), N (only in the second snapshot), G (only in the first).

    comm: /proc/.../comm; kcomm: task->comm (sched's first line); scomm: field
    2 of /proc/.../stat without the parentheses (what ps shows); tty_nr: field
    7; ticks: utime + stime of the task in USER_HZ ticks, ticks_prev the same
    one second earlier (None: not in the first snapshot); pticks: utime +
    stime of the whole process (/proc/TGID/stat)."""
    __slots__ = ("tid", "tgid", "ppid", "uid", "euid", "state", "flags", "stable",
                 "vsz_kb", "rss_kb", "start_ticks", "comm", "kcomm", "args", "scomm",
                 "tty_nr", "ticks", "ticks_prev", "pticks")

    @property
    def kthread(self):
        return bool(self.flags & PF_KTHREAD)

    @property
    def wq_worker(self):
        return bool(self.flags & PF_WQ_WORKER)

    def __repr__(self):
        return "Task(tid=%d tgid=%d comm=%r)" % (self.tid, self.tgid, self.comm)


def _unhex(s):
    return "" if s == "-" else bytes.fromhex(s).decode("utf-8", "surrogateescape")


def _unescape_kmsg(b):
    """/dev/kmsg escapes bytes below 0x20, from 0x7f up, and '\\' as \\xNN."""
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), b)


def parse_tasks(text):
    lines = text.decode().splitlines()
    if not lines or lines[0].split() != TASK_FIELDS:
        raise TruthError("tasks section has an unknown header")
    tasks = {}
    for ln in lines[1:]:
        f = ln.split(" ")
        if len(f) != len(TASK_FIELDS):
            raise TruthError("bad task line %r" % ln[:80])
        t = Task()
        t.tid, t.tgid, t.ppid, t.uid, t.euid = (int(x) for x in f[:5])
        t.state, t.flags, t.stable = f[5], int(f[6], 16), f[7]
        t.vsz_kb, t.rss_kb, t.start_ticks = int(f[8]), int(f[9]), int(f[10])
        t.comm, t.kcomm, t.args = _unhex(f[11]), _unhex(f[12]), _unhex(f[13])
        t.scomm, t.tty_nr, t.ticks = _unhex(f[14]), int(f[15]), int(f[16])
        t.ticks_prev = None if f[17] == "-" else int(f[17])
        t.pticks = int(f[18])
        tasks[t.tid] = t
    return tasks


def parse_kv(text, sep="="):
    """KEY=VALUE lines (vmcoreinfo) or 'KEY VALUE' lines (kvars, self)."""
    out = {}
    for ln in text.decode(errors="replace").splitlines():
        if sep in ln:
            k, v = ln.split(sep, 1)
            out[k.strip()] = v.strip()
    return out


class Truth:
    """Everything the guest said about itself."""

    def __init__(self, data, index=0):
        self.index = index
        self.sections = parse_sections(data, index)
        s = self.sections
        for need in ("uname", "iomem", "vmcoreinfo", "kvars", "kallsyms", "tasks", "self",
                     "meminfo", "clock"):
            if need not in s:
                raise TruthError("section %s missing" % need)
        self.release = s["uname"].decode().strip()
        self.kallsyms = s["kallsyms"].decode("utf-8", "surrogateescape").splitlines()
        self.tasks = parse_tasks(s["tasks"])
        self.self_pid = int(parse_kv(s["self"], " ")["pid"])
        vmci = s["vmcoreinfo"].decode(errors="replace")
        self.vmcoreinfo = None if vmci.startswith("absent") else parse_kv(s["vmcoreinfo"])
        self.vmcoreinfo_absent_reason = vmci.strip() if self.vmcoreinfo is None else None
        self.kvars = {}
        for k, v in parse_kv(s["kvars"], " ").items():
            if v == "absent":
                continue
            if k.endswith("_bytes"):
                self.kvars[k] = bytes.fromhex(v)
            else:
                self.kvars[k] = _unhex(v) if k == "linux_banner" else int(v, 16)
        self.iomem = s["iomem"].decode(errors="replace")
        m = re.search(r"^\s*([0-9a-f]+)-([0-9a-f]+) : Kernel code$", self.iomem, re.M)
        self.kernel_code = (int(m.group(1), 16), int(m.group(2), 16)) if m else None
        # Top-level "System RAM" ranges, [start, end) (iomem prints inclusive ends).
        self.system_ram = [(int(a, 16), int(b, 16) + 1) for a, b in re.findall(
            r"^([0-9a-f]+)-([0-9a-f]+) : System RAM$", self.iomem, re.M)]
        m = re.search(r"^MemTotal:\s+(\d+) kB$", s["meminfo"].decode(errors="replace"), re.M)
        self.mem_total_kb = int(m.group(1)) if m else None
        clock = parse_kv(s["clock"], " ")
        self.clk_tck = int(clock.get("clk_tck", "100"))

        def seconds(k):
            try:
                return float(clock[k])
            except (KeyError, ValueError):
                return None
        # /proc/uptime right after the second task snapshot, and just before END.
        self.uptime_snap, self.uptime_end = seconds("uptime_snap"), seconds("uptime_end")

    @property
    def kaslr_offset(self):
        if self.vmcoreinfo and "KERNELOFFSET" in self.vmcoreinfo:
            return int(self.vmcoreinfo["KERNELOFFSET"], 16)
        return None

    @property
    def phys_base(self):
        v = (self.vmcoreinfo or {}).get("NUMBER(phys_base)")
        if v is not None:
            return int(v, 0) & 0xffffffffffffffff
        return self.kvars.get("phys_base")

    @property
    def paging_levels(self):
        v = (self.vmcoreinfo or {}).get("NUMBER(pgtable_l5_enabled)")
        return None if v is None else (5 if int(v) else 4)

    def core_kallsyms(self):
        """(untagged lines, tagged lines): /proc/kallsyms lists core symbols
        first, then [module]/[bpf]/[__builtin__ftrace] ones tagged with '\\t['."""
        core = [ln for ln in self.kallsyms if "\t[" not in ln]
        tagged = [ln for ln in self.kallsyms if "\t[" in ln]
        return core, tagged

    def symbol(self, name):
        for ln in self.kallsyms:
            f = ln.split(" ", 2)
            if len(f) == 3 and f[2] == name:
                return int(f[0], 16)
        return None

    @property
    def btf(self):
        """The kernel's /sys/kernel/btf/vmlinux (section "btf", sent when the
        run asks for it: tests/guest/scenario.sh), or None."""
        b = self.sections.get("btf")
        return b if b is not None and b[:2] == b"\x9f\xeb" else None

    @property
    def btf_absent_reason(self):
        b = self.sections.get("btf")
        if b is None:
            return "no btf section (the guest was not asked for it)"
        return None if self.btf else b[:200].decode(errors="replace").strip()

    def kmsg(self):
        """The kernel log as /dev/kmsg gave it: [{seq, level, facility, ts_usec,
        cont, text}] (text unescaped), or None if the guest could not read it."""
        raw = self.sections.get("kmsg")
        if raw is None or raw.startswith(b"absent"):
            return None
        out = []
        for ln in raw.split(b"\n"):
            if not ln or ln.startswith(b" "):
                continue            # dictionary lines (SUBSYSTEM=..., DEVICE=...)
            head, _, text = ln.partition(b";")
            f = head.split(b",")
            prio = int(f[0])
            out.append({"seq": int(f[1]), "level": prio & 7, "facility": prio >> 3,
                        "ts_usec": int(f[2]), "cont": f[3] == b"c",
                        "text": _unescape_kmsg(text)})
        return out

    def variables(self, section="vartest"):
        """pid and [(name, addr, value)] printed by tests/guest/vartest.c."""
        text = self.sections.get(section, b"").decode()
        pid, out = None, []
        for ln in text.splitlines():
            f = ln.split()
            if len(f) == 2 and f[0] == "pid":
                pid = int(f[1])
            elif len(f) == 4 and f[0] == "VAR":
                out.append((f[1], int(f[2], 16), int(f[3], 16)))
        return pid, out


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    print("streams      %d complete" % count_complete(data))
    t = Truth(data, int(argv[2]) if len(argv) == 3 else 0)
    core, tagged = t.core_kallsyms()
    states = {}
    for task in t.tasks.values():
        states[task.state] = states.get(task.state, 0) + 1
    print("release      %s" % t.release)
    print("kallsyms     %d core lines, %d tagged" % (len(core), len(tagged)))
    print("tasks        %d (%s), %d kernel threads, %d not stable" % (
        len(t.tasks), " ".join("%s:%d" % kv for kv in sorted(states.items())),
        sum(x.kthread for x in t.tasks.values()),
        sum(x.stable != "S" for x in t.tasks.values())))
    print("kaslr        %s" % (hex(t.kaslr_offset) if t.kaslr_offset is not None
                               else t.vmcoreinfo_absent_reason))
    print("phys_base    %s" % (hex(t.phys_base) if t.phys_base is not None else "absent"))
    print("kernel code  %s" % ("%#x-%#x" % t.kernel_code if t.kernel_code else "absent"))
    print("system RAM   %s" % ", ".join("%#x-%#x" % r for r in t.system_ram))
    print("MemTotal     %s kB; uptime %s at the snapshot, %s at END" % (
        t.mem_total_kb, t.uptime_snap, t.uptime_end))
    print("on a tty     %s" % ", ".join("%d (%s) %#x" % (x.tid, x.scomm, x.tty_nr)
                                        for x in t.tasks.values() if x.tty_nr))
    for k, v in sorted(t.kvars.items()):
        print("%-12s %s" % (k, hex(v) if isinstance(v, int) else v.strip()))
    pid, variables = t.variables()
    print("vartest      pid %s: %s" % (pid, ", ".join("%s at %#x" % v[:2] for v in variables)))
    print("             %s" % t.sections.get("vartest", b"").decode().splitlines()[1:2])
    print("btf          %s" % ("%d bytes" % len(t.btf) if t.btf else t.btf_absent_reason))
    print("sections     %s" % " ".join(sorted(t.sections)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
