// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the attach cache: the cache file format and its directory
 * (monitor/user/cache.c), the kallsyms tables as a cache entry keeps them
 * (mintmon_kallsyms_serialize/deserialize) and the search that reads the
 * read-only data a piece at a time (mintmon_kallsyms_search).
 *
 * The kallsyms fixtures are built the way scripts/kallsyms.c lays the
 * tables out (see tests/unit/test_kallsyms.c for the full encoder). The
 * cache as the core uses it is tested on the synthetic kernel
 * (tests/unit/synth_kernel.c): a warm attach reads no kallsyms table and
 * gives what a cold one gives; another boot, an entry whose identity is
 * wrong and an entry whose tables are wrong are never used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../monitor/user/cache.h"
#include "mintmon/kallsyms.h"
#include "synth_kernel.h"

static struct mintmon_error test_err;

static struct mintmon_error *fresh_err(void)
{
	mintmon_error_init(&test_err, 0);
	return &test_err;
}

/* ---- kallsyms fixtures ---- */

#define VADDR 0xffffffff82000000ull
#define TEXT_START 0xffffffff81000000ull
#define TEXT_END 0xffffffffc0000000ull
#define NSYMS 700		/* three markers */
#define JUNK 100000		/* unrelated read-only data before the tables */
#define BUF_SIZE (1 << 20)

enum layout { LAYOUT_6_1, LAYOUT_6_12 };

struct fixture {
	u8 *buf;
	size_t size;
	size_t tables_end;	/* offset just past what the parser needs */
	char names[NSYMS][16];
	u64 addrs[NSYMS];
};

static void align8(size_t *pos)
{
	*pos = (*pos + 7) & ~(size_t)7;
}

static void put32(u8 *b, size_t *pos, u32 v)
{
	memcpy(b + *pos, &v, 4);
	*pos += 4;
}

static void emit_offsets(struct fixture *x, size_t *pos, bool absolute_percpu)
{
	u64 base = TEXT_START;
	unsigned int i;

	align8(pos);
	for (i = 0; i < NSYMS; i++) {
		s32 v;

		if (!absolute_percpu)
			v = (s32)(x->addrs[i] - base);
		else if (x->addrs[i] < base)
			v = (s32)x->addrs[i];
		else
			v = (s32)(base - x->addrs[i] - 1);
		put32(x->buf, pos, (u32)v);
	}
	align8(pos);
	memcpy(x->buf + *pos, &base, 8);
	*pos += 8;
}

/* Names are stored uncompressed: token c is the character c (a real table compresses). */
static void emit_names_and_markers(struct fixture *x, size_t *pos)
{
	u32 markers[(NSYMS + 255) / 256];
	size_t start;
	unsigned int i;

	align8(pos);
	put32(x->buf, pos, NSYMS);
	align8(pos);
	start = *pos;
	for (i = 0; i < NSYMS; i++) {
		size_t len = strlen(x->names[i]);

		if (i % 256 == 0)
			markers[i / 256] = (u32)(*pos - start);
		x->buf[(*pos)++] = (u8)len;
		memcpy(x->buf + *pos, x->names[i], len);
		*pos += len;
	}
	align8(pos);
	for (i = 0; i < MINTMON_ARRAY_SIZE(markers); i++)
		put32(x->buf, pos, markers[i]);
}

static void emit_tokens(struct fixture *x, size_t *pos)
{
	u16 index[256];
	size_t start;
	unsigned int c;

	align8(pos);
	start = *pos;
	for (c = 0; c < 256; c++) {
		index[c] = (u16)(*pos - start);
		if (c >= 0x20 && c < 0x7f)
			x->buf[(*pos)++] = (u8)c;
		x->buf[(*pos)++] = 0;
	}
	align8(pos);
	memcpy(x->buf + *pos, index, sizeof(index));
	*pos += sizeof(index);
}

static struct fixture *build(enum layout layout, bool absolute_percpu)
{
	struct fixture *x = calloc(1, sizeof(*x));
	size_t pos = JUNK;
	unsigned int i;

	x->buf = calloc(1, BUF_SIZE);
	/* Junk, with a decoy: the digit tokens, but no table around them. */
	for (i = 0; i < JUNK; i++)
		x->buf[i] = (u8)(i * 7 + 3);
	memcpy(x->buf + 5000, "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9", 20);
	for (i = 0; i < NSYMS; i++) {
		if (i < 3 && absolute_percpu) {
			snprintf(x->names[i], sizeof(x->names[i]), "Apcpu_%u", i);
			x->addrs[i] = 0x1000 * i;
		} else {
			snprintf(x->names[i], sizeof(x->names[i]), "%csym_%04u", i % 2 ? 't' : 'T', i);
			x->addrs[i] = TEXT_START + 32 * i;
		}
	}
	if (layout == LAYOUT_6_1) {
		emit_offsets(x, &pos, absolute_percpu);
		emit_names_and_markers(x, &pos);
		align8(&pos);
		pos += 3 * NSYMS;	/* kallsyms_seqs_of_names */
		emit_tokens(x, &pos);
		x->tables_end = pos;
	} else {
		emit_names_and_markers(x, &pos);
		emit_tokens(x, &pos);
		emit_offsets(x, &pos, absolute_percpu);
		x->tables_end = pos;
		align8(&pos);
		pos += 3 * NSYMS;
	}
	x->size = pos + 200000;	/* more read-only data after the tables */
	for (i = pos; i < x->size; i++)
		x->buf[i] = (u8)(i * 13 + 1);
	return x;
}

