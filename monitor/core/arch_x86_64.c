// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 paging: 4-level (PML4) and 5-level (LA57) translation with 1 GiB and
 * 2 MiB pages, and discovery of the kernel image from a kernel page table.
 *
 * Only architecture facts are constants here. The kernel image is mapped at
 * __START_KERNEL_map (0xffffffff80000000) by level2_kernel_pgt; at boot
 * cleanup_highmap() clears the entries below _text, so the first present
 * entry of that table is _text itself (2 MiB aligned on x86-64). Every
 * kernel top-level table (init_top_pgt, each process's pgd, and the
 * real-mode trampoline_pgd that setup_real_mode() copies into the first
 * MiB) shares those entries, so the first MiB usually yields one at once.
 */
#include "mintmon/arch.h"

#define X86_PAGE_SHIFT 12
#define X86_PAGE_SIZE (1ull << X86_PAGE_SHIFT)
#define X86_ENTRIES 512
#define X86_PRESENT (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_USER (1ull << 2)
#define X86_PS (1ull << 7)
#define X86_NX (1ull << 63)
/* Bits 12-51 hold the frame; 52-62 are software/protection-key bits. */
#define X86_ADDR_MASK 0x000ffffffffff000ull
#define X86_KERNEL_MAP_START 0xffffffff80000000ull
#define X86_KERNEL_MAP_SIZE (1ull << 30)
#define X86_PMD_SIZE (1ull << 21)
/* An image smaller than this is not a Linux kernel. */
#define X86_MIN_IMAGE (8ull << 20)

static int read_entry(struct mintmon_memory *mem, u64 table, unsigned int index, u64 *entry_ret,
		      u64 *fault_ret)
{
	u8 b[8];
	int err = mintmon_memory_read(mem, table + 8ull * index, b, sizeof(b), fault_ret);

	if (err)
		return err;
	*entry_ret = mintmon_le64(b);
	return 0;
}

static int x86_64_walk_start(unsigned int levels, u64 root, u64 vaddr, struct mintmon_walk *w)
{
	unsigned int shift = levels == 5 ? 48 : 39, va_bits = shift + 9;

	if (levels != 4 && levels != 5)
		return -EINVAL;
	/* Canonical: the bits above the top index copy its highest bit. */
	if ((u64)((s64)(vaddr << (64 - va_bits)) >> (64 - va_bits)) != vaddr)
		return -EINVAL;
	w->vaddr = vaddr;
	w->level = levels;
	w->shift = shift;
	w->nx = 0;
	w->rw = X86_RW;
	w->user = X86_USER;
	w->entry_phys = root + 8 * ((vaddr >> shift) & (X86_ENTRIES - 1));
	return 0;
}

static int x86_64_walk_step(struct mintmon_walk *w, u64 entry, struct mintmon_translation *t_ret)
{
	if (!(entry & X86_PRESENT))
		return -ENXIO;
	w->nx |= entry & X86_NX;
	w->rw &= entry;
	w->user &= entry;
	if (w->level == 1 || ((w->level == 2 || w->level == 3) && (entry & X86_PS))) {
		u64 size = 1ull << w->shift;
		u64 frame = entry & X86_ADDR_MASK & ~(size - 1);

		t_ret->phys = frame | (w->vaddr & (size - 1));
		t_ret->page_size = size;
		t_ret->writable = w->rw != 0;
		t_ret->executable = w->nx == 0;
		t_ret->user = w->user != 0;
		return 1;
	}
	if (entry & X86_PS)
		return -EINVAL;	/* no huge pages at the top levels */
	w->level--;
	w->shift -= 9;
	w->entry_phys = (entry & X86_ADDR_MASK) + 8 * ((w->vaddr >> w->shift) & (X86_ENTRIES - 1));
	return 0;
}

static int x86_64_translate(struct mintmon_memory *mem, unsigned int levels, u64 root, u64 vaddr,
			    struct mintmon_translation *t_ret, u64 *fault_ret)
{
	struct mintmon_walk w;
	int err = x86_64_walk_start(levels, root, vaddr, &w);

	while (!err) {
		u8 b[8];

		err = mintmon_memory_read(mem, w.entry_phys, b, sizeof(b), fault_ret);
		if (!err)
			err = x86_64_walk_step(&w, mintmon_le64(b), t_ret);
	}
	return err > 0 ? 0 : err;
}

/* Follow a table entry that must point at a lower-level table held by mem. */
static bool next_table(struct mintmon_memory *mem, u64 table, unsigned int index, u64 *next_ret)
{
	u64 entry, fault;

	if (read_entry(mem, table, index, &entry, &fault))
		return false;
	if (!(entry & X86_PRESENT) || (entry & X86_PS))
		return false;
	if (!mintmon_memory_contains(mem, entry & X86_ADDR_MASK, X86_PAGE_SIZE))
		return false;
	*next_ret = entry & X86_ADDR_MASK;
	return true;
}

