// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/kallsyms.c.
 *
 * The fixtures are built by a small encoder that emits the tables the way
 * scripts/kallsyms.c does (every label .balign 8 up to v6.19, .balign 4
 * since v7.0; .long offsets/markers, .asciz tokens, .short token index,
 * ULEB128 name lengths), in the three orders the parser knows (see
 * include/mintmon/kallsyms.h and enum layout below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mintmon/kallsyms.h"

/* A fresh error object for each call: a message from an earlier case cannot satisfy a check. */
static struct mintmon_error test_err;

static struct mintmon_error *fresh_err(void)
{
	mintmon_error_init(&test_err, 0);
	return &test_err;
}

#define VADDR 0xffffffff82000000ull	/* where the fixture "is" in the kernel */
#define TEXT_START 0xffffffff81000000ull
#define TEXT_END 0xffffffffc0000000ull
#define NSYMS 300			/* more than 256: two markers */
#define BUF_SIZE (1 << 20)

/* Parse size bytes of buf at the fixture's addresses, with a fresh error object. */
static int create(const u8 *buf, size_t size, struct mintmon_kallsyms **ks_ret)
{
	return mintmon_kallsyms_create(buf, size, VADDR, TEXT_START, TEXT_END, fresh_err(), ks_ret);
}

/*
 * The orders scripts/kallsyms.c emits the tables in:
 *
 *   LAYOUT_6_1:  offsets, relative_base, num_syms, names, markers,
 *                seqs_of_names, token_table, token_index   (.balign 8)
 *   LAYOUT_6_12: num_syms, names, markers, token_table, token_index,
 *                offsets, relative_base, seqs_of_names     (.balign 8)
 *   LAYOUT_7_0:  num_syms, names, markers, token_table, token_index,
 *                offsets, seqs_of_names                    (.balign 4)
 *
 * v7.0 (a081b5789255 "kallsyms: Get rid of kallsyms relative base"): every
 * label is .balign 4, so kallsyms_names starts right after the 4-byte
 * kallsyms_num_syms (no zero pad word); there is no kallsyms_relative_base;
 * each offset is `.long _text - . + X` (X = address - _text), i.e. the
 * symbol's address minus the address of the entry itself; the first
 * symbol is _text. No absolute per-CPU symbols (gone since v6.15).
 */
enum layout { LAYOUT_6_1, LAYOUT_6_12, LAYOUT_7_0 };

/* Bytes of unrelated data before the tables, unless a test says otherwise. */
#define LEAD 64

struct sym {
	char name[600];		/* type letter first */
	u64 addr;
	bool percpu;
};

struct fixture {
	u8 *buf;
	size_t size;
	struct sym syms[NSYMS];
	unsigned int align;	/* every label's .balign: 8, or 4 in LAYOUT_7_0 */
	/* Where the encoder put things, for corrupting them. */
	size_t num_off, markers_off, names_off, names_end, token_off, index_off, offsets_off;
	size_t base_off;	/* kallsyms_relative_base; (size_t)-1 in LAYOUT_7_0 */
};

/* Token table: slot c is the character c; 0x80 "func_", 0x81 "long"; others empty. */
static const char *token(unsigned int c, char *one)
{
	if (c == 0x80)
		return "func_";
	if (c == 0x81)
		return "long";
	if (c >= 0x20 && c < 0x7f) {
		one[0] = (char)c;
		one[1] = 0;
		return one;
	}
	return "";
}

/*
 * .balign x->align. VADDR is 8-aligned, so a buffer offset and the address
 * it stands for have the same alignment.
 */
static void align(const struct fixture *x, size_t *pos)
{
	size_t a = x->align;

	assert_true(a == 4 || a == 8);
	*pos = (*pos + a - 1) & ~(a - 1);
}

static void put32(u8 *b, size_t *pos, u32 v)
{
	memcpy(b + *pos, &v, 4);
	*pos += 4;
}

/* Compress a name greedily with the two multi-character tokens. */
static size_t compress(const char *name, u8 *out)
{
	size_t n = 0;

	while (*name) {
		if (!strncmp(name, "func_", 5)) {
			out[n++] = 0x80;
			name += 5;
		} else if (!strncmp(name, "long", 4)) {
			out[n++] = 0x81;
			name += 4;
		} else {
			out[n++] = (u8)*name++;
		}
	}
	return n;
}

static void emit_offsets(struct fixture *x, size_t *pos, bool absolute_percpu)
{
	u64 base = x->syms[absolute_percpu ? 3 : 0].addr;	/* first non-percpu symbol */
	unsigned int i;

	align(x, pos);
	x->offsets_off = *pos;
	for (i = 0; i < NSYMS; i++) {
		const struct sym *s = &x->syms[i];
		s32 v;

		if (!absolute_percpu)
			v = (s32)(s->addr - base);
		else if (s->percpu)
			v = (s32)s->addr;
		else
			v = (s32)(base - s->addr - 1);
		put32(x->buf, pos, (u32)v);
	}
	align(x, pos);
	x->base_off = *pos;
	memcpy(x->buf + *pos, &base, 8);
	*pos += 8;
}

/* The v7.0 value of offsets entry i for address addr: `.long _text - . + X`. */
static u32 offset_v7(const struct fixture *x, unsigned int i, u64 addr)
{
	u64 here = VADDR + x->offsets_off + 4 * (u64)i;	/* "." */
	s64 v = (s64)(TEXT_START - here) + (s64)(addr - TEXT_START);	/* _text - . + X */

	assert_true(v >= INT32_MIN && v <= INT32_MAX);	/* or the assembler would refuse */
	return (u32)(s32)v;
}

/* v7.0: place-relative offsets and no kallsyms_relative_base after them. */
static void emit_offsets_v7(struct fixture *x, size_t *pos)
{
	unsigned int i;

	align(x, pos);
	x->offsets_off = *pos;
	for (i = 0; i < NSYMS; i++)
		put32(x->buf, pos, offset_v7(x, i, x->syms[i].addr));
	x->base_off = (size_t)-1;
}

static void emit_names_and_markers(struct fixture *x, size_t *pos)
{
	u32 markers[(NSYMS + 255) / 256];
	unsigned int i;

	align(x, pos);
	x->num_off = *pos;
	put32(x->buf, pos, NSYMS);	/* kallsyms_num_syms */
	/* v6: .balign 8 leaves a zero pad word; v7: .balign 4, names at num_syms + 4. */
	align(x, pos);
	x->names_off = *pos;
	for (i = 0; i < NSYMS; i++) {
		u8 c[600];
		size_t len = compress(x->syms[i].name, c);

		if (i % 256 == 0)
			markers[i / 256] = (u32)(*pos - x->names_off);
		if (len <= 0x7f) {
			x->buf[(*pos)++] = (u8)len;
		} else {	/* two-byte ULEB128, as since v6.1 */
			x->buf[(*pos)++] = (u8)((len & 0x7f) | 0x80);
			x->buf[(*pos)++] = (u8)(len >> 7);
		}
		memcpy(x->buf + *pos, c, len);
		*pos += len;
	}
	x->names_end = *pos;
	align(x, pos);
	x->markers_off = *pos;
	for (i = 0; i < MINTMON_ARRAY_SIZE(markers); i++)
		put32(x->buf, pos, markers[i]);
}

static void emit_seqs(struct fixture *x, size_t *pos)
{
	align(x, pos);
	memset(x->buf + *pos, 0x5a, 3 * NSYMS);	/* kallsyms_seqs_of_names: not parsed */
	*pos += 3 * NSYMS;
}

static void emit_tokens(struct fixture *x, size_t *pos)
{
	u16 index[256];
	size_t start;
	unsigned int c;

	align(x, pos);
	start = x->token_off = *pos;
	for (c = 0; c < 256; c++) {
		char one[2];
		const char *t = token(c, one);

		index[c] = (u16)(*pos - start);
		memcpy(x->buf + *pos, t, strlen(t) + 1);
		*pos += strlen(t) + 1;
	}
	align(x, pos);
	x->index_off = *pos;
	memcpy(x->buf + *pos, index, sizeof(index));
	*pos += sizeof(index);
}

/*
 * lead: bytes of unrelated data before the tables (where the first table
 * starts if already aligned). adjust, if set, may change the symbols before
 * they are encoded.
 */
static struct fixture *build_full(enum layout layout, bool absolute_percpu, size_t lead,
				  void (*adjust)(struct sym *syms))
{
	struct fixture *x = calloc(1, sizeof(*x));
	size_t pos = lead;
	unsigned int i;

	/* v7.0 kernels have no absolute per-CPU symbols (removed in v6.15). */
	assert_false(layout == LAYOUT_7_0 && absolute_percpu);
	x->align = layout == LAYOUT_7_0 ? 4 : 8;
	x->buf = calloc(1, BUF_SIZE);
	memset(x->buf, 0xcc, lead);
	/* 3 per-CPU symbols, then text symbols 16 bytes apart, one with a long name. */
	for (i = 0; i < NSYMS; i++) {
		struct sym *s = &x->syms[i];

		if (i < 3 && absolute_percpu) {
			snprintf(s->name, sizeof(s->name), "Apcpu_%u", i);
			s->addr = 0x1000 * i;
			s->percpu = true;
		} else {
			snprintf(s->name, sizeof(s->name), "%cfunc_%03u", i % 2 ? 't' : 'T', i);
			s->addr = TEXT_START + 16 * i;
		}
	}
	/* 1 + 200 characters: compressed length 201 needs two length bytes. */
	memset(x->syms[NSYMS - 1].name + 1, 'x', 200);
	x->syms[NSYMS - 1].name[201] = 0;
	if (adjust)
		adjust(x->syms);

	if (layout == LAYOUT_6_1) {
		emit_offsets(x, &pos, absolute_percpu);
		emit_names_and_markers(x, &pos);
		emit_seqs(x, &pos);
		emit_tokens(x, &pos);
	} else if (layout == LAYOUT_6_12) {
		emit_names_and_markers(x, &pos);
		emit_tokens(x, &pos);
		emit_offsets(x, &pos, absolute_percpu);
		emit_seqs(x, &pos);
	} else {
		/* Symbol 0 is at TEXT_START: it stands for _text, the first symbol. */
		assert_int_equal(x->syms[0].addr, TEXT_START);
		emit_names_and_markers(x, &pos);
		emit_tokens(x, &pos);
		emit_offsets_v7(x, &pos);
		emit_seqs(x, &pos);
	}
	x->size = pos + 64;
	return x;
}

static struct fixture *build_adjusted(enum layout layout, bool absolute_percpu,
				      void (*adjust)(struct sym *syms))
{
	return build_full(layout, absolute_percpu, LEAD, adjust);
}

static struct fixture *build(enum layout layout, bool absolute_percpu)
{
	return build_adjusted(layout, absolute_percpu, NULL);
}

static void destroy(struct fixture *x)
{
	free(x->buf);
	free(x);
}

static void check_all_symbols(struct fixture *x, struct mintmon_kallsyms *ks)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i = 0;
	int ret;

	assert_int_equal(mintmon_kallsyms_count(ks), NSYMS);
	assert_int_equal(mintmon_kallsyms_table_vaddr(ks), VADDR + x->token_off);
	mintmon_kallsyms_iter_init(&it, ks);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0) {
		assert_true(i < NSYMS);
		assert_int_equal(sym.type, x->syms[i].name[0]);
		assert_string_equal(sym.name, x->syms[i].name + 1);
		assert_int_equal(sym.addr, x->syms[i].addr);
		i++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(i, NSYMS);
}

