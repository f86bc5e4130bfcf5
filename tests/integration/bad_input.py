# SPDX-License-Identifier: GPL-2.0
"""Bad input: each case must end in a non-zero exit and one clear line on
stderr, in bounded time, never a crash (a signal) or a hang.

check_bad_input(mintmon, memfile, workdir) runs every case. The cases that
need a real kernel start from a paused guest's memory file (memfile) and
corrupt a copy of it in workdir: a truncated image, a task list that loops,
BTF with out-of-range type ids and string offsets.
"""
import json
import os
import shutil
import struct
import subprocess

TIMEOUT = 60    # seconds: "bounded time" for every case


class BadInputFail(Exception):
    pass


def expect_error(mintmon, args, keyword, what):
    """Run mintmon ARGS; it must fail with exactly one stderr line containing keyword."""
    try:
        r = subprocess.run([mintmon] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BadInputFail("%s: no answer within %d s" % (what, TIMEOUT))
    err = r.stderr.decode(errors="replace").strip().splitlines()
    if r.returncode < 0:
        raise BadInputFail("%s: killed by signal %d" % (what, -r.returncode))
    if r.returncode == 0:
        raise BadInputFail("%s: exit status 0" % what)
    if len(err) != 1:
        raise BadInputFail("%s: expected one line on stderr, got %d: %r" % (what, len(err), err))
    if keyword.lower() not in err[0].lower():
        raise BadInputFail("%s: %r does not mention %r" % (what, err[0], keyword))
    return err[0]


def tool_json(mintmon, target, *args):
    return json.loads(subprocess.run([mintmon, "-t", target] + list(args), check=True,
                                     stdout=subprocess.PIPE, timeout=TIMEOUT).stdout)


def tool_out(mintmon, target, *args):
    return subprocess.run([mintmon, "-t", target] + list(args), check=True,
                          stdout=subprocess.PIPE, timeout=TIMEOUT).stdout


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def vtop(mintmon, target, vaddr):
    return int(tool_json(mintmon, target, "vtop", "%#x" % vaddr, "--json")["phys"], 16)


def looping_image(mintmon, memfile, out):
    """A copy of memfile whose process list goes pid 1 -> pid 2 -> pid 1."""
    target = "file:" + memfile
    tasks = {t["pid"]: int(t["task"], 16) for t in tool_json(mintmon, target, "ps", "--json")}
    syms = dict((l.split()[2], int(l.split()[0], 16))
                for l in tool_out(mintmon, target, "syms").decode().splitlines())
    init_task = tool_out(mintmon, target, "vread", "%#x" % syms["init_task"], "16384", "--raw")
    # init_task.tasks.next points at pid 1's tasks member: the offset where
    # init_task holds (pid 1's task_struct + that same offset) is tasks'.
    offs = [o for o in range(0, len(init_task) - 8, 8)
            if struct.unpack_from("<Q", init_task, o)[0] == tasks[1] + o]
    if len(offs) != 1:
        raise BadInputFail("loop: cannot tell task_struct.tasks (%d candidates)" % len(offs))
    off = offs[0]
    shutil.copyfile(memfile, out)
    patch(out, vtop(mintmon, target, tasks[2] + off), struct.pack("<Q", tasks[1] + off))
    return out


# BTF kinds and the bytes that follow struct btf_type for each (include/uapi/linux/btf.h).
def _btf_extra(kind, vlen):
    return {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4,
            15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)


def corrupt_btf(mintmon, memfile, out_dir):
    """The kernel's own BTF, then two corruptions of it: files to pass as --btf."""
    target = "file:" + memfile
    syms = dict((l.split()[2], int(l.split()[0], 16))
                for l in tool_out(mintmon, target, "syms").decode().splitlines()
                if "_BTF" in l)
    start, stop = syms["__start_BTF"], syms["__stop_BTF"]
    blob = bytearray(tool_out(mintmon, target, "vread", "%#x" % start, str(stop - start), "--raw"))
    magic, _, _, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", blob)
    if magic != 0xeb9f:
        raise BadInputFail("BTF read from the guest has magic %#x" % magic)
    pos = hdr_len + type_off
    bad_type = bad_name = None
    while pos < hdr_len + type_off + type_len and bad_type is None:
        name_off, info, size_type = struct.unpack_from("<III", blob, pos)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        if kind == 2:           # PTR: its "type" field refers to another type
            bad_type = pos + 8
        if bad_name is None and name_off:
            bad_name = pos
        pos += 12 + _btf_extra(kind, vlen)
    a = bytearray(blob)
    struct.pack_into("<I", a, bad_type, 0x7ffffff0)
    b = bytearray(blob)
    struct.pack_into("<I", b, bad_name, str_len + 12345)
    return (write(os.path.join(out_dir, "btf-bad-type"), a),
            write(os.path.join(out_dir, "btf-bad-name"), b))


def btf_less_copy(mintmon, memfile, btf, start_btf, out):
    """A copy of memfile (out) whose kernel BTF has its magic zeroed, as a
    kernel built without BTF would have no usable .BTF. btf is the guest's
    /sys/kernel/btf/vmlinux, start_btf the address of __start_BTF. Returns
    the physical address of __start_BTF (found with vtop on the original)."""
    phys = vtop(mintmon, "file:" + memfile, start_btf)
    with open(memfile, "rb") as f:
        f.seek(phys)
        head = f.read(4096)
    if head[:2] != b"\x9f\xeb" or head != btf[:len(head)]:
        raise BadInputFail("btf: physical %#x (__start_BTF %#x) is not the guest's BTF: %s" % (
            phys, start_btf, head[:8].hex()))
    shutil.copyfile(memfile, out)
    patch(out, phys, b"\0\0")
    return phys


def check_bad_input(mintmon, memfile, workdir):
    d = os.path.join(workdir, "bad-input")
    os.makedirs(d, exist_ok=True)
    info = tool_json(mintmon, "file:" + memfile, "info", "--json")
    text_phys = int(info["text_phys"], 16)
    results = []
    try:
        cases = [
            (["-t", "file:" + os.path.join(d, "missing"), "info"], "cannot open", "missing file"),
            (["-t", "file:" + write(os.path.join(d, "empty"), b""), "info"], "empty",
             "empty file"),
            (["-t", "file:" + write(os.path.join(d, "zeros"), bytes(64 << 20)), "ps"],
             "no x86-64 Linux kernel", "64 MiB of zeros"),
            (["-t", "file:" + write(os.path.join(d, "random"), os.urandom(64 << 20)), "ps"],
             "no x86-64 Linux kernel", "64 MiB of random bytes"),
            (["-t", "elf:" + os.path.join(d, "random"), "ps"], "not an ELF",
             "random bytes as an ELF core"),
            (["-t", "nettlp:127.0.0.1", "info"], "unknown target", "unknown target scheme"),
        ]
        # The guest's memory cut just below the kernel image.
        with open(memfile, "rb") as src:
            trunc = write(os.path.join(d, "truncated"), src.read(text_phys))
        cases.append((["-t", "file:" + trunc, "ps"], "no x86-64 Linux kernel",
                      "image truncated below the kernel"))
        # A non-Linux x86 image: the guest's own firmware (SeaBIOS) in 16 MiB.
        bios = "/usr/share/seabios/bios-256k.bin"
        if os.path.exists(bios):
            img = bytearray(16 << 20)
            fw = open(bios, "rb").read()
            img[0x100000 - len(fw):0x100000] = fw
            cases.append((["-t", "file:" + write(os.path.join(d, "bios"), img), "ps"],
                          "no x86-64 Linux kernel", "a firmware image, not Linux"))
        # An ELF core of another architecture (AArch64), otherwise well formed.
        eh = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack(
            "<HHIQQQIHHHHHH", 4, 183, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
        ph = struct.pack("<IIQQQQQQ", 1, 7, 0x1000, 0, 0, 0x1000, 0x1000, 0x1000)
        arm = write(os.path.join(d, "arm.core"), (eh + ph).ljust(0x2000, b"\0"))
        cases.append((["-t", "elf:" + arm, "info"], "not an x86-64", "AArch64 ELF core"))
        bad_type, bad_name = corrupt_btf(mintmon, memfile, d)
        cases.append((["-t", "file:" + memfile, "--btf", bad_type, "ps"], "BTF",
                      "BTF with an out-of-range type id"))
        cases.append((["-t", "file:" + memfile, "--btf", bad_name, "ps"], "BTF",
                      "BTF with an out-of-range name offset"))
        loop = looping_image(mintmon, memfile, os.path.join(d, "loop"))
        cases.append((["-t", "file:" + loop, "ps"], "loop", "task list that loops"))
        for args, keyword, what in cases:
            results.append("%s: %s" % (what, expect_error(mintmon, args, keyword, what)))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return results
