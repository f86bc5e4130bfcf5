/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attach cache on disk: the store behind struct mintmon_kernel_cache_ops
 * for the CLI. The core makes and checks the entries (kernel.c); this file
 * keeps them, one file each, in a private directory:
 *
 *   ${MINTMON_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/mintmon/attach}/KEY-SUM.mmk
 *
 * KEY: 16 hex digits of a hash of the key (text_phys, text_virt, levels);
 * SUM: the file's checksum, so two boots of one image keep two entries.
 *
 * A file: a 64-byte header, then the core's entry (the payload):
 *   0  "MMKCACHE"            magic
 *   8  u32 version (2), u32 header size (64)
 *   16 u64 text_phys, u64 text_virt, u32 levels, u32 0     the key
 *   40 u64 payload size      (= file size - 64, at most MINTMON_CACHE_MAX_ENTRY)
 *   48 u64 checksum          (XXH3-64 of the header with this field zero, then the payload)
 *   56 u64 0
 * all little-endian. A file that is not exactly that (other magic or
 * version, a key other than the one asked for, a size that disagrees with
 * the file's, a checksum mismatch) is not used, and why is kept for -v.
 *
 * The directory is made 0700 and must be owned by the user and not
 * writable by others, files are 0600, written to a temporary name and
 * renamed (a reader never sees half a file), opened without following
 * symbolic links. At most MINTMON_CACHE_MAX_ENTRIES files and
 * MINTMON_CACHE_MAX_TOTAL bytes are kept: the least recently used (by
 * modification time, refreshed on every hit) go first. Nothing else in the
 * directory is touched.
 *
 * Trust: a hit is read by mapping the file read-only (writers never change a
 * file in place) and checking the checksum. It is trusted (ops.trusted)
 * when the directory is the user's and 0700 and the file the user's and
 * 0600 (or stricter), checked again on each hit: only this user's mintmon
 * writes there, and only from an attach that passed every check; the core
 * then skips the BTF's semantic checks and takes its kept name index, keeping
 * the bounds checks (kernel.h, btf.h), and parses the kallsyms tables and the
 * BTF where they lie in the mapping, which it keeps until its kernel object
 * goes (no copy: a warm attach touches no fresh memory for them). A process
 * of the same user that rewrote such a file in place (mintmon never does)
 * could make it read wrong data or fault; that user can ptrace it anyway.
 * Otherwise (readable by others) the
 * core checks the entry as strictly as target memory; writable by others:
 * not used (above).
 */
#ifndef MINTMON_CACHE_H
#define MINTMON_CACHE_H

#include "mintmon/kernel.h"

#define MINTMON_CACHE_HEADER 64
#define MINTMON_CACHE_MAX_ENTRY (128ull << 20)
#define MINTMON_CACHE_MAX_ENTRIES 8
#define MINTMON_CACHE_MAX_TOTAL (256ull << 20)

struct mintmon_cache;

/* What happened on the last load/store, for -v and the benchmark. */
enum mintmon_cache_event {
	MINTMON_CACHE_NONE,
	MINTMON_CACHE_MISS,	/* no usable entry for the key */
	MINTMON_CACHE_HIT,	/* an entry was given to the core */
	MINTMON_CACHE_STORED,
	MINTMON_CACHE_DROPPED,	/* the core refused the entry it was given */
};

/*
 * Open the cache in dir (NULL: the default above; the directory is made
 * if missing). verbose: print what happens on stderr. Returns 0, or a
 * negative errno (-ENOMEM, or the directory cannot be made or is not
 * private: the reason is printed when verbose), and the caller goes on
 * without a cache.
 */
int mintmon_cache_open(const char *dir, int verbose, struct mintmon_cache **cache_ret);
void mintmon_cache_close(struct mintmon_cache *c);

/* The ops to put in struct mintmon_kernel_options, with the cache as cache_ctx. */
extern const struct mintmon_kernel_cache_ops mintmon_cache_ops;

/* The default directory, in buf; NULL if neither XDG_CACHE_HOME nor HOME is set. */
const char *mintmon_cache_default_dir(char *buf, size_t size);

const char *mintmon_cache_dir(const struct mintmon_cache *c);
enum mintmon_cache_event mintmon_cache_last_event(const struct mintmon_cache *c);
/* The file of the last hit, store or drop ("" if none). */
const char *mintmon_cache_last_path(const struct mintmon_cache *c);
/* Why the last file looked at was not used ("" if none was refused). */
const char *mintmon_cache_last_error(const struct mintmon_cache *c);

/* XXH3-64 (seed 0, libxxhash) of len bytes: the file checksum, for tests. */
u64 mintmon_cache_checksum(const void *data, size_t len);

#endif /* MINTMON_CACHE_H */