/* With MINTMON_SEED_DIR set, save fixtures as seeds for tests/fuzz/fuzz_kallsyms. */
static void write_seed(const char *name, unsigned int i, const u8 *buf, size_t size)
{
	const char *dir = getenv("MINTMON_SEED_DIR");
	char path[256];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%u", dir, name, i);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
}

struct layout_case {
	const char *what;
	enum layout layout;
	bool absolute_percpu;
	size_t lead;
	/* (VADDR + offset) % 8 of kallsyms_num_syms, and of every table after it. */
	unsigned int num_mod8, tables_mod8;
};

static const struct layout_case layout_cases[] = {
	{"6.1 order, absolute per-CPU", LAYOUT_6_1, true, LEAD, 0, 0},
	{"6.1 order, all relative", LAYOUT_6_1, false, LEAD, 0, 0},
	{"6.12 order, absolute per-CPU", LAYOUT_6_12, true, LEAD, 0, 0},
	{"6.12 order, all relative", LAYOUT_6_12, false, LEAD, 0, 0},
	/*
	 * The default v7.0 fixture: names, markers, token table, token index
	 * and offsets all at 4 mod 8. The 8-aligned (v6) search cannot take
	 * the token table, and any of those positions rounded up to 8 (or
	 * names after a v6 pad word) would miss.
	 */
	{"7.0 order, tables at 4 mod 8", LAYOUT_7_0, false, LEAD, 0, 4},
	/*
	 * The other parity: kallsyms_num_syms at 4 mod 8, so every table after
	 * it is 8-aligned. The v6 search (align 8) accepts this token table and
	 * must give it up before the v7 one (align 4) takes it.
	 */
	{"7.0 order, kallsyms_num_syms at 4 mod 8", LAYOUT_7_0, false, LEAD + 4, 4, 0},
};

