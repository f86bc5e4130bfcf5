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

#define KALLSYMS_ALIGN 8
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
	u8 *names;		/* kallsyms_names, names_size bytes */
	u32 names_size;
	u32 *markers;		/* kallsyms_markers, (nr_syms + 255) / 256 entries */
	char *token_table;	/* kallsyms_token_table, token_size bytes */
	u32 token_size;
	u16 token_index[256];
	u16 token_len[256];
	u64 *addrs;		/* decoded addresses, nr_syms entries */
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

/* Offset in buf of the next address >= buf_vaddr + off aligned to KALLSYMS_ALIGN. */
static size_t align_off(u64 buf_vaddr, size_t off)
{
	u64 v = buf_vaddr + off;

	return off + (size_t)((KALLSYMS_ALIGN - (v % KALLSYMS_ALIGN)) % KALLSYMS_ALIGN);
}

/*
 * Check a token table starting at off: 256 NUL-terminated strings whose
 * offsets are listed by the 256 u16 of kallsyms_token_index that follow.
 * On success *end_ret is the offset just past the token index.
 */
static bool check_token_table(const u8 *buf, size_t size, u64 buf_vaddr, size_t off,
			      u64 *budget, size_t *table_end_ret, size_t *index_off_ret)
{
	size_t pos = off, idx_off;
	unsigned int i;

	if ((buf_vaddr + off) % KALLSYMS_ALIGN)
		return false;
	for (i = 0; i < 256; i++) {
		const u8 *nul;

		if (pos >= size || pos - off > 0xffff || *budget == 0)
			return false;
		(*budget)--;
		nul = memchr(buf + pos, 0, size - pos);
		if (!nul || (size_t)(nul - (buf + pos)) >= MINTMON_KSYM_NAME_LEN)
			return false;
		pos = nul - buf + 1;
	}
	idx_off = align_off(buf_vaddr, pos);
	if (!mintmon_in_bounds(size, idx_off, 512))
		return false;
	for (i = 0, pos = off; i < 256; i++) {
		if (mintmon_le16(buf + idx_off + 2 * i) != pos - off)
			return false;
		pos += strnlen((const char *)buf + pos, size - pos) + 1;
	}
	*table_end_ret = pos;
	*index_off_ret = idx_off;
	return true;
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
 * Try kallsyms_num_syms at offset p: nr_syms names follow at p + 8, then the
 * markers. Returns true and the layout if every marker agrees.
 */
static bool check_names(const u8 *buf, size_t limit, u64 buf_vaddr, size_t p, u64 *budget,
			u32 *nr_ret, size_t *names_end_ret, size_t *markers_off_ret)
{
	u32 n = mintmon_le32(buf + p), i, nr_markers;
	size_t pos = p + 8, names_off = p + 8, markers_off;

	/* Every name takes at least two bytes. */
	if (n == 0 || n > KALLSYMS_MAX_SYMS || mintmon_le32(buf + p + 4) != 0 ||
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
	markers_off = align_off(buf_vaddr, pos);
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
 * check that the addresses are sorted and inside the image.
 */
static bool decode_offsets(const u8 *buf, size_t size, u64 buf_vaddr, size_t off, u32 n,
			   u64 text_start, u64 text_end, u64 *addrs)
{
	size_t base_off = align_off(buf_vaddr, off + (size_t)n * 4);
	bool absolute_percpu = false;
	u64 base, prev = 0;
	u32 i;

	if (!mintmon_in_bounds(size, off, (u64)n * 4) || !mintmon_in_bounds(size, base_off, 8))
		return false;
	base = mintmon_le64(buf + base_off);
	if (base < text_start || base >= text_end)
		return false;
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
			return false;
		if (a > text_end)
			return false;
		addrs[i] = prev = a;
	}
	return true;
}

static int copy_tables(struct mintmon_kallsyms *ks, const u8 *buf, size_t names_off,
		       size_t names_end, size_t markers_off, size_t tt_off, size_t tt_end,
		       size_t ti_off)
{
	u32 nr_markers = (ks->nr_syms + 255) / 256, i;

	ks->names_size = (u32)(names_end - names_off);
	ks->token_size = (u32)(tt_end - tt_off);
	ks->names = mintmon_malloc(ks->names_size);
	ks->markers = mintmon_calloc(nr_markers, sizeof(*ks->markers));
	ks->token_table = mintmon_malloc(ks->token_size);
	if (!ks->names || !ks->markers || !ks->token_table)
		return -ENOMEM;
	memcpy(ks->names, buf + names_off, ks->names_size);
	memcpy(ks->token_table, buf + tt_off, ks->token_size);
	for (i = 0; i < nr_markers; i++)
		ks->markers[i] = mintmon_le32(buf + markers_off + 4 * (size_t)i);
	for (i = 0; i < 256; i++) {
		ks->token_index[i] = mintmon_le16(buf + ti_off + 2 * i);
		ks->token_len[i] = (u16)strnlen(ks->token_table + ks->token_index[i],
						ks->token_size - ks->token_index[i]);
	}
	return 0;
}

/* With the token table at tt_off, find the rest of the tables. */
static int parse_at(struct mintmon_kallsyms *ks, const u8 *buf, size_t size, u64 buf_vaddr,
		    size_t tt_off, size_t tt_end, size_t ti_off, u64 text_start, u64 text_end,
		    u64 *budget)
{
	size_t p, names_end = 0, markers_off = 0, offsets[2];
	u32 n = 0;
	unsigned int i;
	bool found = false;

	/* kallsyms_num_syms: 8-aligned, below the token table, names follow it. */
	if (tt_off < 8)
		return -ENOENT;
	p = align_off(buf_vaddr, tt_off - 8);
	if (p > tt_off - 8)
		p -= KALLSYMS_ALIGN;
	for (;;) {
		if (check_names(buf, tt_off, buf_vaddr, p, budget, &n, &names_end, &markers_off)) {
			found = true;
			break;
		}
		if (p < KALLSYMS_ALIGN || *budget == 0)
			break;
		p -= KALLSYMS_ALIGN;
	}
	if (!found)
		return -ENOENT;

	ks->addrs = mintmon_calloc(n, sizeof(*ks->addrs));
	if (!ks->addrs)
		return -ENOMEM;
	ks->nr_syms = n;
	/* v6.1 puts offsets + relative_base before num_syms; v6.12 after the token index. */
	offsets[0] = (size_t)-1;
	if (p >= 8 + (size_t)n * 4) {
		size_t o = p - 8 - (size_t)n * 4;

		o -= (buf_vaddr + o) % KALLSYMS_ALIGN;
		offsets[0] = o;
	}
	offsets[1] = align_off(buf_vaddr, ti_off + 512);
	for (i = 0; i < MINTMON_ARRAY_SIZE(offsets); i++) {
		if (offsets[i] == (size_t)-1)
			continue;
		if (decode_offsets(buf, size, buf_vaddr, offsets[i], n, text_start, text_end,
				   ks->addrs))
			return copy_tables(ks, buf, p + 8, names_end, markers_off, tt_off,
					   tt_end, ti_off);
	}
	mintmon_fail(ks->err, -ENOENT, "kallsyms",
		     "kallsyms: found %u names at %#llx but no matching kallsyms_offsets", n,
		     (unsigned long long)(buf_vaddr + p));
	return -ENOENT;
}

void mintmon_kallsyms_destroy(struct mintmon_kallsyms *ks)
{
	if (!ks)
		return;
	mintmon_free(ks->names);
	mintmon_free(ks->markers);
	mintmon_free(ks->token_table);
	mintmon_free(ks->addrs);
	mintmon_free(ks);
}

static void kallsyms_reset(struct mintmon_kallsyms *ks)
{
	mintmon_free(ks->names);
	mintmon_free(ks->markers);
	mintmon_free(ks->token_table);
	mintmon_free(ks->addrs);
	memset(ks, 0, sizeof(*ks));
}

int mintmon_kallsyms_create(const u8 *buf, size_t size, u64 buf_vaddr, u64 text_start,
			    u64 text_end, struct mintmon_error *e, struct mintmon_kallsyms **ks_ret)
{
	struct mintmon_kallsyms *ks;
	size_t search = 0;
	bool saw_tokens = false;
	u64 budget = KALLSYMS_SEARCH_BUDGET;

	ks = mintmon_calloc(1, sizeof(*ks));
	if (!ks)
		return mintmon_fail(e, -ENOMEM, "kallsyms", "out of memory");
	ks->err = e;
	while (search < size) {
		const u8 *hit = find_bytes(buf + search, size - search, digit_tokens,
					   sizeof(digit_tokens));
		size_t hit_off, tt_off, tt_end, ti_off;
		int err;

		if (!hit)
			break;
		hit_off = hit - buf;
		search = hit_off + 1;
		if (!token_table_start(buf, hit_off, &budget, &tt_off) ||
		    !check_token_table(buf, size, buf_vaddr, tt_off, &budget, &tt_end, &ti_off)) {
			if (budget == 0)
				break;
			continue;
		}
		saw_tokens = true;
		err = parse_at(ks, buf, size, buf_vaddr, tt_off, tt_end, ti_off, text_start,
			       text_end, &budget);
		if (err == -ENOMEM) {
			mintmon_kallsyms_destroy(ks);
			return err;
		}
		if (!err) {
			ks->table_vaddr = buf_vaddr + tt_off;
			*ks_ret = ks;
			return 0;
		}
		kallsyms_reset(ks);
		ks->err = e;
		if (budget == 0)
			break;
	}
	mintmon_kallsyms_destroy(ks);
	if (budget == 0)
		mintmon_fail(e, -ENOENT, "kallsyms", "kallsyms: gave up after %llu search steps without a consistent table",
			     (unsigned long long)KALLSYMS_SEARCH_BUDGET);
	else if (saw_tokens)
		mintmon_fail(e, -ENOENT, "kallsyms", "kallsyms: token table found but the name tables around it are invalid");
	else
		mintmon_fail(e, -ENOENT, "kallsyms", "kallsyms: no kallsyms token table in %zu bytes of kernel read-only data",
			     size);
	return -ENOENT;
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

int mintmon_kallsyms_lookup_many(const struct mintmon_kallsyms *ks, const char *const *names,
				 unsigned int n, u64 *addrs_ret, bool *found_ret)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i, found = 0;
	int ret = 0;

	for (i = 0; i < n; i++)
		found_ret[i] = false;
	mintmon_kallsyms_iter_init(&it, ks);
	while (found < n && (ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0) {
		for (i = 0; i < n; i++) {
			/* Cheap first-character test before the full comparison. */
			if (!found_ret[i] && sym.name[0] == names[i][0] && !strcmp(sym.name, names[i])) {
				addrs_ret[i] = sym.addr;
				found_ret[i] = true;
				found++;
			}
		}
	}
	if (found < n && ret < 0)
		return ret;
	return (int)found;
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
