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
 *  5. vmcoreinfo, when the kernel has one, is compared with what was found;
 *  6. the target's RAM ranges are read from its e820 table, and from then on
 *     every read must lie in RAM;
 *  7. the boot identity is taken (see struct mintmon_boot_id).
 *
 * Discovery needs CONFIG_KALLSYMS_ALL (data symbols such as init_top_pgt and
 * init_task in kallsyms); without it attach fails with an error naming it.
 */
#ifndef MINTMON_KERNEL_H
#define MINTMON_KERNEL_H

#include "arch.h"
#include "btf.h"
#include "field.h"
#include "kallsyms.h"
#include "memory.h"

/*
 * A store for what discovery learnt about a kernel (its kallsyms tables,
 * BTF, the symbols discovery uses and its boot identity), so that attaching
 * to the same boot again reads a few KiB of the target instead of its
 * read-only data. Entries are keyed by where the kernel image is. The core
 * makes and reads the entries' bytes; the store only keeps them (user
 * space: monitor/user/cache.c, files under ~/.cache/mintmon/attach).
 *
 * An entry is untrusted input like target memory: the core checks all of
 * it (kallsyms tables as strictly as the search does, BTF through
 * mintmon_btf_create()), then finishes discovery with small reads and uses
 * the entry only if the boot identity it takes equals the one kept;
 * otherwise the entry is dropped and the read-only data searched. The one
 * exception is an entry the store vouches for (ops->trusted below): its
 * BTF gets the bounds checks only.
 */
struct mintmon_kernel_cache_key {
	u64 text_phys;
	u64 text_virt;
	u32 levels;
};

/* A piece of an entry to store (an entry is stored as the concatenation of its parts). */
struct mintmon_kernel_cache_part {
	const void *data;
	size_t len;
};

struct mintmon_kernel_cache_ops {
	/*
	 * Of the entries kept for key, most recently used first, return the
	 * first that match(arg, probe, len) accepts, where probe is the
	 * entry's first min(probe_len, entry size) bytes: 0 and the whole
	 * entry (*data_ret, *size_ret; given back with release()), or
	 * -ENOENT. The core's match() reads a few bytes of the target.
	 */
	int (*load)(void *ctx, const struct mintmon_kernel_cache_key *key, size_t probe_len,
		    bool (*match)(void *arg, const void *probe, size_t len), void *arg,
		    void **data_ret, size_t *size_ret);
	/*
	 * Give back what load() returned. The core keeps a trusted entry
	 * until the kernel object that was parsed from it goes
	 * (mintmon_kernel_destroy(), or a re-attach): ctx must outlive it.
	 */
	void (*release)(void *ctx, void *data, size_t size);
	/* Forget the entry load() returned last: it does not describe the kernel. */
	void (*drop)(void *ctx, const struct mintmon_kernel_cache_key *key);
	/*
	 * Optional (NULL: never). Whether the entry load() returned last may
	 * be trusted: the store kept it where only this user can write and
	 * checked it against corruption (a checksum), and only the core
	 * stores entries, out of a full discovery. The core then skips the
	 * semantic checks of its BTF (mintmon_btf_create_trusted()), keeping
	 * the bounds checks; anything else is checked as below.
	 */
	bool (*trusted)(void *ctx);
	/* Keep an entry (best effort; the store bounds its own size). */
	void (*store)(void *ctx, const struct mintmon_kernel_cache_key *key,
		      const struct mintmon_kernel_cache_part *parts, unsigned int nr_parts);
};

struct mintmon_kernel_options {
	/* Physical window to search for the kernel; both 0 means all memory. */
	u64 search_start;
	u64 search_end;
	/*
	 * The target's first MiB (its real-mode trampoline, which holds a copy
	 * of the running kernel's top-level table), searched before the
	 * window: it tells the running kernel from an earlier one's image
	 * still intact in RAM. Both 0: the window's own first MiB.
	 */
	u64 first_start;
	u64 first_end;
	/* BTF to use instead of the kernel's own .BTF (copied), or NULL. */
	const void *btf_data;
	size_t btf_size;
	/* Where to keep and find what discovery learns (NULL: nowhere). */
	const struct mintmon_kernel_cache_ops *cache;
	void *cache_ctx;
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

/*
 * What tells this boot of the kernel from any other, cheap to re-check (one
 * vectored read). The randomized bases differ between boots only with KASLR;
 * init_task's stack canary is random on every boot, KASLR or not (set by
 * boot_init_stack_canary() in start_kernel()); the kernel's entry in the
 * top-level table that discovery found changes as soon as a new kernel
 * builds its tables there (the real-mode trampoline's copy is rebuilt on
 * every boot).
 */
struct mintmon_boot_id {
	u64 text_phys;
	u64 kaslr_offset;
	u64 page_offset_base;
	u64 canary;		/* 0 if the kernel has no task_struct.stack_canary */
	u64 top_entry;
};

/*
 * A short stable digest of id (printed as 16 hex digits): of everything but
 * top_entry, which a kernel rewrites once early in its boot.
 */
u64 mintmon_boot_id_hash(const struct mintmon_boot_id *id);

struct mintmon_kernel {
	struct mintmon_memory *mem;
	struct mintmon_error *err;
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
	/*
	 * A trusted cache entry that kallsyms and btf were parsed from in
	 * place (no copy); given back with entry_ops->release() when they go.
	 */
	const struct mintmon_kernel_cache_ops *entry_ops;
	void *entry_ctx;
	void *entry;
	size_t entry_size;
	struct mintmon_vmcoreinfo_check vmcoreinfo;

