// SPDX-License-Identifier: GPL-2.0
/*
 * Recover the kernel's symbol table from the kallsyms tables in its memory.
 *
 * Parsing is staged: find the token table by its structure, then the
 * names/markers pair that must precede it, then the offsets, and finally a
 * sanity pass (every marker agrees with the names, every address is sorted
 * and inside the kernel image). Everything read is untrusted: all positions
 * are checked against the buffer with comparisons that cannot wrap.
 */
#include "mintmon/kallsyms.h"

/*
 * The tables' alignment: .balign 8 (on 64-bit) up to v6.19, .balign 4 since
 * v7.0 (a081b5789255), which also dropped kallsyms_relative_base.
 */
#define KALLSYMS_ALIGN 8
#define KALLSYMS_ALIGN_V7 4
/* The largest symbol table accepted: 16M symbols (6.12 has about 200k). */
#define KALLSYMS_MAX_SYMS (1u << 24)
/*
 * Steps (names decoded, token strings walked) the search may take. A real
 * kernel needs about 0.3M (two passes over 6.12's names); crafted data could
 * otherwise make every candidate position cost megabytes (quadratic time).
 */
#define KALLSYMS_SEARCH_BUDGET (64ull << 20)

struct mintmon_kallsyms {
	u32 nr_syms;
	const u8 *names;	/* kallsyms_names, names_size bytes */
	u32 names_size;
	u32 *markers;		/* kallsyms_markers, (nr_syms + 255) / 256 entries */
	const char *token_table;	/* kallsyms_token_table, token_size bytes */
	bool in_place;		/* names and token_table lie in the caller's buffer */
	u32 token_size;
	u16 token_index[256];
	u16 token_len[256];
	u64 *addrs;		/* decoded addresses, nr_syms entries */
	u64 relative_base;	/* kallsyms_relative_base */
	bool absolute_percpu;	/* per-CPU symbols stored as absolute values */
	u64 table_vaddr;
	struct mintmon_error *err;
};

/* Digits are always single-character tokens standing for themselves. */
static const char digit_tokens[] = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9";

static const u8 *find_bytes(const u8 *hay, size_t hay_len, const char *needle, size_t n)
{
	size_t i;

	if (hay_len < n)
		return NULL;
	for (i = 0; i <= hay_len - n; i++) {
		const u8 *p = memchr(hay + i, (u8)needle[0], hay_len - n + 1 - i);

		if (!p)
			return NULL;
		i = p - hay;
		if (!memcmp(p, needle, n))
			return p;
	}
	return NULL;
}

/* Offset in buf of the next address >= buf_vaddr + off aligned to align. */
static size_t align_to(u64 buf_vaddr, size_t off, unsigned int align)
{
	u64 v = buf_vaddr + off;

	return off + (size_t)((align - (v % align)) % align);
}

static size_t align_off(u64 buf_vaddr, size_t off)
{
	return align_to(buf_vaddr, off, KALLSYMS_ALIGN);
}

/*
 * Answers of checks on a copy that may end early (mintmon_kallsyms_search):
 * CHECK_MORE means the bytes that decide lie past its end.
 */
enum check { CHECK_NO, CHECK_YES, CHECK_MORE };

/*
 * Check a token table starting at off: 256 NUL-terminated strings whose
 * offsets are listed by the 256 u16 of kallsyms_token_index that follow.
 * On success *end_ret is the offset just past the token index. complete:
 * buf holds all the data (a table cut by its end is invalid).
 */
static enum check check_token_table(const u8 *buf, size_t size, bool complete, u64 buf_vaddr,
				    unsigned int align, size_t off, u64 *budget,
				    size_t *table_end_ret, size_t *index_off_ret)
{
	const enum check cut = complete ? CHECK_NO : CHECK_MORE;
	size_t pos = off, idx_off;
	unsigned int i;

	if ((buf_vaddr + off) % align)
		return CHECK_NO;
	for (i = 0; i < 256; i++) {
		const u8 *nul;

		if (pos - off > 0xffff || *budget == 0)
			return CHECK_NO;
		if (pos >= size)
			return cut;
		(*budget)--;
		nul = memchr(buf + pos, 0, size - pos);
		if (!nul)
			return size - pos >= MINTMON_KSYM_NAME_LEN ? CHECK_NO : cut;
		if ((size_t)(nul - (buf + pos)) >= MINTMON_KSYM_NAME_LEN)
			return CHECK_NO;
		pos = nul - buf + 1;
	}
	idx_off = align_to(buf_vaddr, pos, align);
	if (!mintmon_in_bounds(size, idx_off, 512))
		return cut;
	for (i = 0, pos = off; i < 256; i++) {
		if (mintmon_le16(buf + idx_off + 2 * i) != pos - off)
			return CHECK_NO;
		pos += strnlen((const char *)buf + pos, size - pos) + 1;
	}
	*table_end_ret = pos;
	*index_off_ret = idx_off;
	return CHECK_YES;
}

