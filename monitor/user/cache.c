// SPDX-License-Identifier: GPL-2.0
/*
 * The attach cache on disk (see cache.h). Trust model: an entry in a
 * directory and a file private to the user (0700/0600) was written by this
 * user's mintmon out of a fully checked attach; its XXH3 guards it against
 * corruption, and the core keeps its bounds checks, so ops.trusted lets the
 * core skip re-validating the BTF (see cache.h and docs/architecture.md,
 * "The attach cache"). Anything less private is checked in full.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "cache.h"

#define MAGIC "MMKCACHE"
#define VERSION 2	/* 2: XXH3 checksum (1: XXH64) */
#define SUFFIX ".mmk"
/* Files looked at in one directory listing (the directory holds a few). */
#define MAX_LISTED 256

struct mintmon_cache {
	char dir[PATH_MAX];
	int verbose;
	enum mintmon_cache_event event;
	char path[PATH_MAX];	/* of the last hit, store or drop */
	char loaded[PATH_MAX];	/* the entry the core was given last */
	char error[PATH_MAX + 128];
	bool trusted;		/* the entry load() returned last is (see cache.h) */
};

/* ---- the checksum: XXH3 (64 bits, seed 0), libxxhash ---- */

u64 mintmon_cache_checksum(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
}

/* ---- the directory ---- */

static void say(struct mintmon_cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct mintmon_cache *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->verbose)
		return;
	va_start(ap, fmt);
	fputs("mintmon: cache: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Remember why path was not used (and say it). */
static int refuse(struct mintmon_cache *c, const char *path, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct mintmon_cache *c, const char *path, int err, const char *fmt, ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->error, sizeof(c->error), "%s: %s", path, why);
	say(c, "%s: not used: %s", path, why);
	return err;
}

const char *mintmon_cache_default_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG base directory spec: a relative XDG_CACHE_HOME is ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/mintmon/attach", xdg);
	else if (home && home[0])
		n = snprintf(buf, size, "%s/.cache/mintmon/attach", home);
	else
		return NULL;
	return n > 0 && (size_t)n < size ? buf : NULL;
}

/* mkdir -p, new directories 0700. */
static int make_dirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int mintmon_cache_open(const char *dir, int verbose, struct mintmon_cache **cache_ret)
{
	struct mintmon_cache *c = calloc(1, sizeof(*c));
	struct stat st;
	int err;

	if (!c)
		return -ENOMEM;
	c->verbose = verbose;
	if (dir) {
		if (snprintf(c->dir, sizeof(c->dir), "%s", dir) >= (int)sizeof(c->dir)) {
			err = -ENAMETOOLONG;
			goto fail;
		}
	} else if (!mintmon_cache_default_dir(c->dir, sizeof(c->dir))) {
		say(c, "neither XDG_CACHE_HOME nor HOME is set: no cache");
		err = -ENOENT;
		goto fail;
	}
	err = make_dirs(c->dir);
	if (err) {
		say(c, "cannot make %s: %s: no cache", c->dir, strerror(-err));
		goto fail;
	}
	/* Entries are checked anyway; this keeps others from planting them. */
	if (lstat(c->dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		say(c, "%s is not a directory of this user's that only it can write: no cache",
		    c->dir);
		err = -EPERM;
		goto fail;
	}
	*cache_ret = c;
	return 0;
fail:
	free(c);
	return err;
}

void mintmon_cache_close(struct mintmon_cache *c)
{
	free(c);
}

const char *mintmon_cache_dir(const struct mintmon_cache *c)
{
	return c->dir;
}

enum mintmon_cache_event mintmon_cache_last_event(const struct mintmon_cache *c)
{
	return c->event;
}

const char *mintmon_cache_last_path(const struct mintmon_cache *c)
{
	return c->path;
}

const char *mintmon_cache_last_error(const struct mintmon_cache *c)
{
	return c->error;
}

static u64 key_hash(const struct mintmon_kernel_cache_key *key)
{
	const u64 v[] = {key->text_phys, key->text_virt, key->levels};
	u64 h = 0xcbf29ce484222325ull;
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(v); i++) {
		for (j = 0; j < 8; j++)
			h = (h ^ ((v[i] >> (8 * j)) & 0xff)) * 0x100000001b3ull;
	}
	return h;
}

struct listed {
	char name[NAME_MAX + 1];
	struct timespec mtime;
	u64 size;
};

static int newer_first(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(x->name, y->name);
}