/* Where the encoder put the tables: as the case says, names right after the count. */
static void check_placement(const struct fixture *x, const struct layout_case *c)
{
	const size_t tables[] = {x->names_off, x->markers_off, x->token_off, x->index_off,
				 x->offsets_off};
	unsigned int i;

	assert_int_equal((VADDR + x->num_off) % 8, c->num_mod8);
	for (i = 0; i < MINTMON_ARRAY_SIZE(tables); i++)
		assert_int_equal((VADDR + tables[i]) % 8, c->tables_mod8);
	/* v6: a zero pad word between kallsyms_num_syms and kallsyms_names; v7: none. */
	assert_int_equal(x->names_off, x->num_off + (c->layout == LAYOUT_7_0 ? 4 : 8));
	/* v7: no kallsyms_relative_base; the offsets are the last table but seqs. */
	assert_true((c->layout == LAYOUT_7_0) == (x->base_off == (size_t)-1));
}

/* The tables survive mintmon_kallsyms_serialize() and _deserialize(). */
static void check_round_trip(struct fixture *x, const struct mintmon_kallsyms *ks)
{
	struct mintmon_kallsyms *back = NULL;
	long size = mintmon_kallsyms_serialize(ks, NULL, 0);
	u8 *buf;

	assert_true(size > 0);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(mintmon_kallsyms_serialize(ks, buf, (size_t)size), size);
	assert_int_equal(mintmon_kallsyms_deserialize(buf, (size_t)size, TEXT_START, TEXT_END,
						      fresh_err(), &back), 0);
	free(buf);
	check_all_symbols(x, back);
	mintmon_kallsyms_destroy(back);
}

