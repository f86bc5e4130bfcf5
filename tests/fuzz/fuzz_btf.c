// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the BTF parser: any input must be either
 * rejected with a warning or accepted, and then every lookup on it must stay
 * in bounds and terminate. Lookups use the blob's own strings as names and
 * member paths so that they hit real members. The same for the attach
 * cache's trusted path, with kept record offsets taken from the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mintmon/btf.h>

#define MAX_NAMES	24
#define MAX_IDS		256

/* Collect up to MAX_NAMES strings of the (validated) string section. */
static unsigned int collect_names(const uint8_t *data, const char **names)
{
	u32 hdr_len = mintmon_le32(data + 4), str_off = mintmon_le32(data + 16);
	u32 str_len = mintmon_le32(data + 20);
	const char *s = (const char *)data + hdr_len + str_off;
	unsigned int n = 0;
	u32 pos = 1;

	/* create() accepted the blob, so the section is inside it and NUL-terminated */
	while (pos < str_len && n < MAX_NAMES) {
		names[n++] = s + pos;
		pos += (u32)strlen(s + pos) + 1;
	}
	return n;
}

static void exercise(const struct mintmon_btf *btf, const char **names, unsigned int nr_names)
{
	struct mintmon_btf_member_info info;
	struct mintmon_btf_array_info arr;
	u32 nr = mintmon_btf_nr_types(btf), id, out, a, b, c;
	unsigned int i, j, kind;
	char path[2 * MINTMON_BTF_MAX_NAME_LEN + 2];
	u64 v64;
	s64 sv;

	(void)mintmon_btf_size(btf);
	for (id = 0; id < nr && id < MAX_IDS; id++) {
		kind = mintmon_btf_kind(btf, id);
		(void)mintmon_btf_kind_name(kind);
		(void)mintmon_btf_vlen(btf, id);
		if (mintmon_btf_name(btf, id) == NULL)
			__builtin_trap();
		mintmon_btf_resolve(btf, id, &out);
		mintmon_btf_type_size(btf, id, &v64);
		mintmon_btf_array_info(btf, id, &arr);
		mintmon_btf_ptr_target(btf, id, &out);
		mintmon_btf_int_info(btf, id, &a, &b, &c);
		if (kind != MINTMON_BTF_KIND_STRUCT && kind != MINTMON_BTF_KIND_UNION &&
		    kind != MINTMON_BTF_KIND_TYPEDEF)
			continue;
		for (i = 0; i < nr_names && i < 12; i++) {
			if (!mintmon_btf_member(btf, id, names[i], &info) &&
			    info.bitfield_size == 0 && info.bit_offset % 8)
				__builtin_trap();	/* non-bitfields are byte-aligned */
			for (j = 0; j < nr_names && j < 4; j++) {
				mintmon_snprintf(path, sizeof(path), "%s.%s", names[i], names[j]);
				mintmon_btf_member(btf, id, path, &info);
			}
		}
	}
	mintmon_btf_member(btf, nr, "x", &info);	/* out of range */
	mintmon_btf_type_size(btf, nr, &v64);
	for (i = 0; i < nr_names; i++) {
		for (kind = 0; kind < MINTMON_BTF_NR_KINDS; kind++)
			mintmon_btf_find(btf, names[i], kind, &out);
		mintmon_btf_offsetof(btf, names[i], nr_names > 1 ? names[1] : "x", &v64);
		mintmon_btf_member_size(btf, names[i], names[0], &v64);
		mintmon_btf_enum_value(btf, names[i], names[nr_names - 1 - i], &sv);
		if (i < 4)
			mintmon_btf_enum_value(btf, NULL, names[i], &sv);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[MAX_NAMES];
	struct mintmon_btf *btf = NULL;
	unsigned int nr_names;

	struct mintmon_error e;

	mintmon_error_init(&e, 0);
	/*
	 * A kept entry's BTF (mintmon_btf_create_trusted()) with kept record
	 * offsets that may be anything: here the input's first words. Each
	 * type is checked at its first read; lookups must stay in bounds.
	 */
	if (size >= 8 && !mintmon_btf_create_trusted(data, size, NULL, 0, data,
						     (size / 4 < 512 ? size / 4 : 512) * 4, &e,
						     &btf)) {
		exercise(btf, names, collect_names(data, names));
		mintmon_btf_destroy(btf);
		btf = NULL;
	}
	mintmon_error_init(&e, 0);
	if (mintmon_btf_create(data, size, &e, &btf)) {
		/* Every rejection says why, and leaves btf alone. */
		if (!mintmon_error_is_set(&e) || !e.msg[0] || btf)
			__builtin_trap();
		return 0;
	}
	nr_names = collect_names(data, names);
	exercise(btf, names, nr_names);
	mintmon_btf_destroy(btf);
	return 0;
}
