// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the layout-file parser and validation: any input
 * must be rejected with a one-line message or accepted; an accepted layout
 * must then give every node an e820 that is sorted, disjoint, holds only
 * that node's RAM as RAM, reserves every other node's RAM, covers its
 * kernel window, and whose kernel arguments fit the documented bound; and
 * its canonical text must read back into the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mintmon/memmap.h>

#define check(cond) do { if (!(cond)) abort(); } while (0)

static struct mint_memmap layout, again;
static char text[MINT_MEMMAP_TEXT_MAX + 1], text2[MINT_MEMMAP_TEXT_MAX + 1];

/* True if a RESERVED entry of e820 covers [start, start + size) (entries are merged). */
static bool reserved_in(const struct mint_memmap_e820 *e820, u64 start, u64 size)
{
	unsigned int i;

	for (i = 0; i < e820->nr; i++) {
		const struct mint_memmap_e820_entry *e = &e820->entries[i];

		if (e->type == MINT_MEMMAP_E820_RESERVED && e->addr <= start &&
		    start + size <= e->addr + e->size)
			return true;
	}
	return false;
}

static void check_node(const struct mint_memmap *m, unsigned int id)
{
	static char cmdline[MINT_MEMMAP_MAX_E820 * 48 + 32];
	struct mint_memmap_windows win;
	struct mint_memmap_range kw;
	struct mint_memmap_e820 e820;
	bool kw_covered = false;
	unsigned int i;
	int len;
	u64 ram = 0, e820_ram = 0;

	check(mint_memmap_node_e820(m, id, &e820) == 0);
	check(mint_memmap_node_windows(m, id, &win) == 0);
	check(mint_memmap_node_kernel_window(m, id, &kw) == 0);
	check(mint_memmap_node_ram(m, id, &ram) == 0);
	check(e820.nr >= 1 && e820.nr <= MINT_MEMMAP_MAX_E820);
	for (i = 0; i < e820.nr; i++) {
		const struct mint_memmap_e820_entry *e = &e820.entries[i];

		check(e->size && e->addr + e->size <= MINT_MEMMAP_PHYS_LIMIT);
		if (i) {
			const struct mint_memmap_e820_entry *p = &e820.entries[i - 1];

			/* sorted, disjoint, touching entries of one type merged */
			check(p->addr + p->size <= e->addr);
			check(p->addr + p->size < e->addr || p->type != e->type);
		}
		if (e->type == MINT_MEMMAP_E820_RAM) {
			/* RAM is this node's, start and end */
			check(mint_memmap_owner(m, e->addr) == (int)id);
			check(mint_memmap_owner(m, e->addr + e->size - 1) == (int)id);
			check(e->addr + e->size <= m->memory);
			e820_ram += e->size;
			if (e->addr <= kw.start && kw.start + kw.size <= e->addr + e->size)
				kw_covered = true;
		}
	}
	check(kw_covered);
	check(e820_ram == ram);
	for (i = 0; i < m->nr_nodes; i++) {
		unsigned int r;

		for (r = 0; i != id && r < m->nodes[i].nr_regions; r++)
			check(reserved_in(&e820, m->nodes[i].regions[r].start,
					  m->nodes[i].regions[r].size));
	}
	check(kw.start % MINT_MEMMAP_KERNEL_ALIGN == 0 && kw.size % MINT_MEMMAP_KERNEL_ALIGN == 0);
	for (i = 0; i < win.nr; i++) {
		/* windows are sorted and never the node's own RAM */
		check(!i || win.w[i - 1].start + win.w[i - 1].size <= win.w[i].start);
		check(mint_memmap_owner(m, win.w[i].start) != (int)id);
		check(win.w[i].owner == MINT_MEMMAP_NO_OWNER ||
		      mint_memmap_owner(m, win.w[i].start) == (int)win.w[i].owner);
	}
	len = mint_memmap_node_cmdline(m, id, cmdline, sizeof(cmdline));
	check(len > 0 && (size_t)len == strlen(cmdline));
	check(!memcmp(cmdline, "memmap=exactmap", 15));
	/* too small a buffer is refused, not truncated silently */
	check(mint_memmap_node_cmdline(m, id, cmdline, (size_t)len) == -ENOSPC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mint_memmap *m = &layout;
	const char *msg;
	unsigned int id;
	int err, len;

	err = mint_memmap_parse(m, "fuzz.txt", (const char *)data, size);
	if (!err)
		err = mint_memmap_validate(m);
	msg = mint_memmap_strerror(m);
	if (err) {
		/* one non-empty line */
		check(err < 0 && msg[0] && !strchr(msg, '\n'));
		check(strlen(msg) < MINT_MEMMAP_ERRMSG_SIZE);
		return 0;
	}
	check(m->validated && m->nr_nodes >= 1);
	for (id = 0; id < m->nr_nodes; id++)
		check_node(m, id);
	len = mint_memmap_format(m, text, sizeof(text));
	check(len > 0 && len <= MINT_MEMMAP_TEXT_MAX);
	check(mint_memmap_parse(&again, "canonical", text, (size_t)len) == 0);
	check(mint_memmap_validate(&again) == 0);
	check(mint_memmap_format(&again, text2, sizeof(text2)) == len);
	check(!memcmp(text, text2, (size_t)len));
	return 0;
}
