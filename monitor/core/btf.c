// SPDX-License-Identifier: GPL-2.0
/*
 * BTF parser for blobs read from a possibly hostile kernel.
 *
 * mintmon_btf_create() copies the blob and checks it in stages (header,
 * strings, type records, cross references, chains, sizes), so that every
 * lookup afterwards can index without further bounds checks on the data and
 * every loop has a fixed bound. No recursion: chains are followed by bounded
 * loops and anonymous members are searched with an explicit stack.
 */
#include <mintmon/btf.h>

#define BTF_ERR(e, ...) mintmon_fail(e, -EINVAL, "btf", __VA_ARGS__)

#define BTF_MAGIC		0xeb9f
#define BTF_MAGIC_SWAPPED	0x9feb
#define BTF_VERSION		1
#define BTF_HDR_LEN		24
#define BTF_TYPE_LEN		12	/* name_off, info, size/type */

/* info: vlen 0-15, kind 24-28, kind_flag 31; bits 16-23 and 29-30 unused */
#define BTF_INFO_VLEN(info)	((info) & 0xffff)
#define BTF_INFO_KIND(info)	(((info) >> 24) & 0x1f)
#define BTF_INFO_KFLAG(info)	((info) >> 31)
#define BTF_INFO_UNUSED		0x60ff0000u

#define BTF_INT_ENCODING(v)	(((v) & 0x0f000000) >> 24)
#define BTF_INT_OFFSET(v)	(((v) & 0x00ff0000) >> 16)
#define BTF_INT_BITS(v)		((v) & 0x000000ff)

/* Bound on members visited by one name search through anonymous members. */
#define BTF_MAX_MEMBER_STEPS	(1u << 17)

#define PTR_SIZE		8

struct mintmon_btf {
	u8 *data;		/* our copy of the blob, or the caller's (borrowed) */
	size_t size;
	bool data_borrowed;	/* data is the caller's: not freed */
	bool index_borrowed;	/* so is index (taken from a kept entry) */
	const u8 *types;	/* type section */
	u32 types_len;
	const char *strs;	/* string section, NUL first and last */
	u32 strs_len;
	u32 nr_types;		/* ids 0..nr_types-1, 0 is void */
	u32 *type_offs;		/* [id] = offset of the record in types */
	bool offs_borrowed;	/* type_offs is the caller's (a kept entry's) */
	/*
	 * With kept offsets (mintmon_btf_create_trusted()), per type: checked
	 * when first read (TYPE_*); NULL when create() checked every type.
	 */
	u8 *lazy;
	struct name_slot *index;	/* open addressing by (name, kind) */
	u32 index_mask;
	/* Only while mintmon_btf_create() runs: per type, resolved id and size. */
	u32 *rid_cache;
	u64 *size_cache;
	struct mintmon_error *err;	/* where failures are recorded (may be NULL) */
};

/* One (name, kind), first type id that has it; id 0 = empty slot. */
struct name_slot {
	u32 id;
	u32 hash;
};

/* Sizes in size_cache that are not sizes. */
#define SIZE_NONE	(~0ull)		/* void, func, fwd...: no size */
#define SIZE_BIG	(~0ull - 1)	/* overflowed (or as good as) */

/*
 * Longest probe in the name index. Real kernels need a handful; only a blob
 * built to collide gets near it, and is rejected.
 */
#define INDEX_MAX_PROBE	1024

/* One type record, decoded. */
struct tview {
	const u8 *p;
	u32 name_off;
	u32 info;
	u32 size_type;		/* size or referred type, depending on kind */
	unsigned int kind;
	u32 vlen;
	bool kflag;
};

static const char *const kind_names[MINTMON_BTF_NR_KINDS] = {
	[MINTMON_BTF_KIND_UNKN] = "UNKN",
	[MINTMON_BTF_KIND_INT] = "INT",
	[MINTMON_BTF_KIND_PTR] = "PTR",
	[MINTMON_BTF_KIND_ARRAY] = "ARRAY",
	[MINTMON_BTF_KIND_STRUCT] = "STRUCT",
	[MINTMON_BTF_KIND_UNION] = "UNION",
	[MINTMON_BTF_KIND_ENUM] = "ENUM",
	[MINTMON_BTF_KIND_FWD] = "FWD",
	[MINTMON_BTF_KIND_TYPEDEF] = "TYPEDEF",
	[MINTMON_BTF_KIND_VOLATILE] = "VOLATILE",
	[MINTMON_BTF_KIND_CONST] = "CONST",
	[MINTMON_BTF_KIND_RESTRICT] = "RESTRICT",
	[MINTMON_BTF_KIND_FUNC] = "FUNC",
	[MINTMON_BTF_KIND_FUNC_PROTO] = "FUNC_PROTO",
	[MINTMON_BTF_KIND_VAR] = "VAR",
	[MINTMON_BTF_KIND_DATASEC] = "DATASEC",
	[MINTMON_BTF_KIND_FLOAT] = "FLOAT",
	[MINTMON_BTF_KIND_DECL_TAG] = "DECL_TAG",
	[MINTMON_BTF_KIND_TYPE_TAG] = "TYPE_TAG",
	[MINTMON_BTF_KIND_ENUM64] = "ENUM64",
};

const char *mintmon_btf_kind_name(unsigned int kind)
{
	return kind < MINTMON_BTF_NR_KINDS ? kind_names[kind] : "?";
}

/*
 * Bytes that follow the 12-byte header of a record of this kind, or -1 for
 * an unknown kind. At most 0xffff * 12, so it never overflows.
 */
static long record_extra(unsigned int kind, u32 vlen)
{
	switch (kind) {
	case MINTMON_BTF_KIND_PTR:
	case MINTMON_BTF_KIND_FWD:
	case MINTMON_BTF_KIND_TYPEDEF:
	case MINTMON_BTF_KIND_VOLATILE:
	case MINTMON_BTF_KIND_CONST:
	case MINTMON_BTF_KIND_RESTRICT:
	case MINTMON_BTF_KIND_FUNC:
	case MINTMON_BTF_KIND_FLOAT:
	case MINTMON_BTF_KIND_TYPE_TAG:
		return 0;
	case MINTMON_BTF_KIND_INT:
	case MINTMON_BTF_KIND_VAR:
	case MINTMON_BTF_KIND_DECL_TAG:
		return 4;
	case MINTMON_BTF_KIND_ARRAY:
		return 12;
	case MINTMON_BTF_KIND_STRUCT:
	case MINTMON_BTF_KIND_UNION:
	case MINTMON_BTF_KIND_DATASEC:
	case MINTMON_BTF_KIND_ENUM64:
		return 12L * vlen;
	case MINTMON_BTF_KIND_ENUM:
	case MINTMON_BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	default:
		return -1;
	}
}

enum { TYPE_UNCHECKED, TYPE_OK, TYPE_BAD };
static bool check_lazily(const struct mintmon_btf *btf, u32 id);

/*
 * id must be < nr_types. Void gets an all-zero view, and so does a type
 * whose first read finds it broken (kept offsets: check_lazily()).
 */
static void get_type(const struct mintmon_btf *btf, u32 id, struct tview *t)
{
	if (id == 0 || (btf->lazy && btf->lazy[id] != TYPE_OK && !check_lazily(btf, id))) {
		memset(t, 0, sizeof(*t));
		return;
	}
	t->p = btf->types + btf->type_offs[id];
	t->name_off = mintmon_le32(t->p);
	t->info = mintmon_le32(t->p + 4);
	t->size_type = mintmon_le32(t->p + 8);
	t->kind = BTF_INFO_KIND(t->info);
	t->vlen = BTF_INFO_VLEN(t->info);
	t->kflag = BTF_INFO_KFLAG(t->info);
}

