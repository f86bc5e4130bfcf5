// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the identity hand-over a node kernel reads from
 * kexec-mint's setup_data (mint_memmap_handover_parse()): any blob must be
 * refused with a one-line "hand-over:" message or accepted. The blob is
 * parsed as it is, then once more with its header's hash corrected, so that
 * mutations of the text reach the layout parser and validation instead of
 * stopping at the hash. An accepted blob must name a node of its layout, and
 * the layout must survive format -> parse -> format byte for byte and hand
 * over again to the same node.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mintmon/memmap.h>

#define check(cond) do { if (!(cond)) abort(); } while (0)
#define HDR sizeof(struct mint_memmap_handover)

static struct mint_memmap layout, again;
static char text[MINT_MEMMAP_TEXT_MAX + 1], text2[MINT_MEMMAP_TEXT_MAX + 1];
static uint8_t blob[HDR + MINT_MEMMAP_TEXT_MAX], copy[HDR + MINT_MEMMAP_TEXT_MAX + 64];

static void check_accepted(const struct mint_memmap *m, unsigned int node)
{
	unsigned int node2;
	u64 hash2;
	int len, len2, n;

	check(m->validated && node < m->nr_nodes);
	len = mint_memmap_format(m, text, sizeof(text));
	check(len > 0 && len <= MINT_MEMMAP_TEXT_MAX);
	check(mint_memmap_parse(&again, "again", text, (size_t)len) == 0);
	check(mint_memmap_validate(&again) == 0);
	len2 = mint_memmap_format(&again, text2, sizeof(text2));
	check(len2 == len && !memcmp(text, text2, (size_t)len));
	n = mint_memmap_handover_build(m, node, blob, sizeof(blob));
	check(n == (int)HDR + len);
	check(mint_memmap_handover_parse(&again, blob, (size_t)n, &node2, &hash2) == 0);
	check(node2 == node && hash2 == mint_memmap_hash(text, (size_t)len));
}

static void one(const uint8_t *data, size_t size)
{
	unsigned int node = ~0U;
	u64 hash = 0;
	const char *msg;
	int err;

	err = mint_memmap_handover_parse(&layout, data, size, &node, &hash);
	msg = mint_memmap_strerror(&layout);
	if (err) {
		check(err < 0 && !strncmp(msg, "hand-over:", 10) && !strchr(msg, '\n'));
		check(strlen(msg) < MINT_MEMMAP_ERRMSG_SIZE && !layout.validated);
		check(node == ~0U && hash == 0);
		return;
	}
	check(hash == mintmon_le64(data + 16));
	check_accepted(&layout, node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t text_len;
	uint16_t hdr_size;
	u64 h;
	unsigned int i;

	one(data, size);
	/* Again with the hash the header's text really has, where it lies in the input. */
	if (size < HDR || size > sizeof(copy))
		return 0;
	memcpy(copy, data, size);
	hdr_size = (uint16_t)(copy[6] | copy[7] << 8);
	text_len = (uint32_t)copy[12] | (uint32_t)copy[13] << 8 | (uint32_t)copy[14] << 16 |
		   (uint32_t)copy[15] << 24;
	if (hdr_size > size || size - hdr_size < text_len)
		return 0;
	h = mint_memmap_hash(copy + hdr_size, text_len);
	for (i = 0; i < 8; i++)
		copy[16 + i] = (uint8_t)(h >> (8 * i));
	one(copy, size);
	return 0;
}