/* From the digit tokens at hit, walk back to the start of the table ('0' is token 48). */
static bool token_table_start(const u8 *buf, size_t hit, u64 *budget, size_t *start_ret)
{
	size_t p = hit;
	unsigned int i;

	for (i = 0; i < '0'; i++) {
		if (p == 0 || buf[p - 1] != 0 || *budget == 0)
			return false;
		(*budget)--;
		p--;	/* p is the NUL ending the previous token */
		while (p > 0 && buf[p - 1] != 0 && hit - p < MINTMON_KSYM_NAME_LEN)
			p--;
		if (p > 0 && buf[p - 1] != 0)
			return false;
	}
	*start_ret = p;
	return true;
}

/* Decode one compressed-name length; returns bytes consumed or 0 if invalid. */
static size_t name_len(const u8 *p, size_t avail, u32 *len_ret)
{
	u32 len;

	if (avail < 1)
		return 0;
	len = p[0];
	if (len & 0x80) {
		/* Since v6.1 (73bbb94466fd) lengths above 127 take two ULEB128 bytes. */
		if (avail < 2 || (p[1] & 0x80))
			return 0;
		len = (len & 0x7f) | ((u32)p[1] << 7);
		if (len == 0 || avail - 2 < len)
			return 0;
		*len_ret = len;
		return 2;
	}
	if (len == 0 || avail - 1 < len)
		return 0;
	*len_ret = len;
	return 1;
}

/*
 * Try kallsyms_num_syms at offset p: nr_syms names follow at p + align (the
 * padding after the 4-byte count is zero), then the markers. Returns true
 * and the layout if every marker agrees.
 */
static bool check_names(const u8 *buf, size_t limit, u64 buf_vaddr, unsigned int align,
			size_t p, u64 *budget, u32 *nr_ret, size_t *names_end_ret,
			size_t *markers_off_ret)
{
	u32 n, i, nr_markers;
	size_t pos = p + align, names_off = p + align, markers_off;

	if (limit < p || limit - p < align)
		return false;
	n = mintmon_le32(buf + p);
	/* Every name takes at least two bytes. */
	if (n == 0 || n > KALLSYMS_MAX_SYMS || (align == 8 && mintmon_le32(buf + p + 4) != 0) ||
	    n > (limit - p) / 2)
		return false;
	for (i = 0; i < n; i++) {
		u32 len;
		size_t hdr;

		if (*budget == 0)
			return false;
		(*budget)--;
		hdr = name_len(buf + pos, limit - pos, &len);
		if (!hdr)
			return false;
		pos += hdr + len;
	}
	markers_off = align_to(buf_vaddr, pos, align);
	nr_markers = (n + 255) / 256;
	if (!mintmon_in_bounds(limit, markers_off, (u64)nr_markers * 4))
		return false;
	/* Second pass: every 256th name starts where its marker says. */
	for (i = 0, pos = names_off; i < n; i++) {
		u32 len;

		if (i % 256 == 0 && mintmon_le32(buf + markers_off + 4 * (i / 256)) != pos - names_off)
			return false;
		pos += name_len(buf + pos, limit - pos, &len) + len;
	}
	*nr_ret = n;
	*names_end_ret = pos;
	*markers_off_ret = markers_off;
	return true;
}

/*
 * Decode kallsyms_offsets at off with kallsyms_relative_base after it and
 * check that the addresses are sorted and inside the image. *end_ret: the
 * offset just past the relative base (how much of buf the tables need).
 */