static void destroy(struct fixture *x)
{
	free(x->buf);
	free(x);
}

static void check_symbols(const struct fixture *x, const struct mintmon_kallsyms *ks)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i = 0;

	assert_int_equal(mintmon_kallsyms_count(ks), NSYMS);
	mintmon_kallsyms_iter_init(&it, ks);
	while (mintmon_kallsyms_iter_next(&it, &sym) > 0) {
		assert_int_equal(sym.type, x->names[i][0]);
		assert_string_equal(sym.name, x->names[i] + 1);
		assert_int_equal(sym.addr, x->addrs[i]);
		i++;
	}
	assert_int_equal(i, NSYMS);
}

static const struct {
	const char *what;
	enum layout layout;
	bool absolute_percpu;
} layouts[] = {
	{"6.1 order, absolute per-CPU", LAYOUT_6_1, true},
	{"6.1 order, all relative", LAYOUT_6_1, false},
	{"6.12 order, absolute per-CPU", LAYOUT_6_12, true},
	{"6.12 order, all relative", LAYOUT_6_12, false},
};

/*
 * The search on a copy that grows piece by piece finds the same table as on
 * all of it, and asks for no more than the tables need (plus one piece).
 */
static void test_search_in_pieces(void **state)
{
	static const size_t pieces[] = {1, 7, 4096, 65536, 1 << 20};
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(layouts); i++) {
		struct fixture *x = build(layouts[i].layout, layouts[i].absolute_percpu);

		print_message("%s\n", layouts[i].what);
		for (j = 0; j < MINTMON_ARRAY_SIZE(pieces); j++) {
			struct mintmon_kallsyms_search s;
			struct mintmon_kallsyms *ks = NULL;
			size_t have = 0, need = 0;
			int err;

			mintmon_kallsyms_search_init(&s, VADDR, TEXT_START, TEXT_END, fresh_err());
			do {
				size_t want = have + pieces[j];

				if (want < need)
					want = need;
				if (want > x->size)
					want = x->size;
				have = want;
				err = mintmon_kallsyms_search(&s, x->buf, have, have == x->size, &need,
							      &ks);
			} while (err == -EAGAIN);
			assert_int_equal(err, 0);
			check_symbols(x, ks);
			/* Stopped at the tables, not at the end of the data. */
			assert_true(have <= x->tables_end + pieces[j] + 512 || have == x->size);
			assert_true(have >= x->tables_end);
			mintmon_kallsyms_destroy(ks);
		}
		destroy(x);
	}
}

static void test_search_not_found(void **state)
{
	struct fixture *x = build(LAYOUT_6_12, false);
	struct mintmon_kallsyms_search s;
	struct mintmon_kallsyms *ks = NULL;
	size_t need;

	/* Only the junk: more is asked for while there is more, then it fails. */
	mintmon_kallsyms_search_init(&s, VADDR, TEXT_START, TEXT_END, fresh_err());
	assert_int_equal(mintmon_kallsyms_search(&s, x->buf, 60000, false, &need, &ks), -EAGAIN);
	assert_true(need > 60000);
	assert_int_equal(mintmon_kallsyms_search(&s, x->buf, JUNK, true, &need, &ks), -ENOENT);
	assert_non_null(strstr(test_err.msg, "no kallsyms token table"));
	destroy(x);
}

static struct mintmon_kallsyms *table(const struct fixture *x)
{
	struct mintmon_kallsyms *ks = NULL;

	assert_int_equal(mintmon_kallsyms_create(x->buf, x->size, VADDR, TEXT_START, TEXT_END,
						 fresh_err(), &ks), 0);
	return ks;
}

static u8 *serialize(const struct mintmon_kallsyms *ks, size_t *size_ret)
{
	long size = mintmon_kallsyms_serialize(ks, NULL, 0);
	u8 *buf;

	assert_true(size > 0);
	buf = malloc((size_t)size);
	assert_int_equal(mintmon_kallsyms_serialize(ks, buf, (size_t)size - 1), -E2BIG);
	assert_int_equal(mintmon_kallsyms_serialize(ks, buf, (size_t)size), size);
	*size_ret = (size_t)size;
	return buf;
}

