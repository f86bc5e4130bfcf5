#!/bin/sh
# Lay out the module's source tree in DEST: monitor/kmod/, monitor/core/,
# memmap/lib/, include/mintmon/ and dkms.conf at the top, as Kbuild (paths
# relative to monitor/kmod/) and DKMS expect. MODE: link (symlinks to this
# checkout: builds leave their objects in DEST, not here) or copy (a DKMS
# source package). Usage: monitor/kmod/tree.sh DEST link|copy VERSION
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$1 mode=$2 version=$3
rm -rf "$dest"
for dir in monitor/kmod monitor/core memmap/lib include/mintmon; do
	mkdir -p "$dest/$dir"
	for f in "$top/$dir"/*.c "$top/$dir"/*.h "$top/$dir"/Kbuild "$top/$dir"/Makefile; do
		[ -e "$f" ] || continue
		case $mode in
		link) ln -s "$f" "$dest/$dir/" ;;
		copy) cp "$f" "$dest/$dir/" ;;
		*) echo "tree.sh: MODE is link or copy" >&2; exit 2 ;;
		esac
	done
done
sed "s/@VERSION@/$version/" "$top/monitor/kmod/dkms.conf" >"$dest/dkms.conf"
