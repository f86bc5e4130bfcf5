#!/bin/sh
# Install what the build and the tests need (Debian 12). Idempotent and quiet:
# installs only missing packages, runs `apt-get update` at most once, prints
# nothing on success. Runs as root (or through passwordless sudo), no stdin.
set -eu

PACKAGES="make gcc libc6-dev clang llvm pkg-config
qemu-system-x86 busybox-static cpio zstd python3 iproute2
libelf-dev zlib1g-dev libcmocka-dev libssl-dev libxxhash-dev libzstd-dev
apt dpkg tar dpkg-dev patch xz-utils liblzma-dev file prometheus curl man-db dkms kmod"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "setup: need root to install:$missing" >&2
	exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/mintmon-setup.XXXXXX")
trap 'rm -f "$log"' EXIT
apt_get() {
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o Dpkg::Use-Pty=0 "$@" </dev/null >>"$log" 2>&1
}

# Update first only when there are no package lists at all; otherwise try the
# install, and update once if it fails (stale lists).
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
	apt_get update || { cat "$log" >&2; echo "setup: apt-get update failed" >&2; exit 1; }
	updated=1
else
	updated=0
fi
# shellcheck disable=SC2086
if ! apt_get install --no-install-recommends $missing; then
	if [ "$updated" -eq 0 ] && apt_get update && apt_get install --no-install-recommends $missing; then
		exit 0
	fi
	cat "$log" >&2
	echo "setup: apt-get install failed for:$missing" >&2
	exit 1
fi
