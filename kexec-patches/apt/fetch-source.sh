#!/bin/sh
# Download Debian bookworm's kexec-tools 2.0.25 source package (.dsc, .orig
# tarball, .debian tarball) into the project cache, through a project-local
# apt configuration: the system's /etc/apt and /var/lib/apt are never touched.
# Its sources list ($cache/apt/sources.list, one deb-src line for bookworm main)
# is generated on each fetch by tests/lib/apt-sources.sh from the mirror the
# system's own apt configuration uses (MINTMON_APT_ETC, default /etc/apt).
#
# Usage: fetch-source.sh [DESTDIR]
#   DESTDIR defaults to ${MINTMON_CACHE:-$HOME/.cache/mintmon}/kexec-tools.
# Prints the path of the .dsc on stdout. A second run with the source already
# cached does not touch the network.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${MINTMON_CACHE:-$HOME/.cache/mintmon}
dest=${1:-$cache/kexec-tools}
# The upstream release the patch series is written against.
upstream=2.0.25

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

find_dsc() {
	# Debian versions of this upstream release, e.g. kexec-tools_2.0.25-3+deb12u3.dsc
	ls "$dest"/kexec-tools_"$upstream"-*.dsc 2>/dev/null | sort | tail -n 1
}

dsc=$(find_dsc)
if [ -n "$dsc" ]; then
	echo "$dsc"
	exit 0
fi

state=$cache/apt
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"

# The mirror the system uses; fails with one line if it lists no Debian archive.
sources=$("$root/tests/lib/apt-sources.sh" --types deb-src bookworm)
printf '%s\n' "$sources" >"$state/sources.list"

# Sandbox::User=root: the cache may live under a home directory the _apt
# user cannot write to.
set -- -q \
	-o Dir::Etc::SourceList="$state/sources.list" \
	-o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists="$state/lists" \
	-o Dir::Cache="$state/cache" \
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
	-o APT::Sandbox::User=root

apt-get "$@" update >&2

# Pick the newest Debian revision of the upstream release, refuse anything else.
version=$(apt-cache "$@" showsrc kexec-tools | sed -n 's/^Version: //p' |
	grep -E "^([0-9]+:)?$upstream-" | sort -V | tail -n 1)
if [ -z "$version" ]; then
	echo "fetch-source.sh: no kexec-tools $upstream source in bookworm main" >&2
	exit 1
fi

(cd "$dest" && apt-get "$@" source --download-only "kexec-tools=$version" >&2)

dsc=$(find_dsc)
if [ -z "$dsc" ]; then
	echo "fetch-source.sh: apt-get source did not leave a .dsc in $dest" >&2
	exit 1
fi
echo "$dsc"
