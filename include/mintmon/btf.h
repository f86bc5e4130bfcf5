/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BTF (BPF Type Format) of the watched kernel: struct layouts, type sizes and
 * enum values, read from the kernel's own `.BTF` section (between the kallsyms
 * symbols __start_BTF and __stop_BTF) or from a file given with --btf.
 *
 * The blob comes from the memory of a possibly hostile kernel, so
 * mintmon_btf_create() checks all of it before any lookup can run:
 *   1. header: magic 0xeB9F in little-endian order, version 1, no flags,
 *      hdr_len >= 24 and inside the blob (extra header bytes must be zero),
 *      both sections inside the blob and disjoint, type section 4-aligned;
 *   2. strings: start with "\0", end with "\0", no string longer than
 *      MINTMON_BTF_MAX_NAME_LEN;
 *   3. types: every record's length computed from its kind and vlen and
 *      checked against the bytes left; unknown kinds are rejected;
 *   4. sanity: every type id referred to is < nr_types, every name offset is
 *      inside the string section, chains of typedef/const/volatile/restrict/
 *      type_tag/array/var are acyclic and at most MINTMON_BTF_MAX_CHAIN long,
 *      array sizes do not overflow, every struct/union member (and bitfield)
 *      lies inside its struct, enum/int/float sizes are ones C can have;
 *   5. name index: (name, kind) -> first id; a blob crafted so that more
 *      than 1024 names collide in it is rejected (bounds create() time).
 * Any failure is one mintmon_warn() line naming the type and the field
 * ("BTF: type 1234 (STRUCT) member 5 refers to type 99999, only 80000 types")
 * and -EINVAL (-ENOMEM, -E2BIG for allocation and size limits).
 *
 * After that, lookups never walk off the data and never loop without bound.
 * Lookups return -ENOENT without a warning when a name is absent (callers
 * probe alternatives across kernel versions and report what they needed);
 * other failures warn. Out-parameters are written only on success.
 *
 * Type ids run from 0 (void) to mintmon_btf_nr_types() - 1. Pointers are
 * 8 bytes (the target is x86-64). The target is little-endian; byte-swapped
 * BTF is rejected.
 *
 * Freestanding: uses only what platform.h allows.
 */
#ifndef MINTMON_BTF_H
#define MINTMON_BTF_H

#include "error.h"

/* Kinds, with the values of the BTF format (linux/btf.h BTF_KIND_*). */
enum {
	MINTMON_BTF_KIND_UNKN = 0,	/* void; as a find() kind: any kind */
	MINTMON_BTF_KIND_INT = 1,
	MINTMON_BTF_KIND_PTR = 2,
	MINTMON_BTF_KIND_ARRAY = 3,
	MINTMON_BTF_KIND_STRUCT = 4,
	MINTMON_BTF_KIND_UNION = 5,
	MINTMON_BTF_KIND_ENUM = 6,
	MINTMON_BTF_KIND_FWD = 7,
	MINTMON_BTF_KIND_TYPEDEF = 8,
	MINTMON_BTF_KIND_VOLATILE = 9,
	MINTMON_BTF_KIND_CONST = 10,
	MINTMON_BTF_KIND_RESTRICT = 11,
	MINTMON_BTF_KIND_FUNC = 12,
	MINTMON_BTF_KIND_FUNC_PROTO = 13,
	MINTMON_BTF_KIND_VAR = 14,
	MINTMON_BTF_KIND_DATASEC = 15,
	MINTMON_BTF_KIND_FLOAT = 16,
	MINTMON_BTF_KIND_DECL_TAG = 17,
	MINTMON_BTF_KIND_TYPE_TAG = 18,
	MINTMON_BTF_KIND_ENUM64 = 19,
	MINTMON_BTF_NR_KINDS,
};

/* Limits (the first two are the BTF format's own). */
#define MINTMON_BTF_MAX_TYPES		0x100000	/* ids 0..0xfffff */
#define MINTMON_BTF_MAX_STR_LEN		0x1000000	/* string section size */
#define MINTMON_BTF_MAX_SIZE		(256u << 20)	/* whole blob */
#define MINTMON_BTF_MAX_NAME_LEN	512		/* one string without NUL: KSYM_NAME_LEN */
#define MINTMON_BTF_MAX_CHAIN		64		/* typedef/const/array... hops */
#define MINTMON_BTF_MAX_ANON_DEPTH	16		/* nested anonymous members */
#define MINTMON_BTF_MAX_PATH		256		/* bytes of a dotted member path */