static enum check decode_offsets(struct mintmon_kallsyms *ks, const u8 *buf, size_t size,
				 bool complete, u64 buf_vaddr, size_t off, u32 n, u64 text_start,
				 u64 text_end, size_t *end_ret)
{
	size_t base_off = align_off(buf_vaddr, off + (size_t)n * 4);
	bool absolute_percpu = false;
	u64 base, prev = 0, *addrs = ks->addrs;
	u32 i;

	*end_ret = base_off + 8;
	if (*end_ret < off)
		return CHECK_NO;
	if (!mintmon_in_bounds(size, off, (u64)n * 4) || !mintmon_in_bounds(size, base_off, 8))
		return complete ? CHECK_NO : CHECK_MORE;
	base = mintmon_le64(buf + base_off);
	if (base < text_start || base >= text_end)
		return CHECK_NO;
	/*
	 * With CONFIG_KALLSYMS_ABSOLUTE_PERCPU, per-CPU symbols are stored as
	 * absolute values (>= 0) and the rest as base - 1 - value (< 0);
	 * without it every value is an unsigned offset from the base. A
	 * kernel image is far smaller than 2 GiB, so a negative value can
	 * only mean the first encoding.
	 */
	for (i = 0; i < n; i++) {
		if ((s32)mintmon_le32(buf + off + 4 * (size_t)i) < 0) {
			absolute_percpu = true;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		s32 v = (s32)mintmon_le32(buf + off + 4 * (size_t)i);
		u64 a;

		if (!absolute_percpu)
			a = base + (u32)v;
		else if (v >= 0)
			a = (u64)v;
		else
			a = base - 1 - (s64)v;
		if (a < prev)
			return CHECK_NO;
		if (a > text_end)
			return CHECK_NO;
		addrs[i] = prev = a;
	}
	ks->relative_base = base;
	ks->absolute_percpu = absolute_percpu;
	return CHECK_YES;
}

/*
 * v7.0+ (a081b5789255): each offset is `.long _text - . + X`, the address
 * relative to the entry itself; the first symbol is _text. No relative base
 * follows. Sorted, inside the image.
 */
static enum check decode_offsets_v7(struct mintmon_kallsyms *ks, const u8 *buf, size_t size,
				    bool complete, u64 buf_vaddr, size_t off, u32 n,
				    u64 text_start, u64 text_end, size_t *end_ret)
{
	u64 prev = 0, *addrs = ks->addrs;
	u32 i;

	*end_ret = off + (size_t)n * 4;
	if (*end_ret < off)
		return CHECK_NO;
	if (!mintmon_in_bounds(size, off, (u64)n * 4))
		return complete ? CHECK_NO : CHECK_MORE;
	for (i = 0; i < n; i++) {
		s32 v = (s32)mintmon_le32(buf + off + 4 * (size_t)i);
		u64 a = buf_vaddr + off + 4 * (u64)i + (u64)(s64)v;

		if (a < prev || a < text_start || a > text_end || (i == 0 && a != text_start))
			return CHECK_NO;
		addrs[i] = prev = a;
	}
	/* Kept (serialize()) in the v6.12 form, relative to _text. */
	ks->relative_base = text_start;
	ks->absolute_percpu = false;
	return CHECK_YES;
}

/* in_place: names and tokens are used where they lie in buf (ks->in_place). */
static int copy_tables(struct mintmon_kallsyms *ks, const u8 *buf, size_t names_off,
		       size_t names_end, size_t markers_off, size_t tt_off, size_t tt_end,
		       size_t ti_off, bool in_place)
{
	u32 nr_markers = (ks->nr_syms + 255) / 256, i;

	ks->names_size = (u32)(names_end - names_off);
	ks->token_size = (u32)(tt_end - tt_off);
	ks->markers = mintmon_calloc(nr_markers, sizeof(*ks->markers));
	if (!ks->markers)
		return -ENOMEM;
	if (in_place) {
		ks->in_place = true;
		ks->names = buf + names_off;
		ks->token_table = (const char *)buf + tt_off;
	} else {
		u8 *names = mintmon_malloc(ks->names_size);
		char *tokens = mintmon_malloc(ks->token_size);

		ks->names = names;
		ks->token_table = tokens;
		if (!names || !tokens)
			return -ENOMEM;
		memcpy(names, buf + names_off, ks->names_size);
		memcpy(tokens, buf + tt_off, ks->token_size);
	}
	for (i = 0; i < nr_markers; i++)
		ks->markers[i] = mintmon_le32(buf + markers_off + 4 * (size_t)i);
	for (i = 0; i < 256; i++) {
		ks->token_index[i] = mintmon_le16(buf + ti_off + 2 * i);
		ks->token_len[i] = (u16)strnlen(ks->token_table + ks->token_index[i],
						ks->token_size - ks->token_index[i]);
	}
	return 0;
}

/* Below the token table at s->tt_off: kallsyms_num_syms, names and markers. */
static bool find_names(struct mintmon_kallsyms_search *s, const u8 *buf)
{
	size_t p;

	/* kallsyms_num_syms: aligned, below the token table, names follow it. */
	if (s->tt_off < s->align)
		return false;
	p = align_to(s->buf_vaddr, s->tt_off - s->align, s->align);
	if (p > s->tt_off - s->align)
		p -= s->align;
	for (;;) {
		if (check_names(buf, s->tt_off, s->buf_vaddr, s->align, p, &s->budget, &s->nr_syms,
				&s->names_end, &s->markers_off)) {
			s->num_off = p;
			return true;
		}
		if (p < s->align || s->budget == 0)
			return false;
		p -= s->align;
	}
}

/*
 * One decode of the offsets has answered c: the tables are complete (copy
 * them: 0 or -ENOMEM), or need bytes past the copy's end (-EAGAIN, *need_ret),
 * or this was not the place (1).
 */
static int offsets_found(struct mintmon_kallsyms_search *s, struct mintmon_kallsyms *ks,
			 const u8 *buf, enum check c, size_t end, size_t *need_ret)
{
	if (c == CHECK_YES)
		return copy_tables(ks, buf, s->num_off + s->align, s->names_end, s->markers_off,
				   s->tt_off, s->tt_end, s->ti_off, false);
	if (c == CHECK_MORE) {
		s->pending = true;
		*need_ret = end;
		return -EAGAIN;
	}
	return 1;
}

/*
 * With the token table and the names found (s->tt_off... s->nr_syms), find
 * kallsyms_offsets: v6.1 puts offsets + relative_base before num_syms,
 * v6.12 after the token index. -EAGAIN (*need_ret) if the answer lies
 * past size.
 */
static int parse_offsets(struct mintmon_kallsyms_search *s, struct mintmon_kallsyms *ks,
			 const u8 *buf, size_t size, bool complete, size_t *need_ret)
{
	size_t offsets[2], end;
	u32 n = s->nr_syms;
	unsigned int i;

	ks->addrs = mintmon_calloc(n, sizeof(*ks->addrs));
	if (!ks->addrs)
		return -ENOMEM;
	ks->nr_syms = n;
	if (s->align == KALLSYMS_ALIGN_V7) {
		/* v7.0+: the offsets follow the token index, nothing after them but seqs. */
		enum check c = decode_offsets_v7(ks, buf, size, complete, s->buf_vaddr,
						 align_to(s->buf_vaddr, s->ti_off + 512, s->align), n,
						 s->text_start, s->text_end, &end);

		int ret = offsets_found(s, ks, buf, c, end, need_ret);

		if (ret <= 0)
			return ret;
		mintmon_fail(s->err, -ENOENT, "kallsyms",
			     "kallsyms: found %u names at %#llx but no matching kallsyms_offsets "
			     "(v7 layout)", n, (unsigned long long)(s->buf_vaddr + s->num_off));
		return -ENOENT;
	}
	offsets[0] = (size_t)-1;
	/* Tried already if the search waits for the bytes of the second place. */
	if (!s->pending && s->num_off >= 8 + (size_t)n * 4) {
		size_t o = s->num_off - 8 - (size_t)n * 4;

		o -= (s->buf_vaddr + o) % KALLSYMS_ALIGN;
		offsets[0] = o;
	}
	offsets[1] = align_off(s->buf_vaddr, s->ti_off + 512);
	for (i = 0; i < MINTMON_ARRAY_SIZE(offsets); i++) {
		int c;

		if (offsets[i] == (size_t)-1)
			continue;
		c = decode_offsets(ks, buf, size, complete, s->buf_vaddr, offsets[i], n,
				   s->text_start, s->text_end, &end);
		c = offsets_found(s, ks, buf, c, end, need_ret);
		if (c <= 0)
			return c;
	}
	mintmon_fail(s->err, -ENOENT, "kallsyms",
		     "kallsyms: found %u names at %#llx but no matching kallsyms_offsets", n,
		     (unsigned long long)(s->buf_vaddr + s->num_off));
	return -ENOENT;
}

static void kallsyms_reset(struct mintmon_kallsyms *ks)
{
	if (!ks->in_place) {
		mintmon_free((void *)ks->names);
		mintmon_free((void *)ks->token_table);
	}
	mintmon_free(ks->markers);
	mintmon_free(ks->addrs);
	memset(ks, 0, sizeof(*ks));
}

void mintmon_kallsyms_destroy(struct mintmon_kallsyms *ks)
{
	if (!ks)
		return;
	kallsyms_reset(ks);
	mintmon_free(ks);
}

void mintmon_kallsyms_search_init(struct mintmon_kallsyms_search *s, u64 buf_vaddr,
				  u64 text_start, u64 text_end, struct mintmon_error *e)
{
	memset(s, 0, sizeof(*s));
	s->buf_vaddr = buf_vaddr;
	s->text_start = text_start;
	s->text_end = text_end;
	s->err = e;
	s->budget = KALLSYMS_SEARCH_BUDGET;
}

int mintmon_kallsyms_search(struct mintmon_kallsyms_search *s, const u8 *buf, size_t size,
			    bool complete, size_t *need_ret, struct mintmon_kallsyms **ks_ret)
{
	struct mintmon_kallsyms *ks;

	*need_ret = size + 1;
	ks = mintmon_calloc(1, sizeof(*ks));
	if (!ks)
		return mintmon_fail(s->err, -ENOMEM, "kallsyms", "out of memory");
	ks->err = s->err;
	while (s->pending || s->next < size) {
		const u8 *hit = NULL;
		size_t hit_off = s->next;
		int err;

		if (!s->pending) {
			hit = find_bytes(buf + s->next, size - s->next, digit_tokens,
					 sizeof(digit_tokens));
			if (!hit) {
				/* The digits may start in the last bytes and go on past them. */
				if (size - s->next >= sizeof(digit_tokens))
					s->next = size - sizeof(digit_tokens) + 1;
				break;
			}
			hit_off = hit - buf;
			s->next = hit_off;
			if (!token_table_start(buf, hit_off, &s->budget, &s->tt_off)) {
				s->next = hit_off + 1;
				if (s->budget == 0)
					break;
				continue;
			}
			s->align = KALLSYMS_ALIGN;
		}
		/* The v6 layout (8-aligned) first, then v7.0's (4-aligned). */
		for (; s->align >= KALLSYMS_ALIGN_V7; s->align /= 2) {
			if (!s->pending) {
				enum check c = check_token_table(buf, size, complete, s->buf_vaddr,
								 s->align, s->tt_off, &s->budget,
								 &s->tt_end, &s->ti_off);

				if (c == CHECK_MORE) {
					mintmon_free(ks);
					return -EAGAIN;
				}
				if (c == CHECK_NO)
					continue;
				s->saw_tokens = true;
				if (!find_names(s, buf))
					continue;
			}
			err = parse_offsets(s, ks, buf, size, complete, need_ret);
			if (err == -EAGAIN) {
				kallsyms_reset(ks);
				mintmon_free(ks);
				return err;
			}
			s->pending = false;
			if (err == -ENOMEM) {
				mintmon_kallsyms_destroy(ks);
				return err;
			}
			if (!err) {
				ks->table_vaddr = s->buf_vaddr + s->tt_off;
				*ks_ret = ks;
				return 0;
			}
			kallsyms_reset(ks);
			ks->err = s->err;
			if (s->budget == 0)
				break;
		}
		s->next = hit_off + 1;
		if (s->budget == 0)
			break;
	}
	mintmon_kallsyms_destroy(ks);
	if (!complete && s->budget)
		return -EAGAIN;
	if (s->budget == 0)
		mintmon_fail(s->err, -ENOENT, "kallsyms", "kallsyms: gave up after %llu search steps without a consistent table",
			     (unsigned long long)KALLSYMS_SEARCH_BUDGET);
	else if (s->saw_tokens) {
		/* Unless parse_offsets() said something more precise. */
		if (!(s->err && s->err->step && !strcmp(s->err->step, "kallsyms")))
			mintmon_fail(s->err, -ENOENT, "kallsyms", "kallsyms: token table found but "
				     "the name tables around it are invalid");
	} else
		mintmon_fail(s->err, -ENOENT, "kallsyms", "kallsyms: no kallsyms token table in %zu bytes of kernel read-only data",
			     size);
	return -ENOENT;
}

int mintmon_kallsyms_create(const u8 *buf, size_t size, u64 buf_vaddr, u64 text_start,
			    u64 text_end, struct mintmon_error *e, struct mintmon_kallsyms **ks_ret)
{
	struct mintmon_kallsyms_search s;
	size_t need;

	mintmon_kallsyms_search_init(&s, buf_vaddr, text_start, text_end, e);
	return mintmon_kallsyms_search(&s, buf, size, true, &need, ks_ret);
}

u32 mintmon_kallsyms_count(const struct mintmon_kallsyms *ks)
{
	return ks->nr_syms;
}

u64 mintmon_kallsyms_table_vaddr(const struct mintmon_kallsyms *ks)
{
	return ks->table_vaddr;
}

void mintmon_kallsyms_iter_init(struct mintmon_kallsyms_iter *it, const struct mintmon_kallsyms *ks)
{
	it->ks = ks;
	it->index = 0;
	it->name_off = 0;
}

/* Expand the compressed name at off into out (type char first). */
static int expand(const struct mintmon_kallsyms *ks, u32 off, char *out, u32 *next_ret)
{
	u32 len, i, n = 0;
	size_t hdr = name_len(ks->names + off, ks->names_size - off, &len);

	if (!hdr)
		return -EINVAL;	/* validated at create time; cannot happen */
	for (i = 0; i < len; i++) {
		u8 tok = ks->names[off + hdr + i];
		u32 t = ks->token_index[tok], tlen = ks->token_len[tok];

		if (tlen >= MINTMON_KSYM_NAME_LEN - n) {
			mintmon_fail(ks->err, -EINVAL, "kallsyms",
				     "kallsyms: symbol %u expands past %u characters",
				     (unsigned int)off, MINTMON_KSYM_NAME_LEN);
			return -EINVAL;
		}
		memcpy(out + n, ks->token_table + t, tlen);
		n += tlen;
	}
	out[n] = '\0';
	*next_ret = off + (u32)hdr + len;
	return (int)n;
}

int mintmon_kallsyms_iter_next(struct mintmon_kallsyms_iter *it, struct mintmon_symbol *sym)
{
	char buf[MINTMON_KSYM_NAME_LEN];
	u32 next;
	int n;

	if (it->index >= it->ks->nr_syms)
		return 0;
	n = expand(it->ks, it->name_off, buf, &next);
	if (n < 0)
		return n;
	if (n < 1)
		return -EINVAL;
	sym->type = buf[0];
	memcpy(sym->name, buf + 1, (size_t)n);	/* includes the NUL */
	sym->addr = it->ks->addrs[it->index];
	it->index++;
	it->name_off = next;
	return 1;
}

/* Characters of a name expanded before deciding whether to expand the rest. */
#define LOOKUP_PREFIX 4

/* Append tokens t.. of the name at off (hdr, len: its header) to buf until it holds limit chars. */
static int expand_some(const struct mintmon_kallsyms *ks, u32 off, size_t hdr, u32 len, u32 *t,
		       char *buf, u32 *nb, u32 limit)
{
	while (*t < len && *nb < limit) {
		u8 tok = ks->names[off + hdr + *t];
		u32 tlen = ks->token_len[tok];

		if (tlen >= MINTMON_KSYM_NAME_LEN - *nb) {
			mintmon_fail(ks->err, -EINVAL, "kallsyms",
				     "kallsyms: symbol %u expands past %u characters",
				     (unsigned int)off, MINTMON_KSYM_NAME_LEN);
			return -EINVAL;
		}
		memcpy(buf + *nb, ks->token_table + ks->token_index[tok], tlen);
		*nb += tlen;
		(*t)++;
	}
	buf[*nb] = '\0';
	return 0;
}

/* Names one pass looks for (more take more passes). */
#define LOOKUP_MAX 24

/* Up to LOOKUP_PREFIX characters of s, packed; *len_ret: how many. */
static u32 prefix_key(const char *s, u32 *len_ret)
{
	u32 key = 0, i;

	for (i = 0; i < LOOKUP_PREFIX && s[i]; i++)
		key |= (u32)(u8)s[i] << (8 * i);
	*len_ret = i;
	return key;
}

/*
 * One pass over the names for at most LOOKUP_MAX of them: a name is
 * expanded only as far as its type and first LOOKUP_PREFIX characters
 * unless one of the names still looked for starts with them (most names
 * are skipped after a token or two). index_ret[i]: first match in kernel
 * order.
 */
static int lookup(const struct mintmon_kallsyms *ks, const char *const *names, unsigned int n,
		  u32 *index_ret)
{
	char buf[MINTMON_KSYM_NAME_LEN];
	u32 key[LOOKUP_MAX], key_len[LOOKUP_MAX];
	unsigned int i, found = 0;
	u32 idx, off = 0;

	for (i = 0; i < n; i++) {
		index_ret[i] = MINTMON_KALLSYMS_NONE;
		key[i] = prefix_key(names[i], &key_len[i]);
	}
	for (idx = 0; idx < ks->nr_syms && found < n; idx++) {
		u32 len, t = 0, nb = 0, k, k_len;
		size_t hdr = name_len(ks->names + off, ks->names_size - off, &len);
		bool maybe = false;

		if (!hdr)
			return -EINVAL;	/* validated at create time; cannot happen */
		if (expand_some(ks, off, hdr, len, &t, buf, &nb, 1 + LOOKUP_PREFIX))
			return -EINVAL;
		if (nb < 1)
			return -EINVAL;	/* an empty name, as mintmon_kallsyms_iter_next() */
		/* Fewer characters than the prefix only if that is the whole name. */
		k = prefix_key(buf + 1, &k_len);
		for (i = 0; i < n && !maybe; i++)
			maybe = key[i] == k && key_len[i] == k_len &&
				index_ret[i] == MINTMON_KALLSYMS_NONE;
		if (maybe && expand_some(ks, off, hdr, len, &t, buf, &nb, MINTMON_KSYM_NAME_LEN))
			return -EINVAL;
		off += (u32)hdr + len;
		for (i = 0; maybe && i < n; i++) {
			if (index_ret[i] == MINTMON_KALLSYMS_NONE && !strcmp(buf + 1, names[i])) {
				index_ret[i] = idx;
				found++;
			}
		}
	}
	return (int)found;
}

int mintmon_kallsyms_lookup_index(const struct mintmon_kallsyms *ks, const char *const *names,
				  unsigned int n, u32 *index_ret)
{
	unsigned int done;
	int found = 0;

	for (done = 0; done < n; done += LOOKUP_MAX) {
		int ret = lookup(ks, names + done, n - done < LOOKUP_MAX ? n - done : LOOKUP_MAX,
				 index_ret + done);

		if (ret < 0)
			return ret;
		found += ret;
	}
	return found;
}

int mintmon_kallsyms_lookup_many(const struct mintmon_kallsyms *ks, const char *const *names,
				 unsigned int n, u64 *addrs_ret, bool *found_ret)
{
	u32 idx[LOOKUP_MAX];
	unsigned int i, done, m;
	int found = 0;

	for (done = 0; done < n; done += m) {
		int ret;

		m = n - done < LOOKUP_MAX ? n - done : LOOKUP_MAX;
		ret = lookup(ks, names + done, m, idx);

		if (ret < 0)
			return ret;
		for (i = 0; i < m; i++) {
			found_ret[done + i] = idx[i] != MINTMON_KALLSYMS_NONE;
			if (found_ret[done + i]) {
				addrs_ret[done + i] = ks->addrs[idx[i]];
				found++;
			}
		}
	}
	return found;
}

int mintmon_kallsyms_lookup(const struct mintmon_kallsyms *ks, const char *name, u64 *addr_ret)
{
	bool found;
	u64 addr;
	int ret = mintmon_kallsyms_lookup_many(ks, &name, 1, &addr, &found);

	if (ret < 0)
		return ret;
	if (!found)
		return -ENOENT;
	*addr_ret = addr;
	return 0;
}

int mintmon_kallsyms_by_addr(const struct mintmon_kallsyms *ks, u64 addr,
			     struct mintmon_symbol *sym_ret, u64 *size_ret)
{
	struct mintmon_kallsyms_iter it;
	u32 lo = 0, hi = ks->nr_syms, idx, i;
	u64 end = 0;
	int ret;

	if (!ks->nr_syms || addr < ks->addrs[0])
		return -ENOENT;
	/* The last symbol at or below addr... */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (ks->addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* ...then the first of its aliases, as the kernel's get_symbol_pos() does. */
	idx = lo;
	while (idx > 0 && ks->addrs[idx - 1] == ks->addrs[lo])
		idx--;
	for (i = lo + 1; i < ks->nr_syms; i++) {
		if (ks->addrs[i] > ks->addrs[lo]) {
			end = ks->addrs[i];
			break;
		}
	}
	/* The last symbol has no known end: only its own address matches. */
	if (!end) {
		if (addr != ks->addrs[lo])
			return -ENOENT;
		end = addr + 1;
	}
	/* Decode from the marker at or below idx. */
	it.ks = ks;
	it.index = idx & ~255u;
	it.name_off = ks->markers[idx / 256];
	do {
		ret = mintmon_kallsyms_iter_next(&it, sym_ret);
		if (ret <= 0)
			return ret < 0 ? ret : -ENOENT;
	} while (it.index <= idx);
	*size_ret = end - ks->addrs[idx];
	return 0;
}

/* ---- keeping the tables: serialize / deserialize ---- */

#define SER_MAGIC 0x534b4d4du	/* "MMKS" */
#define SER_VERSION 1
#define SER_HEADER 24		/* magic, version, table_vaddr, flags: then num_syms */

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* Where each table goes in the serialized form (offsets from its start). */
struct ser_layout {
	size_t names, markers, tokens, index, offsets, base, end;
};

static void ser_layout(const struct mintmon_kallsyms *ks, struct ser_layout *l)
{
	l->names = SER_HEADER + 8;
	l->markers = align8(l->names + ks->names_size);
	l->tokens = align8(l->markers + 4 * (size_t)((ks->nr_syms + 255) / 256));
	l->index = align8(l->tokens + ks->token_size);
	l->offsets = align8(l->index + 512);
	l->base = align8(l->offsets + 4 * (size_t)ks->nr_syms);
	l->end = l->base + 8;
}

static void put_le32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put_le64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

long mintmon_kallsyms_serialize(const struct mintmon_kallsyms *ks, u8 *buf, size_t size)
{
	struct ser_layout l;
	u32 i, nr_markers = (ks->nr_syms + 255) / 256;

	ser_layout(ks, &l);
	if (!buf)
		return (long)l.end;
	if (size < l.end)
		return -E2BIG;
	memset(buf, 0, l.end);
	put_le32(buf, SER_MAGIC);
	put_le32(buf + 4, SER_VERSION);
	put_le64(buf + 8, ks->table_vaddr);
	put_le32(buf + SER_HEADER, ks->nr_syms);
	memcpy(buf + l.names, ks->names, ks->names_size);
	for (i = 0; i < nr_markers; i++)
		put_le32(buf + l.markers + 4 * (size_t)i, ks->markers[i]);
	memcpy(buf + l.tokens, ks->token_table, ks->token_size);
	for (i = 0; i < 256; i++)
		memcpy(buf + l.index + 2 * i, &ks->token_index[i], 2);
	/* The kernel's own encoding back (decode_offsets() inverted). */
	for (i = 0; i < ks->nr_syms; i++) {
		u64 a = ks->addrs[i];
		u32 v;

		if (!ks->absolute_percpu)
			v = (u32)(a - ks->relative_base);
		else if (a < ks->relative_base)
			v = (u32)a;	/* a per-CPU offset, stored as is */
		else
			v = (u32)(ks->relative_base - 1 - a);
		put_le32(buf + l.offsets + 4 * (size_t)i, v);
	}
	put_le64(buf + l.base, ks->relative_base);
	return (long)l.end;
}

static int deserialize(const u8 *buf, size_t size, u64 text_start, u64 text_end, bool in_place,
		       struct mintmon_error *e, struct mintmon_kallsyms **ks_ret)
{
	struct mintmon_kallsyms *ks;
	u64 budget = KALLSYMS_SEARCH_BUDGET;
	size_t names_end, markers_off, tt_off, tt_end, ti_off, end;
	u32 n;
	int err;

	if (size < SER_HEADER + 8 || mintmon_le32(buf) != SER_MAGIC)
		return mintmon_fail(e, -EINVAL, "kallsyms", "kept kallsyms tables: bad header");
	if (mintmon_le32(buf + 4) != SER_VERSION)
		return mintmon_fail(e, -EINVAL, "kallsyms",
				    "kept kallsyms tables: version %u, expected %u",
				    mintmon_le32(buf + 4), SER_VERSION);
	if (mintmon_le64(buf + 16))
		return mintmon_fail(e, -EINVAL, "kallsyms", "kept kallsyms tables: unknown flags");
	/* The same checks as the search: names and markers, then the tokens... */
	if (!check_names(buf, size, 0, KALLSYMS_ALIGN, SER_HEADER, &budget, &n, &names_end,
			 &markers_off))
		return mintmon_fail(e, -EINVAL, "kallsyms",
				    "kept kallsyms tables: names and markers disagree");
	tt_off = align8(markers_off + 4 * (size_t)((n + 255) / 256));
	if (tt_off > size || check_token_table(buf, size, true, 0, KALLSYMS_ALIGN, tt_off, &budget,
					       &tt_end, &ti_off) != CHECK_YES)
		return mintmon_fail(e, -EINVAL, "kallsyms",
				    "kept kallsyms tables: bad token table");
	ks = mintmon_calloc(1, sizeof(*ks));
	if (!ks)
		return mintmon_fail(e, -ENOMEM, "kallsyms", "out of memory");
	ks->err = e;
	ks->nr_syms = n;
	ks->addrs = mintmon_calloc(n, sizeof(*ks->addrs));
	err = -ENOMEM;
	if (!ks->addrs)
		goto fail;
	/* ...then the offsets, which must end the data. */
	err = -EINVAL;
	if (decode_offsets(ks, buf, size, true, 0, align8(ti_off + 512), n, text_start, text_end,
			   &end) != CHECK_YES || end != size) {
		mintmon_fail(e, err, "kallsyms",
			     "kept kallsyms tables: addresses unsorted or outside the kernel");
		goto fail;
	}
	err = copy_tables(ks, buf, SER_HEADER + 8, names_end, markers_off, tt_off, tt_end, ti_off,
			  in_place);
	if (err)
		goto fail;
	ks->table_vaddr = mintmon_le64(buf + 8);
	*ks_ret = ks;
	return 0;
fail:
	if (err == -ENOMEM)
		mintmon_fail(e, err, "kallsyms", "out of memory");
	mintmon_kallsyms_destroy(ks);
	return err;
}

int mintmon_kallsyms_deserialize(const u8 *buf, size_t size, u64 text_start, u64 text_end,
				 struct mintmon_error *e, struct mintmon_kallsyms **ks_ret)
{
	return deserialize(buf, size, text_start, text_end, false, e, ks_ret);
}

int mintmon_kallsyms_deserialize_in_place(const u8 *buf, size_t size, u64 text_start,
					  u64 text_end, struct mintmon_error *e,
					  struct mintmon_kallsyms **ks_ret)
{
	return deserialize(buf, size, text_start, text_end, true, e, ks_ret);
}

int mintmon_kallsyms_symbol(const struct mintmon_kallsyms *ks, u32 index,
			    struct mintmon_symbol *sym_ret)
{
	struct mintmon_kallsyms_iter it;
	int ret;

	if (index >= ks->nr_syms)
		return -ENOENT;
	it.ks = ks;
	it.index = index & ~255u;
	it.name_off = ks->markers[index / 256];
	do {
		ret = mintmon_kallsyms_iter_next(&it, sym_ret);
		if (ret <= 0)
			return ret < 0 ? ret : -ENOENT;
	} while (it.index <= index);
	return 0;
}

int mintmon_kallsyms_address(const struct mintmon_kallsyms *ks, u32 index, u64 *addr_ret)
{
	if (index >= ks->nr_syms)
		return -ENOENT;
	*addr_ret = ks->addrs[index];
	return 0;
}