/* Little-endian u32 number i of the record's trailing data. */
static u32 extra32(const struct tview *t, u32 i)
{
	return mintmon_le32(t->p + BTF_TYPE_LEN + 4 * (size_t)i);
}

/* Name offsets are checked at create time. */
static const char *str_at(const struct mintmon_btf *btf, u32 off)
{
	return btf->strs + off;
}

static bool is_modifier(unsigned int kind)
{
	return kind == MINTMON_BTF_KIND_TYPEDEF || kind == MINTMON_BTF_KIND_VOLATILE ||
	       kind == MINTMON_BTF_KIND_CONST || kind == MINTMON_BTF_KIND_RESTRICT ||
	       kind == MINTMON_BTF_KIND_TYPE_TAG;
}

/* Kinds whose size or identity comes from the one type they refer to. */
static bool is_chain(unsigned int kind)
{
	return is_modifier(kind) || kind == MINTMON_BTF_KIND_ARRAY || kind == MINTMON_BTF_KIND_VAR;
}

static u32 chain_next(const struct tview *t)
{
	return t->kind == MINTMON_BTF_KIND_ARRAY ? extra32(t, 0) : t->size_type;
}

static bool check_id(const struct mintmon_btf *btf, u32 id, const char *fn)
{
	if (id < btf->nr_types)
		return true;
	BTF_ERR(btf->err, "BTF: %s: type id %u out of range, only %u types", fn, id, btf->nr_types);
	return false;
}

/* ---- stage 1: header ---- */

struct btf_hdr {
	u32 hdr_len, type_off, type_len, str_off, str_len;
};

static int parse_header(const u8 *d, size_t size, struct btf_hdr *h, struct mintmon_error *e)
{
	u64 avail;
	u32 i;

	if (size < BTF_HDR_LEN) {
		BTF_ERR(e, "BTF: blob of %zu bytes is smaller than the %u-byte header", size,
			     BTF_HDR_LEN);
		return -EINVAL;
	}
	if (mintmon_le16(d) == BTF_MAGIC_SWAPPED) {
		BTF_ERR(e, "BTF: byte-swapped (big-endian) blob is not supported");
		return -EINVAL;
	}
	if (mintmon_le16(d) != BTF_MAGIC) {
		BTF_ERR(e, "BTF: bad magic 0x%04x, want 0x%04x", mintmon_le16(d), BTF_MAGIC);
		return -EINVAL;
	}
	if (d[2] != BTF_VERSION) {
		BTF_ERR(e, "BTF: version %u is not supported (want %u)", d[2], BTF_VERSION);
		return -EINVAL;
	}
	if (d[3]) {
		BTF_ERR(e, "BTF: header flags 0x%02x are not supported", d[3]);
		return -EINVAL;
	}
	h->hdr_len = mintmon_le32(d + 4);
	h->type_off = mintmon_le32(d + 8);
	h->type_len = mintmon_le32(d + 12);
	h->str_off = mintmon_le32(d + 16);
	h->str_len = mintmon_le32(d + 20);

	if (h->hdr_len < BTF_HDR_LEN) {
		BTF_ERR(e, "BTF: header length %u is smaller than %u", h->hdr_len, BTF_HDR_LEN);
		return -EINVAL;
	}
	if (h->hdr_len > size) {
		BTF_ERR(e, "BTF: header length %u runs past the end of the %zu-byte blob",
			     h->hdr_len, size);
		return -EINVAL;
	}
	/* A longer header (newer format) is fine only if we lose nothing. */
	for (i = BTF_HDR_LEN; i < h->hdr_len; i++) {
		if (d[i]) {
			BTF_ERR(e, "BTF: header byte %u of %u is not zero (unknown header field)",
				     i, h->hdr_len);
			return -EINVAL;
		}
	}
	avail = size - h->hdr_len;
	if (!mintmon_in_bounds(avail, h->type_off, h->type_len)) {
		BTF_ERR(e, "BTF: type section (offset %u, length %u) runs past the end of the blob (%llu bytes after the header)",
			     h->type_off, h->type_len, (unsigned long long)avail);
		return -EINVAL;
	}
	if (!mintmon_in_bounds(avail, h->str_off, h->str_len)) {
		BTF_ERR(e, "BTF: string section (offset %u, length %u) runs past the end of the blob (%llu bytes after the header)",
			     h->str_off, h->str_len, (unsigned long long)avail);
		return -EINVAL;
	}
	/* Both ends fit in u32 + u32 <= avail, so u64 sums cannot wrap. */
	if (h->type_len && h->str_len &&
	    (u64)h->type_off < (u64)h->str_off + h->str_len &&
	    (u64)h->str_off < (u64)h->type_off + h->type_len) {
		BTF_ERR(e, "BTF: type section [%u, +%u) and string section [%u, +%u) overlap",
			     h->type_off, h->type_len, h->str_off, h->str_len);
		return -EINVAL;
	}
	if (h->type_off % 4) {
		BTF_ERR(e, "BTF: type section offset %u is not 4-byte aligned", h->type_off);
		return -EINVAL;
	}
	return 0;
}

/* ---- stage 2: strings ---- */

static int parse_strings(const char *s, u32 len, struct mintmon_error *e)
{
	u32 pos = 0;

	if (len == 0) {
		BTF_ERR(e, "BTF: string section is empty (it must hold at least the empty string)");
		return -EINVAL;
	}
	if (len > MINTMON_BTF_MAX_STR_LEN) {
		BTF_ERR(e, "BTF: string section of %u bytes exceeds the limit of %u", len,
			     MINTMON_BTF_MAX_STR_LEN);
		return -EINVAL;
	}
	if (s[0]) {
		BTF_ERR(e, "BTF: string section does not start with a NUL byte");
		return -EINVAL;
	}
	if (s[len - 1]) {
		BTF_ERR(e, "BTF: string section is not NUL-terminated");
		return -EINVAL;
	}
	/*
	 * Bounding every run between NULs bounds every string at any offset,
	 * which keeps hashing and comparing names cheap on hostile input.
	 */
	while (pos < len) {
		const char *nul = memchr(s + pos, 0, len - pos);
		u32 run = (u32)(nul - (s + pos));

		if (run > MINTMON_BTF_MAX_NAME_LEN) {
			BTF_ERR(e, "BTF: string at offset %u is %u bytes long, the limit is %u",
				     pos, run, MINTMON_BTF_MAX_NAME_LEN);
			return -EINVAL;
		}
		pos += run + 1;
	}
	return 0;
}

/* ---- stage 3: type records ---- */

