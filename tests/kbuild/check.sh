#!/bin/sh
# Build the freestanding core (monitor/core, memmap/lib) as a kernel module
# against Debian's headers for Linux 6.1, warnings as errors. Compile only:
# nothing is loaded. Usage: tests/kbuild/check.sh BUILD_DIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1/kbuild" && cd "$1/kbuild" && pwd)

newest_headers() {
	apt-cache pkgnames linux-headers-6.1.0- 2>/dev/null |
		grep -E '^linux-headers-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1 |
		sed 's/^linux-headers-//'
}
install_headers() {
	[ -n "$rel" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "linux-headers-$rel" </dev/null >>"$out/apt.log" 2>&1
}

# Headers already installed are used as they are; otherwise the newest apt
# knows, refreshing apt's lists once if they name what the archive no
# longer serves (a fresh machine's lists may be old).
rel=$(ls -d /lib/modules/6.1.0-*-amd64/build 2>/dev/null | sort -V | tail -n 1 | cut -d/ -f4)
if [ -z "$rel" ] || [ ! -e "/lib/modules/$rel/build/Makefile" ]; then
	rel=$(newest_headers)
	if ! install_headers; then
		apt-get update -q >>"$out/apt.log" 2>&1 || true
		rel=$(newest_headers)
		install_headers ||
			{ cat "$out/apt.log" >&2; echo "check-kbuild: cannot install linux-headers-6.1.0-*-amd64" >&2; exit 1; }
	fi
fi

# Kbuild builds next to its sources: link them into the output directory.
objs=""
for src in "$top"/monitor/core/*.c "$top"/memmap/lib/*.c "$top"/tests/kbuild/probe.c; do
	name=$(basename "$src" .c)
	ln -sf "$src" "$out/$name.c"
	[ "$name" = probe ] || objs="$objs $name.o"
done
cat >"$out/Kbuild" <<KBUILD
obj-m := mintmon_probe.o
mintmon_probe-y := probe.o$objs
ccflags-y := -I$top/include -Werror -Wframe-larger-than=1024
KBUILD
make -s -C "/lib/modules/$rel/build" M="$out" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; echo "check-kbuild: the core does not build as kernel code" >&2; exit 1; }
echo "check-kbuild: core builds as a module against linux-headers-$rel ($(echo $objs | wc -w) core files)"
