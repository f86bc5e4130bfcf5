#!/bin/sh
# Print one-line apt sources entries for the Debian archive, taking the mirror
# from the machine's own apt configuration, so that project-local apt
# configurations (e.g. kexec-patches/apt/fetch-source.sh) use the mirror the
# system uses and no file in the tree names one.
#
# Usage: apt-sources.sh [--types deb|deb-src|both] SUITE [SUITE...] > FILE
#
# Reads, in apt's order, $MINTMON_APT_ETC/sources.list and the *.list and
# *.sources files in $MINTMON_APT_ETC/sources.list.d (MINTMON_APT_ETC defaults
# to /etc/apt): classic one-line entries (`deb [options] URI suite components`)
# and deb822 stanzas (Types, URIs, Suites, Components, Signed-By, Enabled).
# A source serves the main Debian archive when it is enabled, has component
# main, and one of its suites is a Debian release (codename such as bookworm,
# trixie, sid, or stable/testing/...), possibly with -updates, -backports,
# -backports-sloppy or -proposed-updates; -security suites are another archive
# and never select a URI.
#
# For every such URI (first seen first, each once) and every SUITE, prints
#   TYPE [signed-by=KEYRING] URI SUITE main
# with the source's Signed-By (default /usr/share/keyrings/debian-archive-keyring.gpg;
# a key embedded in a deb822 stanza cannot go in a one-line entry, the default
# is used then). Default type: deb.
#
# Exit 1 with one line on stderr when no Debian archive URI is configured,
# 2 on a bad command line.
set -eu

prog=apt-sources.sh
etc=${MINTMON_APT_ETC:-/etc/apt}
default_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

usage() {
	echo "$prog: $1 (usage: $prog [--types deb|deb-src|both] SUITE [SUITE...])" >&2
	exit 2
}

types=deb
while [ $# -gt 0 ]; do
	case $1 in
	--types)
		[ $# -ge 2 ] || usage "--types needs a value"
		types=$2
		shift 2
		;;
	--types=*)
		types=${1#--types=}
		shift
		;;
	--)
		shift
		break
		;;
	-*)
		usage "unknown option '$1'"
		;;
	*)
		break
		;;
	esac
done
case $types in
deb | deb-src) ;;
both) types="deb deb-src" ;;
*) usage "bad --types '$types'" ;;
esac
[ $# -ge 1 ] || usage "no suite given"
for suite in "$@"; do
	case $suite in
	'' | *[!A-Za-z0-9./_+-]*) usage "bad suite '$suite'" ;;
	esac
done

# The files apt reads: sources.list, then sources.list.d/ in name order,
# skipping names apt ignores (other suffixes, characters outside [A-Za-z0-9_.-]).
set -- "$@" --
[ -f "$etc/sources.list" ] && [ -r "$etc/sources.list" ] && set -- "$@" "$etc/sources.list"
for f in "$etc"/sources.list.d/*; do
	if [ ! -f "$f" ] || [ ! -r "$f" ]; then continue; fi
	name=${f##*/}
	case $name in
	*[!A-Za-z0-9_.-]*) continue ;;
	*.list | *.sources) set -- "$@" "$f" ;;
	esac
done
# Split the arguments back: suites before "--", files after.
suites=
while [ "$1" != -- ]; do
	suites="$suites $1"
	shift
done
shift

uris=
if [ $# -gt 0 ]; then
	# One "URI<TAB>SIGNED-BY" line per Debian archive source (SIGNED-BY may be empty).
	uris=$(awk '
	BEGIN {
		n = split("buzz rex bo hamm slink potato woody sarge etch lenny squeeze " \
			"wheezy jessie stretch buster bullseye bookworm trixie forky duke sid " \
			"oldoldstable oldstable stable testing unstable experimental rc-buggy", c, " ")
		for (i = 1; i <= n; i++) codename[c[i]] = 1
		n = split("-updates -backports -backports-sloppy -proposed-updates", c, " ")
		for (i = 1; i <= n; i++) suffix[c[i]] = 1
	}
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
	function debian_suite(s,   i, base, rest) {
		sub(/\/+$/, "", s)
		if (s ~ /-security$/) return 0
		i = index(s, "-")
		if (i) { base = substr(s, 1, i - 1); rest = substr(s, i) }
		else { base = s; rest = "" }
		return (base in codename) && (rest == "" || rest in suffix)
	}
	# emit(URIS, SUITES, COMPONENTS, SIGNEDBY): all whitespace-separated lists.
	function emit(uris, suites, comps, signedby,   a, b, i, n, ok) {
		ok = 0
		n = split(suites, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] != "" && debian_suite(a[i])) ok = 1
		if (!ok) return
		ok = 0
		n = split(comps, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] == "main") ok = 1
		if (!ok) return
		n = split(uris, b, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (b[i] == "" || b[i] ~ /^cdrom:/) continue
			sub(/\/+$/, "", b[i])
			print b[i] "\t" signedby
		}
	}

	# deb822 (.sources): stanzas separated by blank lines, "#" comment lines,
	# continuation lines start with white space.
	function reset() { split("", f); last = ""; multi = 0 }
	function flush(   sb) {
		if (("uris" in f) && tolower(trim(f["enabled"])) !~ /^(no|false|off|without|disable|0)$/) {
			sb = trim(f["signed-by"])
			if (multi || sb ~ /BEGIN PGP/) sb = ""
			gsub(/[ \t]+/, ",", sb)
			emit(f["uris"], f["suites"], f["components"], sb)
		}
		reset()
	}
	FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
	deb822 && /^#/ { next }
	deb822 && /^[ \t\r]*$/ { flush(); next }
	deb822 && /^[ \t]/ {
		if (last != "") { f[last] = f[last] " " trim($0); if (last == "signed-by") multi = 1 }
		next
	}
	deb822 {
		i = index($0, ":")
		if (i == 0) next
		last = tolower(trim(substr($0, 1, i - 1)))
		f[last] = trim(substr($0, i + 1))
		next
	}

	# One-line format: "deb [opt=val ...] URI suite component...", "#" to the
	# end of the line is a comment.
	{
		line = $0
		sub(/#.*/, "", line)
		line = trim(line)
		if (line !~ /^deb(-src)?[ \t]/) next
		sub(/^deb(-src)?[ \t]+/, "", line)
		sb = ""
		if (substr(line, 1, 1) == "[") {
			i = index(line, "]")
			if (i == 0) next
			n = split(substr(line, 2, i - 2), o, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (tolower(o[j]) ~ /^signed-by=/) sb = substr(o[j], 11)
			line = trim(substr(line, i + 1))
		}
		n = split(line, w, /[ \t]+/)
		if (n < 3) next
		comps = ""
		for (j = 3; j <= n; j++) comps = comps " " w[j]
		emit(w[1], w[2], comps, sb)
	}
	END { flush() }
	' "$@" | awk -F '\t' '!seen[$1]++')
fi

if [ -z "$uris" ]; then
	echo "$prog: no Debian archive URI configured in $etc (sources.list, sources.list.d/*.list, *.sources)" >&2
	exit 1
fi

tab=$(printf '\t')
echo "# Generated by $prog from $etc; do not edit."
printf '%s\n' "$uris" | while IFS=$tab read -r uri signedby; do
	[ -n "$signedby" ] || signedby=$default_keyring
	for suite in $suites; do
		for type in $types; do
			echo "$type [signed-by=$signedby] $uri $suite main"
		done
	done
done