/* Physical address of the first 4 KiB of a 2 MiB kernel-map chunk, or false. */
static bool chunk_phys(struct mintmon_memory *mem, u64 pmd_entry, u64 *phys_ret)
{
	u64 pte, fault;

	if (!(pmd_entry & X86_PRESENT))
		return false;
	if (pmd_entry & X86_PS) {
		if (pmd_entry & X86_ADDR_MASK & (X86_PMD_SIZE - 1))
			return false;
		*phys_ret = pmd_entry & X86_ADDR_MASK;
		return true;
	}
	/* Split into 4 KiB pages (e.g. by set_memory_*()): use the first one. */
	if (read_entry(mem, pmd_entry & X86_ADDR_MASK, 0, &pte, &fault) || !(pte & X86_PRESENT))
		return false;
	*phys_ret = pte & X86_ADDR_MASK;
	return (*phys_ret & (X86_PMD_SIZE - 1)) == 0;
}

/* Does the top-level table at top map a kernel image with this many levels? */
static bool check_kernel_map(struct mintmon_memory *mem, u64 top, unsigned int levels,
			     struct mintmon_arch_image *image)
{
	u64 t = top, fault, first_phys = 0, phys;
	unsigned int i, first = X86_ENTRIES, n = 0;
	bool ok = false;
	u8 *pmds;

	/* 0xffffffff80000000: index 511 at every level above the PUD, then 510. */
	if (!next_table(mem, t, 511, &t))
		return false;
	if (levels == 5 && !next_table(mem, t, 511, &t))
		return false;
	if (!next_table(mem, t, 510, &t))
		return false;
	pmds = mintmon_malloc(X86_PAGE_SIZE);
	if (!pmds)
		return false;
	if (mintmon_memory_read(mem, t, pmds, X86_PAGE_SIZE, &fault))
		goto out;
	for (i = 0; i < X86_ENTRIES; i++) {
		u64 e = mintmon_le64(pmds + 8 * i);

		if (first == X86_ENTRIES) {
			if (!(e & X86_PRESENT))
				continue;
			if (!chunk_phys(mem, e, &first_phys))
				goto out;
			first = i;
			n = 1;
			continue;
		}
		if (!chunk_phys(mem, e, &phys) || phys != first_phys + (u64)n * X86_PMD_SIZE)
			break;
		n++;
	}
	if (first == X86_ENTRIES || (u64)n * X86_PMD_SIZE < X86_MIN_IMAGE)
		goto out;
	if (!mintmon_memory_contains(mem, first_phys, (u64)n * X86_PMD_SIZE))
		goto out;
	ok = true;
	image->pgtable = top;
	image->levels = levels;
	image->text_virt = X86_KERNEL_MAP_START + (u64)first * X86_PMD_SIZE;
	image->text_phys = first_phys;
	image->mapped_size = (u64)n * X86_PMD_SIZE;
out:
	mintmon_free(pmds);
	return ok;
}

static int x86_64_find_kernel(struct mintmon_memory *mem, u64 start, u64 end,
			      struct mintmon_arch_image *image_ret)
{
	u64 page, fault;

	start = (start + X86_PAGE_SIZE - 1) & ~(X86_PAGE_SIZE - 1);
	for (page = start; page < end && end - page >= X86_PAGE_SIZE; page += X86_PAGE_SIZE) {
		struct mintmon_arch_image image;
		u64 e;

		if (!mintmon_memory_contains(mem, page, X86_PAGE_SIZE))
			continue;
		/*
		 * Cheap filter: entry 511 must point at a writable table. (Upper
		 * levels use _PAGE_TABLE, with the user bit: the leaves decide.)
		 */
		if (read_entry(mem, page, 511, &e, &fault))
			continue;
		if ((e & (X86_PRESENT | X86_RW | X86_PS)) != (X86_PRESENT | X86_RW))
			continue;
		/* A 4-level reading of a 5-level table (or back) finds no PUD[510]. */
		if (check_kernel_map(mem, page, 4, &image) ||
		    check_kernel_map(mem, page, 5, &image)) {
			*image_ret = image;
			return 0;
		}
	}
	return -ENOENT;
}

const struct mintmon_arch_ops mintmon_arch_x86_64 = {
	.name = "x86_64",
	.kernel_map_start = X86_KERNEL_MAP_START,
	.kernel_map_size = X86_KERNEL_MAP_SIZE,
	.find_kernel = x86_64_find_kernel,
	.translate = x86_64_translate,
	.walk_start = x86_64_walk_start,
	.walk_step = x86_64_walk_step,
};