static void test_kallsyms_round_trip(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(layouts); i++) {
		struct fixture *x = build(layouts[i].layout, layouts[i].absolute_percpu);
		struct mintmon_kallsyms *ks = table(x), *back = NULL;
		static const char *const names[] = {"sym_0009", "pcpu_1", "nope", "sym_0699"};
		struct mintmon_symbol sym;
		u32 idx[4];
		size_t size;
		u8 *ser = serialize(ks, &size);

		print_message("%s\n", layouts[i].what);
		assert_int_equal(mintmon_kallsyms_deserialize(ser, size, TEXT_START, TEXT_END,
							      fresh_err(), &back), 0);
		check_symbols(x, back);
		assert_int_equal(mintmon_kallsyms_table_vaddr(back), mintmon_kallsyms_table_vaddr(ks));
		assert_int_equal(mintmon_kallsyms_lookup_index(back, names, 4, idx),
				 layouts[i].absolute_percpu ? 3 : 2);
		assert_int_equal(idx[0], 9);
		assert_int_equal(idx[2], MINTMON_KALLSYMS_NONE);
		assert_int_equal(idx[3], 699);
		assert_int_equal(mintmon_kallsyms_symbol(back, 699, &sym), 0);
		assert_string_equal(sym.name, "sym_0699");
		assert_int_equal(mintmon_kallsyms_symbol(back, NSYMS, &sym), -ENOENT);
		/* Serialized again: the same bytes. */
		{
			size_t size2;
			u8 *ser2 = serialize(back, &size2);

			assert_int_equal(size2, size);
			assert_memory_equal(ser, ser2, size);
			free(ser2);
		}
		free(ser);
		mintmon_kallsyms_destroy(back);
		mintmon_kallsyms_destroy(ks);
		destroy(x);
	}
}

/* Every cut and many single-byte changes of kept tables are refused or harmless. */
static void test_kallsyms_deserialize_rejects(void **state)
{
	struct fixture *x = build(LAYOUT_6_12, true);
	struct mintmon_kallsyms *ks = table(x), *back;
	size_t size, cut, i;
	u8 *ser = serialize(ks, &size), *bad = malloc(size + 8);

	for (cut = 0; cut < size; cut += cut < 64 ? 1 : 97) {
		back = NULL;
		assert_int_equal(mintmon_kallsyms_deserialize(ser, cut, TEXT_START, TEXT_END,
							      fresh_err(), &back), -EINVAL);
		assert_null(back);
		assert_non_null(strstr(test_err.msg, "kept kallsyms tables"));
	}
	/* Bytes after the relative base. */
	memcpy(bad, ser, size);
	memset(bad + size, 0, 8);
	assert_int_equal(mintmon_kallsyms_deserialize(bad, size + 8, TEXT_START, TEXT_END,
						      fresh_err(), &back), -EINVAL);
	/* Header: magic, version, flags. */
	for (i = 0; i < 24; i += 4) {
		if (i == 8 || i == 12)
			continue;	/* table_vaddr: diagnostics only */
		memcpy(bad, ser, size);
		bad[i] ^= 0x40;
		assert_int_equal(mintmon_kallsyms_deserialize(bad, size, TEXT_START, TEXT_END,
							      fresh_err(), &back), -EINVAL);
	}
	/* The relative base outside the kernel text. */
	memcpy(bad, ser, size);
	bad[size - 1] = 0;
	assert_int_equal(mintmon_kallsyms_deserialize(bad, size, TEXT_START, TEXT_END, fresh_err(),
						      &back), -EINVAL);
	assert_non_null(strstr(test_err.msg, "addresses"));
	/* Every byte changed in turn: refused, or accepted and still walkable. */
	for (i = 24; i < size; i++) {
		back = NULL;
		memcpy(bad, ser, size);
		bad[i] ^= 0xa5;
		if (!mintmon_kallsyms_deserialize(bad, size, TEXT_START, TEXT_END, fresh_err(),
						  &back)) {
			struct mintmon_kallsyms_iter it;
			struct mintmon_symbol sym;

			mintmon_kallsyms_iter_init(&it, back);
			while (mintmon_kallsyms_iter_next(&it, &sym) > 0)
				;
			mintmon_kallsyms_destroy(back);
		}
	}
	free(bad);
	free(ser);
	mintmon_kallsyms_destroy(ks);
	destroy(x);
}

/* ---- the cache directory and file format ---- */

static char dir[256];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/mintmon-test-cache-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static const struct mintmon_kernel_cache_key key1 = {0x30400000, 0xffffffffa3e00000ull, 4};
static const struct mintmon_kernel_cache_key key2 = {0x26e00000, 0xffffffff91c00000ull, 4};

/* A payload whose first bytes say which boot it is (the probe match() sees). */
static u8 *payload(u32 boot, size_t size)
{
	u8 *p = malloc(size);
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = (u8)(i * 31 + boot);
	memcpy(p, &boot, 4);
	return p;
}

static void store(struct mintmon_cache *c, const struct mintmon_kernel_cache_key *key,
		  const u8 *data, size_t size)
{
	/* In three parts, cut anywhere, as the core's entry is. */
	struct mintmon_kernel_cache_part parts[3] = {
		{data, size / 3}, {data + size / 3, 1}, {data + size / 3 + 1, size - size / 3 - 1}};

	mintmon_cache_ops.store(c, key, parts, 3);
}

static u32 wanted_boot;
static unsigned int matches_asked;

static bool match_boot(void *arg, const void *probe, size_t len)
{
	matches_asked++;
	assert_true(len <= 64);
	return len >= 4 && !memcmp(probe, &wanted_boot, 4);
}

