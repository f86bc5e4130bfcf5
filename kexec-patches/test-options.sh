#!/bin/sh
# Bad --mint-* options, layouts and command lines: kexec-mint must refuse with
# exactly one line on stderr and exit status 1.
#
# Usage: kexec-patches/test-options.sh [KEXEC_MINT]
#
# Safe on the host: every case fails in option handling, before kexec reads
# the machine's memory map or makes any kexec syscall. As a second guard the
# kernel image never exists and no case uses -e, -f or -u, so even a broken
# build could at worst fail to open the kernel file.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
kexec=${1:-$here/../build/bin/kexec-mint}
[ -x "$kexec" ] || { echo "test-options.sh: $kexec missing (run kexec-patches/build-kexec.sh)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mint-kexec-options.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$tmp/no-such-kernel
pass=0
fail=0

# Layout files (docs/memmap.md), annotated with what is wrong.
cat >"$tmp/two-nodes.layout" <<'EOF'
memory 1G
node 0
cpus 0
ram 0x0 0x20000
ram 0x20000000 0x10000000 kernel
monitors all
node 1
cpus 1
ram 0x30000000 0x10000000 kernel
EOF
# unknown key on line 5
printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 0x10000000 kernel\nbogus 1\n' >"$tmp/syntax.layout"
# node 1's region starts inside node 0's
printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 0x10000000 kernel\nnode 1\ncpus 1\nram 0x28000000 0x10000000 kernel\n' \
	>"$tmp/overlap.layout"
# kernel region beyond installed memory
printf 'memory 256M\nnode 0\ncpus 0\nram 0x20000000 0x10000000 kernel\n' >"$tmp/outside.layout"
# more than 1 MiB: not a layout
head -c 1100000 /dev/zero >"$tmp/huge.layout"
# node 0 reads node 1's kernel region through a window line instead of 'monitors 1'
printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 0x10000000 kernel\nwindow 0x30000000 0x1000\nnode 1\ncpus 1\nram 0x30000000 0x10000000 kernel\n' \
	>"$tmp/window.layout"
# the same window next to 'monitors 1': redundant, and two e820 items in one
printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 0x10000000 kernel\nmonitors 1\nwindow 0x30000000 0x1000\nnode 1\ncpus 1\nram 0x30000000 0x10000000 kernel\n' \
	>"$tmp/window-monitored.layout"

# expect PATTERN ARGS...: exit status 1 and one stderr line matching PATTERN.
expect() {
	pattern=$1
	shift
	set +e
	"$kexec" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		pass=$((pass + 1))
		printf '  ok    %s\n        -> %s\n' "$*" "$(cat "$tmp/err")"
	else
		fail=$((fail + 1))
		printf '  FAIL  %s (rc=%s, %s stderr lines, want /%s/)\n' "$*" "$rc" "$lines" "$pattern"
		sed 's/^/        /' "$tmp/err" "$tmp/out"
	fi
}

P=--mint-preset=kexec-mint,3
expect 'no such node in the layout (nodes 0-2)' --mint-node=9 $P -l "$kernel"
expect 'no such node in the layout (nodes 0-2)' --mint-node=3 $P -l "$kernel"
expect 'no such node in the layout (nodes 0-1)' --mint-node=2 --mint-layout="$tmp/two-nodes.layout" -l "$kernel"
expect 'not a node number' --mint-node=-1 $P -l "$kernel"
expect 'not a node number' --mint-node=1x $P -l "$kernel"
expect 'not a node number' --mint-node= $P -l "$kernel"
expect 'not a node number' --mint-node=99999999999999999999 $P -l "$kernel"
expect 'needs exactly one of' --mint-node=1 -l "$kernel"
expect 'needs exactly one of' --mint-node=1 $P --mint-layout="$tmp/two-nodes.layout" -l "$kernel"
expect 'need --mint-node' $P -l "$kernel"
expect 'need --mint-node' --mint-layout="$tmp/two-nodes.layout" -l "$kernel"
expect 'given twice' --mint-node=1 --mint-node=2 $P -l "$kernel"
expect 'expected NAME,NODES' --mint-node=1 --mint-preset=kexec-mint -l "$kernel"
expect 'expected NAME,NODES' --mint-node=1 --mint-preset=,3 -l "$kernel"
expect 'expected NAME,NODES' --mint-node=1 --mint-preset=kexec-mint,3x -l "$kernel"
expect "unknown preset 'foo'" --mint-node=1 --mint-preset=foo,3 -l "$kernel"
expect 'supports 1 to 3 nodes, not 4' --mint-node=1 --mint-preset=kexec-mint,4 -l "$kernel"
expect 'supports 1 to 3 nodes, not 17' --mint-node=1 --mint-preset=kexec-mint,17 -l "$kernel"
expect 'supports 1 to 3 nodes, not 0' --mint-node=0 --mint-preset=kexec-mint,0 -l "$kernel"
expect 'No such file or directory' --mint-node=0 --mint-layout="$tmp/missing.layout" -l "$kernel"
expect 'syntax.layout:5: unknown key' --mint-node=0 --mint-layout="$tmp/syntax.layout" -l "$kernel"
expect 'invalid Mint layout: .*overlaps' --mint-node=0 --mint-layout="$tmp/overlap.layout" -l "$kernel"
expect 'invalid Mint layout: .*outside installed memory' --mint-node=0 --mint-layout="$tmp/outside.layout" -l "$kernel"
expect 'file too large for a layout' --mint-node=0 --mint-layout="$tmp/huge.layout" -l "$kernel"
expect 'only apply to loading' --mint-node=1 $P -S
expect 'cannot be combined with -p' --mint-node=1 $P -p "$kernel"
expect 'cannot be combined with -p' --mint-node=1 $P --load-preserve-context "$kernel"
expect 'need the kexec_load syscall' --mint-node=1 $P -s -l "$kernel"
expect 'need the kexec_load syscall' --mint-node=1 $P -a -l "$kernel"
expect '--mem-min/--mem-max cannot be combined' --mint-node=1 $P --mem-min=0x1000000 -l "$kernel"
expect '--mem-min/--mem-max cannot be combined' --mint-node=1 $P --mem-max=0x40000000 -l "$kernel"
# A window over another node's RAM: the engine refuses it (kexec used to find out at load time).
expect "invalid Mint layout: node 0 window 0x30000000-0x30000fff overlaps node 1 ram 0x30000000-0x3fffffff: to read node 1's memory, say 'monitors 1'" \
	--mint-node=0 --mint-layout="$tmp/window.layout" -l "$kernel"
expect "overlaps node 1 ram 0x30000000-0x3fffffff, which 'monitors 1' already makes a window" \
	--mint-node=1 --mint-layout="$tmp/window-monitored.layout" -l "$kernel"
# The node's identity (mint_node=, mint_layout=) is kexec's to set, whatever the spelling.
I="a Mint node's identity is kexec's to set"
expect "$I" --mint-node=1 $P --append='mint_node=1' -l "$kernel"
expect "$I" --mint-node=1 $P --append='console=ttyS0 mint_layout=0123456789abcdef' -l "$kernel"
expect "$I" --mint-node=1 $P --command-line='quiet mint-node=2' -l "$kernel"
expect "$I" --append='mint_layout' --mint-node=1 $P -l "$kernel"
expect "$I" --mint-node=1 --mint-layout="$tmp/two-nodes.layout" --append='a' --append='mint_node=0' -l "$kernel"

echo "test-options.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