/*
 * Our entries in the directory (names ending in SUFFIX, starting with
 * prefix if not NULL; regular files only), most recently used first.
 */
static unsigned int list_entries(struct mintmon_cache *c, const char *prefix, struct listed *out,
				 unsigned int max)
{
	size_t plen = prefix ? strlen(prefix) : 0, slen = strlen(SUFFIX);
	DIR *d = opendir(c->dir);
	struct dirent *de;
	unsigned int n = 0;

	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;

		if (len <= slen || strcmp(de->d_name + len - slen, SUFFIX) || de->d_name[0] == '.' ||
		    (prefix && strncmp(de->d_name, prefix, plen)) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		memcpy(out[n].name, de->d_name, len + 1);
		out[n].mtime = st.st_mtim;
		out[n].size = (u64)st.st_size;
		n++;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), newer_first);
	return n;
}

static int read_full(int fd, void *buf, size_t len, off_t off)
{
	u8 *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		off += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Open one file and check its header against key: 0 with the file open
 * and its payload size, or a negative errno (why recorded).
 */
static int open_entry(struct mintmon_cache *c, const char *path,
		      const struct mintmon_kernel_cache_key *key, u8 *hdr, int *fd_ret,
		      u64 *size_ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	u64 size;
	int err;

	if (fd < 0)
		return refuse(c, path, -errno, "cannot open: %s", strerror(errno));
	err = -EINVAL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		refuse(c, path, -EPERM, "not a file of this user's that only it can write");
		err = -EPERM;
		goto fail;
	}
	if ((u64)st.st_size < MINTMON_CACHE_HEADER) {
		refuse(c, path, err, "truncated: %lld bytes, shorter than the %d-byte header",
		       (long long)st.st_size, MINTMON_CACHE_HEADER);
		goto fail;
	}
	if (read_full(fd, hdr, MINTMON_CACHE_HEADER, 0)) {
		refuse(c, path, -EIO, "cannot read the header");
		err = -EIO;
		goto fail;
	}
	if (memcmp(hdr, MAGIC, 8)) {
		refuse(c, path, err, "not a mintmon cache file (bad magic)");
		goto fail;
	}
	if (mintmon_le32(hdr + 8) != VERSION || mintmon_le32(hdr + 12) != MINTMON_CACHE_HEADER) {
		refuse(c, path, err, "format version %u, expected %u", mintmon_le32(hdr + 8),
		       VERSION);
		goto fail;
	}
	if (mintmon_le64(hdr + 16) != key->text_phys || mintmon_le64(hdr + 24) != key->text_virt ||
	    mintmon_le32(hdr + 32) != key->levels || mintmon_le32(hdr + 36) ||
	    mintmon_le64(hdr + 56)) {
		refuse(c, path, err, "kept for another kernel image");
		goto fail;
	}
	size = mintmon_le64(hdr + 40);
	if (size > MINTMON_CACHE_MAX_ENTRY) {
		refuse(c, path, -E2BIG, "entry of %llu bytes is over the limit of %llu",
		       (unsigned long long)size, (unsigned long long)MINTMON_CACHE_MAX_ENTRY);
		err = -E2BIG;
		goto fail;
	}
	if (size != (u64)st.st_size - MINTMON_CACHE_HEADER) {
		refuse(c, path, err, "%s: the header says %llu bytes of entry, the file has %llu",
		       size > (u64)st.st_size - MINTMON_CACHE_HEADER ? "truncated" : "oversized",
		       (unsigned long long)size,
		       (unsigned long long)((u64)st.st_size - MINTMON_CACHE_HEADER));
		goto fail;
	}
	*fd_ret = fd;
	*size_ret = size;
	return 0;
fail:
	close(fd);
	return err;
}

/*
 * Map the file read-only (the page cache's pages: no copy, no zeroing) and
 * check the checksum: 0 and the payload, MINTMON_CACHE_HEADER bytes into the
 * mapping (cache_release() unmaps it), or an errno. Writers never change a
 * file in place (they rename a new one over it), so the mapping stays whole.
 */