/* INT encoding bits (mintmon_btf_int_info()). */
#define MINTMON_BTF_INT_SIGNED	0x1
#define MINTMON_BTF_INT_CHAR	0x2
#define MINTMON_BTF_INT_BOOL	0x4

struct mintmon_btf;

/*
 * Check and index a BTF blob of size bytes. The data is copied: the caller
 * may free or reuse it at once. Returns 0 and *btf_ret, or a negative errno
 * with the reason recorded in e (which later lookups use too; may be NULL).
 */
int mintmon_btf_create(const void *data, size_t size, struct mintmon_error *e,
		       struct mintmon_btf **btf_ret);
/*
 * The same for a blob that passed mintmon_btf_create() before and was kept
 * where only this user can write, checksummed (the attach cache): stages 1-3
 * and the per-record checks of stage 4 (ids, name offsets, kinds,
 * int/enum/float sizes) run; the chain and size checks of stage 4 (cycles,
 * chain lengths, array and member sizes) are skipped, and with index (not
 * NULL: index_len bytes of mintmon_btf_index() of that earlier parse, host
 * byte order) the name index is taken instead of built, its ids checked
 * against nr_types. Lookups stay in bounds and bounded on any input this
 * accepts (every walk checks ids and counts hops); on a blob create() would
 * refuse, or another blob's index, answers may be wrong (sizes, offsets,
 * -ELOOP, a name not found). Never use it on target memory.
 *
 * With offs (not NULL: offs_len bytes of mintmon_btf_offsets() of that
 * parse, host order) the record walk of stage 3 is skipped too, and each
 * type gets its stage 3 and per-record stage 4 checks when it is first
 * read: a type that fails them reads as void (the failure is recorded), so
 * a warm attach costs only the types it reads.
 *
 * Nothing is copied (a warm attach maps its cache entry and parses it where
 * it lies): data, index and offs must stay valid and unchanged until
 * mintmon_btf_destroy(). index and offs must be aligned to 4 bytes.
 */
int mintmon_btf_create_trusted(const void *data, size_t size, const void *index,
			       size_t index_len, const void *offs, size_t offs_len,
			       struct mintmon_error *e, struct mintmon_btf **btf_ret);
/* btf's record offsets (mintmon_btf_offsets_len() bytes), to keep next to its blob. */
const void *mintmon_btf_offsets(const struct mintmon_btf *btf);
size_t mintmon_btf_offsets_len(const struct mintmon_btf *btf);
/* btf's name index (mintmon_btf_index_len() bytes), to keep next to its blob. */
const void *mintmon_btf_index(const struct mintmon_btf *btf);
size_t mintmon_btf_index_len(const struct mintmon_btf *btf);
void mintmon_btf_destroy(struct mintmon_btf *btf);
/* The error object failures of lookups in btf are recorded in (may be NULL). */
struct mintmon_error *mintmon_btf_error(const struct mintmon_btf *btf);

/* Number of type ids, void included: valid ids are 0..nr_types-1. */
u32 mintmon_btf_nr_types(const struct mintmon_btf *btf);
/* Size of the blob in bytes. */
size_t mintmon_btf_size(const struct mintmon_btf *btf);
/* The checked blob itself (btf's copy, mintmon_btf_size() bytes), e.g. to keep it in a cache. */
const void *mintmon_btf_data(const struct mintmon_btf *btf);

/* Kind of type id (MINTMON_BTF_KIND_*); MINTMON_BTF_KIND_UNKN for void or a bad id. */
unsigned int mintmon_btf_kind(const struct mintmon_btf *btf, u32 id);
/* Printable name of a kind ("STRUCT"), "?" for unknown values. */
const char *mintmon_btf_kind_name(unsigned int kind);
/*
 * Name of type id: "" for anonymous types and void, NULL for a bad id. The
 * string lives in btf's copy of the blob until mintmon_btf_destroy().
 */
