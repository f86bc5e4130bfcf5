#!/bin/sh
# Boot one Mint node with kexec-mint inside a QEMU guest and check, from the
# node kernel's own log, that it got exactly its node's memory and knows who
# it is:
#   - its boot e820 ("BIOS-e820:" lines) has the node's RAM and nothing else
#     as usable, and every other node's memory as reserved;
#   - its "Kernel code" (/proc/iomem) lies inside the node's kernel window;
#   - the layout hand-over (setup_data) names the node and the layout whose
#     hash its command line carries, and that layout's e820 for the node is
#     exactly the boot map.
# Also checks that kexec-mint refuses a node the layout does not have.
#
# Usage: kexec-patches/qemu-check.sh [--build DIR] [--node N] [--nodes NODES]
#                                     [--kernel-deb DEB] [--upstream] [--self-kexec]
#   --upstream  load with kexec-upstream and only memmap= arguments instead,
#               and expect the flaw: the node's boot map offers other nodes'
#               memory as RAM.
#   --self-kexec  use a 3-node layout whose node 2 kernel region touches the
#               guest's reserved 0x7ffe0000-0x7fffffff (node 1 then boots with
#               one reserved entry over both), and let the node kexec itself
#               once more with --reuse-cmdline: the second kernel must pass
#               the same checks, with the same layout hash.
# Needs build/bin/kexec-mint (kexec-patches/build-kexec.sh) and
# build/bin/mint-memmap (make). Runs only in a guest (-accel tcg); nothing is
# loaded on the host. Exit status 0 if every check passed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$top/build
node=1
nodes=3
upstream=0
self_kexec=0
cache=${MINTMON_CACHE:-$HOME/.cache/mintmon}
deb=
timeout_s=${MINT_QEMU_TIMEOUT:-300}

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--node) node=$2; shift 2 ;;
	--nodes) nodes=$2; shift 2 ;;
	--kernel-deb) deb=$2; shift 2 ;;
	--upstream) upstream=1; shift ;;
	--self-kexec) self_kexec=1; shift ;;
	-h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "qemu-check.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

fail() {
	echo "qemu-check.sh: $*" >&2
	exit 1
}

[ -n "$deb" ] || deb=$(ls "$cache"/debs/linux-image-6.1.0-*-amd64-unsigned_*.deb 2>/dev/null |
	grep -v -e cloud -e '-rt-' | sort | tail -n 1)
[ -f "$deb" ] || fail "no Debian 6.1 kernel .deb in $cache/debs (give --kernel-deb)"
memmap_cli=$build/bin/mint-memmap
kexec_mint=$build/bin/kexec-mint
kexec_up=$build/bin/kexec-upstream
[ -x "$memmap_cli" ] || fail "$memmap_cli missing: run make"
[ -x "$kexec_mint" ] || fail "$kexec_mint missing: run kexec-patches/build-kexec.sh"
[ "$upstream" = 0 ] || [ -x "$kexec_up" ] || fail "$kexec_up missing: run kexec-patches/build-kexec.sh"
for tool in qemu-system-x86_64 cpio dpkg-deb python3 busybox; do
	command -v "$tool" >/dev/null 2>&1 || fail "'$tool' not found (run tests/setup.sh)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mint-qemu-check.XXXXXX")