/* The search on a copy that grows piece by piece finds the same tables. */
static void check_in_pieces(struct fixture *x)
{
	static const size_t pieces[] = {1, 61, 4096};
	unsigned int j;

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
		check_all_symbols(x, ks);
		mintmon_kallsyms_destroy(ks);
	}
}

static void test_layouts(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(layout_cases); i++) {
		const struct layout_case *c = &layout_cases[i];
		struct fixture *x = build_full(c->layout, c->absolute_percpu, c->lead, NULL);
		struct mintmon_kallsyms *ks = NULL;

		print_message("%s\n", c->what);
		check_placement(x, c);
		write_seed("layout", i, x->buf, x->size);
		assert_int_equal(create(x->buf, x->size, &ks), 0);
		check_all_symbols(x, ks);
		check_round_trip(x, ks);
		check_in_pieces(x);
		mintmon_kallsyms_destroy(ks);
		destroy(x);
	}
}

static void test_lookup(void **state)
{
	static const struct {
		const char *what;
		enum layout layout;
		bool absolute_percpu;
	} cases[] = {
		{"6.12 order, absolute per-CPU", LAYOUT_6_12, true},
		{"6.12 order, all relative", LAYOUT_6_12, false},
		{"7.0 order", LAYOUT_7_0, false},
	};
	static const char *const names[] = {"func_010", "pcpu_2", "nope", "func_299"};
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		bool pcpu = cases[i].absolute_percpu;
		struct fixture *x = build(cases[i].layout, pcpu);
		struct mintmon_kallsyms *ks;
		struct mintmon_symbol sym;
		u32 idx[4];
		u64 addrs[4];
		bool found[4];
		u64 addr;

		print_message("%s\n", cases[i].what);
		assert_int_equal(create(x->buf, x->size, &ks), 0);
		assert_int_equal(mintmon_kallsyms_lookup_many(ks, names, 4, addrs, found),
				 1 + pcpu);
		assert_true(found[0]);
		assert_int_equal(addrs[0], TEXT_START + 16 * 10);
		assert_int_equal(found[1], pcpu);	/* only the per-CPU fixture has pcpu_* */
		if (pcpu)
			assert_int_equal(addrs[1], 0x2000);
		assert_false(found[2]);
		assert_false(found[3]);	/* renamed to xxx... by the fixture */
		assert_int_equal(mintmon_kallsyms_lookup_index(ks, names, 4, idx), 1 + pcpu);
		assert_int_equal(idx[0], 10);
		assert_int_equal(idx[2], MINTMON_KALLSYMS_NONE);
		assert_int_equal(mintmon_kallsyms_lookup(ks, "func_123", &addr), 0);
		assert_int_equal(addr, TEXT_START + 16 * 123);
		assert_int_equal(mintmon_kallsyms_lookup(ks, "func_", &addr), -ENOENT);
		/* Symbol 0 (the first, at _text) and symbol 299 (past the last marker). */
		if (!pcpu) {
			assert_int_equal(mintmon_kallsyms_lookup(ks, "func_000", &addr), 0);
			assert_int_equal(addr, TEXT_START);
		}
		assert_int_equal(mintmon_kallsyms_symbol(ks, 299, &sym), 0);
		assert_string_equal(sym.name, x->syms[299].name + 1);
		assert_int_equal(sym.addr, TEXT_START + 16 * 299);
		assert_int_equal(mintmon_kallsyms_address(ks, 257, &addr), 0);
		assert_int_equal(addr, TEXT_START + 16 * 257);
		mintmon_kallsyms_destroy(ks);
		destroy(x);
	}
}

