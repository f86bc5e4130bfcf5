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
# ccflags-y comes after Kbuild's own -Wframe-larger-than=$(CONFIG_FRAME_WARN)
# (2048) on gcc's command line (make V=1), so the 1024 here is the one that
# applies: a 1.5 KiB frame fails the build.
cat >"$out/Kbuild" <<KBUILD
obj-m := mintmon_probe.o
mintmon_probe-y := probe.o$objs
ccflags-y := -I$top/include -Werror -Wframe-larger-than=1024 -fcallgraph-info=su
KBUILD
make -s -C "/lib/modules/$rel/build" M="$out" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; echo "check-kbuild: the core does not build as kernel code" >&2; exit 1; }

# Nothing a poll runs may sleep. In the module only mintmon_malloc()/
# mintmon_calloc() (kvmalloc, GFP_KERNEL) and mintmon_yield() (cond_resched)
# may sleep (platform.h), and a poll must reach none of them: it may run with
# preemption off or under a spinlock in the node-0 module.
#
# Method: a static call graph of the objects just built. -fcallgraph-info=su
# makes gcc write one VCG file per object (FILE.ci): a node per function with
# its stack use ("N bytes (static)") if defined there, and an edge per call
# left after inlining and optimisation -- so a mintmon_yield() inlined into a
# caller shows up as that caller's call of __SCT__cond_resched, a kvmalloc()
# as kvmalloc_node. Static functions are named PATH:NAME, so they cannot be
# confused across files. The awk below joins the files, walks everything
# reachable from the poll's entry points (NOSLEEP_ROOTS) and fails if it
# reaches:
#   - a function that sleeps or allocates (NOSLEEP_DENY), naming the chain;
#   - a function defined outside the core that is not known to be safe in
#     atomic context (NOSLEEP_EXTERNAL): a new kernel call must be vetted;
#   - an indirect call outside NOSLEEP_INDIRECT: memory-source ops are the
#     only function pointers a poll may call (their read/readv must not
#     sleep: that is their contract in memory.h, checked where they are
#     written).
# It also fails if a root is not defined (renamed: the check would be empty).
NOSLEEP_ROOTS="mintmon_kernel_check mintmon_error_clear"
NOSLEEP_DENY='
	mintmon_(malloc|calloc|free|yield)
	kv?[mz]alloc.* __kv?malloc.* kv?calloc.* k?v?realloc.* kmem_cache_alloc.*
	v[mz]alloc.* __vmalloc.* (__)?alloc_pages.* __get_free_pages get_zeroed_page
	kv?free vfree.*
	__SCT__cond_resched _?_?cond_resched.* __might_sleep __might_resched might_sleep.*
	schedule.* msleep.* usleep.* mutex_lock.* down(_.*)? wait_for_.*'
NOSLEEP_EXTERNAL='mem(cpy|set|cmp|chr|move) [*]?str(n?len|n?cmp) v?snprintf _printk
	__dynamic_pr_debug __stack_chk_fail fortify_panic'
NOSLEEP_INDIRECT='mintmon_memory_read mintmon_memory_readv'
# A list of patterns as one anchored regex.
alternatives() {
	printf '^(%s)$' "$(printf '%s\n' "$1" | tr -s ' \t' '\n' | sed '/^$/d' | paste -sd '|' -)"
}
set --
for o in $objs; do
	ci="$out/${o%.o}.ci"
	[ -s "$ci" ] || { echo "check-kbuild: no call graph $ci (gcc without -fcallgraph-info?)" >&2
		exit 1; }
	set -- "$@" "$ci"
done
if ! cat "$@" | awk -v roots="$NOSLEEP_ROOTS" -v deny="$(alternatives "$NOSLEEP_DENY")" \
	-v ext="$(alternatives "$NOSLEEP_EXTERNAL")" \
	-v indirect="$(alternatives "$NOSLEEP_INDIRECT")" -v reach="$out/nosleep.reach" '
	function field(line, key,    s) {
		s = substr(line, index(line, key ": \"") + length(key) + 3)
		return substr(s, 1, index(s, "\"") - 1)
	}
	function bare(t) { sub(/.*:/, "", t); return t }
	function chain(t,    s) {
		for (s = bare(t); t in from; t = from[t])
			s = bare(from[t]) " -> " s
		return s
	}
	/^node:/ { if ($0 ~ /bytes \(/) defined[field($0, "title")] = 1 }
	/^edge:/ {
		s = field($0, "sourcename"); d = field($0, "targetname")
		if (!((s, d) in seen)) {
			seen[s, d] = field($0, "label")
			n[s]++; to[s, n[s]] = d
		}
	}
	END {
		nr = split(roots, r, " ")
		for (i = 1; i <= nr; i++) {
			if (!(r[i] in defined)) {
				print "check-kbuild: no-sleep check: no " r[i] " in the core"
				exit 1
			}
			q[++tail] = r[i]; visited[r[i]] = 1
		}
		for (head = 1; head <= tail; head++) {
			f = q[head]
			for (i = 1; i <= n[f]; i++) {
				d = to[f, i]; where = seen[f, d] ? " at " seen[f, d] : ""
				if (d == "__indirect_call") {
					if (bare(f) !~ indirect) {
						print "check-kbuild: a poll may sleep: " chain(f) \
							" makes an indirect call" where
						exit 1
					}
					continue
				}
				if (bare(d) ~ deny) {
					from[d] = f
					print "check-kbuild: a poll may sleep: " chain(d) where
					exit 1
				}
				if (!(d in defined) && bare(d) !~ ext) {
					from[d] = f
					print "check-kbuild: a poll calls " chain(d) where \
						", not known to be safe in atomic context"
					exit 1
				}
				if (!(d in visited)) {
					visited[d] = 1; from[d] = f; q[++tail] = d
				}
			}
		}
		for (i = 1; i <= tail; i++)
			print chain(q[i]) >reach
		printf "check-kbuild: polls cannot sleep (%d functions reachable from %s)\n", \
			tail, roots
	}' >"$out/nosleep.log"; then
	cat "$out/nosleep.log" >&2
	exit 1
fi
cat "$out/nosleep.log"
echo "check-kbuild: core builds as a module against linux-headers-$rel ($(echo $objs | wc -w) core files)"