static int read_payload(struct mintmon_cache *c, const char *path, int fd, const u8 *hdr,
			u64 size, void **data_ret)
{
	u8 h[MINTMON_CACHE_HEADER];
	XXH3_state_t *s = XXH3_createState();
	u64 sum = 0;
	u8 *map = mmap(NULL, MINTMON_CACHE_HEADER + size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
		       fd, 0);

	if (map == MAP_FAILED || !s) {
		if (map != MAP_FAILED)
			munmap(map, MINTMON_CACHE_HEADER + size);
		XXH3_freeState(s);
		return refuse(c, path, -ENOMEM, "cannot map %llu bytes: %s",
			      (unsigned long long)size, strerror(errno));
	}
	/* The header as checked, not as mapped: the checksum covers what was checked. */
	memcpy(h, hdr, sizeof(h));
	memset(h + 48, 0, 8);
	if (XXH3_64bits_reset(s) == XXH_OK && XXH3_64bits_update(s, h, sizeof(h)) == XXH_OK &&
	    XXH3_64bits_update(s, map + MINTMON_CACHE_HEADER, size) == XXH_OK)
		sum = XXH3_64bits_digest(s);
	XXH3_freeState(s);
	if (!sum || sum != mintmon_le64(hdr + 48) || memcmp(map, hdr, MINTMON_CACHE_HEADER)) {
		munmap(map, MINTMON_CACHE_HEADER + size);
		return refuse(c, path, -EINVAL, "corrupt: checksum mismatch");
	}
	*data_ret = map + MINTMON_CACHE_HEADER;
	return 0;
}

/*
 * Whether an entry read from fd (checked by open_entry()) may be trusted:
 * the directory and the file are this user's and private to it (0700 and
 * 0600 or stricter), so only this user's mintmon can have written it.
 */
static bool private_entry(const struct mintmon_cache *c, int fd)
{
	struct stat st;

	if (lstat(c->dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077))
		return false;
	return !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & 077);
}

static bool cache_trusted(void *ctx)
{
	return ((struct mintmon_cache *)ctx)->trusted;
}

static int cache_load(void *ctx, const struct mintmon_kernel_cache_key *key, size_t probe_len,
		      bool (*match)(void *arg, const void *probe, size_t len), void *arg,
		      void **data_ret, size_t *size_ret)
{
	struct mintmon_cache *c = ctx;
	struct listed *list = calloc(MAX_LISTED, sizeof(*list));
	char prefix[24], path[PATH_MAX];
	unsigned int n, i;
	u8 *probe = malloc(probe_len ? probe_len : 1);
	int ret = -ENOENT;

	c->event = MINTMON_CACHE_MISS;
	c->loaded[0] = c->error[0] = '\0';
	c->trusted = false;
	if (!list || !probe)
		goto out;
	snprintf(prefix, sizeof(prefix), "%016llx-", (unsigned long long)key_hash(key));
	n = list_entries(c, prefix, list, MAX_LISTED);
	for (i = 0; i < n; i++) {
		u8 hdr[MINTMON_CACHE_HEADER];
		u64 size = 0, len;
		int fd = -1, err;

		if (snprintf(path, sizeof(path), "%s/%s", c->dir, list[i].name) >= (int)sizeof(path))
			continue;
		err = open_entry(c, path, key, hdr, &fd, &size);
		if (err) {
			/* A file that can never be used again goes. */
			if (err == -EINVAL || err == -E2BIG)
				unlink(path);
			continue;
		}
		len = size < probe_len ? size : probe_len;
		if (read_full(fd, probe, len, MINTMON_CACHE_HEADER) || !match(arg, probe, len)) {
			close(fd);	/* another boot of this image, say */
			continue;
		}
		err = read_payload(c, path, fd, hdr, size, data_ret);
		if (!err) {
			futimens(fd, NULL);	/* most recently used */
			c->trusted = private_entry(c, fd);
			*size_ret = size;
			c->event = MINTMON_CACHE_HIT;
			snprintf(c->path, sizeof(c->path), "%s", path);
			snprintf(c->loaded, sizeof(c->loaded), "%s", path);
			say(c, "hit %s (%llu bytes, %s)", path, (unsigned long long)size,
			    c->trusted ? "trusted" : "checked in full");
		} else if (err == -EINVAL) {
			unlink(path);
		}
		close(fd);
		if (!err) {
			ret = 0;
			break;
		}
	}
	if (ret)
		say(c, "no entry for this boot in %s", c->dir);
out:
	free(list);
	free(probe);
	return ret;
}

static void cache_release(void *ctx, void *data, size_t size)
{
	munmap((u8 *)data - MINTMON_CACHE_HEADER, MINTMON_CACHE_HEADER + size);
}

static void cache_drop(void *ctx, const struct mintmon_kernel_cache_key *key)
{
	struct mintmon_cache *c = ctx;

	if (!c->loaded[0])
		return;
	unlink(c->loaded);
	c->event = MINTMON_CACHE_DROPPED;
	snprintf(c->path, sizeof(c->path), "%s", c->loaded);
	say(c, "dropped %s: the core did not take it (see above)", c->loaded);
	c->loaded[0] = '\0';
}

