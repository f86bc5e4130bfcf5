/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Linux kernel found in physical memory, with nothing known in advance.
 *
 * Discovery runs in stages, each checked by the next:
 *  1. the architecture ops find a kernel top-level page table and, through
 *     it, the kernel image (_text virtual and physical, paging levels);
 *  2. the kallsyms tables are recovered from the image's read-only data;
 *     the _text symbol must equal the address found in stage 1;
 *  3. variables are read by name: page_offset_base, vmemmap_base,
 *     linux_banner, init_uts_ns, the .BTF section (__start_BTF);
 *  4. BTF gives the layout of every structure read afterwards;
 *  5. vmcoreinfo, when the kernel has one, is compared with what was found.
 */
#ifndef MINTMON_KERNEL_H
#define MINTMON_KERNEL_H

#include "arch.h"
#include "btf.h"
#include "kallsyms.h"
#include "memory.h"

struct mintmon_kernel_options {
	/* Physical window to search for the kernel; both 0 means all memory. */
	u64 search_start;
	u64 search_end;
	/* BTF to use instead of the kernel's own .BTF (copied), or NULL. */
	const void *btf_data;
	size_t btf_size;
};

/* What a vmcoreinfo note ("KEY=value" lines) says, for cross-checks. */
struct mintmon_vmcoreinfo {
	char osrelease[65];
	u64 kerneloffset;
	u64 phys_base;
	bool has_osrelease;
	bool has_kerneloffset;
	bool has_phys_base;
};

/*
 * Parse vmcoreinfo text (at most len bytes, need not be NUL-terminated).
 * Unknown keys are ignored; a known key with a malformed value is -EINVAL.
 */
int mintmon_vmcoreinfo_parse(const char *text, size_t len, struct mintmon_vmcoreinfo *info_ret);

struct mintmon_vmcoreinfo_check {
	bool present;		/* the kernel has a vmcoreinfo note */
	bool kaslr_matches;	/* its KERNELOFFSET equals kaslr_offset */
	bool release_matches;	/* its OSRELEASE equals release */
	u64 kernel_offset;	/* KERNELOFFSET as the note says */
};

struct mintmon_kernel {
	struct mintmon_memory *mem;
	const struct mintmon_arch_ops *arch;
	struct mintmon_arch_image image;

	unsigned int paging_levels;
	u64 text_virt;
	u64 text_phys;
	u64 phys_base;		/* __pa(x) = x - kernel_map_start + phys_base */
	u64 kaslr_offset;	/* _text - __START_KERNEL */
	u64 page_offset_base;	/* start of the direct map */
	u64 vmemmap_base;
	u64 pgtable;		/* physical address of init_top_pgt */
	u64 init_task;		/* &init_task, or 0 if kallsyms lacks it */

	char release[65];
	char banner[512];

	struct mintmon_kallsyms *kallsyms;
	struct mintmon_btf *btf;
	bool btf_external;
	struct mintmon_vmcoreinfo_check vmcoreinfo;
};

int mintmon_kernel_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  struct mintmon_kernel **kernel_ret);
void mintmon_kernel_destroy(struct mintmon_kernel *k);

/* Translate a kernel virtual address (image, direct map, vmalloc, vmemmap). */
int mintmon_kernel_vtop(struct mintmon_kernel *k, u64 vaddr, struct mintmon_translation *t_ret,
			u64 *fault_ret);
/*
 * Translate vaddr through the page table whose top level is at pgd_vaddr
 * (a kernel virtual address, such as mm_struct.pgd).
 */
int mintmon_kernel_vtop_pgd(struct mintmon_kernel *k, u64 pgd_vaddr, u64 vaddr,
			    struct mintmon_translation *t_ret, u64 *fault_ret);

/*
 * Read len bytes at a virtual address: kernel (pgd_vaddr == 0) or user
 * (through pgd_vaddr). Crosses page boundaries; *fault_ret gets the first
 * virtual address that could not be read.
 */
int mintmon_kernel_read(struct mintmon_kernel *k, u64 pgd_vaddr, u64 vaddr, void *buf, size_t len,
			u64 *fault_ret);
int mintmon_kernel_read_u64(struct mintmon_kernel *k, u64 vaddr, u64 *val_ret);
int mintmon_kernel_read_u32(struct mintmon_kernel *k, u64 vaddr, u32 *val_ret);

#endif /* MINTMON_KERNEL_H */