/* Each corruption must make the parser refuse the tables, never crash. */
enum corruption {
	BAD_MARKER,
	BAD_BASE,
	BAD_INDEX,
	NO_TOKENS,
	TRUNCATED_NAMES,
	UNSORTED,
	ZERO_LENGTH_NAME,
	V7_BACKWARDS,
	V7_NOT_TEXT,
};

struct corrupt_case {
	const char *what;
	enum layout layout;
	enum corruption how;
	const char *msg;	/* must appear in the error */
};

#define NO_NAMES "token table found but the name tables around it are invalid"
#define NO_TABLE "no kallsyms token table in"
#define NO_OFFSETS "but no matching kallsyms_offsets"
#define NO_OFFSETS_V7 "but no matching kallsyms_offsets (v7 layout)"

static const struct corrupt_case corrupt_cases[] = {
	{"marker 1 off by one", LAYOUT_6_12, BAD_MARKER, NO_NAMES},
	/* parse_offsets()'s precise reason survives the end of the search. */
	{"relative base outside the kernel text", LAYOUT_6_12, BAD_BASE, NO_OFFSETS},
	{"relative base outside the kernel text (6.1)", LAYOUT_6_1, BAD_BASE, NO_OFFSETS},
	{"token index disagrees with the table", LAYOUT_6_12, BAD_INDEX, NO_TABLE},
	{"no digit tokens", LAYOUT_6_12, NO_TOKENS, NO_TABLE},
	/* Cut 100 bytes into the names (which start at 72): no token table left. */
	{"buffer ends inside the names", LAYOUT_6_12, TRUNCATED_NAMES,
	 "no kallsyms token table in 172 bytes"},
	{"addresses not sorted", LAYOUT_6_1, UNSORTED, NO_OFFSETS},
	{"zero-length name", LAYOUT_6_12, ZERO_LENGTH_NAME, NO_NAMES},
	/* v7.0 (the default fixture: tables after kallsyms_num_syms at 4 mod 8). */
	{"7.0: marker 1 off by one", LAYOUT_7_0, BAD_MARKER, NO_NAMES},
	/* Symbol 20 one byte below symbol 19: inside the image, above _text; only unsorted. */
	{"7.0: an offset makes the addresses go backwards", LAYOUT_7_0, V7_BACKWARDS,
	 NO_OFFSETS_V7},
	/* Symbol 0 8 bytes above _text: still sorted, inside the image, below symbol 1. */
	{"7.0: the first symbol is not _text", LAYOUT_7_0, V7_NOT_TEXT, NO_OFFSETS_V7},
};