	/* RAM as the target's e820 table says (also set as mem's RAM). */
	bool ram_known;
	struct mintmon_phys_range ram[MINTMON_MAX_PHYS_RANGES];
	unsigned int nr_ram;

	/* The boot identity and where each part of it is re-read. */
	struct mintmon_boot_id id;
	u64 canary_vaddr;	/* &init_task.stack_canary, 0 if none */
	u64 page_offset_base_vaddr;	/* &page_offset_base, 0 without KASLR of memory */
	u64 top_entry_phys;	/* the entry of image.pgtable that maps _text */
	/*
	 * The entries below it on the way to _text (PUD, PMD...): in the old
	 * image, so a new kernel loaded over it changes them.
	 */
	u64 path_phys[4];
	u64 path_val[4];
	unsigned int nr_path;
	u64 jiffies_vaddr;	/* &jiffies_64: the heartbeat */

	/* Time and memory totals, for ps's %CPU and %MEM (0 if unknown). */
	u64 timekeeper_vaddr;	/* &tk_core.timekeeper */
	struct mintmon_field tk_mono_base, tk_mono_xtime_nsec, tk_mono_shift, tk_offs_boot,
		tk_offs_real;
	u64 totalram_vaddr;	/* &_totalram_pages */

	/* Working state of mintmon_kernel_read_batch(), allocated with the kernel. */
	struct mintmon_batch_piece *pieces;
	struct mintmon_iov *piece_iov;
	/*
	 * Images the search that found this kernel tried and could not attach
	 * (a kernel still starting, a half-overwritten one): a later search may
	 * find more there.
	 */
	unsigned int images_failed;
	/* Images that search tried (distinct), and whether this one was named by the first MiB. */
	unsigned int images_tried;
	bool found_first;
};

/*
 * Find a kernel in mem (see the stages above): the images the first MiB's
 * tables name, else every image the window holds (at most
 * MINTMON_KERNEL_MAX_IMAGES), and of those that attach the one that booted
 * last. Failures are recorded in err (which the kernel keeps for later
 * reads; may be NULL). Sets mem's RAM ranges on success; clears them first,
 * so a new kernel is looked for in all of the source.
 */
int mintmon_kernel_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  struct mintmon_error *err, struct mintmon_kernel **kernel_ret);

/* Kernel images a search tries at most. */
#define MINTMON_KERNEL_MAX_IMAGES 8

/* The first MiB: real-mode trampoline, BIOS data, never the kernel's image. */
#define MINTMON_FIRST_MIB 0x100000ull

/*
 * The distinct kernel images (the physical address of each one's _text) a
 * search with opts would try, in its order, without attaching any: it reads
 * page tables only (a page at a time). first_only: only those the first
 * MiB's tables name (a few hundred pages read, not the whole window). At
 * most max; *nr_ret = 0 if none.
 */
int mintmon_kernel_images(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  bool first_only, u64 *text_phys, unsigned int max, unsigned int *nr_ret);
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

/*
 * One request of a batched virtual read: len bytes at vaddr, through the
 * page table at pgd_vaddr (0: the kernel's). err and fault (the first
 * virtual address not read) are set per request.
 */
struct mintmon_vreq {
	u64 pgd_vaddr;
	u64 vaddr;
	void *buf;
	u32 len;
	int err;
	u64 fault;
};

/*
 * Serve independent virtual reads together: the page-table walks of all of
 * them advance one level per vectored read, then the data comes in one
 * more, so n reads cost about levels + 1 round trips instead of n times
 * that. Returns 0 if all succeeded, else the first error (each request
 * has its own).
 */
int mintmon_kernel_read_batch(struct mintmon_kernel *k, struct mintmon_vreq *reqs, unsigned int n);

/* Read one numeric field (at most 8 bytes) of the structure at base. */
int mintmon_kernel_read_field(struct mintmon_kernel *k, u64 base, const struct mintmon_field *f,
			      u64 *val_ret);

/*
 * Physical address of a kernel virtual address without reading memory:
 * the image and the direct map are linear. -ENXIO for other addresses.
 */
int mintmon_kernel_linear_pa(const struct mintmon_kernel *k, u64 vaddr, u64 *phys_ret);

/*
 * Re-check the boot identity and read the heartbeat (jiffies_64), in one
 * vectored read of at most eight requests (canary, page_offset_base, the
 * page-table entries from the top level to _text's, jiffies_64); allocates
 * nothing, never sleeps.
 * 0: same kernel, *heartbeat_ret set. -ESTALE: the identity changed
 * (rebooted, kexec'd, or memory rewritten). Other errors: unreadable.
 */
int mintmon_kernel_check(struct mintmon_kernel *k, u64 *heartbeat_ret);

/*
 * Make mem's RAM ranges this kernel's again (after another attach on the
 * same memory changed them).
 */
void mintmon_kernel_use_ram(struct mintmon_kernel *k);

/* Time since boot (ktime_get_boottime()) as of the kernel's last tick. */
int mintmon_kernel_uptime_ns(struct mintmon_kernel *k, u64 *ns_ret);
/* Total RAM pages the kernel manages (MemTotal of /proc/meminfo, in pages). */
int mintmon_kernel_totalram_pages(struct mintmon_kernel *k, u64 *pages_ret);

/* A kernel virtual address as SYMBOL+0xOFF/0xSIZE; -ENOENT if none covers it. */
int mintmon_kernel_symbolize(struct mintmon_kernel *k, u64 addr, char *buf, size_t size);

#endif /* MINTMON_KERNEL_H */