static int write_full(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Remove the least recently used entries beyond MINTMON_CACHE_MAX_ENTRIES
 * and MINTMON_CACHE_MAX_TOTAL bytes; keep (just written) always stays.
 */
static void evict(struct mintmon_cache *c, const char *keep)
{
	struct listed *list = calloc(MAX_LISTED, sizeof(*list));
	unsigned int n, i, count = 1;
	u64 total = 0;
	char path[PATH_MAX];

	if (!list)
		return;
	n = list_entries(c, NULL, list, MAX_LISTED);
	for (i = 0; i < n; i++) {
		if (!strcmp(list[i].name, keep))
			total = list[i].size;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(list[i].name, keep))
			continue;
		if (count < MINTMON_CACHE_MAX_ENTRIES &&
		    total + list[i].size <= MINTMON_CACHE_MAX_TOTAL) {
			count++;
			total += list[i].size;
			continue;
		}
		if (snprintf(path, sizeof(path), "%s/%s", c->dir, list[i].name) < (int)sizeof(path) &&
		    !unlink(path))
			say(c, "evicted %s (least recently used)", path);
	}
	free(list);
}

static void cache_store(void *ctx, const struct mintmon_kernel_cache_key *key,
			const struct mintmon_kernel_cache_part *parts, unsigned int nr_parts)
{
	struct mintmon_cache *c = ctx;
	u8 hdr[MINTMON_CACHE_HEADER] = {0};
	char tmp[PATH_MAX], name[64], path[PATH_MAX];
	XXH3_state_t *s;
	u64 size = 0, sum = 0;
	unsigned int i;
	int fd;

	for (i = 0; i < nr_parts; i++)
		size += parts[i].len;
	if (size > MINTMON_CACHE_MAX_ENTRY) {
		say(c, "entry of %llu bytes is over the limit of %llu: not kept",
		    (unsigned long long)size, (unsigned long long)MINTMON_CACHE_MAX_ENTRY);
		return;
	}
	memcpy(hdr, MAGIC, 8);
	memcpy(hdr + 8, &(u32){VERSION}, 4);
	memcpy(hdr + 12, &(u32){MINTMON_CACHE_HEADER}, 4);
	memcpy(hdr + 16, &key->text_phys, 8);
	memcpy(hdr + 24, &key->text_virt, 8);
	memcpy(hdr + 32, &key->levels, 4);
	memcpy(hdr + 40, &size, 8);
	s = XXH3_createState();
	if (s && XXH3_64bits_reset(s) == XXH_OK && XXH3_64bits_update(s, hdr, sizeof(hdr)) == XXH_OK) {
		for (i = 0; i < nr_parts; i++) {
			if (XXH3_64bits_update(s, parts[i].data, parts[i].len) != XXH_OK)
				break;
		}
		if (i == nr_parts)
			sum = XXH3_64bits_digest(s);
	}
	XXH3_freeState(s);
	if (!sum) {	/* 0 is never a valid sum: read_payload() refuses it */
		say(c, "cannot checksum the entry: not kept");
		return;
	}
	memcpy(hdr + 48, &sum, 8);
	snprintf(name, sizeof(name), "%016llx-%016llx" SUFFIX, (unsigned long long)key_hash(key),
		 (unsigned long long)sum);
	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", c->dir) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", c->dir, name) >= (int)sizeof(path))
		return;
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0) {
		say(c, "cannot write in %s: %s", c->dir, strerror(errno));
		return;
	}
	if (write_full(fd, hdr, sizeof(hdr)))
		goto fail;
	for (i = 0; i < nr_parts; i++) {
		if (write_full(fd, parts[i].data, parts[i].len))
			goto fail;
	}
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* Whole or nothing: readers see the old name or the whole new file. */
	if (rename(tmp, path))
		goto fail;
	c->event = MINTMON_CACHE_STORED;
	snprintf(c->path, sizeof(c->path), "%s", path);
	say(c, "stored %s (%llu bytes)", path, (unsigned long long)size);
	evict(c, name);
	return;
fail:
	say(c, "cannot write %s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
}

const struct mintmon_kernel_cache_ops mintmon_cache_ops = {
	.load = cache_load,
	.release = cache_release,
	.drop = cache_drop,
	.trusted = cache_trusted,
	.store = cache_store,
};
