#!/bin/sh
# Build mintmon.ko and mintmon_dev.ko against Debian's headers for kernel release KVER
# (installing linux-headers-KVER if missing), warnings as errors, in
# OUT/tree (a symlink tree: tree.sh); the modules end up in OUT/.
# Nothing is loaded. Usage: monitor/kmod/build.sh OUT KVER
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
kver=$2
[ -n "$kver" ] || { echo "kmod: no kernel release given" >&2; exit 2; }

if [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	log="$out/apt.log"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"linux-headers-$kver" </dev/null >"$log" 2>&1; then
		apt-get update -q >>"$log" 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"linux-headers-$kver" </dev/null >>"$log" 2>&1 ||
			{ cat "$log" >&2; echo "kmod: cannot install linux-headers-$kver" >&2; exit 1; }
	fi
fi
"$top/monitor/kmod/tree.sh" "$out/tree" link dev
make -s -C "/lib/modules/$kver/build" M="$out/tree/monitor/kmod" \
	MINTMON_KMOD_CFLAGS="-Werror" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; echo "kmod: mintmon.ko does not build against $kver" >&2; exit 1; }
cp "$out/tree/monitor/kmod/mintmon.ko" "$out/tree/monitor/kmod/mintmon_dev.ko" "$out/"
echo "kmod: $out/mintmon.ko and mintmon_dev.ko for $kver"
