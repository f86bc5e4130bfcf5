#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mint-memmap's command line: every bad input gives exactly one line on
# stderr starting with "mint-memmap: ", nothing on stdout and the documented
# exit code (2: bad command line, 1: bad layout or I/O); good input gives
# well-formed output, and docs/img/mint-3-nodes.svg matches what the CLI draws.
#
# usage: tests/memmap/test_cli.sh build/bin/mint-memmap
set -u

BIN=${1:-build/bin/mint-memmap}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mint-memmap-cli.$$.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
failures=0
checks=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_error CODE PATTERN ARGS...: exit CODE, one stderr line matching PATTERN.
expect_error() {
	code=$1
	pattern=$2
	shift 2
	checks=$((checks + 1))
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -ne "$code" ]; then
		fail "$*: exit $rc, want $code ($(head -c 200 "$TMP/err"))"
	elif [ "$lines" -ne 1 ]; then
		fail "$*: $lines lines on stderr, want 1"
	elif ! grep -q "^mint-memmap: " "$TMP/err"; then
		fail "$*: stderr does not start with 'mint-memmap: ': $(cat "$TMP/err")"
	elif ! grep -qE -- "$pattern" "$TMP/err"; then
		fail "$*: '$(cat "$TMP/err")' does not match '$pattern'"
	elif [ -s "$TMP/out" ]; then
		fail "$*: wrote to stdout on error"
	fi
}

# expect_ok ARGS...: exit 0, nothing on stderr; output in $TMP/out.
expect_ok() {
	checks=$((checks + 1))
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$TMP/err" ]; then
		fail "$*: exit $rc, stderr '$(head -c 200 "$TMP/err")'"
		return 1
	fi
	return 0
}

P3="--preset kexec-mint --nodes 3"

# --- bad command lines (exit 2) ---
expect_error 2 "give either --preset" --table
expect_error 2 "give either --preset"
expect_error 2 "give either --preset" $P3 --layout /dev/null --table
expect_error 2 "--preset needs --nodes" --preset kexec-mint --table
expect_error 2 "--nodes goes with --preset" --layout /dev/null --nodes 3 --table
expect_error 2 "give one of --table" $P3
expect_error 2 "give only one of" $P3 --table --json
expect_error 2 "give only one of" $P3 --cmdline --svg "$TMP/x.svg"
expect_error 2 "give only one of" $P3 --canonical --hash
expect_error 2 "option --hash takes no value" $P3 --hash=1
expect_error 2 "--node 3: the layout has nodes 0 to 2" $P3 --node 3 --hash
expect_error 2 "--nodes: 'abc' is not a number" --preset kexec-mint --nodes abc --table
expect_error 2 "--nodes: '-1' is not a number" --preset kexec-mint --nodes -1 --table
expect_error 2 "--nodes: '3x' is not a number" --preset kexec-mint --nodes 3x --table
expect_error 2 "--nodes: '' is not a number" --preset kexec-mint --nodes "" --table
expect_error 2 "--nodes: 99999999999999999999 is out of range" \
	--preset kexec-mint --nodes 99999999999999999999 --table
expect_error 2 "--node: 16 is out of range" $P3 --node 16 --table
expect_error 2 "--node 3: the layout has nodes 0 to 2" $P3 --node 3 --cmdline
expect_error 2 "unknown option '--bogus'" $P3 --bogus
expect_error 2 "unknown option '-x'" $P3 -x
expect_error 2 "unknown option '-x'" $P3 -xyz
expect_error 2 "unknown option '-s'" $P3 -s
expect_error 2 "option --table takes no value" $P3 --table=1
expect_error 2 "option --node needs a value" $P3 --table --node
expect_error 2 "option --svg needs a value" $P3 --svg
expect_error 2 "unexpected argument 'extra'" $P3 --table extra

