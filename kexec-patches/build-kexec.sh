#!/bin/sh
# Build Kexec-Mint: Debian bookworm's kexec-tools 2.0.25 with Debian's own
# patches, then our series (kexec-patches/series), linked statically with the
# mint_memmap layout engine from memmap/. Also builds the same source without
# our series, so tests can show the flaw the series fixes.
#
# Usage: kexec-patches/build-kexec.sh [--build DIR] [--mint-only | --upstream-only]
#
# Outputs (DIR defaults to build/ at the top of the checkout):
#   DIR/bin/kexec-mint       patched, static
#   DIR/bin/kexec-upstream   Debian's kexec-tools as shipped, static
# Work trees: DIR/kexec-tools/{mint,upstream}/. The source package is fetched
# once into ${MINTMON_CACHE:-$HOME/.cache/mintmon}/kexec-tools.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$top/build
want_mint=1
want_upstream=1

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--build=*) build=${1#--build=}; shift ;;
	--mint-only) want_upstream=0; shift ;;
	--upstream-only) want_mint=0; shift ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-kexec.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

mkdir -p "$build/bin" "$build/kexec-tools"
build=$(cd "$build" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

for tool in dpkg-source patch make gcc xz; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-kexec.sh: '$tool' not found (run tests/setup.sh)" >&2
		exit 1
	fi
done

dsc=$("$here/apt/fetch-source.sh")

# Unpack the source package into $1 unless $1/.mintmon-stamp already records
# the same package and patch set ($2). dpkg-source applies Debian's patches.
unpack() {
	dir=$1 stamp=$2
	if [ -f "$dir/.mintmon-stamp" ] && [ "$(cat "$dir/.mintmon-stamp")" = "$stamp" ]; then
		return 1
	fi
	rm -rf "$dir"
	# The .dsc's inline signature cannot be checked without debian-keyring;
	# apt already verified the files against the signed archive index, and
	# dpkg-source still checks their checksums against the .dsc.
	if ! dpkg-source --no-copy -x "$dsc" "$dir" >"$dir.log" 2>&1; then
		cat "$dir.log" >&2
		echo "build-kexec.sh: dpkg-source -x $dsc failed" >&2
		exit 1
	fi
	rm -f "$dir.log"
	return 0
}

configure() {
	# Static so the binary runs in a busybox initramfs. zlib and lzma
	# (compressed kernels/initrds) link statically from zlib1g-dev and
	# liblzma-dev; Xen support is not wanted.
	(cd "$1" && LDFLAGS=-static ./configure --without-xen >configure.log 2>&1) || {
		echo "build-kexec.sh: configure failed in $1, see $1/configure.log" >&2
		exit 1
	}
}

compile() {
	dir=$1 out=$2
	shift 2
	if ! make -C "$dir" -j"$jobs" "$@" build/sbin/kexec >"$dir/make.log" 2>&1; then
		tail -n 30 "$dir/make.log" >&2
		echo "build-kexec.sh: build failed in $dir, see $dir/make.log" >&2
		exit 1
	fi
	# Refuse a dynamically linked result: it would not run in the guests.
	if ! file "$dir/build/sbin/kexec" | grep -q 'statically linked'; then
		echo "build-kexec.sh: $dir/build/sbin/kexec is not static" >&2
		exit 1
	fi
	cp "$dir/build/sbin/kexec" "$out.tmp"
	mv "$out.tmp" "$out"
	echo "built $out"
}

# The stamp identifies the source package and, for the patched tree, the
# exact series: any change to a patch re-creates the tree from scratch.
dsc_id=$(basename "$dsc")

if [ "$want_upstream" = 1 ]; then
	up=$build/kexec-tools/upstream
	if unpack "$up" "$dsc_id"; then
		configure "$up"
		echo "$dsc_id" >"$up/.mintmon-stamp"
	fi
	compile "$up" "$build/bin/kexec-upstream"
fi

if [ "$want_mint" = 1 ]; then
	mint=$build/kexec-tools/mint
	series_id=$(cd "$here" && cat series $(grep -v '^#' series) | sha256sum | cut -c1-16)
	if unpack "$mint" "$dsc_id $series_id"; then
		grep -v -e '^#' -e '^$' "$here/series" | while read -r p; do
			if ! patch -d "$mint" -p1 -s --no-backup-if-mismatch <"$here/$p"; then
				echo "build-kexec.sh: $p does not apply" >&2
				exit 1
			fi
		done
		configure "$mint"
		echo "$dsc_id $series_id" >"$mint/.mintmon-stamp"
	fi
	# The layout engine is not duplicated in the patches: its sources and
	# headers are copied from this checkout on every build (the kexec
	# Makefile picks them up from mint-memmap/), so kexec always links the
	# same engine as mint-memmap and mintmon.
	eng=$mint/mint-memmap
	if ! ls "$top"/memmap/lib/*.c >/dev/null 2>&1; then
		echo "build-kexec.sh: no layout engine sources in $top/memmap/lib" >&2
		exit 1
	fi
	rm -rf "$eng.new"
	mkdir -p "$eng.new/lib" "$eng.new/include/mintmon"
	cp -p "$top"/memmap/lib/*.c "$eng.new/lib/"
	cp -p "$top"/include/mintmon/platform.h "$top"/include/mintmon/memmap.h \
		"$eng.new/include/mintmon/"
	# Keep timestamps of unchanged files so make does not rebuild them.
	if [ -d "$eng" ] && diff -r "$eng" "$eng.new" >/dev/null 2>&1; then
		rm -rf "$eng.new"
	else
		rm -rf "$eng"
		mv "$eng.new" "$eng"
	fi
	compile "$mint" "$build/bin/kexec-mint"
fi
