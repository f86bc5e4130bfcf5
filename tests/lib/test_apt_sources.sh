#!/bin/sh
# tests/lib/apt-sources.sh against fixture apt directories (MINTMON_APT_ETC):
# deb822 stanzas with a security archive, classic .list files only, a disabled
# stanza, nothing usable configured, a bad command line. One line per case,
# then "N passed, M failed"; exit 1 on any failure.
#
# usage: tests/lib/test_apt_sources.sh [tests/lib/apt-sources.sh]
set -u

SCRIPT=${1:-$(dirname "$0")/apt-sources.sh}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/apt-sources-test.$$.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
KEY=/usr/share/keyrings/debian-archive-keyring.gpg
passed=0
failed=0

# check NAME WANT-EXIT WANT-STDOUT ETC-DIR ARGS...: run the script on ETC-DIR;
# compare its exit status and its stdout without "#" lines; on failure, want
# exactly one line on stderr.
check() {
	name=$1 want_rc=$2 want=$3 dir=$4
	shift 4
	MINTMON_APT_ETC=$dir "$SCRIPT" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	grep -v '^#' "$TMP/out" >"$TMP/got"
	printf '%s' "$want" >"$TMP/want"
	[ -z "$want" ] || echo >>"$TMP/want"
	why=
	if [ "$rc" -ne "$want_rc" ]; then
		why="exit $rc, want $want_rc; stderr: $(head -c 300 "$TMP/err")"
	elif [ "$want_rc" -eq 0 ] && [ -s "$TMP/err" ]; then
		why="stderr: $(head -c 300 "$TMP/err")"
	elif [ "$want_rc" -ne 0 ] && [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		why="$(wc -l <"$TMP/err") lines on stderr, want 1"
	elif [ "$want_rc" -ne 0 ] && [ -s "$TMP/out" ]; then
		why="wrote to stdout on error"
	elif ! cmp -s "$TMP/want" "$TMP/got"; then
		why="output differs: $(diff "$TMP/want" "$TMP/got" | grep '^[<>]' | tr '\n' '|')"
	fi
	if [ -z "$why" ]; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: $why"
		failed=$((failed + 1))
	fi
}

# 1. deb822: the archive and its -updates in one stanza, the security archive
#    in another, a third-party repository; comments inside stanzas.
d=$TMP/deb822
mkdir -p "$d/sources.list.d"
cat >"$d/sources.list.d/debian.sources" <<'EOF'
# The Debian archive.
Types: deb deb-src
# a comment inside the stanza
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /etc/apt/keyrings/test-archive.gpg

Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cat >"$d/sources.list.d/vendor.sources" <<'EOF'
Types: deb
URIs: https://vendor.example.com/apt
Suites: nodistro
Components: main
EOF
check "deb822: two stanzas, security skipped" 0 \
"deb-src [signed-by=/etc/apt/keyrings/test-archive.gpg] http://mirror.example.org/debian bookworm main" \
	"$d" --types deb-src bookworm

# 2. classic one-line files only: options in brackets, a security line, a
#    commented-out line, a third-party repository with a release suite but
#    no main component.
d=$TMP/classic
mkdir -p "$d/sources.list.d"
cat >"$d/sources.list" <<'EOF'
# deb http://old.example.org/debian bookworm main
deb [arch=amd64] http://ftp.example.net/debian trixie main non-free-firmware # trailing comment
deb http://security.example.net/debian-security trixie-security main
EOF
cat >"$d/sources.list.d/extra.list" <<'EOF'
deb [ arch=amd64 signed-by=/etc/apt/keyrings/other.gpg ] http://other.example.net/debian sid main
deb [signed-by=/etc/apt/keyrings/docker.gpg] https://docker.example.com/linux/debian trixie stable
EOF
check "classic .list only, options kept" 0 \
"deb [signed-by=$KEY] http://ftp.example.net/debian bookworm main
deb-src [signed-by=$KEY] http://ftp.example.net/debian bookworm main
deb [signed-by=$KEY] http://ftp.example.net/debian trixie main
deb-src [signed-by=$KEY] http://ftp.example.net/debian trixie main
deb [signed-by=/etc/apt/keyrings/other.gpg] http://other.example.net/debian bookworm main
deb-src [signed-by=/etc/apt/keyrings/other.gpg] http://other.example.net/debian bookworm main
deb [signed-by=/etc/apt/keyrings/other.gpg] http://other.example.net/debian trixie main
deb-src [signed-by=/etc/apt/keyrings/other.gpg] http://other.example.net/debian trixie main" \
	"$d" --types both bookworm trixie

# 3. a disabled stanza is not used; the enabled one is, with the default
#    keyring and the default type.
d=$TMP/disabled
mkdir -p "$d/sources.list.d"
cat >"$d/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://enabled.example.org/debian
Suites: bookworm
Components: main
EOF
check "Enabled: no stanza skipped" 0 \
"deb [signed-by=$KEY] http://enabled.example.org/debian bookworm main" \
	"$d" bookworm

# 4. nothing usable: only the security archive, a disabled archive and
#    files apt ignores.
d=$TMP/none
mkdir -p "$d/sources.list.d"
cat >"$d/sources.list.d/security.sources" <<'EOF'
Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://mirror.example.org/debian
Suites: bookworm
Components: main
Enabled: no
EOF
echo "deb http://mirror.example.org/debian bookworm main" >"$d/sources.list.d/debian.list.disabled"
check "no Debian archive configured: exit 1" 1 "" "$d" --types deb-src bookworm

# 5. a bad command line.
check "bad --types: exit 2" 2 "" "$TMP/deb822" --types rpm bookworm

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