static int load(struct mintmon_cache *c, const struct mintmon_kernel_cache_key *key, u32 boot,
		void **data, size_t *size)
{
	wanted_boot = boot;
	matches_asked = 0;
	return mintmon_cache_ops.load(c, key, 64, match_boot, NULL, data, size);
}

/* The one entry file in dir (there must be exactly one). */
static void entry_path(char *path, size_t size)
{
	char cmd[300];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls %s/*.mmk", dir);
	f = popen(cmd, "r");
	assert_non_null(fgets(path, (int)size, f));
	path[strcspn(path, "\n")] = 0;
	assert_null(fgets(cmd, sizeof(cmd), f));
	pclose(f);
}

static unsigned int count_entries(void)
{
	char cmd[300];
	unsigned int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '\\.mmk$'", dir);
	f = popen(cmd, "r");
	assert_int_equal(fscanf(f, "%u", &n), 1);
	pclose(f);
	return n;
}

static struct mintmon_cache *open_cache(void)
{
	struct mintmon_cache *c = NULL;

	assert_int_equal(mintmon_cache_open(dir, 0, &c), 0);
	return c;
}

static void test_round_trip(void **state)
{
	struct mintmon_cache *c = open_cache();
	u8 *p = payload(1, 100000);
	char path[512];
	struct stat st;
	void *data;
	size_t size;

	assert_int_equal(load(c, &key1, 1, &data, &size), -ENOENT);
	assert_int_equal(mintmon_cache_last_event(c), MINTMON_CACHE_MISS);
	store(c, &key1, p, 100000);
	assert_int_equal(mintmon_cache_last_event(c), MINTMON_CACHE_STORED);
	entry_path(path, sizeof(path));
	assert_string_equal(mintmon_cache_last_path(c), path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, MINTMON_CACHE_HEADER + 100000);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	assert_int_equal(mintmon_cache_last_event(c), MINTMON_CACHE_HIT);
	assert_int_equal(size, 100000);
	assert_memory_equal(data, p, size);
	mintmon_cache_ops.release(c, data, size);
	/* Another key: nothing, and match() is not even asked. */
	assert_int_equal(load(c, &key2, 1, &data, &size), -ENOENT);
	assert_int_equal(matches_asked, 0);
	/* The core refused it: it goes. */
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	mintmon_cache_ops.release(c, data, size);
	mintmon_cache_ops.drop(c, &key1);
	assert_int_equal(mintmon_cache_last_event(c), MINTMON_CACHE_DROPPED);
	assert_int_equal(count_entries(), 0);
	free(p);
	mintmon_cache_close(c);
}

/* Write a file by hand: header fields, payload, checksum (right or not). */
static void write_file(const char *path, const struct mintmon_kernel_cache_key *key,
		       const u8 *data, size_t size, u64 size_field, bool good_sum)
{
	u8 *b = calloc(1, MINTMON_CACHE_HEADER + size);
	u32 v;
	u64 sum;
	FILE *f;

	memcpy(b, "MMKCACHE", 8);
	v = 2;	/* the format version */
	memcpy(b + 8, &v, 4);
	v = MINTMON_CACHE_HEADER;
	memcpy(b + 12, &v, 4);
	memcpy(b + 16, &key->text_phys, 8);
	memcpy(b + 24, &key->text_virt, 8);
	memcpy(b + 32, &key->levels, 4);
	memcpy(b + 40, &size_field, 8);
	memcpy(b + MINTMON_CACHE_HEADER, data, size);
	sum = mintmon_cache_checksum(b, MINTMON_CACHE_HEADER + size) + !good_sum;
	memcpy(b + 48, &sum, 8);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, MINTMON_CACHE_HEADER + size, f), MINTMON_CACHE_HEADER + size);
	fclose(f);
	chmod(path, 0600);
	free(b);
}

/*
 * Files that are not what the format says are refused with a reason, and
 * removed (they can never be used); the next good one is still found.
 */