/* Walk the records; with offs, record each one's offset. Counts void too. */
static int walk_types(const struct mintmon_btf *btf, u32 *offs, u32 *nr_ret)
{
	u32 pos = 0, len = btf->types_len, id = 1;

	while (pos < len) {
		const u8 *p = btf->types + pos;
		u32 info, vlen;
		unsigned int kind;
		long extra;

		if (len - pos < BTF_TYPE_LEN) {
			BTF_ERR(btf->err, "BTF: type %u: %u bytes left at the end of the type section, too few for a type",
				     id, len - pos);
			return -EINVAL;
		}
		if (id >= MINTMON_BTF_MAX_TYPES) {
			BTF_ERR(btf->err, "BTF: more than %u types", MINTMON_BTF_MAX_TYPES - 1);
			return -E2BIG;
		}
		info = mintmon_le32(p + 4);
		kind = BTF_INFO_KIND(info);
		vlen = BTF_INFO_VLEN(info);
		extra = record_extra(kind, vlen);
		if (extra < 0 || kind == MINTMON_BTF_KIND_UNKN) {
			BTF_ERR(btf->err, "BTF: type %u has unknown kind %u", id, kind);
			return -EINVAL;
		}
		if ((u64)(len - pos - BTF_TYPE_LEN) < (u64)extra) {
			BTF_ERR(btf->err, "BTF: type %u (%s) with vlen %u needs %ld more bytes, only %u left in the type section",
				     id, kind_names[kind], vlen, extra, len - pos - BTF_TYPE_LEN);
			return -EINVAL;
		}
		if (offs)
			offs[id] = pos;
		pos += BTF_TYPE_LEN + (u32)extra;
		id++;
	}
	*nr_ret = id;
	return 0;
}

/* ---- stage 4: sanity ---- */

#define NO_IDX 0xffffffffu

/* "type 5 (STRUCT)" + " member 2" (what, idx) or " member" (what, NO_IDX) or nothing */
static void where(char *buf, size_t len, u32 id, const struct tview *t, const char *what,
		  u32 idx)
{
	if (!what)
		mintmon_snprintf(buf, len, "type %u (%s)", id, kind_names[t->kind]);
	else if (idx == NO_IDX)
		mintmon_snprintf(buf, len, "type %u (%s) %s", id, kind_names[t->kind], what);
	else
		mintmon_snprintf(buf, len, "type %u (%s) %s %u", id, kind_names[t->kind], what,
				 idx);
}

static bool name_ok(const struct mintmon_btf *btf, u32 id, const struct tview *t, u32 name_off,
		    const char *what, u32 idx)
{
	char w[64];

	if (name_off < btf->strs_len)
		return true;
	where(w, sizeof(w), id, t, what, idx);
	BTF_ERR(btf->err, "BTF: %s has name offset %u, string section is %u bytes", w, name_off,
		     btf->strs_len);
	return false;
}

static bool ref_ok(const struct mintmon_btf *btf, u32 id, const struct tview *t, u32 ref,
		   const char *what, u32 idx)
{
	char w[64];

	if (ref < btf->nr_types)
		return true;
	where(w, sizeof(w), id, t, what, idx);
	BTF_ERR(btf->err, "BTF: %s refers to type %u, only %u types", w, ref, btf->nr_types);
	return false;
}

static bool size_is(u32 size, u32 mask)
{
	/* mask: bit n set if size n is allowed (sizes up to 16) */
	return size <= 16 && (mask >> size) & 1;
}

#define SIZES_INT	((1u << 1) | (1u << 2) | (1u << 4) | (1u << 8) | (1u << 16))
#define SIZES_ENUM	((1u << 1) | (1u << 2) | (1u << 4) | (1u << 8))
#define SIZES_FLOAT	((1u << 2) | (1u << 4) | (1u << 8) | (1u << 12) | (1u << 16))

/*
 * The kind in the record of id < nr_types, read without checking the rest
 * of it (so checking one type never reads another through get_type()).
 */
static unsigned int record_kind(const struct mintmon_btf *btf, u32 id)
{
	u32 off = btf->type_offs[id];

	if (id == 0 || btf->types_len < BTF_TYPE_LEN || off > btf->types_len - BTF_TYPE_LEN)
		return MINTMON_BTF_KIND_UNKN;
	return BTF_INFO_KIND(mintmon_le32(btf->types + off + 4));
}