static void test_corrupt(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(corrupt_cases); i++) {
		const struct corrupt_case *c = &corrupt_cases[i];
		/* v7.0 has no absolute per-CPU symbols. */
		struct fixture *x = build(c->layout, c->layout != LAYOUT_7_0);
		struct mintmon_kallsyms *ks = NULL;
		size_t size = x->size;
		u64 bad = 0x1000;
		u32 v;

		print_message("%s\n", c->what);
		switch (c->how) {
		case BAD_MARKER:
			memcpy(&v, x->buf + x->markers_off + 4, 4);
			v++;
			memcpy(x->buf + x->markers_off + 4, &v, 4);
			break;
		case BAD_BASE:
			memcpy(x->buf + x->base_off, &bad, 8);
			break;
		case BAD_INDEX:
			x->buf[x->index_off + 2 * 100]++;
			break;
		case NO_TOKENS:
			memset(x->buf + x->token_off, 0, x->index_off - x->token_off);
			break;
		case TRUNCATED_NAMES:
			size = x->names_off + 100;
			break;
		case UNSORTED: {
			/* Swap two relative offsets: addresses go backwards. */
			u8 tmp[4];
			size_t off = x->base_off - 8 * 20;

			memcpy(tmp, x->buf + off, 4);
			memcpy(x->buf + off, x->buf + off + 4 * 9, 4);
			memcpy(x->buf + off + 4 * 9, tmp, 4);
			break;
		}
		case ZERO_LENGTH_NAME:
			x->buf[x->names_off] = 0;
			break;
		case V7_BACKWARDS:
			v = offset_v7(x, 20, x->syms[19].addr - 1);
			memcpy(x->buf + x->offsets_off + 4 * 20, &v, 4);
			break;
		case V7_NOT_TEXT:
			v = offset_v7(x, 0, TEXT_START + 8);
			memcpy(x->buf + x->offsets_off, &v, 4);
			break;
		}
		assert_int_equal(create(x->buf, size, &ks), -ENOENT);
		print_message("  -> %s\n", test_err.msg);
		assert_null(ks);
		assert_int_equal(test_err.code, -ENOENT);
		assert_string_equal(test_err.step, "kallsyms");
		assert_non_null(strstr(test_err.msg, c->msg));
		if (strstr(c->msg, NO_OFFSETS)) {
			char where[80];

			/* Which names the offsets were tried for, and by which layout's rules. */
			snprintf(where, sizeof(where),
				 "kallsyms: found %u names at %#llx " NO_OFFSETS, NSYMS,
				 (unsigned long long)(VADDR + x->num_off));
			assert_non_null(strstr(test_err.msg, where));
			assert_int_equal(strstr(test_err.msg, "(v7 layout)") != NULL,
					 c->layout == LAYOUT_7_0);
		}
		destroy(x);
	}
}

static void test_garbage(void **state)
{
	u8 *buf = malloc(BUF_SIZE);
	struct mintmon_kallsyms *ks = NULL;
	unsigned int i, seed = 12345;

	for (i = 0; i < BUF_SIZE; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (u8)(seed >> 16);
	}
	assert_int_equal(create(buf, BUF_SIZE, &ks), -ENOENT);
	assert_non_null(strstr(test_err.msg, NO_TABLE));
	memset(buf, 0, BUF_SIZE);
	assert_int_equal(create(buf, BUF_SIZE, &ks), -ENOENT);
	assert_non_null(strstr(test_err.msg, NO_TABLE));
	assert_int_equal(create(buf, 0, &ks), -ENOENT);
	assert_non_null(strstr(test_err.msg, "no kallsyms token table in 0 bytes"));
	assert_null(ks);
	free(buf);
}

/*
 * Hostile data below a valid token table: every 8-byte step reads as
 * kallsyms_num_syms = 0x10007 (bytes 07 00 01 00, then a zero u32), and
 * from every step on the bytes decode as names of 7 bytes each. Without a
 * bound on the search, each of the half million positions would decode
 * 65543 names: the parser must give up in bounded time instead.
 */