static void test_bad_files(void **state)
{
	static const struct {
		const char *what;
		size_t size;
		long long size_field;	/* -1: the real size */
		bool good_sum;
		int patch_at;		/* header byte to flip, or -1 */
		const char *why;
	} cases[] = {
		{"good", 5000, -1, true, -1, NULL},
		{"corrupt payload", 5000, -1, false, -1, "checksum mismatch"},
		{"truncated", 5000, 6000, true, -1, "truncated"},
		{"oversized", 5000, 4000, true, -1, "oversized"},
		{"over the limit", 5000, (long long)MINTMON_CACHE_MAX_ENTRY + 1, true, -1,
		 "over the limit"},
		{"bad magic", 5000, -1, true, 0, "not a mintmon cache file"},
		{"other version", 5000, -1, true, 8, "format version"},
		{"shorter than a header", 0, -1, true, -2, "truncated"},
	};
	u8 *p = payload(7, 5000);
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		struct mintmon_cache *c = open_cache();
		char path[512], name[64];
		void *data;
		size_t size;

		print_message("%s\n", cases[i].what);
		/* The name a store would give: the key's hash is what the lookup lists. */
		store(c, &key1, p, 5000);
		entry_path(path, sizeof(path));
		snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);
		write_file(path, &key1, p, cases[i].size,
			   cases[i].size_field < 0 ? cases[i].size : (u64)cases[i].size_field,
			   cases[i].good_sum);
		if (cases[i].patch_at >= 0) {
			FILE *f = fopen(path, "r+b");
			int ch;

			fseek(f, cases[i].patch_at, SEEK_SET);
			ch = fgetc(f);
			fseek(f, cases[i].patch_at, SEEK_SET);
			fputc(ch ^ 0x20, f);
			fclose(f);
		} else if (cases[i].patch_at == -2) {
			assert_int_equal(truncate(path, 40), 0);
		}
		if (!cases[i].why) {
			assert_int_equal(load(c, &key1, 7, &data, &size), 0);
			assert_memory_equal(data, p, 5000);
			mintmon_cache_ops.release(c, data, size);
			mintmon_cache_ops.drop(c, &key1);
		} else {
			assert_int_equal(load(c, &key1, 7, &data, &size), -ENOENT);
			assert_non_null(strstr(mintmon_cache_last_error(c), cases[i].why));
			assert_non_null(strstr(mintmon_cache_last_error(c), name));
			assert_int_equal(count_entries(), 0);
		}
		mintmon_cache_close(c);
	}
	free(p);
}

/*
 * A wrong identity is never used: a file for another image under this
 * image's name, and entries of other boots of the same image (match()
 * refuses them; they stay, for those boots) while the right one is found.
 */
static void test_wrong_identity(void **state)
{
	struct mintmon_cache *c = open_cache();
	u8 *boot1 = payload(1, 3000), *boot2 = payload(2, 3000), *boot3 = payload(3, 3000);
	char path[512];
	void *data;
	size_t size;

	store(c, &key1, boot1, 3000);
	entry_path(path, sizeof(path));
	write_file(path, &key2, boot1, 3000, 3000, true);
	assert_int_equal(load(c, &key1, 1, &data, &size), -ENOENT);
	assert_non_null(strstr(mintmon_cache_last_error(c), "another kernel image"));
	assert_int_equal(matches_asked, 0);
	assert_int_equal(count_entries(), 0);

	store(c, &key1, boot1, 3000);
	store(c, &key1, boot2, 3000);
	assert_int_equal(count_entries(), 2);
	assert_int_equal(load(c, &key1, 3, &data, &size), -ENOENT);
	assert_int_equal(matches_asked, 2);
	assert_string_equal(mintmon_cache_last_error(c), "");
	assert_int_equal(count_entries(), 2);
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	assert_memory_equal(data, boot1, 3000);
	mintmon_cache_ops.release(c, data, size);
	assert_int_equal(load(c, &key1, 2, &data, &size), 0);
	assert_memory_equal(data, boot2, 3000);
	mintmon_cache_ops.release(c, data, size);
	free(boot1);
	free(boot2);
	free(boot3);
	mintmon_cache_close(c);
	snprintf(path, sizeof(path), "rm -f %s/*.mmk", dir);
	assert_int_equal(system(path), 0);
}

