/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One way to read a structure field of the target: its place comes from
 * the target's BTF by path ("signal.nr_threads", "hdr.pref_address"), once,
 * at attach; reads then take it out of bytes already copied (a span of the
 * structure) or read just that field.
 */
#ifndef MINTMON_FIELD_H
#define MINTMON_FIELD_H

#include "btf.h"

struct mintmon_field {
	u64 off;		/* byte offset in the outer structure */
	u32 size;		/* bytes, 1 to 8 for numbers; arrays may be larger */
	bool present;		/* false: the target's structure has no such field */
};

/*
 * Look up type.path in btf (type is a struct or union name). A missing
 * field is an error (-ENOENT, recorded in btf's error object) if required,
 * otherwise it leaves f_ret->present false and returns 0. Bitfields and
 * fields not on a byte boundary are refused (-EINVAL).
 */
int mintmon_field_init(const struct mintmon_btf *btf, const char *type, const char *path,
		       bool required, struct mintmon_field *f_ret);

/* Bytes [lo, hi) of a structure that cover every present field in fields. */
void mintmon_field_span(const struct mintmon_field *const *fields, unsigned int n, u64 *lo_ret,
			u64 *hi_ret);

/*
 * The value of a numeric field (at most 8 bytes, little-endian, zero-
 * extended) out of span, a copy of the structure's bytes from span_lo to
 * span_hi. 0 if the field is absent or lies outside the span.
 */
u64 mintmon_field_get(const struct mintmon_field *f, const u8 *span, u64 span_lo, u64 span_hi);

/* The same, sign-extended from the field's size. */
s64 mintmon_field_get_signed(const struct mintmon_field *f, const u8 *span, u64 span_lo,
			     u64 span_hi);

#endif /* MINTMON_FIELD_H */