static void test_search_is_bounded(void **state)
{
	static const u8 pattern[8] = {0x07, 0x00, 0x01, 0x00, 0, 0, 0, 0};
	struct fixture *x = calloc(1, sizeof(*x));
	struct mintmon_kallsyms *ks = NULL;
	size_t pos = 4 << 20, i;

	x->align = 8;
	x->buf = calloc(1, pos + 8192);
	for (i = 0; i < pos; i += 8)
		memcpy(x->buf + i, pattern, 8);
	emit_tokens(x, &pos);
	assert_int_equal(create(x->buf, pos + 64, &ks), -ENOENT);
	assert_null(ks);
	assert_non_null(strstr(test_err.msg, "gave up"));
	destroy(x);
}

/* A name whose tokens expand past KSYM_NAME_LEN is an error when read. */
static void test_overlong_expansion(void **state)
{
	struct fixture *x = build(LAYOUT_6_12, true);
	struct mintmon_kallsyms *ks;
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i;
	int ret;

	/* The last name ends with 200 'x' tokens; make them "long": 800 characters. */
	for (i = 0; i < 200; i++)
		x->buf[x->names_end - 200 + i] = 0x81;
	assert_int_equal(create(x->buf, x->size, &ks), 0);
	mintmon_kallsyms_iter_init(&it, ks);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0)
		;
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(test_err.msg, "expands past 512 characters"));
	mintmon_kallsyms_destroy(ks);
	destroy(x);
}

/* ---- address to symbol ---- */

#define ADDR(i) (TEXT_START + 16ull * (i))	/* symbol i of the default fixture */

/*
 * Aliases: symbols 11 and 12 share symbol 10's address, and symbol 256
 * (the first one of the second marker block) shares symbol 255's.
 */
static void make_aliases(struct sym *syms)
{
	syms[11].addr = syms[10].addr;
	syms[12].addr = syms[10].addr;
	syms[256].addr = syms[255].addr;
}

struct by_addr_case {
	const char *what;
	bool aliases;		/* the make_aliases() fixture */
	bool absolute_percpu;
	u64 addr;
	int err;
	const char *name;	/* without the type letter */
	u64 sym_addr, size;
};

static const struct by_addr_case by_addr_cases[] = {
	{"the first symbol, exactly", false, false, ADDR(0), 0, "func_000", ADDR(0), 16},
	{"inside a symbol", false, false, ADDR(100) + 5, 0, "func_100", ADDR(100), 16},
	{"a symbol's last byte", false, false, ADDR(100) + 15, 0, "func_100", ADDR(100), 16},
	{"below the first symbol", false, false, ADDR(0) - 1, -ENOENT, NULL, 0, 0},
	{"address 0", false, false, 0, -ENOENT, NULL, 0, 0},
	/* Symbols around the marker boundary: 255 ends block 0, 256 starts block 1. */
	{"symbol 255", false, false, ADDR(255) + 8, 0, "func_255", ADDR(255), 16},
	{"symbol 256", false, false, ADDR(256), 0, "func_256", ADDR(256), 16},
	{"symbol 257", false, false, ADDR(257) + 15, 0, "func_257", ADDR(257), 16},
	/* The last symbol has no known end: only its own address. */
	{"the last symbol", false, false, ADDR(NSYMS - 1), 0, NULL, ADDR(NSYMS - 1), 1},
	{"past the last symbol", false, false, ADDR(NSYMS - 1) + 1, -ENOENT, NULL, 0, 0},
	{"the top of the address space", false, false, ~0ull, -ENOENT, NULL, 0, 0},
	/* Aliases: the first of them, sized to the next higher address. */
	{"aliases: the first", true, false, ADDR(10), 0, "func_010", ADDR(10), 48},
	{"aliases: inside", true, false, ADDR(10) + 40, 0, "func_010", ADDR(10), 48},
	{"before the aliases", true, false, ADDR(9) + 15, 0, "func_009", ADDR(9), 16},
	{"after the aliases", true, false, ADDR(13), 0, "func_013", ADDR(13), 16},
	{"alias across a marker: the first, in block 0", true, false, ADDR(255) + 20, 0,
	 "func_255", ADDR(255), 32},
	{"after the alias across a marker", true, false, ADDR(257), 0, "func_257", ADDR(257),
	 16},
	/* Absolute per-CPU symbols sit far below the text. */
	{"per-CPU symbol", false, true, 0x1800, 0, "pcpu_1", 0x1000, 0x1000},
	{"first per-CPU symbol", false, true, 0, 0, "pcpu_0", 0, 0x1000},
	{"between per-CPU and text", false, true, ADDR(3) - 1, 0, "pcpu_2", 0x2000,
	 ADDR(3) - 0x2000},
};