# --- bad layouts and I/O (exit 1) ---
expect_error 1 "supports 1 to 3 nodes, not 4" --preset kexec-mint --nodes 4 --table
expect_error 1 "supports 1 to 3 nodes, not 0" --preset kexec-mint --nodes 0 --table
expect_error 1 "unknown preset 'mint'" --preset mint --nodes 3 --table
expect_error 1 "$TMP/missing.txt: No such file or directory" --layout "$TMP/missing.txt" --table
expect_error 1 "$TMP: read error" --layout "$TMP" --table

printf 'memory 1G\nnode 0\n  cpus 0\n  foo 1\n' >"$TMP/layout.txt"
expect_error 1 "^mint-memmap: $TMP/layout.txt:4: unknown key 'foo'$" --layout "$TMP/layout.txt" --table

printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 16Q kernel\n' >"$TMP/num.txt"
expect_error 1 "num.txt:4: invalid number '16Q'$" --layout "$TMP/num.txt" --json

# The seed's expansion of node 0 over its peers.
cat >"$TMP/overlap.txt" <<EOF
memory 0x68000000
node 0
cpus 0
ram 0x20000000 0x48000000 kernel
node 1
cpus 1
ram 0x38000000 0x18000000 kernel
EOF
expect_error 1 "overlap.txt: node 1 ram 0x38000000-0x4fffffff overlaps node 0 ram 0x20000000-0x67ffffff$" \
	--layout "$TMP/overlap.txt" --cmdline

# A window over another node's RAM: reading a peer is what 'monitors' is for.
printf 'memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nwindow 0x30000000 4K\nnode 1\ncpus 1\nram 0x30000000 2M kernel\n' \
	>"$TMP/window.txt"
expect_error 1 "window.txt: node 0 window 0x30000000-0x30000fff overlaps node 1 ram 0x30000000-0x301fffff: to read node 1's memory, say 'monitors 1'$" \
	--layout "$TMP/window.txt" --e820

head -c 4096 /dev/urandom >"$TMP/garbage.bin"
printf '\001\002\377garbage\n' >>"$TMP/garbage.bin"
expect_error 1 "garbage.bin:" --layout "$TMP/garbage.bin" --table

head -c 1048577 /dev/zero | tr '\0' '#' >"$TMP/huge.txt"
expect_error 1 "huge.txt: larger than 1048576 bytes" --layout "$TMP/huge.txt" --table

expect_error 1 "$TMP/no/such/dir/x.svg: No such file or directory" $P3 --svg "$TMP/no/such/dir/x.svg"

# --- good input ---
# Node 1 monitors nobody; every other node's memory is reserved ('$') in its map all the same.
if expect_ok $P3 --cmdline --node 1; then
	want='memmap=exactmap memmap=128K$0x0 memmap=128K@0x20000 memmap=128K$0x40000 memmap=64K$0xf0000 memmap=128M$0x8000000 memmap=128M@0x10000000 memmap=512M$0x18000000 memmap=384M@0x38000000 memmap=384M$0x50000000'
	[ "$(cat "$TMP/out")" = "$want" ] || fail "--cmdline --node 1: '$(cat "$TMP/out")'"
fi
if expect_ok $P3 --e820 --node 2; then
	grep -qx 'BIOS-e820: \[mem 0x0000000020000000-0x000000004fffffff\] reserved' "$TMP/out" ||
		fail "--e820 --node 2: nodes 0 and 1's region3 not reserved"
	[ "$(grep -c usable "$TMP/out")" -eq 3 ] || fail "--e820 --node 2: want its 3 regions usable"
fi
if expect_ok $P3 --cmdline; then
	[ "$(wc -l <"$TMP/out")" -eq 3 ] || fail "--cmdline: want one line per node"
	grep -q '^node 2: memmap=exactmap ' "$TMP/out" || fail "--cmdline: no 'node 2:' line"
fi
if expect_ok $P3 --e820 --node 0; then
	grep -qvE '^BIOS-e820: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] (usable|reserved|ACPI data|ACPI NVS|unusable)$' \
		"$TMP/out" && fail "--e820: a line not in the kernel's format"
	grep -qx 'BIOS-e820: \[mem 0x0000000038000000-0x0000000067ffffff\] reserved' "$TMP/out" ||
		fail "--e820 --node 0: peers' region3 not reserved"
