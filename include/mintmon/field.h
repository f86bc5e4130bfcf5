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
	u8 shift;		/* a bitfield: its first bit in the byte at off */
	u8 bits;		/* its width, 1 to 57 (0: not a bitfield) */
};

/*
 * Look up type.path in btf (type is a struct or union name). A missing
 * field is an error (-ENOENT, recorded in btf's error object) if required,
 * otherwise it leaves f_ret->present false and returns 0. A bitfield is
 * the bytes that hold it (off, size) and its bits within them (x86 order:
 * from the least significant bit of the byte at off); one wider than 57
 * bits, or a field off a byte boundary that is not a bitfield, is refused
 * (-EINVAL).
 */
int mintmon_field_init(const struct mintmon_btf *btf, const char *type, const char *path,
		       bool required, struct mintmon_field *f_ret);

/* Bytes [lo, hi) of a structure that cover every present field in fields. */
void mintmon_field_span(const struct mintmon_field *const *fields, unsigned int n, u64 *lo_ret,
			u64 *hi_ret);

/*
 * The value of a numeric field (at most 8 bytes, little-endian, zero-
 * extended; a bitfield's bits) out of span, a copy of the structure's bytes from span_lo to
 * span_hi. 0 if the field is absent or lies outside the span.
 */
u64 mintmon_field_get(const struct mintmon_field *f, const u8 *span, u64 span_lo, u64 span_hi);

/* A field's value from the little-endian bytes read at its off (its bits, if a bitfield). */
u64 mintmon_field_value(const struct mintmon_field *f, u64 raw);

/* The same, sign-extended from the field's size (a bitfield's width). */
s64 mintmon_field_get_signed(const struct mintmon_field *f, const u8 *span, u64 span_lo,
			     u64 span_hi);

#endif /* MINTMON_FIELD_H */
