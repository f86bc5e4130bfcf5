# SPDX-License-Identifier: GPL-2.0
"""The six Debian bookworm test kernels: 6.1 and 6.12, each as amd64,
cloud-amd64 and rt-amd64 (linux-image-*-unsigned).

The newest package of each flavour (by apt-cache) is fetched with
`apt-get download` into $MINTMON_CACHE (default ~/.cache/mintmon)/debs and its
vmlinuz and config are extracted to $MINTMON_CACHE/kernels/RELEASE/. A .deb
already in /root/.cache/mintmon/debs is reused. Without network (or apt
lists), the newest cached .deb of the flavour is used.

Flavour names: 6.1-amd64 6.1-cloud-amd64 6.1-rt-amd64 6.12-amd64
6.12-cloud-amd64 6.12-rt-amd64.

Library:   get(name) -> Kernel(name, release, vmlinuz, config, deb)
           get_all(names=None) -> [Kernel]
CLI:       python3 tests/lib/kernels.py [--list] [NAME...]
           fetches/extracts and prints "NAME RELEASE VMLINUZ" per kernel.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

SERIES = ("6.1", "6.12")
FLAVOURS = ("amd64", "cloud-amd64", "rt-amd64")
NAMES = tuple("%s-%s" % (s, f) for s in SERIES for f in FLAVOURS)
SHARED_DEBS = "/root/.cache/mintmon/debs"


class KernelError(Exception):
    pass


class Kernel:
    def __init__(self, name, release, vmlinuz, config, deb):
        self.name, self.release, self.vmlinuz, self.config, self.deb = \
            name, release, vmlinuz, config, deb

    def __repr__(self):
        return "Kernel(%s, %s)" % (self.name, self.release)


def cache_dir():
    return os.environ.get("MINTMON_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                           "mintmon")


def _split(name):
    for s in SERIES:
        if name.startswith(s + "-") and name[len(s) + 1:] in FLAVOURS:
            return s, name[len(s) + 1:]
    raise KernelError("unknown kernel %r (known: %s)" % (name, " ".join(NAMES)))


def _pkg_re(series, flavour):
    # 6.1:  linux-image-6.1.0-56-amd64-unsigned
    # 6.12: linux-image-6.12.117+deb12-amd64-unsigned
    if series == "6.1":
        rel = r"6\.1\.0-(\d+)"
    else:
        rel = r"6\.12\.(\d+)\+deb\d+"
    return re.compile(r"linux-image-(%s-%s)-unsigned" % (rel, re.escape(flavour)))


def _newest_package(series, flavour):
    """(package, release) of the newest flavour package apt knows, or None."""
    try:
        res = subprocess.run(["apt-cache", "pkgnames", "linux-image-%s" % series],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    rx = _pkg_re(series, flavour)
    best = None
    for pkg in res.stdout.decode().split():
        m = rx.fullmatch(pkg)
        if m and (best is None or int(m.group(2)) > best[0]):
            best = (int(m.group(2)), pkg, m.group(1))
    return best and best[1:]


def _cached_debs(series, flavour):
    """{release: path} of .debs of this flavour in the caches."""
    rx = _pkg_re(series, flavour)
    found = {}
    for d in (os.path.join(cache_dir(), "debs"), SHARED_DEBS):
        for path in glob.glob(os.path.join(d, "linux-image-*_amd64.deb")):
            m = rx.fullmatch(os.path.basename(path).split("_")[0])
            if m:
                found.setdefault(m.group(1), (int(m.group(2)), path))
    return found


def _download(pkg, dest_dir):
    os.makedirs(dest_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dl-", dir=dest_dir)
    try:
        res = subprocess.run(["apt-get", "download", "-q", pkg], cwd=tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        debs = glob.glob(os.path.join(tmp, "*.deb"))
        if res.returncode != 0 or len(debs) != 1:
            raise KernelError("apt-get download %s failed: %s" % (
                pkg, res.stdout.decode(errors="replace").strip()[-300:]))
        final = os.path.join(dest_dir, os.path.basename(debs[0]))
        os.replace(debs[0], final)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract(deb, release, out_dir):
    """Extract boot/vmlinuz-RELEASE and boot/config-RELEASE from deb."""
    vmlinuz = os.path.join(out_dir, "vmlinuz")
    config = os.path.join(out_dir, "config")
    if os.path.exists(vmlinuz) and os.path.exists(config):
        return vmlinuz, config
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="x-", dir=out_dir)
    try:
        members = ["./boot/vmlinuz-%s" % release, "./boot/config-%s" % release]
        cmd = "dpkg-deb --fsys-tarfile '%s' | tar -x -C '%s' %s" % (
            deb, tmp, " ".join("'%s'" % m for m in members))
        res = subprocess.run(["sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if res.returncode != 0:
            raise KernelError("cannot extract %s: %s" % (deb, res.stdout.decode().strip()))
        os.replace(os.path.join(tmp, "boot", "config-%s" % release), config)
        os.replace(os.path.join(tmp, "boot", "vmlinuz-%s" % release), vmlinuz)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return vmlinuz, config


_updated = False


def _apt_update_once():
    """Refresh apt's lists once per process: a fresh machine's lists may name
    kernel packages the archive no longer serves."""
    global _updated
    if _updated:
        return False
    _updated = True
    res = subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, timeout=600)
    return res.returncode == 0


def get(name, offline=None):
    """The Kernel for flavour name, fetching and extracting it if needed."""
    series, flavour = _split(name)
    if offline is None:
        offline = bool(os.environ.get("MINTMON_OFFLINE"))
    cached = _cached_debs(series, flavour)
    newest = None if offline else _newest_package(series, flavour)
    deb = None
    if newest:
        pkg, release = newest
        if release in cached:
            deb = cached[release][1]
        else:
            try:
                deb = _download(pkg, os.path.join(cache_dir(), "debs"))
            except KernelError as e:
                if not cached and _apt_update_once():
                    newest = _newest_package(series, flavour)
                    if not newest:
                        raise
                    pkg, release = newest
                    deb = _download(pkg, os.path.join(cache_dir(), "debs"))
                elif not cached:
                    raise
                else:
                    print("kernels: %s; using a cached package" % e, file=sys.stderr)
    if deb is None:
        if not cached:
            raise KernelError("no package for %s: apt knows none and none is cached in %s" % (
                name, os.path.join(cache_dir(), "debs")))
        release = max(cached, key=lambda r: cached[r][0])
        deb = cached[release][1]
    vmlinuz, config = _extract(deb, release, os.path.join(cache_dir(), "kernels", release))
    return Kernel(name, release, vmlinuz, config, deb)


def get_all(names=None, offline=None):
    return [get(n, offline) for n in (names or NAMES)]


def main(argv):
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv[:1] == ["--list"]:
        print("\n".join(NAMES))
        return 0
    try:
        for k in get_all(argv or None):
            print("%s %s %s" % (k.name, k.release, k.vmlinuz))
    except KernelError as e:
        print("kernels: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