fi
if expect_ok $P3 --json; then
	python3 - "$TMP/out" <<'EOF' || fail "--json: not the expected document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["memory"] == 0x68000000 and len(d["nodes"]) == 3
n0 = d["nodes"][0]
assert n0["monitors"] == [1, 2] and len(n0["windows"]) == 6
assert n0["kernel_window"] == {"start": 0x20000000, "size": 0x18000000}
assert all(e["name"] != "RAM" or e["addr"] in (0, 0x8000000, 0x20000000) for e in n0["e820"])
EOF
fi
expect_ok $P3 --table && grep -q '^node 0: cpus 0, ' "$TMP/out" || fail "--table: no node 0 line"
expect_ok $P3 --table --node 1 &&
	grep -qx '  foreign 0x0020000000-0x0037ffffff    384 MiB  node 0 region3, reserved' "$TMP/out" &&
	[ "$(grep -c '^  foreign ' "$TMP/out")" -eq 6 ] && ! grep -q '^  window ' "$TMP/out" ||
	fail "--table --node 1: want node 0's and node 2's six regions as foreign, no window"

# --canonical reads back into the same text; --hash is FNV-1a 64 of it, the same for every node.
if expect_ok $P3 --canonical; then
	cp "$TMP/out" "$TMP/canonical.txt"
	head -n 2 "$TMP/out" | tr '\n' '|' | grep -qx 'memory 0x68000000|firmware 0xf0000 0x10000 reserved|' ||
		fail "--canonical: does not start with memory and firmware: $(head -n 2 "$TMP/out")"
	grep -qx '  ram 0x20000000 0x18000000 kernel name=region3' "$TMP/out" &&
		grep -qx '  monitors 1 2' "$TMP/out" || fail "--canonical: node 0 not as expected"
	expect_ok --layout "$TMP/canonical.txt" --canonical &&
		cmp -s "$TMP/out" "$TMP/canonical.txt" || fail "--canonical of the canonical text differs"
fi
if expect_ok $P3 --hash; then
	hash=$(cat "$TMP/out")
	echo "$hash" | grep -qxE '[0-9a-f]{16}' || fail "--hash: '$hash' is not 16 hex digits"
	want=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) % (1 << 64)
print("%016x" % h)' "$TMP/canonical.txt")
	[ "$hash" = "$want" ] || fail "--hash: $hash, FNV-1a 64 of --canonical is $want"
	expect_ok $P3 --hash --node 2 && [ "$(cat "$TMP/out")" = "$hash" ] ||
		fail "--hash --node 2: not the layout's hash"
	expect_ok --layout "$TMP/canonical.txt" --hash && [ "$(cat "$TMP/out")" = "$hash" ] ||
		fail "--hash of the canonical text is not the preset's"
	expect_ok --preset kexec-mint --nodes 2 --hash && [ "$(cat "$TMP/out")" != "$hash" ] ||
		fail "--hash: two nodes hash like three"
fi
expect_ok --help && grep -q '^usage: mint-memmap' "$TMP/out" || fail "--help"

# The SVG is well-formed, and the picture in the docs is what the CLI draws now.
if expect_ok $P3 --svg "$TMP/m3.svg"; then
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$TMP/m3.svg" ||
		fail "--svg: not well-formed XML"
	cmp -s "$TMP/m3.svg" "$ROOT/docs/img/mint-3-nodes.svg" ||
		fail "docs/img/mint-3-nodes.svg is stale: run 'make memmap-docs'"
fi
printf 'memory 1G\nfirmware 0x3ff00000 64K acpi\nnode 0\ncpus 0\nram 0x20000000 2M kernel name=a&b\n' \
	>"$TMP/amp.txt"
expect_error 1 "invalid region name" --layout "$TMP/amp.txt" --svg -

echo "mint-memmap CLI: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
