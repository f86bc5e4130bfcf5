#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: boot a Debian 6.12 guest (KASLR on, RAM in /dev/shm), wait until
its scenario has settled, pause it, and show `mintmon info` and `mintmon ps`
read from its memory; then let it run and show `mintmon health` and the last
lines of `mintmon dmesg`. Everything is cleaned up afterwards."""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import kernels  # noqa: E402
import qemu  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mintmon", default=os.path.join(ROOT, "build", "bin", "mintmon"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "guest", "scenario.cpio.gz"))
    ap.add_argument("--kernel", default="6.12-amd64", help="one of: " + " ".join(kernels.NAMES))
    ap.add_argument("--la57", action="store_true", help="5-level paging")
    a = ap.parse_args(argv)
    try:
        k = kernels.get(a.kernel)
    except kernels.KernelError as e:
        print("demo: %s" % e, file=sys.stderr)
        return 1
    print("== booting %s (KASLR on, TCG) ..." % k.release, flush=True)
    with qemu.Guest(k.vmlinuz, a.initrd, la57=a.la57) as g:
        try:
            t = g.wait_for_truth(180)
        except qemu.GuestError as e:
            print("demo: %s" % e, file=sys.stderr)
            return 1
        g.stop()
        print("== guest up after %.1fs and paused; its RAM is %s" % (g.truth_seconds, g.memfile))
        rc = 0
        for cmd in (["info"], ["ps"], ["health"], ["dmesg"]):
            argv = [a.mintmon, "-t", "file:" + g.memfile] + cmd
            print("\n$ mintmon -t file:%s %s%s" % (g.memfile, " ".join(cmd),
                                                  " | tail -n 12" if cmd == ["dmesg"] else ""),
                  flush=True)
            if cmd == ["dmesg"]:
                r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
                sys.stdout.write(b"".join(r.stdout.splitlines(True)[-12:]).decode(
                    errors="replace"))
                rc |= r.returncode
            else:
                rc |= subprocess.call(argv, stdin=subprocess.DEVNULL)
            if cmd == ["ps"]:
                # The guest runs on for health: a paused guest is hung by definition.
                g.cont()
                time.sleep(1)
        print("\n== the guest's own view: %s, KASLR offset %s, %d tasks" % (
            t.release, hex(t.kaslr_offset) if t.kaslr_offset is not None else "unknown",
            len(t.tasks)))
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
