#!/bin/sh
# The DKMS source tree (make dkms-source) builds mintmon.ko and mintmon_dev.ko for a kernel
# release with dkms itself: dkms add + build in a private dkms tree (under
# DIR, nothing in /var/lib/dkms or /lib/modules is touched), then checks
# the module's vermagic names that release. Nothing is loaded.
# Usage: tests/kbuild/check-dkms.sh DIR VERSION KVER
set -eu
dir=$(cd "$1" && pwd) version=$2 kver=$3
tree="$dir/tree"
rm -rf "$tree"
mkdir -p "$tree"
# --dkmstree/--sourcetree keep dkms in DIR. sign_file names no program, so
# dkms signs nothing and makes no signing key in /var/lib/dkms.
dk() {
	sign_file=/nonexistent dkms "$@" -m mintmon -v "$version" --dkmstree "$tree" --sourcetree "$dir/src" \
		>>"$dir/dkms.log" 2>&1
}
: >"$dir/dkms.log"
if ! dk add || ! dk build -k "$kver" --no-depmod; then
	cat "$dir/dkms.log" >&2
	echo "check-dkms: dkms could not build mintmon $version for $kver" >&2
	exit 1
fi
for name in mintmon mintmon_dev; do
	ko=$(find "$tree/mintmon/$version/$kver" -name "$name.ko*" | head -n 1)
	[ -n "$ko" ] || { echo "check-dkms: dkms built no $name.ko for $kver" >&2; exit 1; }
	magic=$(modinfo -F vermagic "$ko")
	case $magic in
	"$kver "*) ;;
	*) echo "check-dkms: $ko has vermagic '$magic', not $kver" >&2; exit 1 ;;
	esac
done
# modprobe mintmon must bring its device nodes' module along.
case ",$(modinfo -F depends "$(find "$tree/mintmon/$version/$kver" -name 'mintmon.ko*' | head -n 1)")," in
*,mintmon_dev,*) echo "check-dkms: dkms built mintmon.ko and mintmon_dev.ko for $kver (mintmon depends on mintmon_dev)" ;;
*) echo "check-dkms: mintmon.ko does not depend on mintmon_dev" >&2; exit 1 ;;
esac
