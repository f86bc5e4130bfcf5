# SPDX-License-Identifier: GPL-2.0
"""Build a busybox initramfs (newc cpio, gzip) without root and without cpio(1).

Library:
    build(out, init, files=(), busybox="/bin/busybox")
        init   the /init script: a path, or its text (str/bytes)
        files  (src, dest[, mode]) tuples or a {dest: src} dict; src is a host
               path or bytes; dest is the absolute path inside the guest.
               Parent directories are created. Mode defaults to the source's
               mode (0644 for bytes). The same file listed twice (same dest,
               same bytes) goes in once; different bytes for one dest are an
               error.
    binary_files(src, dest=None)
        (src, dest, 0755) tuples for a dynamically linked host program and
        what the loader needs to run it in the busybox initramfs: every
        shared library `ldd` names, at the path ldd gives, and the dynamic
        loader. A static program comes back alone. dest defaults to src.
CLI:
    python3 tests/lib/initramfs.py -o OUT --init SCRIPT [--file SRC:DEST[:MODE]]...
                                   [--busybox PATH | --no-busybox]

The archive holds /dev/console (the kernel opens it for init's stdio before
anything is mounted), the usual empty directories, busybox with one symlink
per applet, the extra files, and /init. Output is reproducible (mtime 0,
sorted entries).
"""

import argparse
import gzip
import os
import re
import stat
import subprocess
import sys

BASE_DIRS = ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "run",
             "etc", "root", "mnt", "var")


class _Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1
        self.seen = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name = name.strip("/")
        if name in self.seen:
            raise ValueError("duplicate initramfs entry /%s" % name)
        self.seen.add(name)
        namez = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(namez), 0)
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
        self.out += hdr + namez
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def dir(self, name, mode=0o755):
        self._entry(name, stat.S_IFDIR | mode, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def _norm_files(files):
    if isinstance(files, dict):
        files = list(files.items())
        files = [(src, dest) for dest, src in files]
    out = []
    for f in files:
        src, dest = f[0], f[1]
        mode = f[2] if len(f) > 2 else None
        if not dest.startswith("/"):
            raise ValueError("initramfs destination must be absolute: %r" % dest)
        if isinstance(src, (bytes, bytearray)):
            data = bytes(src)
            mode = 0o644 if mode is None else mode
        elif isinstance(src, str):
            with open(src, "rb") as fh:
                data = fh.read()
            mode = stat.S_IMODE(os.stat(src).st_mode) if mode is None else mode
        else:
            raise TypeError("initramfs source must be a path or bytes: %r" % (src,))
        out.append((dest.strip("/"), data, mode))
    return out


def binary_files(src, dest=None):
    """Initramfs file tuples for host program src (at dest, default src) and
    its shared libraries and dynamic loader, as `ldd` resolves them on this
    host. Raises ValueError if a library is not found."""
    out = [(src, dest or src, 0o755)]
    res = subprocess.run(["ldd", src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = res.stdout.decode(errors="replace")
    if res.returncode != 0:
        if "not a dynamic executable" in text or "statically linked" in text:
            return out
        raise ValueError("ldd %s: %s" % (src, text.strip()))
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"^(\S+) => (.*?)(?: \(0x[0-9a-f]+\))?$", line)
        if m:
            if not m.group(2).startswith("/"):         # "not found"
                raise ValueError("ldd %s: %s" % (src, line))
            out.append((m.group(2), m.group(2), 0o755))
            continue
        m = re.match(r"^(/\S+) \(0x[0-9a-f]+\)$", line)      # the loader
        if m:
            out.append((m.group(1), m.group(1), 0o755))
        # else linux-vdso.so.1 and the like: in the kernel, nothing to copy
    return out


def busybox_applets(busybox):
    """Paths (relative to /) of the applets busybox was built with."""
    res = subprocess.run([busybox, "--list-full"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=True)
    return sorted(set(x for x in res.stdout.decode().split() if x))


def build(out, init, files=(), busybox="/bin/busybox", level=6):
    """Write the initramfs to path `out`; returns its size in bytes."""
    if isinstance(init, str) and os.path.exists(init):
        with open(init, "rb") as fh:
            init = fh.read()
    if isinstance(init, str):
        init = init.encode()
    entries, by_dest = [], {}
    for dest, data, mode in _norm_files(files):
        if dest in by_dest:
            if by_dest[dest] != data:
                raise ValueError("initramfs entry /%s given twice with different contents" % dest)
            continue
        by_dest[dest] = data
        entries.append((dest, data, mode))

    dirs = set(BASE_DIRS)
    for dest, _, _ in entries:
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))

    links = []
    if busybox:
        for applet in busybox_applets(busybox):
            applet = applet.strip("/")
            if applet == "bin/busybox":
                continue
            links.append(applet)
            parts = applet.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))

    c = _Cpio()
    for d in sorted(dirs):
        c.dir(d, 0o1777 if d == "tmp" else 0o755)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    taken = set(dest for dest, _, _ in entries)
    if busybox:
        with open(busybox, "rb") as fh:
            c.file("bin/busybox", fh.read(), 0o755)
        for applet in links:
            if applet not in taken:
                c.symlink(applet, "/bin/busybox")
    for dest, data, mode in sorted(entries):
        c.file(dest, data, mode)
    if "init" not in taken:
        c.file("init", init, 0o755)

    tmp = "%s.tmp%d" % (out, os.getpid())
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0) as gz:
            gz.write(c.finish())
    os.replace(tmp, out)
    return os.path.getsize(out)


def main(argv):
    ap = argparse.ArgumentParser(description="build a busybox initramfs")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--init", required=True, help="the /init script")
    ap.add_argument("--file", action="append", default=[], metavar="SRC:DEST[:MODE]")
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--no-busybox", action="store_true")
    a = ap.parse_args(argv)
    files = []
    for spec in a.file:
        f = spec.split(":")
        if len(f) not in (2, 3):
            ap.error("--file wants SRC:DEST[:MODE], got %r" % spec)
        files.append((f[0], f[1], int(f[2], 8)) if len(f) == 3 else (f[0], f[1]))
    try:
        build(a.output, a.init, files, None if a.no_busybox else a.busybox)
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print("initramfs: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