/* Least recently used entries go beyond MINTMON_CACHE_MAX_ENTRIES; other files stay. */
static void test_lru(void **state)
{
	struct mintmon_cache *c = open_cache();
	char other[512], cmd[600];
	unsigned int i;
	void *data;
	size_t size;
	FILE *f;

	snprintf(other, sizeof(other), "%s/notes.txt", dir);
	f = fopen(other, "w");
	fputs("not an entry\n", f);
	fclose(f);
	for (i = 0; i < MINTMON_CACHE_MAX_ENTRIES + 3; i++) {
		struct mintmon_kernel_cache_key k = {0x1000000 * (i + 1), 0xffffffff81000000ull, 4};
		u8 *p = payload(i, 1000);

		store(c, &k, p, 1000);
		free(p);
		/* Entry 0 is used again after each store: it stays. */
		usleep(2000);
		k.text_phys = 0x1000000;
		assert_int_equal(load(c, &k, 0, &data, &size), 0);
		mintmon_cache_ops.release(c, data, size);
		usleep(2000);
	}
	assert_int_equal(count_entries(), MINTMON_CACHE_MAX_ENTRIES);
	for (i = 0; i < MINTMON_CACHE_MAX_ENTRIES + 3; i++) {
		struct mintmon_kernel_cache_key k = {0x1000000 * (i + 1), 0xffffffff81000000ull, 4};
		int expect = i == 0 || i >= 4 ? 0 : -ENOENT;

		assert_int_equal(load(c, &k, i, &data, &size), expect);
		if (!expect)
			mintmon_cache_ops.release(c, data, size);
	}
	assert_int_equal(access(other, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "rm -f %s/*.mmk", dir);
	assert_int_equal(system(cmd), 0);
	mintmon_cache_close(c);
}

static void test_dir_not_private(void **state)
{
	struct mintmon_cache *c = NULL;
	char sub[300];

	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(mintmon_cache_open(sub, 0, &c), -EPERM);
	assert_null(c);
	/* Made when missing, private. */
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(mintmon_cache_open(sub, 0, &c), 0);
	mintmon_cache_close(c);
}

/* ---- the core with a cache, on the synthetic kernel ---- */

struct synth_fixture {
	struct synth_params p;
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_cache *c;
	struct mintmon_kernel_options opts;
	struct mintmon_error e;
};

static void synth_setup(struct synth_fixture *f)
{
	char sub[300];

	memset(f, 0, sizeof(*f));
	synth_default_params(&f->p);
	f->sk = synth_new(&f->p);
	assert_non_null(f->sk);
	synth_memory_init(&f->sm, &f->m, f->sk->mem, f->p.mem_size);
	snprintf(sub, sizeof(sub), "%s/core", dir);
	assert_int_equal(mintmon_cache_open(sub, 0, &f->c), 0);
	f->opts.cache = &mintmon_cache_ops;
	f->opts.cache_ctx = f->c;
	mintmon_error_init(&f->e, 0);
}

static void synth_teardown(struct synth_fixture *f)
{
	char cmd[300];

	mintmon_cache_close(f->c);
	synth_free(f->sk);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/core", dir);
	assert_int_equal(system(cmd), 0);
}

/* Attach; the kernel found must be the one built with p. */
static struct mintmon_kernel *attach(struct synth_fixture *f, const struct synth_params *p)
{
	struct mintmon_kernel *k = NULL;
	u64 addr;

	assert_int_equal(mintmon_kernel_create(&f->m, &f->opts, &f->e, &k), 0);
	assert_int_equal(k->text_virt, f->sk->text_virt);
	assert_int_equal(k->kaslr_offset, p->kaslr_offset);
	assert_int_equal(k->id.canary, p->canary);
	assert_string_equal(k->release, SYNTH_RELEASE);
	assert_string_equal(k->banner, f->sk->banner);
	assert_int_equal(mintmon_kallsyms_lookup(k->kallsyms, "init_task", &addr), 0);
	assert_int_equal(addr, f->sk->init_task);
	return k;
}

/* Flip a byte of the entry file at payload offset off (and make the checksum right again). */
static void patch_entry(const char *path, size_t off, u8 xor)
{
	FILE *f = fopen(path, "r+b");
	u8 *b;
	long n;
	u64 sum;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	b = malloc((size_t)n);
	rewind(f);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[MINTMON_CACHE_HEADER + off] ^= xor;
	memset(b + 48, 0, 8);
	sum = mintmon_cache_checksum(b, (size_t)n);
	memcpy(b + 48, &sum, 8);
	rewind(f);
	assert_int_equal(fwrite(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	free(b);
}

static void test_core_warm_attach(void **state)
{
	struct synth_fixture f;
	struct mintmon_kernel *cold, *warm;
	char sym_cold[128], sym_warm[128];

	synth_setup(&f);
	cold = attach(&f, &f.p);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_STORED);
	/* The same boot again: from the entry, without reading the tables. */
	f.m.bytes_read = 0;
	f.sm.watch_start = f.sk->regions[SYNTH_R_KALLSYMS].start;
	f.sm.watch_len = f.sk->regions[SYNTH_R_KALLSYMS].size;
	f.sm.watch_hits = 0;
	warm = attach(&f, &f.p);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
	assert_int_equal(f.sm.watch_hits, 0);
	assert_true(f.m.bytes_read < 256 * 1024);
	assert_int_equal(mintmon_boot_id_hash(&warm->id), mintmon_boot_id_hash(&cold->id));
	assert_int_equal(mintmon_kallsyms_count(warm->kallsyms), mintmon_kallsyms_count(cold->kallsyms));
	assert_int_equal(mintmon_btf_size(warm->btf), mintmon_btf_size(cold->btf));
	assert_memory_equal(mintmon_btf_data(warm->btf), mintmon_btf_data(cold->btf),
			    mintmon_btf_size(cold->btf));
	assert_int_equal(warm->page_offset_base, cold->page_offset_base);
	assert_int_equal(warm->timekeeper_vaddr, cold->timekeeper_vaddr);
	assert_int_equal(warm->ram_known, cold->ram_known);
	assert_int_equal(mintmon_kernel_symbolize(cold, f.sk->schedule + 3, sym_cold,
						  sizeof(sym_cold)), 0);
	assert_int_equal(mintmon_kernel_symbolize(warm, f.sk->schedule + 3, sym_warm,
						  sizeof(sym_warm)), 0);
	assert_string_equal(sym_warm, sym_cold);
	mintmon_kernel_destroy(cold);
	mintmon_kernel_destroy(warm);
	synth_teardown(&f);
}

/*
 * Another boot at the same place (same image addresses, new canary): the
 * entry of the first boot is not used, and both are kept.
 */
static void test_core_other_boot(void **state)
{
	struct synth_fixture f;
	struct synth_params next;
	struct mintmon_kernel *k;

	synth_setup(&f);
	mintmon_kernel_destroy(attach(&f, &f.p));
	next = f.p;
	next.canary ^= 0x5a5a00;
	assert_int_equal(synth_build(f.sk, &next), 0);
	k = attach(&f, &next);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_STORED);
	mintmon_kernel_destroy(k);
	/* Each boot finds its own entry. */
	k = attach(&f, &next);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
	mintmon_kernel_destroy(k);
	assert_int_equal(synth_build(f.sk, &f.p), 0);
	k = attach(&f, &f.p);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
	mintmon_kernel_destroy(k);
	synth_teardown(&f);
}

/*
 * Entries that do not describe the boot: the identity kept is wrong where
 * the probe does not look (the KASLR offset: only the final check sees it),
 * or the tables are (the symbol count, a discovery symbol's index, the
 * BTF's header). Each is refused, dropped, and the attach is a cold one
 * that gives the right kernel and keeps a good entry.
 */
static void test_core_bad_entry(void **state)
{
	static const struct {
		const char *what;
		size_t off;	/* in the core's entry (kernel.c: ENTRY_HDR = 1024) */
		u8 xor;
	} cases[] = {
		{"identity: KASLR offset", 48, 0x20},
		{"kallsyms_num_syms", 1024 + 24, 0x01},
		{"index of _text", 168, 0x01},
		{"BTF magic", 0, 0},	/* off set below: the BTF's first byte */
	};
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		struct synth_fixture f;
		struct mintmon_kernel *k;
		char path[PATH_MAX];
		size_t off = cases[i].off;
		u8 xor = cases[i].xor;
		struct stat st;

		print_message("%s\n", cases[i].what);
		synth_setup(&f);
		mintmon_kernel_destroy(attach(&f, &f.p));
		snprintf(path, sizeof(path), "%s", mintmon_cache_last_path(f.c));
		if (!xor) {
			/* The BTF follows the kallsyms tables (their length at 120), 8-aligned. */
			FILE *fp = fopen(path, "rb");
			u64 klen;

			assert_non_null(fp);
			assert_int_equal(stat(path, &st), 0);
			fseek(fp, MINTMON_CACHE_HEADER + 120, SEEK_SET);
			assert_int_equal(fread(&klen, 8, 1, fp), 1);
			fclose(fp);
			off = (size_t)((1024 + klen + 7) & ~7ull);
			xor = 0x10;
		}
		patch_entry(path, off, xor);
		k = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_STORED);
		assert_string_equal(mintmon_cache_last_path(f.c), path);
		mintmon_kernel_destroy(k);
		k = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
		mintmon_kernel_destroy(k);
		synth_teardown(&f);
	}
}

