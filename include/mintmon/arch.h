/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architecture specifics behind an ops table (as drgn's platform.h): the
 * rest of the core never decodes a page-table entry itself.
 */
#ifndef MINTMON_ARCH_H
#define MINTMON_ARCH_H

#include "memory.h"

/* A kernel image found through a kernel page table. */
struct mintmon_arch_image {
	u64 pgtable;		/* physical address of the top-level table used */
	unsigned int levels;	/* paging levels: 4 or 5 */
	u64 text_virt;		/* virtual address of the first mapped image page (_text) */
	u64 text_phys;		/* its physical address */
	u64 mapped_size;	/* bytes mapped contiguously from text_virt */
};

struct mintmon_translation {
	u64 phys;
	u64 page_size;		/* 4 KiB, 2 MiB or 1 GiB */
	bool writable;
	bool executable;
	bool user;
};

/*
 * A page-table walk in progress, one level at a time: so that many walks
 * can read their entries of one level together (a vectored read per level).
 */
struct mintmon_walk {
	u64 vaddr;
	u64 entry_phys;		/* the entry to read next */
	unsigned int level, shift;
	u64 nx, rw, user;	/* permissions gathered so far */
};

struct mintmon_arch_ops {
	const char *name;
	/* Start and size of the kernel image mapping (__START_KERNEL_map on x86-64). */
	u64 kernel_map_start;
	u64 kernel_map_size;
	/*
	 * Look for a kernel top-level page table at page-aligned physical
	 * addresses in [start, end), in ascending order, and return the first
	 * that maps a kernel image. Returns -ENOENT if there is none.
	 */
	int (*find_kernel)(struct mintmon_memory *mem, u64 start, u64 end,
			   struct mintmon_arch_image *image_ret);
	/*
	 * Translate vaddr through the table at root. -EFAULT with *fault_ret set
	 * if a table cannot be read, -ENXIO if vaddr is not mapped, -EINVAL if it
	 * is not canonical or an entry is malformed.
	 */
	int (*translate)(struct mintmon_memory *mem, unsigned int levels, u64 root, u64 vaddr,
			 struct mintmon_translation *t_ret, u64 *fault_ret);
	/* Start a walk of vaddr from the table at root (-EINVAL: not canonical). */
	int (*walk_start)(unsigned int levels, u64 root, u64 vaddr, struct mintmon_walk *w);
	/*
	 * Take the entry read at w->entry_phys: 1 and *t_ret when the walk is
	 * done, 0 with w->entry_phys the next entry, or -ENXIO / -EINVAL.
	 */
	int (*walk_step)(struct mintmon_walk *w, u64 entry, struct mintmon_translation *t_ret);
};

extern const struct mintmon_arch_ops mintmon_arch_x86_64;

#endif /* MINTMON_ARCH_H */
