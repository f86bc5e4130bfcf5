#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write small BTF blobs as seeds for tests/fuzz/fuzz_btf.c.

Usage: tests/fuzz/gen_btf_seeds.py [OUTDIR]   (default tests/fuzz/seeds/fuzz_btf)

Each seed covers a corner of the format: every kind, anonymous members,
old- and new-style bitfields, a typedef chain, a longer header, strings
before types, an anonymous-member loop. The output is deterministic.
"""
import os
import struct
import sys

KIND = {name: i for i, name in enumerate(
    "UNKN INT PTR ARRAY STRUCT UNION ENUM FWD TYPEDEF VOLATILE CONST RESTRICT FUNC "
    "FUNC_PROTO VAR DATASEC FLOAT DECL_TAG TYPE_TAG ENUM64".split())}


class Btf:
    """Minimal BTF encoder: add types in id order (first is 1)."""

    def __init__(self):
        self.strs = bytearray(b"\0")
        self.offs = {"": 0}
        self.words = []
        self.nr = 0

    def s(self, name):
        if name not in self.offs:
            self.offs[name] = len(self.strs)
            self.strs += name.encode() + b"\0"
        return self.offs[name]

    def t(self, kind, name="", size_type=0, vlen=0, kflag=0, extra=()):
        info = (kflag << 31) | (KIND[kind] << 24) | vlen
        self.words += [self.s(name), info, size_type] + list(extra)
        self.nr += 1
        return self.nr

    def struct(self, name, size, members, kind="STRUCT", kflag=0):
        extra = []
        for mname, mtype, off in members:
            extra += [self.s(mname), mtype, off]
        return self.t(kind, name, size, len(members), kflag, extra)

    def blob(self, hdr_extra=0, strings_first=False):
        types = struct.pack("<%dI" % len(self.words), *self.words)
        strs = bytes(self.strs)
        hdr_len = 24 + hdr_extra
        if strings_first:
            pad = (-len(strs)) % 4
            str_off, type_off = 0, len(strs) + pad
            body = strs + b"\0" * pad + types
        else:
            type_off, str_off = 0, len(types)
            body = types + strs
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, hdr_len, type_off, len(types),
                          str_off, len(strs))
        return hdr + b"\0" * hdr_extra + body


def every_kind():
    b = Btf()
    i32 = b.t("INT", "int", 4, extra=[0x01000020])
    ch = b.t("INT", "char", 1, extra=[0x02000008])
    ul = b.t("INT", "unsigned long", 8, extra=[64])
    ptr = b.t("PTR", size_type=5)
    node = b.struct("node", 32, [("next", ptr, 0), ("", 6, 64), ("name", 8, 128),
                                 ("flags", i32, (3 << 24) | 192),
                                 ("mode", i32, (5 << 24) | 195)], kflag=1)
    assert node == 5
    b.struct("", 8, [("val", ul, 0), ("", 7, 0)], kind="UNION")
    b.struct("", 8, [("a", i32, 0), ("b", i32, 32)])
    b.t("ARRAY", extra=[ch, i32, 8])
    td = b.t("TYPEDEF", "node_t", 10)
    b.t("CONST", size_type=11)
    b.t("VOLATILE", size_type=12)
    b.t("TYPEDEF", "inner_t", 13)
    b.t("TYPE_TAG", "user", node)
    b.t("RESTRICT", size_type=ptr)
    b.t("ENUM", "color", 4, 2, 1, [b.s("RED"), 0, b.s("BLUE"), 0xFFFFFFFF])
    b.t("ENUM64", "big", 8, 1, 0, [b.s("HUGE"), 2, 1])
    outer = b.struct("outer", 48, [("hdr", td, 0), ("count", ul, 256)])
    proto = b.t("FUNC_PROTO", "", i32, 1, 0, [b.s("x"), ptr])
    b.t("FUNC", "fn", proto, 1)
    var = b.t("VAR", "var", outer, extra=[1])
    b.t("DATASEC", ".data", 64, 1, 0, [var, 0, 48])
    b.t("FLOAT", "double", 8)
    b.t("DECL_TAG", "tag", outer, extra=[1])
    b.t("FWD", "fwd", 0)
    b.t("ARRAY", extra=[8, i32, 2])
    bf = b.t("INT", "int", 4, extra=[0x01000003])
    b.struct("old", 8, [("a", i32, 0), ("bf", bf, 37)])
    b.t("ENUM", "", 4, 1, 0, [b.s("TASK_COMM_LEN"), 16])
    return b


def kernel_like():
    # task_struct-like: thread_info first, pid/tgid, comm[16], list_head tasks
    b = Btf()
    i32 = b.t("INT", "int", 4, extra=[0x01000020])
    ch = b.t("INT", "char", 1, extra=[0x02000008])
    ul = b.t("INT", "long unsigned int", 8, extra=[64])
    pid_t = b.t("TYPEDEF", "pid_t", i32)
    lh_ptr = b.t("PTR", size_type=6)
    lh = b.struct("list_head", 16, [("next", lh_ptr, 0), ("prev", lh_ptr, 64)])
    ti = b.struct("thread_info", 8, [("flags", ul, 0)])
    comm = b.t("ARRAY", extra=[ch, i32, 16])
    b.struct("task_struct", 64, [("thread_info", ti, 0), ("tasks", lh, 64),
                                 ("pid", pid_t, 192), ("tgid", pid_t, 224),
                                 ("comm", comm, 256), ("", 10, 384)])
    b.struct("", 16, [("mm", lh_ptr, 0), ("active_mm", lh_ptr, 64)])
    b.t("ENUM", "pid_type", 4, 2, 0, [b.s("PIDTYPE_PID"), 0, b.s("PIDTYPE_TGID"), 1])
    return b


def chain(n):
    b = Btf()
    for i in range(n):
        b.t("TYPEDEF", "t%d" % i, i + 2)
    b.t("INT", "int", 4, extra=[32])
    return b


def anon_loop():
    b = Btf()
    b.struct("a", 8, [("", 2, 0)])
    b.struct("b", 8, [("", 1, 0)], kind="UNION")
    return b


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "seeds", "fuzz_btf")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "every_kind.btf": every_kind().blob(),
        "every_kind_hdr32.btf": every_kind().blob(hdr_extra=8),
        "every_kind_strings_first.btf": every_kind().blob(strings_first=True),
        "kernel_like.btf": kernel_like().blob(),
        "typedef_chain.btf": chain(20).blob(),
        "anon_loop.btf": anon_loop().blob(),
        "empty.btf": Btf().blob(),
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