/*
 * The store vouches for an entry (ops.trusted) only when the directory and
 * the file are private to the user (0700, 0600); a readable one is still
 * used, checked in full.
 */
static void test_trusted_flag(void **state)
{
	struct mintmon_cache *c = open_cache();
	u8 *p = payload(1, 5000);
	char path[512];
	void *data;
	size_t size;

	store(c, &key1, p, 5000);
	entry_path(path, sizeof(path));
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	assert_true(mintmon_cache_ops.trusted(c));
	assert_memory_equal(data, p, 5000);
	mintmon_cache_ops.release(c, data, size);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	assert_false(mintmon_cache_ops.trusted(c));
	mintmon_cache_ops.release(c, data, size);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	assert_false(mintmon_cache_ops.trusted(c));
	mintmon_cache_ops.release(c, data, size);
	assert_int_equal(chmod(dir, 0700), 0);
	/* A miss trusts nothing. */
	assert_int_equal(load(c, &key1, 1, &data, &size), 0);
	mintmon_cache_ops.release(c, data, size);
	assert_int_equal(load(c, &key2, 1, &data, &size), -ENOENT);
	assert_false(mintmon_cache_ops.trusted(c));
	mintmon_cache_ops.drop(c, &key1);
	free(p);
	mintmon_cache_close(c);
}

/* Every BTF lookup on every id of a and b gives the same answer. */
static void same_btf(const struct mintmon_btf *a, const struct mintmon_btf *b)
{
	u32 nr = mintmon_btf_nr_types(a), id, ra, rb;
	u64 za, zb;
	int ea, eb;

	assert_int_equal(nr, mintmon_btf_nr_types(b));
	for (id = 0; id < nr; id++) {
		const char *name = mintmon_btf_name(a, id);
		unsigned int kind = mintmon_btf_kind(a, id);

		assert_int_equal(kind, mintmon_btf_kind(b, id));
		assert_string_equal(name, mintmon_btf_name(b, id));
		ra = rb = 0;
		assert_int_equal(mintmon_btf_resolve(a, id, &ra), mintmon_btf_resolve(b, id, &rb));
		assert_int_equal(ra, rb);
		za = zb = 0;
		assert_int_equal(mintmon_btf_type_size(a, id, &za),
				 mintmon_btf_type_size(b, id, &zb));
		assert_int_equal(za, zb);
		if (!*name)
			continue;
		ra = rb = 0;
		ea = mintmon_btf_find(a, name, kind, &ra);
		eb = mintmon_btf_find(b, name, kind, &rb);
		assert_int_equal(ea, eb);
		assert_int_equal(ra, rb);
	}
}

