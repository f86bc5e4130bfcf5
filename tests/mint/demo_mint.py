#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make demo-mint: bring up the emulated 3-node Mint machine (kexec-mint,
node 2 on a 6.12 kernel), load mintmon.ko on node 0, and show from node 0
each peer's state and process list. Everything is torn down at the end.

    tests/mint/demo_mint.py [--mintmon build/bin/mintmon] [--keep-logs DIR]
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machine  # noqa: E402
import module_checks  # noqa: E402


def show(node, cmd, timeout=300):
    rc, out = node.run(cmd, timeout=timeout)
    print("node0# %s" % cmd)
    print(out.rstrip())
    print()
    return rc


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mintmon", default=os.path.join(machine.TOP, "build", "bin", "mintmon"))
    a = ap.parse_args(argv)
    print("booting the 3-node Mint machine (QEMU TCG; about a minute)...", flush=True)
    with machine.MintMachine(nodes=3, node_kernels={2: "6.12-amd64"},
                             node_files_for=module_checks.node_files(a.mintmon),
                             log=lambda msg: print(msg, flush=True)) as m:
        n0 = m.nodes[0]
        if show(n0, "insmod /lib/mintmon_dev.ko && insmod /lib/mintmon.ko && dmesg | grep mintmon: | tail -n 4"):
            return 1
        for p in m.nodes[1:]:
            module_checks.wait_state(n0, p.id, "running", 120)
        show(n0, "mintmon nodes")
        for p in m.nodes[1:]:
            show(n0, "mintmon -t node:%d ps | head -n 25" % p.id)
            show(n0, "mintmon -t node:%d health" % p.id)
        time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
