# SPDX-License-Identifier: GPL-2.0
"""The kernel module's checks on the emulated Mint machine (monitor/kmod/).

test_mint.py calls run(res, m, args) at the end of the kexec-mint machine's
cases (after the reboot), unless --skip-module: res is its Results (record
with res.case(name, ok, detail)), m the running MintMachine, args the parsed
command line. Empty for now; the module's owner fills it in.
"""


def run(res, m, args):
    pass
