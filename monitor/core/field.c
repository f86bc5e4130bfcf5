// SPDX-License-Identifier: GPL-2.0
/* Structure fields of the target by BTF path (see field.h). */
#include "mintmon/field.h"

int mintmon_field_init(const struct mintmon_btf *btf, const char *type, const char *path,
		       bool required, struct mintmon_field *f_ret)
{
	struct mintmon_btf_member_info info;
	u32 id;
	int err = mintmon_btf_find(btf, type, MINTMON_BTF_KIND_STRUCT, &id);

	if (err)
		err = mintmon_btf_find(btf, type, MINTMON_BTF_KIND_UNION, &id);
	if (!err)
		err = mintmon_btf_member(btf, id, path, &info);
	if (!err && (info.bitfield_size > 57 || (!info.bitfield_size && info.bit_offset % 8)))
		err = -EINVAL;
	if (err) {
		f_ret->present = false;
		if (!required)
			return 0;
		return mintmon_fail(mintmon_btf_error(btf), err, "btf",
				    "BTF: no usable member %s.%s", type, path);
	}
	f_ret->off = info.bit_offset / 8;
	f_ret->size = (u32)info.size;
	f_ret->shift = 0;
	f_ret->bits = (u8)info.bitfield_size;
	if (f_ret->bits) {
		/* The bytes that hold the bits (8 at most: 7 + 57 bits). */
		f_ret->shift = (u8)(info.bit_offset % 8);
		f_ret->size = (f_ret->shift + f_ret->bits + 7) / 8;
	}
	f_ret->present = true;
	return 0;
}

u64 mintmon_field_value(const struct mintmon_field *f, u64 raw)
{
	if (!f->bits)
		return raw;
	return (raw >> f->shift) & ((1ull << f->bits) - 1);
}

void mintmon_field_span(const struct mintmon_field *const *fields, unsigned int n, u64 *lo_ret,
			u64 *hi_ret)
{
	u64 lo = ~0ull, hi = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct mintmon_field *f = fields[i];

		if (!f->present)
			continue;
		if (f->off < lo)
			lo = f->off;
		if (f->off + f->size > hi)
			hi = f->off + f->size;
	}
	if (lo > hi)
		lo = hi = 0;
	*lo_ret = lo;
	*hi_ret = hi;
}

u64 mintmon_field_get(const struct mintmon_field *f, const u8 *span, u64 span_lo, u64 span_hi)
{
	u8 b[8] = {0};

	if (!f->present || f->size == 0 || f->size > 8 || f->off < span_lo ||
	    !mintmon_in_bounds(span_hi - span_lo, f->off - span_lo, f->size))
		return 0;
	memcpy(b, span + (f->off - span_lo), f->size);
	return mintmon_field_value(f, mintmon_le64(b));
}

s64 mintmon_field_get_signed(const struct mintmon_field *f, const u8 *span, u64 span_lo,
			     u64 span_hi)
{
	u64 v = mintmon_field_get(f, span, span_lo, span_hi);
	unsigned int shift;

	unsigned int width = f->bits ? f->bits : 8 * f->size;

	if (!f->present || width == 0 || width >= 64)
		return (s64)v;
	shift = 64 - width;
	return (s64)(v << shift) >> shift;
}