/* Per-record checks: names, references, sizes. Needs only the offsets table. */
static int check_type(const struct mintmon_btf *btf, u32 id)
{
	struct tview t;
	u32 i, v;

	get_type(btf, id, &t);
	if (!name_ok(btf, id, &t, t.name_off, NULL, 0))
		return -EINVAL;
	if (t.info & BTF_INFO_UNUSED) {
		BTF_ERR(btf->err, "BTF: type %u (%s) has unused info bits set (info 0x%08x)", id,
			     kind_names[t.kind], t.info);
		return -EINVAL;
	}
	switch (t.kind) {
	case MINTMON_BTF_KIND_INT:
		v = extra32(&t, 0);
		if (!size_is(t.size_type, SIZES_INT)) {
			BTF_ERR(btf->err, "BTF: type %u (INT) has size %u", id, t.size_type);
			return -EINVAL;
		}
		if (BTF_INT_BITS(v) > 128 ||
		    BTF_INT_OFFSET(v) + BTF_INT_BITS(v) > t.size_type * 8) {
			BTF_ERR(btf->err, "BTF: type %u (INT) has %u bits at bit %u, more than its %u bytes",
				     id, BTF_INT_BITS(v), BTF_INT_OFFSET(v), t.size_type);
			return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_FLOAT:
		if (!size_is(t.size_type, SIZES_FLOAT)) {
			BTF_ERR(btf->err, "BTF: type %u (FLOAT) has size %u", id, t.size_type);
			return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_PTR:
	case MINTMON_BTF_KIND_TYPEDEF:
	case MINTMON_BTF_KIND_VOLATILE:
	case MINTMON_BTF_KIND_CONST:
	case MINTMON_BTF_KIND_RESTRICT:
	case MINTMON_BTF_KIND_TYPE_TAG:
	case MINTMON_BTF_KIND_VAR:
		if (!ref_ok(btf, id, &t, t.size_type, NULL, 0))
			return -EINVAL;
		break;
	case MINTMON_BTF_KIND_DECL_TAG:
		if (!ref_ok(btf, id, &t, t.size_type, NULL, 0))
			return -EINVAL;
		if ((s32)extra32(&t, 0) < -1) {
			BTF_ERR(btf->err, "BTF: type %u (DECL_TAG) has component index %d", id,
				     (s32)extra32(&t, 0));
			return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_FUNC:
		if (!ref_ok(btf, id, &t, t.size_type, NULL, 0))
			return -EINVAL;
		v = record_kind(btf, t.size_type);
		if (v != MINTMON_BTF_KIND_FUNC_PROTO) {
			BTF_ERR(btf->err, "BTF: type %u (FUNC) refers to type %u (%s), not a FUNC_PROTO",
				     id, t.size_type, mintmon_btf_kind_name(v));
			return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_ARRAY:
		if (!ref_ok(btf, id, &t, extra32(&t, 0), "element type", NO_IDX) ||
		    !ref_ok(btf, id, &t, extra32(&t, 1), "index type", NO_IDX))
			return -EINVAL;
		break;
	case MINTMON_BTF_KIND_STRUCT:
	case MINTMON_BTF_KIND_UNION:
		for (i = 0; i < t.vlen; i++) {
			if (!name_ok(btf, id, &t, extra32(&t, 3 * i), "member", i) ||
			    !ref_ok(btf, id, &t, extra32(&t, 3 * i + 1), "member", i))
				return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_ENUM:
	case MINTMON_BTF_KIND_ENUM64:
		if (!size_is(t.size_type, SIZES_ENUM)) {
			BTF_ERR(btf->err, "BTF: type %u (%s) has size %u", id, kind_names[t.kind],
				     t.size_type);
			return -EINVAL;
		}
		for (i = 0; i < t.vlen; i++) {
			u32 stride = t.kind == MINTMON_BTF_KIND_ENUM ? 2 : 3;

			if (!name_ok(btf, id, &t, extra32(&t, stride * i), "value", i))
				return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_FUNC_PROTO:
		if (!ref_ok(btf, id, &t, t.size_type, "return type", NO_IDX))
			return -EINVAL;
		for (i = 0; i < t.vlen; i++) {
			if (!name_ok(btf, id, &t, extra32(&t, 2 * i), "param", i) ||
			    !ref_ok(btf, id, &t, extra32(&t, 2 * i + 1), "param", i))
				return -EINVAL;
		}
		break;
	case MINTMON_BTF_KIND_DATASEC:
		for (i = 0; i < t.vlen; i++) {
			u64 off = extra32(&t, 3 * i + 1), sz = extra32(&t, 3 * i + 2);

			if (!ref_ok(btf, id, &t, extra32(&t, 3 * i), "variable", i))
				return -EINVAL;
			if (off + sz > t.size_type) {
				BTF_ERR(btf->err, "BTF: type %u (DATASEC) variable %u at [%llu, +%llu) is outside its %u bytes",
					     id, i, (unsigned long long)off,
					     (unsigned long long)sz, t.size_type);
				return -EINVAL;
			}
		}
		break;
	case MINTMON_BTF_KIND_FWD:
		break;
	}
	return 0;
}

/*
 * First read of type id with kept offsets: the record must lie in the type
 * section (what walk_types() would have found) and pass check_type(). Then
 * it is read as if create() had checked it; a broken one reads as void
 * from then on (the failure is recorded once). Checking reads only this
 * record (record_kind() for a FUNC's prototype): no recursion.
 */
static bool check_lazily(const struct mintmon_btf *btf, u32 id)
{
	u32 off = btf->type_offs[id], info;
	long extra;

	if (btf->lazy[id] == TYPE_BAD)
		return false;
	btf->lazy[id] = TYPE_BAD;
	if (btf->types_len < BTF_TYPE_LEN || off > btf->types_len - BTF_TYPE_LEN) {
		BTF_ERR(btf->err, "BTF: kept offset of type %u is %u, past the %u-byte type section",
			id, off, btf->types_len);
		return false;
	}
	info = mintmon_le32(btf->types + off + 4);
	extra = record_extra(BTF_INFO_KIND(info), BTF_INFO_VLEN(info));
	if (extra < 0 || BTF_INFO_KIND(info) == MINTMON_BTF_KIND_UNKN ||
	    (u64)(btf->types_len - off - BTF_TYPE_LEN) < (u64)extra) {
		BTF_ERR(btf->err, "BTF: type %u at kept offset %u: unknown kind or past the type section",
			id, off);
		return false;
	}
	btf->lazy[id] = TYPE_OK;	/* check_type() reads it through get_type() */
	if (!check_type(btf, id))
		return true;
	btf->lazy[id] = TYPE_BAD;
	return false;
}

/*
 * Chains (typedef, modifiers, arrays, vars): each such type refers to one
 * other type. Reject cycles and chains longer than MINTMON_BTF_MAX_CHAIN, so
 * that later walks always end within that many steps. depth[] memoises the
 * length of the chain from each type (0 = not yet known), which makes the
 * whole pass linear.
 */
#define DEPTH_ON_PATH	0xff

static u64 own_size(const struct tview *t)
{
	switch (t->kind) {
	case MINTMON_BTF_KIND_INT:
	case MINTMON_BTF_KIND_ENUM:
	case MINTMON_BTF_KIND_ENUM64:
	case MINTMON_BTF_KIND_STRUCT:
	case MINTMON_BTF_KIND_UNION:
	case MINTMON_BTF_KIND_FLOAT:
	case MINTMON_BTF_KIND_DATASEC:
		return t->size_type;
	case MINTMON_BTF_KIND_PTR:
		return PTR_SIZE;
	default:
		return SIZE_NONE;
	}
}

/* Resolved id and size of chain type x, whose successor's are known. */
static void cache_chain(struct mintmon_btf *btf, u32 x)
{
	u64 succ_size, size;
	struct tview t;
	u32 next;

	get_type(btf, x, &t);
	next = chain_next(&t);
	btf->rid_cache[x] = is_modifier(t.kind) ? btf->rid_cache[next] : x;
	succ_size = btf->size_cache[next];
	if (t.kind != MINTMON_BTF_KIND_ARRAY || succ_size >= SIZE_BIG)
		size = succ_size;
	else if (mintmon_mul_overflow(succ_size, (u64)extra32(&t, 2), &size) || size >= SIZE_BIG)
		size = SIZE_BIG;
	btf->size_cache[x] = size;
}

static int check_chains(struct mintmon_btf *btf)
{
	u32 path[MINTMON_BTF_MAX_CHAIN + 1];
	u8 *depth;
	u32 id, n, cur, base, k;
	struct tview t;
	int err = 0;

	depth = mintmon_calloc(btf->nr_types, 1);
	if (!depth)
		return -ENOMEM;
	btf->rid_cache[0] = 0;
	btf->size_cache[0] = SIZE_NONE;
	for (id = 1; id < btf->nr_types; id++) {
		get_type(btf, id, &t);
		btf->rid_cache[id] = id;
		btf->size_cache[id] = own_size(&t);
	}
	for (id = 1; id < btf->nr_types && !err; id++) {
		n = 0;
		cur = id;
		for (;;) {
			get_type(btf, cur, &t);
			if (!is_chain(t.kind) || depth[cur])
				break;
			if (n == MINTMON_BTF_MAX_CHAIN) {
				BTF_ERR(btf->err, "BTF: type %u (%s): chain of typedefs/modifiers/arrays longer than %u",
					     id, kind_names[mintmon_btf_kind(btf, id)],
					     MINTMON_BTF_MAX_CHAIN);
				err = -EINVAL;
				break;
			}
			depth[cur] = DEPTH_ON_PATH;
			path[n++] = cur;
			cur = chain_next(&t);
		}
		if (!err && depth[cur] == DEPTH_ON_PATH) {
			BTF_ERR(btf->err, "BTF: type %u (%s) is part of a reference cycle through type %u (%s)",
				     id, kind_names[mintmon_btf_kind(btf, id)], cur,
				     kind_names[mintmon_btf_kind(btf, cur)]);
			err = -EINVAL;
		}
		if (err)
			break;
		base = is_chain(t.kind) ? depth[cur] : 0;
		for (k = n; k-- > 0;) {
			base++;
			if (base > MINTMON_BTF_MAX_CHAIN) {
				BTF_ERR(btf->err, "BTF: type %u (%s): chain of typedefs/modifiers/arrays longer than %u",
					     path[k], kind_names[mintmon_btf_kind(btf, path[k])],
					     MINTMON_BTF_MAX_CHAIN);
				err = -EINVAL;
				break;
			}
			depth[path[k]] = (u8)base;
			cache_chain(btf, path[k]);
		}
	}
	mintmon_free(depth);
	return err;
}

/*
 * sizeof(id) without warning; on -EINVAL *bad_ret is the type without a size.
 * Bounded by MINTMON_BTF_MAX_CHAIN hops (check_chains() guarantees it).
 */
static int size_of(const struct mintmon_btf *btf, u32 id, u64 *size_ret, u32 *bad_ret)
{
	u64 nelems = 1, size;
	struct tview t;
	u32 hops;

	if (btf->size_cache && id < btf->nr_types) {
		size = btf->size_cache[id];
		if (size == SIZE_NONE) {
			*bad_ret = id;
			return -EINVAL;
		}
		if (size == SIZE_BIG)
			return -E2BIG;
		*size_ret = size;
		return 0;
	}
	for (hops = 0; hops <= MINTMON_BTF_MAX_CHAIN; hops++) {
		if (id >= btf->nr_types) {
			*bad_ret = id;
			return -EINVAL;
		}
		get_type(btf, id, &t);
		size = own_size(&t);
		if (size != SIZE_NONE)
			goto done;
		if (t.kind == MINTMON_BTF_KIND_ARRAY) {
			if (mintmon_mul_overflow(nelems, (u64)extra32(&t, 2), &nelems))
				return -E2BIG;
			id = extra32(&t, 0);
		} else if (is_chain(t.kind)) {
			id = t.size_type;
		} else {
			*bad_ret = id;
			return -EINVAL;
		}
	}
	return -ELOOP;
done:
	if (mintmon_mul_overflow(nelems, size, &size))
		return -E2BIG;
	*size_ret = size;
	return 0;
}

static int resolve(const struct mintmon_btf *btf, u32 id, u32 *id_ret)
{
	struct tview t;
	u32 hops;

	if (btf->rid_cache && id < btf->nr_types) {
		*id_ret = btf->rid_cache[id];
		return 0;
	}
	for (hops = 0; hops <= MINTMON_BTF_MAX_CHAIN; hops++) {
		if (id >= btf->nr_types)
			return -EINVAL;
		get_type(btf, id, &t);
		if (!is_modifier(t.kind)) {
			*id_ret = id;
			return 0;
		}
		id = t.size_type;
	}
	return -ELOOP;
}

/*
 * Member i of struct/union t: offset in bits, bitfield size (0 if none) and
 * type. Old-style (kind_flag 0) bitfields are INT members whose encoding
 * carries the bit count and offset. Types resolve after check_chains().
 */
static void member_at(const struct mintmon_btf *btf, const struct tview *t, u32 i,
		      u64 *bit_off_ret, u32 *bits_ret, u32 *type_ret)
{
	u32 raw = extra32(t, 3 * i + 2), type = extra32(t, 3 * i + 1);
	u32 rid, v, bits = 0;
	u64 off;
	struct tview mt;

	if (t->kflag) {
		off = raw & 0xffffff;
		bits = raw >> 24;
	} else {
		off = raw;
		if (!resolve(btf, type, &rid)) {
			get_type(btf, rid, &mt);
			if (mt.kind == MINTMON_BTF_KIND_INT) {
				v = extra32(&mt, 0);
				if (BTF_INT_OFFSET(v) || BTF_INT_BITS(v) != mt.size_type * 8) {
					bits = BTF_INT_BITS(v);
					off += BTF_INT_OFFSET(v);
				}
			}
		}
	}
	*bit_off_ret = off;
	*bits_ret = bits;
	*type_ret = type;
}

static const char *size_err(int err)
{
	return err == -E2BIG ? "overflows" : err == -ELOOP ? "chain is too long" : "is undefined";
}

/* Sizes of arrays and struct members; needs check_chains() first. */
static int check_sizes(const struct mintmon_btf *btf, u32 id)
{
	struct tview t, mt;
	u64 size, bit_off, end;
	u32 i, bits, mtype, rid = 0, bad = 0;
	int err;

	get_type(btf, id, &t);
	if (t.kind == MINTMON_BTF_KIND_ARRAY) {
		err = size_of(btf, id, &size, &bad);
		if (!err && size > 0xffffffffu)
			err = -E2BIG;
		if (err) {
			BTF_ERR(btf->err, "BTF: type %u (ARRAY) of %u elements: size %s", id,
				     extra32(&t, 2), size_err(err));
			return -EINVAL;
		}
		return 0;
	}
	if (t.kind != MINTMON_BTF_KIND_STRUCT && t.kind != MINTMON_BTF_KIND_UNION)
		return 0;

	for (i = 0; i < t.vlen; i++) {
		member_at(btf, &t, i, &bit_off, &bits, &mtype);
		err = size_of(btf, mtype, &size, &bad);
		if (!err && size > 0xffffffffu)
			err = -E2BIG;	/* the array's own check would say so too */
		if (err) {
			BTF_ERR(btf->err, "BTF: type %u (%s) member %u (type %u): size %s", id,
				     kind_names[t.kind], i, mtype, size_err(err));
			return -EINVAL;
		}
		if (bits) {
			resolve(btf, mtype, &rid);
			get_type(btf, rid, &mt);
			if (mt.kind != MINTMON_BTF_KIND_INT && mt.kind != MINTMON_BTF_KIND_ENUM &&
			    mt.kind != MINTMON_BTF_KIND_ENUM64) {
				BTF_ERR(btf->err, "BTF: type %u (%s) member %u is a %u-bit bitfield of type %u (%s)",
					     id, kind_names[t.kind], i, bits, rid,
					     kind_names[mt.kind]);
				return -EINVAL;
			}
			if (bits > size * 8) {
				BTF_ERR(btf->err, "BTF: type %u (%s) member %u: %u-bit bitfield in a %llu-byte type",
					     id, kind_names[t.kind], i, bits,
					     (unsigned long long)size);
				return -EINVAL;
			}
			end = bit_off + bits;
		} else {
			if (bit_off % 8) {
				BTF_ERR(btf->err, "BTF: type %u (%s) member %u at bit %llu is not byte-aligned",
					     id, kind_names[t.kind], i,
					     (unsigned long long)bit_off);
				return -EINVAL;
			}
			/* size < 2^32 and bit_off < 2^32: no wrap */
			end = bit_off + size * 8;
		}
		if (end > (u64)t.size_type * 8) {
			BTF_ERR(btf->err, "BTF: type %u (%s) member %u ends at bit %llu, past the type's %u bytes",
				     id, kind_names[t.kind], i, (unsigned long long)end,
				     t.size_type);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- name index ---- */

static u32 name_hash(const char *s)
{
	u32 h = 2166136261u;	/* FNV-1a */

	while (*s) {
		h ^= (u8)*s++;
		h *= 16777619u;
	}
	return h;
}

static bool same_name(const struct mintmon_btf *btf, u32 off_a, u32 off_b)
{
	return off_a == off_b || !strcmp(str_at(btf, off_a), str_at(btf, off_b));
}

/*
 * Index every named type by (name, kind), keeping the first (lowest) id of
 * each pair: repeated names (hundreds of DECL_TAG "bpf_kfunc") take one slot.
 * Insertion in id order means a probe meets lower ids first.
 */
static int build_index(struct mintmon_btf *btf)
{
	u32 id, named = 0, slots = 16, h, i, probe;
	struct tview t, o;

	for (id = 1; id < btf->nr_types; id++) {
		get_type(btf, id, &t);
		named += t.name_off != 0;
	}
	while (slots < 2 * named)
		slots *= 2;	/* named < 2^20, so slots <= 2^21 */
	btf->index = mintmon_calloc(slots, sizeof(*btf->index));
	if (!btf->index)
		return -ENOMEM;
	btf->index_mask = slots - 1;
	for (id = 1; id < btf->nr_types; id++) {
		get_type(btf, id, &t);
		if (!t.name_off)
			continue;
		h = name_hash(str_at(btf, t.name_off));
		for (probe = 0, i = h & btf->index_mask;; probe++, i = (i + 1) & btf->index_mask) {
			if (probe == INDEX_MAX_PROBE) {
				BTF_ERR(btf->err, "BTF: type %u (%s '%s'): more than %u names collide in the name index",
					     id, kind_names[t.kind], str_at(btf, t.name_off),
					     INDEX_MAX_PROBE);
				return -EINVAL;
			}
			if (!btf->index[i].id) {
				btf->index[i].id = id;
				btf->index[i].hash = h;
				break;
			}
			if (btf->index[i].hash != h)
				continue;
			get_type(btf, btf->index[i].id, &o);
			if (o.kind == t.kind && same_name(btf, o.name_off, t.name_off))
				break;	/* a later duplicate */
		}
	}
	return 0;
}

/* ---- create / destroy ---- */

/*
 * Take a name index build_index() made for this blob (mintmon_btf_index()):
 * any bytes are safe, as find() needs only ids below nr_types and a
 * power-of-two table; a wrong but well-formed one can only make find() miss.
 */
static int import_index(struct mintmon_btf *btf, const void *index, size_t len)
{
	size_t slots = len / sizeof(*btf->index), i;

	if (len % sizeof(*btf->index) || slots < 16 || slots > (1u << 21) ||
	    (slots & (slots - 1)) || (uintptr_t)index % _Alignof(struct name_slot)) {
		BTF_ERR(btf->err, "BTF: kept name index of %zu bytes is not a table", len);
		return -EINVAL;
	}
	btf->index = (struct name_slot *)index;		/* in place, as the blob */
	btf->index_borrowed = true;
	btf->index_mask = (u32)slots - 1;
	for (i = 0; i < slots; i++) {
		if (btf->index[i].id >= btf->nr_types) {
			BTF_ERR(btf->err, "BTF: kept name index: slot %zu holds type %u, only %u types",
				i, btf->index[i].id, btf->nr_types);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Take the type offsets a parse of this blob found (mintmon_btf_offsets()),
 * in place: each is checked when its type is first read (check_lazily()).
 */
static int take_offsets(struct mintmon_btf *btf, const void *offs, size_t len)
{
	size_t nr = len / sizeof(u32);

	if (len % sizeof(u32) || nr < 1 || nr >= MINTMON_BTF_MAX_TYPES ||
	    (uintptr_t)offs % _Alignof(u32) || ((const u32 *)offs)[0]) {
		BTF_ERR(btf->err, "BTF: kept type offsets of %zu bytes are not a table", len);
		return -EINVAL;
	}
	btf->lazy = mintmon_calloc(nr, 1);
	if (!btf->lazy)
		return -ENOMEM;
	btf->type_offs = (u32 *)offs;
	btf->offs_borrowed = true;
	btf->nr_types = (u32)nr;
	return 0;
}

/*
 * full: all the stages on a copy of data; else (mintmon_btf_create_trusted())
 * no chains or sizes, data used in place, and the name index taken from
 * index (in place too) if not NULL.
 */
static int create(const void *data, size_t size, const void *index, size_t index_len,
		  const void *offs, size_t offs_len, struct mintmon_error *e, bool full,
		  struct mintmon_btf **btf_ret)
{
	struct mintmon_btf *btf;
	struct btf_hdr h;
	u32 id, nr;
	int err;

	if (!data || !btf_ret)
		return -EINVAL;
	if (size > MINTMON_BTF_MAX_SIZE) {
		BTF_ERR(e, "BTF: blob of %zu bytes exceeds the limit of %u", size,
			     MINTMON_BTF_MAX_SIZE);
		return -E2BIG;
	}
	btf = mintmon_calloc(1, sizeof(*btf));
	if (!btf) {
		BTF_ERR(e, "BTF: out of memory");
		return -ENOMEM;
	}
	btf->err = e;
	if (full) {
		btf->data = mintmon_malloc(size ? size : 1);
		if (!btf->data) {
			err = -ENOMEM;
			goto fail;
		}
		/* Only our copy is read: the source (live target memory) may change. */
		memcpy(btf->data, data, size);
	} else {
		/* A kept blob no one else writes (see btf.h): no copy. */
		btf->data = (u8 *)data;
		btf->data_borrowed = true;
	}
	btf->size = size;
	err = parse_header(btf->data, size, &h, e);
	if (err)
		goto fail;
	btf->types = btf->data + h.hdr_len + h.type_off;
	btf->types_len = h.type_len;
	btf->strs = (const char *)btf->data + h.hdr_len + h.str_off;
	btf->strs_len = h.str_len;

	err = parse_strings(btf->strs, btf->strs_len, e);
	if (err)
		goto fail;
	if (!full && offs) {
		err = take_offsets(btf, offs, offs_len);
		if (err)
			goto fail;
		nr = btf->nr_types;
		goto indexed;
	}
	err = walk_types(btf, NULL, &nr);
	if (err)
		goto fail;
	btf->type_offs = mintmon_calloc(nr, sizeof(u32));
	if (!btf->type_offs) {
		err = -ENOMEM;
		goto fail;
	}
	err = walk_types(btf, btf->type_offs, &nr);
	if (err)
		goto fail;
	btf->nr_types = nr;

	for (id = 1; id < nr; id++) {
		err = check_type(btf, id);
		if (err)
			goto fail;
		if (id % 4096 == 0)
			mintmon_yield();	/* 100k+ types: let the module's caller breathe */
	}
	if (full) {
		btf->rid_cache = mintmon_calloc(nr, sizeof(u32));
		btf->size_cache = mintmon_calloc(nr, sizeof(u64));
		if (!btf->rid_cache || !btf->size_cache) {
			err = -ENOMEM;
			goto fail;
		}
		err = check_chains(btf);
		if (err)
			goto fail;
		for (id = 1; id < nr; id++) {
			err = check_sizes(btf, id);
			if (err)
				goto fail;
			if (id % 4096 == 0)
				mintmon_yield();
		}
		mintmon_free(btf->rid_cache);
		mintmon_free(btf->size_cache);
		btf->rid_cache = NULL;
		btf->size_cache = NULL;
	}
indexed:
	err = !full && index ? import_index(btf, index, index_len) : build_index(btf);
	if (err)
		goto fail;
	*btf_ret = btf;
	return 0;
fail:
	if (err == -ENOMEM)
		BTF_ERR(btf->err, "BTF: out of memory indexing a %zu-byte blob", size);
	mintmon_btf_destroy(btf);
	return err;
}

int mintmon_btf_create(const void *data, size_t size, struct mintmon_error *e,
		       struct mintmon_btf **btf_ret)
{
	return create(data, size, NULL, 0, NULL, 0, e, true, btf_ret);
}

int mintmon_btf_create_trusted(const void *data, size_t size, const void *index,
			       size_t index_len, const void *offs, size_t offs_len,
			       struct mintmon_error *e, struct mintmon_btf **btf_ret)
{
	return create(data, size, index, index_len, offs, offs_len, e, false, btf_ret);
}

size_t mintmon_btf_offsets_len(const struct mintmon_btf *btf)
{
	return (size_t)btf->nr_types * sizeof(u32);
}

const void *mintmon_btf_offsets(const struct mintmon_btf *btf)
{
	return btf->type_offs;
}

size_t mintmon_btf_index_len(const struct mintmon_btf *btf)
{
	return ((size_t)btf->index_mask + 1) * sizeof(*btf->index);
}

const void *mintmon_btf_index(const struct mintmon_btf *btf)
{
	return btf->index;
}

void mintmon_btf_destroy(struct mintmon_btf *btf)
{
	if (!btf)
		return;
	if (!btf->index_borrowed)
		mintmon_free(btf->index);
	if (!btf->data_borrowed)
		mintmon_free(btf->data);
	mintmon_free(btf->rid_cache);
	mintmon_free(btf->size_cache);
	if (!btf->offs_borrowed)
		mintmon_free(btf->type_offs);
	mintmon_free(btf->lazy);
	mintmon_free(btf);
}

/* ---- accessors ---- */

u32 mintmon_btf_nr_types(const struct mintmon_btf *btf)
{
	return btf->nr_types;
}

size_t mintmon_btf_size(const struct mintmon_btf *btf)
{
	return btf->size;
}

const void *mintmon_btf_data(const struct mintmon_btf *btf)
{
	return btf->data;
}

unsigned int mintmon_btf_kind(const struct mintmon_btf *btf, u32 id)
{
	struct tview t;

	if (id >= btf->nr_types)
		return MINTMON_BTF_KIND_UNKN;
	get_type(btf, id, &t);
	return t.kind;
}

const char *mintmon_btf_name(const struct mintmon_btf *btf, u32 id)
{
	struct tview t;

	if (id >= btf->nr_types)
		return NULL;
	get_type(btf, id, &t);
	return str_at(btf, t.name_off);
}

u32 mintmon_btf_vlen(const struct mintmon_btf *btf, u32 id)
{
	struct tview t;

	if (id >= btf->nr_types)
		return 0;
	get_type(btf, id, &t);
	return t.vlen;
}

int mintmon_btf_find(const struct mintmon_btf *btf, const char *name, unsigned int kind,
		     u32 *id_ret)
{
	u32 h, i, probe, id;
	struct tview t;

	if (!name)
		return -EINVAL;
	if (!*name)
		return -ENOENT;
	h = name_hash(name);
	/* build_index() placed every entry within INDEX_MAX_PROBE of its slot. */
	for (probe = 0, i = h & btf->index_mask; probe < INDEX_MAX_PROBE;
	     probe++, i = (i + 1) & btf->index_mask) {
		id = btf->index[i].id;
		if (!id)
			break;
		if (btf->index[i].hash != h)
			continue;
		get_type(btf, id, &t);
		if ((kind == MINTMON_BTF_KIND_UNKN || t.kind == kind) &&
		    !strcmp(str_at(btf, t.name_off), name)) {
			*id_ret = id;
			return 0;
		}
	}
	mintmon_debug("BTF: no %s named '%s'",
		      kind == MINTMON_BTF_KIND_UNKN ? "type" : mintmon_btf_kind_name(kind), name);
	return -ENOENT;
}

int mintmon_btf_resolve(const struct mintmon_btf *btf, u32 id, u32 *id_ret)
{
	int err;

	if (!check_id(btf, id, "resolve"))
		return -EINVAL;
	err = resolve(btf, id, id_ret);
	if (err)
		BTF_ERR(btf->err, "BTF: resolve: type %u: chain longer than %u", id,
			     MINTMON_BTF_MAX_CHAIN);
	return err;
}

int mintmon_btf_type_size(const struct mintmon_btf *btf, u32 id, u64 *size_ret)
{
	u32 bad = id;
	int err;

	if (!check_id(btf, id, "type_size"))
		return -EINVAL;
	err = size_of(btf, id, size_ret, &bad);
	if (err == -EINVAL)
		BTF_ERR(btf->err, "BTF: type %u: type %u (%s) has no size", id, bad,
			     mintmon_btf_kind_name(mintmon_btf_kind(btf, bad)));
	else if (err)
		BTF_ERR(btf->err, "BTF: type %u: size %s", id, size_err(err));
	return err;
}

/* Resolve id; it must be of kind want (else -EINVAL with a warning). */
static int resolve_kind(const struct mintmon_btf *btf, u32 id, unsigned int want,
			const char *fn, struct tview *t)
{
	u32 rid;

	if (!check_id(btf, id, fn) || mintmon_btf_resolve(btf, id, &rid))
		return -EINVAL;
	get_type(btf, rid, t);
	if (t->kind != want) {
		BTF_ERR(btf->err, "BTF: %s: type %u is %s, not %s", fn, id, kind_names[t->kind],
			     kind_names[want]);
		return -EINVAL;
	}
	return 0;
}

int mintmon_btf_array_info(const struct mintmon_btf *btf, u32 id,
			   struct mintmon_btf_array_info *info_ret)
{
	struct tview t;
	int err;

	err = resolve_kind(btf, id, MINTMON_BTF_KIND_ARRAY, "array_info", &t);
	if (err)
		return err;
	info_ret->elem_type = extra32(&t, 0);
	info_ret->index_type = extra32(&t, 1);
	info_ret->nelems = extra32(&t, 2);
	return 0;
}

int mintmon_btf_ptr_target(const struct mintmon_btf *btf, u32 id, u32 *target_ret)
{
	struct tview t;
	int err;

	err = resolve_kind(btf, id, MINTMON_BTF_KIND_PTR, "ptr_target", &t);
	if (err)
		return err;
	*target_ret = t.size_type;
	return 0;
}

int mintmon_btf_int_info(const struct mintmon_btf *btf, u32 id, u32 *size_ret,
			 u32 *bits_ret, u32 *encoding_ret)
{
	struct tview t;
	int err;
	u32 v;

	err = resolve_kind(btf, id, MINTMON_BTF_KIND_INT, "int_info", &t);
	if (err)
		return err;
	v = extra32(&t, 0);
	*size_ret = t.size_type;
	*bits_ret = BTF_INT_BITS(v);
	*encoding_ret = BTF_INT_ENCODING(v);
	return 0;
}

/* ---- members ---- */

struct anon_frame {
	u32 id;		/* resolved struct/union */
	u32 next;	/* next member index */
	u64 base;	/* bit offset of this struct in the outermost one */
};

struct member_hit {
	u64 bit_off;
	u32 bits;
	u32 type;
};

/*
 * Find member name[0..len) of struct/union sid, which starts at bit base,
 * looking into anonymous struct/union members depth first in member order.
 */
static int find_member(const struct mintmon_btf *btf, u32 sid, u64 base, const char *name,
		       size_t len, struct member_hit *hit)
{
	struct anon_frame stack[MINTMON_BTF_MAX_ANON_DEPTH];
	u32 depth = 1, steps = 0, i, bits, type, rid;
	struct tview t, mt;
	const char *mname;
	u64 off;

	stack[0].id = sid;
	stack[0].next = 0;
	stack[0].base = base;
	while (depth) {
		struct anon_frame *f = &stack[depth - 1];

		get_type(btf, f->id, &t);
		if (f->next >= t.vlen) {
			depth--;
			continue;
		}
		if (++steps > BTF_MAX_MEMBER_STEPS) {
			BTF_ERR(btf->err, "BTF: type %u: looking for member '%.*s' took more than %u steps",
				     sid, (int)len, name, BTF_MAX_MEMBER_STEPS);
			return -ELOOP;
		}
		i = f->next++;
		member_at(btf, &t, i, &off, &bits, &type);
		/* Nested offsets are bounded by struct sizes (check_sizes()). */
		off += f->base;
		mname = str_at(btf, extra32(&t, 3 * i));
		if (*mname) {
			if (!strncmp(mname, name, len) && mname[len] == '\0') {
				hit->bit_off = off;
				hit->bits = bits;
				hit->type = type;
				return 0;
			}
			continue;
		}
		if (resolve(btf, type, &rid))
			continue;
		get_type(btf, rid, &mt);
		if (mt.kind != MINTMON_BTF_KIND_STRUCT && mt.kind != MINTMON_BTF_KIND_UNION)
			continue;	/* e.g. an unnamed padding bitfield */
		if (depth == MINTMON_BTF_MAX_ANON_DEPTH) {
			BTF_ERR(btf->err, "BTF: type %u: anonymous members nested deeper than %u",
				     sid, MINTMON_BTF_MAX_ANON_DEPTH);
			return -ELOOP;
		}
		stack[depth].id = rid;
		stack[depth].next = 0;
		stack[depth].base = off;
		depth++;
	}
	return -ENOENT;
}

int mintmon_btf_member(const struct mintmon_btf *btf, u32 struct_id, const char *path,
		       struct mintmon_btf_member_info *info_ret)
{
	struct member_hit hit = { 0 };
	const char *comp, *dot;
	u64 base = 0, size;
	struct tview t;
	u32 sid, bad;
	size_t len;
	int err;

	if (!path || !check_id(btf, struct_id, "member") ||
	    mintmon_btf_resolve(btf, struct_id, &sid))
		return -EINVAL;
	if (strnlen(path, MINTMON_BTF_MAX_PATH + 1) > MINTMON_BTF_MAX_PATH) {
		BTF_ERR(btf->err, "BTF: member path longer than %u bytes", MINTMON_BTF_MAX_PATH);
		return -EINVAL;
	}
	for (comp = path;; comp = dot + 1) {
		get_type(btf, sid, &t);
		if (t.kind != MINTMON_BTF_KIND_STRUCT && t.kind != MINTMON_BTF_KIND_UNION) {
			mintmon_debug("BTF: '%s': type %u (%s) before '%s' is not a struct or union",
				      path, sid, kind_names[t.kind], comp);
			return -ENOENT;
		}
		dot = memchr(comp, '.', strlen(comp));
		len = dot ? (size_t)(dot - comp) : strlen(comp);
		if (!len) {
			BTF_ERR(btf->err, "BTF: member path '%s' has an empty component", path);
			return -EINVAL;
		}
		err = find_member(btf, sid, base, comp, len, &hit);
		if (err == -ENOENT)
			mintmon_debug("BTF: type %u (%s %s) has no member '%.*s' (path '%s')", sid,
				      kind_names[t.kind], str_at(btf, t.name_off), (int)len,
				      comp, path);
		if (err)
			return err;
		if (!dot)
			break;
		if (hit.bits) {
			BTF_ERR(btf->err, "BTF: member path '%s': '%.*s' is a bitfield", path, (int)len,
				     comp);
			return -EINVAL;
		}
		base = hit.bit_off;
		if (resolve(btf, hit.type, &sid))
			return -EINVAL;
	}
	/* check_sizes() made sure every member type has a size. */
	err = size_of(btf, hit.type, &size, &bad);
	if (err) {
		BTF_ERR(btf->err, "BTF: member path '%s': size of type %u %s", path, hit.type,
			     size_err(err));
		return err;
	}
	info_ret->bit_offset = hit.bit_off;
	info_ret->bitfield_size = hit.bits;
	info_ret->type_id = hit.type;
	info_ret->size = size;
	return 0;
}

/* Named struct, else named union. */
static int find_aggregate(const struct mintmon_btf *btf, const char *name, u32 *id_ret)
{
	if (!mintmon_btf_find(btf, name, MINTMON_BTF_KIND_STRUCT, id_ret) ||
	    !mintmon_btf_find(btf, name, MINTMON_BTF_KIND_UNION, id_ret))
		return 0;
	return -ENOENT;
}

static int named_member(const struct mintmon_btf *btf, const char *struct_name,
			const char *path, struct mintmon_btf_member_info *info)
{
	u32 id;
	int err;

	if (!struct_name)
		return -EINVAL;
	err = find_aggregate(btf, struct_name, &id);
	if (err)
		return err;
	return mintmon_btf_member(btf, id, path, info);
}

int mintmon_btf_offsetof(const struct mintmon_btf *btf, const char *struct_name,
			 const char *path, u64 *offset_ret)
{
	struct mintmon_btf_member_info info;
	int err;

	err = named_member(btf, struct_name, path, &info);
	if (err)
		return err;
	if (info.bitfield_size || info.bit_offset % 8) {
		BTF_ERR(btf->err, "BTF: %s.%s is a bitfield (%u bits at bit %llu)", struct_name, path,
			     info.bitfield_size, (unsigned long long)info.bit_offset);
		return -EINVAL;
	}
	*offset_ret = info.bit_offset / 8;
	return 0;
}

int mintmon_btf_member_size(const struct mintmon_btf *btf, const char *struct_name,
			    const char *path, u64 *size_ret)
{
	struct mintmon_btf_member_info info;
	int err;

	err = named_member(btf, struct_name, path, &info);
	if (err)
		return err;
	*size_ret = info.size;
	return 0;
}

/* ---- enums ---- */

static int enum_lookup(const struct mintmon_btf *btf, u32 id, const char *value_name,
		       s64 *value_ret)
{
	struct tview t;
	u32 i, lo, hi;

	get_type(btf, id, &t);
	for (i = 0; i < t.vlen; i++) {
		if (t.kind == MINTMON_BTF_KIND_ENUM) {
			if (strcmp(str_at(btf, extra32(&t, 2 * i)), value_name))
				continue;
			lo = extra32(&t, 2 * i + 1);
			/* kind_flag marks signed enums; old BTF had none */
			*value_ret = t.kflag ? (s64)(s32)lo : (s64)lo;
			return 0;
		}
		if (strcmp(str_at(btf, extra32(&t, 3 * i)), value_name))
			continue;
		lo = extra32(&t, 3 * i + 1);
		hi = extra32(&t, 3 * i + 2);
		*value_ret = (s64)(((u64)hi << 32) | lo);
		return 0;
	}
	return -ENOENT;
}

int mintmon_btf_enum_value(const struct mintmon_btf *btf, const char *enum_name,
			   const char *value_name, s64 *value_ret)
{
	unsigned int kind;
	u32 id;

	if (!value_name)
		return -EINVAL;
	if (enum_name) {
		if ((!mintmon_btf_find(btf, enum_name, MINTMON_BTF_KIND_ENUM, &id) &&
		     !enum_lookup(btf, id, value_name, value_ret)) ||
		    (!mintmon_btf_find(btf, enum_name, MINTMON_BTF_KIND_ENUM64, &id) &&
		     !enum_lookup(btf, id, value_name, value_ret)))
			return 0;
	} else {
		for (id = 1; id < btf->nr_types; id++) {
			kind = mintmon_btf_kind(btf, id);
			if ((kind == MINTMON_BTF_KIND_ENUM || kind == MINTMON_BTF_KIND_ENUM64) &&
			    !enum_lookup(btf, id, value_name, value_ret))
				return 0;
		}
	}
	mintmon_debug("BTF: no enumerator %s in enum %s", value_name,
		      enum_name ? enum_name : "(any)");
	return -ENOENT;
}

struct mintmon_error *mintmon_btf_error(const struct mintmon_btf *btf)
{
	return btf ? btf->err : NULL;
}