qpid=
cleanup() {
	if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
	[ -n "${MINT_QEMU_KEEP:-}" ] && cp "$work/serial.log" "$MINT_QEMU_KEEP" 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The kernel image, extracted once per .deb.
kdir=$build/kexec-tools/kernels/$(basename "$deb" .deb)
if ! ls "$kdir"/vmlinuz-* >/dev/null 2>&1; then
	mkdir -p "$kdir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.tmp" --wildcards './boot/vmlinuz-*'
	rm -rf "$kdir"
	mkdir -p "$kdir"
	mv "$kdir.tmp"/boot/vmlinuz-* "$kdir/"
	rm -rf "$kdir.tmp"
fi
vmlinuz=$(ls "$kdir"/vmlinuz-* | head -n 1)

# The self-kexec layout: the preset for 3 nodes, but node 2's kernel region
# starts at 0x80000000, right after the guest's reserved 0x7ffe0000-0x7fffffff
# (q35, 2 GiB), so node 1's map holds one reserved entry over firmware and a
# peer; and node 2's region2 touches node 0's region3 (two peers, one entry).
# Node 2 need not be RAM here: only the loaded node's kernel window must be.
cat >"$work/self.layout" <<'EOF'
memory 0x98000000
firmware 0xf0000 64K reserved
node 0
  cpus 0
  ram 0x0 128K name=region1
  ram 0x8000000 128M name=region2
  ram 0x20000000 384M kernel name=region3
  monitors all
node 1
  cpus 1
  ram 0x20000 128K name=region1
  ram 0x10000000 128M name=region2
  ram 0x38000000 384M kernel name=region3
node 2
  cpus 2
  ram 0x40000 128K name=region1
  ram 0x18000000 128M name=region2
  ram 0x80000000 384M kernel name=region3
EOF
if [ "$self_kexec" = 1 ]; then
	[ "$upstream" = 0 ] || fail "--self-kexec goes with kexec-mint, not --upstream"
	layout_args="--layout $work/self.layout"
	mint_args="--mint-node=$node --mint-layout=/node.layout"
else
	layout_args="--preset kexec-mint --nodes $nodes"
	mint_args="--mint-node=$node --mint-preset=kexec-mint,$nodes"
fi
# What the node must get, from the engine's CLI (independent of kexec).
"$memmap_cli" $layout_args --json >"$work/layout.json" ||
	fail "mint-memmap rejected the layout ($layout_args)"
"$memmap_cli" $layout_args --node "$node" --cmdline >"$work/cmdline" ||
	fail "mint-memmap --node $node failed"

# A busybox root: the node kernel's init reports and reboots (QEMU then exits).
mkroot() {
	d=$1
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp"
	cp "$(command -v busybox)" "$d/bin/busybox"
	for a in sh mount cat grep dmesg reboot echo sleep stty od tr sed; do
		ln -s busybox "$d/bin/$a"
	done
}

# The node's init reports as TAG: its boot map, /proc/iomem, its command line
# and, in hex, every setup_data entry of the hand-over's type (0x4d494e54).
# With a /next script it then kexecs itself into the next generation.
node_init() {
	sed "s/@TAG@/$1/g" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "@TAG@-BEGIN"
dmesg | grep -E 'BIOS-e820|BIOS-provided|Command line' | sed 's/^/@TAG@ dmesg /'
grep -E 'Kernel (code|data)|System RAM|reserved' /proc/iomem | sed 's/^ */@TAG@ iomem /'
echo "@TAG@ cmdline $(cat /proc/cmdline)"
for sd in /sys/kernel/boot_params/setup_data/*; do
	[ "$(cat "$sd/type" 2>/dev/null)" = 0x4d494e54 ] || continue
	echo "@TAG@ handover $(od -An -v -tx1 "$sd/data" | tr -d ' \n')"
done
echo "@TAG@-END"
[ -x /next ] && /next
reboot -f
EOF
}

node_root=$work/node-root
mkroot "$node_root"
node_init MINTCHECK >"$node_root/init"
chmod +x "$node_root/init"
if [ "$self_kexec" = 1 ]; then
	# Generation 2: the same report, tagged MINTCHECK2, from a second
	# initramfs the first node kernel loads with kexec-mint.
	node2_root=$work/node2-root
	mkroot "$node2_root"
	node_init MINTCHECK2 >"$node2_root/init"
	chmod +x "$node2_root/init"
	(cd "$node2_root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$node_root/node2.cpio.gz"
	cp "$vmlinuz" "$node_root/vmlinuz"
	cp "$kexec_mint" "$node_root/bin/kexec-mint"
	cp "$work/self.layout" "$node_root/node.layout"
	# --reuse-cmdline: the running node's mint_node=/mint_layout= must be
	# replaced, not doubled or refused.
	cat >"$node_root/next" <<EOF
#!/bin/sh
kexec-mint -d $mint_args -l /vmlinuz --initrd=/node2.cpio.gz --reuse-cmdline 2>/tmp/load.log
rc=\$?
grep -E '^kexec|^Mint|^segment\[[0-9]+\]\.mem|^kexec_load' /tmp/load.log | sed 's/^/MINTSELF load /'
echo "MINTSELF load rc=\$rc"
[ \$rc = 0 ] && kexec-mint -e
echo "MINTSELF exec failed"
EOF
	chmod +x "$node_root/next"
fi
(cd "$node_root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/node.cpio.gz"

boot_root=$work/boot-root
mkroot "$boot_root"
cp "$vmlinuz" "$boot_root/vmlinuz"
cp "$work/node.cpio.gz" "$boot_root/node.cpio.gz"
cp "$kexec_mint" "$boot_root/bin/kexec-mint"
# Layouts that are valid on paper but do not fit the guest: kexec-mint must
# refuse them at load time, before kexec_load(). Node 0's RAM covers the
# guest's firmware-reserved 0x9fc00-0x9ffff; the second kernel window lies in
# the PCI hole, where the guest has no RAM.
cat >"$boot_root/fw-conflict.layout" <<'EOF'
memory 2G
node 0
cpus 0
ram 0x0 0xa0000
ram 0x20000000 0x10000000 kernel
EOF
cat >"$boot_root/not-ram.layout" <<'EOF'
memory 4G
node 0
cpus 0
ram 0xd0000000 0x10000000 kernel
EOF
[ "$upstream" = 0 ] || cp "$kexec_up" "$boot_root/bin/kexec-upstream"
cp "$work/self.layout" "$boot_root/node.layout"
node_append="console=ttyS0 panic=-1 loglevel=4 ${MINT_NODE_APPEND:-}"
if [ "$upstream" = 1 ]; then
	# The pre-patch way: the firmware's map, only narrowed by memmap=.
	# '$' (reserved) must survive the guest shell's double quotes.
	memmap_args=$(sed 's/\$/\\$/g' "$work/cmdline")
	load="kexec-upstream -l /vmlinuz --initrd=/node.cpio.gz --append=\"$node_append $memmap_args\""
else
	load="kexec-mint -d $mint_args -l /vmlinuz --initrd=/node.cpio.gz --append=\"$node_append\""
fi
cat >"$boot_root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# kexec-mint must refuse a node the layout does not have, before any syscall.
kexec-mint --mint-node=$nodes --mint-preset=kexec-mint,$nodes -l /vmlinuz 2>/tmp/refusal
echo "MINTBOOT refusal rc=\$? \$(cat /tmp/refusal)"
for l in fw-conflict not-ram; do
	kexec-mint --mint-node=0 --mint-layout=/\$l.layout -l /vmlinuz 2>/tmp/refusal
	echo "MINTBOOT refuse-\$l rc=\$? loaded=\$(cat /sys/kernel/kexec_loaded) \$(cat /tmp/refusal)"
done
$load 2>/tmp/load.log
rc=\$?
# kexec -d is verbose: keep the node map, the placement and any error.
grep -E '^kexec|^Mint|^Loaded|^segment\[[0-9]+\]\.mem|^kexec_load|^[0-9a-f]{16}-' /tmp/load.log |
	sed 's/^/MINTBOOT load /'
echo "MINTBOOT load rc=\$rc"
[ \$rc = 0 ] && kexec-mint -e
echo "MINTBOOT exec failed"
reboot -f
EOF
chmod +x "$boot_root/init"
(cd "$boot_root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/boot.cpio.gz"

# 2 GiB: the kexec-mint preset's memory ends at 0x68000000 (1.625 GiB).
log=$work/serial.log
echo "qemu-check.sh: booting node $node of $nodes ($( [ "$upstream" = 1 ] && echo upstream kexec + memmap= || echo kexec-mint)$( [ "$self_kexec" = 1 ] && echo ', then itself again')) in QEMU..."
timeout "$timeout_s" qemu-system-x86_64 ${MINT_QEMU_EXTRA:-} -accel tcg -machine q35 -cpu max,la57=off -smp 2 -m 2G \
	-nographic -no-reboot -serial "file:$log" -monitor none \
	-kernel "$vmlinuz" -initrd "$work/boot.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=3 rdinit=/init" </dev/null >/dev/null 2>&1 &
qpid=$!
wait "$qpid" || true
qpid=

grep -a -e '^MINTBOOT' -e '^MINTSELF' "$log" | sed 's/^/  /' || true
grep -aq 'MINTCHECK-END' "$log" || {
	tail -n 40 "$log" >&2
	fail "the node kernel did not report (see the log above)"
}
# The hand-over's hex is long: show its start only.
show() { sed 's/\( handover \)\(.\{48\}\).*/\1\2... (hex)/' "$1"; }
tr -d '\r' <"$log" | grep -a '^MINTCHECK ' | sed 's/^/  /' >"$work/report"
show "$work/report"
report2=
if [ "$self_kexec" = 1 ]; then
	grep -aq 'MINTCHECK2-END' "$log" || {
		tail -n 40 "$log" >&2
		fail "the node kernel that node $node kexec'd did not report (see the log above)"
	}
	report2=$work/report2
	tr -d '\r' <"$log" | grep -a '^MINTCHECK2 ' | sed 's/^MINTCHECK2/  MINTCHECK/' >"$report2"
	echo "  (second generation, loaded by node $node itself:)"
	show "$report2"
fi

python3 "$here/check-node-boot.py" "$work/layout.json" "$node" "$upstream" "$work/report" "$log" \
	"$memmap_cli" $report2