const char *mintmon_btf_name(const struct mintmon_btf *btf, u32 id);
/* vlen of type id: members, enum values, params... (0 for a bad id). */
u32 mintmon_btf_vlen(const struct mintmon_btf *btf, u32 id);

/*
 * Find the first (lowest id) type called name of kind (MINTMON_BTF_KIND_*,
 * or MINTMON_BTF_KIND_UNKN for any kind). Hash lookup, O(1) expected.
 * -ENOENT if there is none.
 */
int mintmon_btf_find(const struct mintmon_btf *btf, const char *name, unsigned int kind,
		     u32 *id_ret);

/*
 * Strip typedef, const, volatile, restrict and type_tag from id. The result
 * may be 0 (void, e.g. for "const void").
 */
int mintmon_btf_resolve(const struct mintmon_btf *btf, u32 id, u32 *id_ret);

/*
 * sizeof(type id) in bytes: through typedefs, modifiers and arrays (elements
 * times element size); pointers are 8. -EINVAL for types without a size
 * (void, func, func_proto, fwd, decl_tag).
 */
int mintmon_btf_type_size(const struct mintmon_btf *btf, u32 id, u64 *size_ret);

struct mintmon_btf_member_info {
	u64 bit_offset;		/* from the start of the outermost struct */
	u32 bitfield_size;	/* bits, or 0 if the member is not a bitfield */
	u32 type_id;		/* the member's type, unresolved */
	u64 size;		/* sizeof the member's type (of the base type for bitfields) */
};

/*
 * Member path of struct/union struct_id (typedefs and modifiers on struct_id
 * are stripped). path is one name or several joined by dots
 * ("signal", "thread_info.flags", "rss_stat.count"); each name is searched in
 * the members and, in member order, inside anonymous struct/union members
 * (e.g. mm_struct's fields live in an anonymous struct since 6.1), with an
 * explicit bounded stack. Every component but the last must be a
 * struct/union. -ENOENT if a name is absent or a component is not a
 * struct/union, -EINVAL for a bitfield in the middle of the path or an
 * empty component, -ELOOP if anonymous members nest deeper than
 * MINTMON_BTF_MAX_ANON_DEPTH.
 */
int mintmon_btf_member(const struct mintmon_btf *btf, u32 struct_id, const char *path,
		       struct mintmon_btf_member_info *info_ret);

/*
 * Byte offset of path in struct (or union) struct_name: -ENOENT if the
 * struct or the member is absent, -EINVAL for a bitfield.
 */
int mintmon_btf_offsetof(const struct mintmon_btf *btf, const char *struct_name,
			 const char *path, u64 *offset_ret);

/* Byte size of the member's type (sizeof(((struct S *)0)->path)). */
int mintmon_btf_member_size(const struct mintmon_btf *btf, const char *struct_name,
			    const char *path, u64 *size_ret);

struct mintmon_btf_array_info {
	u32 elem_type;		/* unresolved */
	u32 index_type;
	u32 nelems;
};

/* Array info of id after stripping modifiers; -EINVAL if it is not an array. */
int mintmon_btf_array_info(const struct mintmon_btf *btf, u32 id,
			   struct mintmon_btf_array_info *info_ret);

/* Pointed-to type (unresolved) of id after stripping modifiers; -EINVAL if not a pointer. */
int mintmon_btf_ptr_target(const struct mintmon_btf *btf, u32 id, u32 *target_ret);

/*
 * INT type id (after stripping modifiers): byte size, bits and encoding
 * (MINTMON_BTF_INT_*). -EINVAL if it is not an INT.
 */
int mintmon_btf_int_info(const struct mintmon_btf *btf, u32 id, u32 *size_ret,
			 u32 *bits_ret, u32 *encoding_ret);

/*
 * Value of enumerator value_name of enum (ENUM or ENUM64) enum_name; with
 * enum_name NULL, of the first enum that has it (kernel constants such as
 * TASK_COMM_LEN live in anonymous enums). 32-bit values of signed enums
 * (kind_flag set) are sign-extended, others zero-extended; ENUM64 values are
 * the 64 bits as stored. -ENOENT if absent.
 */
int mintmon_btf_enum_value(const struct mintmon_btf *btf, const char *enum_name,
			   const char *value_name, s64 *value_ret);

#endif /* MINTMON_BTF_H */