/* The layouts the address lookups run on (v7.0 without the per-CPU cases). */
static const enum layout by_addr_layouts[] = {LAYOUT_6_12, LAYOUT_7_0};

static void run_by_addr_case(enum layout layout, const struct by_addr_case *c)
{
	struct fixture *x = build_adjusted(layout, c->absolute_percpu,
					   c->aliases ? make_aliases : NULL);
	struct mintmon_kallsyms *ks;
	struct mintmon_symbol sym;
	u64 size = 0xdead;
	unsigned int want;

	print_message("%s: %s\n", layout == LAYOUT_7_0 ? "7.0" : "6.12", c->what);
	assert_int_equal(create(x->buf, x->size, &ks), 0);
	memset(&sym, 0, sizeof(sym));
	assert_int_equal(mintmon_kallsyms_by_addr(ks, c->addr, &sym, &size), c->err);
	if (c->err) {
		assert_int_equal(size, 0xdead);	/* untouched */
	} else {
		assert_int_equal(sym.addr, c->sym_addr);
		assert_int_equal(size, c->size);
		if (c->name) {
			assert_string_equal(sym.name, c->name);
		} else {	/* the last symbol: its 200-character name */
			assert_int_equal(strlen(sym.name), 200);
		}
		/* The type letter of the symbol found. */
		for (want = 0; want < NSYMS; want++) {
			if (!strcmp(x->syms[want].name + 1, sym.name))
				break;
		}
		assert_true(want < NSYMS);
		assert_int_equal(sym.type, x->syms[want].name[0]);
	}
	mintmon_kallsyms_destroy(ks);
	destroy(x);
}

static void test_by_addr(void **state)
{
	unsigned int i, l;

	for (l = 0; l < MINTMON_ARRAY_SIZE(by_addr_layouts); l++) {
		for (i = 0; i < MINTMON_ARRAY_SIZE(by_addr_cases); i++) {
			/* No absolute per-CPU symbols since v6.15. */
			if (by_addr_layouts[l] == LAYOUT_7_0 && by_addr_cases[i].absolute_percpu)
				continue;
			run_by_addr_case(by_addr_layouts[l], &by_addr_cases[i]);
		}
	}
}

/* Every symbol of the default fixture maps back to itself from each of its bytes. */
static void test_by_addr_every_symbol(void **state)
{
	static const enum layout layouts[] = {LAYOUT_6_1, LAYOUT_7_0};
	unsigned int l, i, b;

	for (l = 0; l < MINTMON_ARRAY_SIZE(layouts); l++) {
		struct fixture *x = build(layouts[l], false);
		struct mintmon_kallsyms *ks;
		struct mintmon_symbol sym;
		u64 size;

		assert_int_equal(create(x->buf, x->size, &ks), 0);
		for (i = 0; i + 1 < NSYMS; i++) {
			for (b = 0; b < 16; b++) {
				assert_int_equal(mintmon_kallsyms_by_addr(ks, ADDR(i) + b, &sym,
									  &size), 0);
				assert_string_equal(sym.name, x->syms[i].name + 1);
				assert_int_equal(sym.type, x->syms[i].name[0]);
				assert_int_equal(sym.addr, ADDR(i));
				assert_int_equal(size, 16);
			}
		}
		/* The last symbol: only its own address. */
		assert_int_equal(mintmon_kallsyms_by_addr(ks, ADDR(NSYMS - 1), &sym, &size), 0);
		assert_string_equal(sym.name, x->syms[NSYMS - 1].name + 1);
		mintmon_kallsyms_destroy(ks);
		destroy(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_overlong_expansion),
		cmocka_unit_test(test_search_is_bounded),
		cmocka_unit_test(test_by_addr),
		cmocka_unit_test(test_by_addr_every_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
