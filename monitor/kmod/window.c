// SPDX-License-Identifier: GPL-2.0
/*
 * A peer's windows: the peer's RAM regions, which this node's boot map
 * lists as reserved. Each is checked against this kernel's own view before
 * anything touches it, claimed so that it shows in /proc/iomem, and mapped
 * read-only. They are also the core's memory source for the peer.
 *
 * The seed's failure was a node 0 that took its windows for RAM: its page
 * allocator handed out the peers' memory. A window that this kernel sees as
 * RAM, anywhere in it, refuses the load.
 */
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <asm/e820/api.h>

#include "kmod.h"

struct coverage {
	u64 next;	/* first address not yet covered */
};

static int cover(struct resource *res, void *arg)
{
	struct coverage *c = arg;

	/* Resources come in address order, clipped to the range asked for. */
	if (res->start <= c->next && res->end + 1 > c->next)
		c->next = res->end + 1;
	return 0;
}

/* 0 if this kernel sees [start, start + size) as reserved and nowhere as RAM. */
static int check_reserved(const struct mintmon_kmod_peer *p, const struct mintmon_kmod_window *w)
{
	u64 end = w->start + w->size - 1;
	struct coverage c = { .next = w->start };

	if (region_intersects(w->start, w->size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT || e820__mapped_any(w->start, end + 1, E820_TYPE_RAM)) {
		pr_err("mintmon: window 0x%llx-0x%llx (%s region %u) is RAM in this kernel: "
		       "node %u booted with a memory map that gives it another node's memory; "
		       "refusing to load\n", w->start, end, p->name, w->region, mintmon_kmod.node);
		return -EBUSY;
	}
	if (w->start < MINTMON_FIRST_MIB)
		return 0;	/* busy "Reserved" resources of the BIOS area: no walk */
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, w->start, end, &c, cover);
	if (c.next <= end) {
		pr_err("mintmon: window 0x%llx-0x%llx (%s region %u) is not reserved in this "
		       "kernel's memory map (from 0x%llx); refusing to load\n", w->start, end,
		       p->name, w->region, c.next);
		return -EINVAL;
	}
	return 0;
}

/*
 * Map [start, start + size) read-only: no page of it is ever writable here.
 * Reserved memory that shares a memory section with this node's RAM, and
 * all of the first MiB, has struct pages (vmap() them); the rest has none
 * (vmap_pfn(), which refuses pfns with struct pages).
 */
static void *map_ro(const struct mintmon_kmod_peer *p, u64 start, u64 size)
{
	unsigned long i, n = size >> PAGE_SHIFT, pfn0 = start >> PAGE_SHIFT, valid = 0;
	void *va = NULL;

	for (i = 0; i < n; i++)
		valid += pfn_valid(pfn0 + i);
	if (!valid) {
		unsigned long *pfns = kvmalloc_array(n, sizeof(*pfns), GFP_KERNEL);

		if (!pfns)
			return NULL;
		for (i = 0; i < n; i++)
			pfns[i] = pfn0 + i;
		va = vmap_pfn(pfns, n, PAGE_KERNEL_RO);
		kvfree(pfns);
	} else if (valid == n) {
		struct page **pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);

		if (!pages)
			return NULL;
		for (i = 0; i < n; i++)
			pages[i] = pfn_to_page(pfn0 + i);
		va = vmap(pages, n, VM_MAP, PAGE_KERNEL_RO);
		kvfree(pages);
	} else {
		pr_err("mintmon: window 0x%llx-0x%llx of %s has struct pages for part of it "
		       "only; cannot map it\n", start, start + size - 1, p->name);
	}
	return va;
}

static int window_open(struct mintmon_kmod_peer *p, struct mintmon_kmod_window *w)
{
	int err = check_reserved(p, w);

	if (err)
		return err;
	/*
	 * Below 1 MiB (a peer's real-mode trampoline area) x86 registers every
	 * reserved range as a busy resource itself: served, but not claimed.
	 */
	if (w->start >= MINTMON_FIRST_MIB)
		w->claim = request_mem_region(w->start, w->size, w->name);
	if (w->start >= MINTMON_FIRST_MIB && !w->claim) {
		pr_err("mintmon: window 0x%llx-0x%llx (%s region %u) is claimed by someone else "
		       "(see /proc/iomem); refusing to load\n", w->start, w->start + w->size - 1,
		       p->name, w->region);
		return -EBUSY;
	}
	w->map = map_ro(p, w->start, w->size);
	if (!w->map) {
		pr_err("mintmon: cannot map window 0x%llx-0x%llx of %s\n", w->start,
		       w->start + w->size - 1, p->name);
		return -ENOMEM;
	}
	return mintmon_memory_add_range(&p->mem, w->start, w->size);
}

static void window_close(struct mintmon_kmod_window *w)
{
	if (w->map)
		vunmap(w->map);
	if (w->claim)
		release_mem_region(w->start, w->size);
	w->map = NULL;
	w->claim = NULL;
}

const struct mintmon_kmod_window *mintmon_kmod_window_at(const struct mintmon_kmod_peer *p,
							 u64 phys)
{
	unsigned int i;

	for (i = 0; i < p->nr_windows; i++) {
		const struct mintmon_kmod_window *w = &p->windows[i];

		if (w->map && phys >= w->start && phys - w->start < w->size)
			return w;
	}
	return NULL;
}

/* The core's memory source: copies out of the read-only mapping; never sleeps. */
static int kmod_read(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	const struct mintmon_kmod_peer *p = ctx;
	u8 *out = buf;

	while (len) {
		const struct mintmon_kmod_window *w = mintmon_kmod_window_at(p, phys);
		u64 n;

		if (!w) {
			*fault_ret = phys;
			return -EFAULT;
		}
		n = min_t(u64, len, w->size - (phys - w->start));
		memcpy(out, (const u8 *)w->map + (phys - w->start), n);
		out += n;
		phys += n;
		len -= n;
	}
	return 0;
}

static const struct mintmon_memory_ops kmod_memory_ops = {
	.read = kmod_read,
};

int mintmon_kmod_windows_init(struct mintmon_kmod_peer *p, const struct mint_memmap *m,
			      unsigned int self)
{
	struct mint_memmap_windows *ws;
	unsigned int i;
	int err;

	ws = kzalloc(sizeof(*ws), GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	err = mint_memmap_node_windows(m, self, ws) ?:
	      mint_memmap_node_kernel_window(m, p->id, &p->kernel_window);
	memset(&p->mem, 0, sizeof(p->mem));
	p->mem.ops = &kmod_memory_ops;
	p->mem.ctx = p;
	for (i = 0; !err && i < ws->nr; i++) {
		struct mintmon_kmod_window *w;

		if (ws->w[i].owner != p->id)
			continue;
		if (p->nr_windows >= MINTMON_ARRAY_SIZE(p->windows)) {
			err = -E2BIG;
			break;
		}
		w = &p->windows[p->nr_windows++];
		w->start = ws->w[i].start;
		w->size = ws->w[i].size;
		w->region = ws->w[i].region;
		snprintf(w->name, sizeof(w->name), "mint %s %s", p->name,
			 m->nodes[p->id].regions[w->region].name[0] ?
			 m->nodes[p->id].regions[w->region].name : "region");
		err = window_open(p, w);
	}
	kfree(ws);
	if (err)
		mintmon_kmod_windows_deinit(p);
	return err;
}

void mintmon_kmod_windows_deinit(struct mintmon_kmod_peer *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_windows; i++)
		window_close(&p->windows[i]);
	p->nr_windows = 0;
	p->mem.nr_ranges = 0;
}