/*
 * A warm attach from a trusted entry (private directory) and from one
 * checked in full (a directory others can read) give the cold attach's
 * kernel: the same BTF answers, the same symbols.
 */
static void test_core_trusted_same(void **state)
{
	struct synth_fixture f;
	struct mintmon_kernel *cold, *warm;
	char sub[300];
	u64 o1, o2;
	int pass;

	synth_setup(&f);
	snprintf(sub, sizeof(sub), "%s/core", dir);
	cold = attach(&f, &f.p);
	assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_STORED);
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(chmod(sub, pass ? 0755 : 0700), 0);
		warm = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
		assert_int_equal(mintmon_cache_ops.trusted(f.c), !pass);
		same_btf(warm->btf, cold->btf);
		assert_int_equal(mintmon_btf_offsetof(warm->btf, "uts_namespace", "name.release",
						      &o1), 0);
		assert_int_equal(mintmon_btf_offsetof(cold->btf, "uts_namespace", "name.release",
						      &o2), 0);
		assert_int_equal(o1, o2);
		assert_int_equal(mintmon_kallsyms_count(warm->kallsyms),
				 mintmon_kallsyms_count(cold->kallsyms));
		mintmon_kernel_destroy(warm);
	}
	mintmon_kernel_destroy(cold);
	synth_teardown(&f);
}

/* The store's ops, counting what the core gives back. */
static unsigned int releases;

static void counting_release(void *ctx, void *data, size_t size)
{
	releases++;
	mintmon_cache_ops.release(ctx, data, size);
}

/*
 * A trusted entry is parsed where it lies: the kernel keeps it (its BTF
 * and kallsyms names point into it) and gives it back once, when it goes;
 * one checked in full is copied and given back at once.
 */
static void test_core_trusted_in_place(void **state)
{
	struct mintmon_kernel_cache_ops ops = mintmon_cache_ops;
	struct synth_fixture f;
	struct mintmon_kernel *k;
	const u8 *data, *entry;
	char sub[300];
	int pass;

	synth_setup(&f);
	snprintf(sub, sizeof(sub), "%s/core", dir);
	ops.release = counting_release;
	f.opts.cache = &ops;
	mintmon_kernel_destroy(attach(&f, &f.p));
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(chmod(sub, pass ? 0755 : 0700), 0);
		releases = 0;
		k = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
		data = mintmon_btf_data(k->btf);
		entry = k->entry;
		if (!pass) {
			assert_non_null(entry);
			assert_int_equal(releases, 0);
			assert_true(data > entry && data < entry + k->entry_size);
		} else {
			assert_null(entry);
			assert_int_equal(releases, 1);
		}
		mintmon_kernel_destroy(k);
		assert_int_equal(releases, 1);
	}
	synth_teardown(&f);
}

/*
 * Bit flips anywhere in a trusted entry's file (checksum left as it was):
 * refused by the store's checks, dropped, and the attach is a cold one
 * that gives the right kernel (under ASan: nothing read out of bounds).
 */
static void test_core_trusted_bit_flips(void **state)
{
	struct synth_fixture f;
	struct mintmon_kernel *k;
	char path[PATH_MAX];
	struct stat st;
	unsigned int i;
	size_t off;
	FILE *fp;
	int ch;

	synth_setup(&f);
	mintmon_kernel_destroy(attach(&f, &f.p));
	for (i = 0; i < 12; i++) {
		snprintf(path, sizeof(path), "%s", mintmon_cache_last_path(f.c));
		assert_int_equal(stat(path, &st), 0);
		/* Spread over the header, the core's header, kallsyms and the BTF. */
		off = i == 0 ? 5 : i == 1 ? 40 : i == 2 ? 50 :
		      (size_t)st.st_size / 10 * (i - 2) + i;
		if (off >= (size_t)st.st_size)
			off = (size_t)st.st_size - 1;
		fp = fopen(path, "r+b");
		assert_non_null(fp);
		fseek(fp, (long)off, SEEK_SET);
		ch = fgetc(fp);
		fseek(fp, (long)off, SEEK_SET);
		fputc(ch ^ (1 << (i % 8)), fp);
		fclose(fp);
		k = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_STORED);
		mintmon_kernel_destroy(k);
		k = attach(&f, &f.p);
		assert_int_equal(mintmon_cache_last_event(f.c), MINTMON_CACHE_HIT);
		assert_true(mintmon_cache_ops.trusted(f.c));
		mintmon_kernel_destroy(k);
	}
	synth_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_in_pieces),
		cmocka_unit_test(test_search_not_found),
		cmocka_unit_test(test_kallsyms_round_trip),
		cmocka_unit_test(test_kallsyms_deserialize_rejects),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_wrong_identity),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_dir_not_private),
		cmocka_unit_test(test_core_warm_attach),
		cmocka_unit_test(test_core_other_boot),
		cmocka_unit_test(test_core_bad_entry),
		cmocka_unit_test(test_trusted_flag),
		cmocka_unit_test(test_core_trusted_same),
		cmocka_unit_test(test_core_trusted_in_place),
		cmocka_unit_test(test_core_trusted_bit_flips),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
