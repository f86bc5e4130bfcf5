// SPDX-License-Identifier: GPL-2.0
/* Find a Linux kernel in physical memory and learn its layout (see kernel.h). */
#include "mintmon/kernel.h"

#define MIB_2 (2ull << 20)
/* Bound on kernel read-only data copied for the kallsyms search. */
#define MAX_RODATA (96ull << 20)
/* Read-only data is copied and searched this much at a time. */
#define RODATA_CHUNK (256ull << 10)
#define MAX_BTF (64ull << 20)
/* Kernel images tried before giving up (every page table maps the same one). */
#define MAX_IMAGES MINTMON_KERNEL_MAX_IMAGES
#define PAGE_SIZE_4K 4096ull
/* Page pieces mintmon_kernel_read_batch() walks at once. */
#define BATCH_PIECES 128

/* One page's part of a batched read. */
struct mintmon_batch_piece {
	unsigned int req;
	u64 vaddr;
	u8 *buf;
	u32 len;
	bool walking;
	struct mintmon_walk walk;
	u64 phys;
	u8 entry[8];
};

/*
 * Defaults of the x86-64 memory layout for kernels without
 * CONFIG_RANDOMIZE_MEMORY (Documentation/arch/x86/x86_64/mm.rst).
 */
#define X86_DIRECT_MAP_4L 0xffff888000000000ull
#define X86_DIRECT_MAP_5L 0xff11000000000000ull
#define X86_VMEMMAP_4L 0xffffea0000000000ull
#define X86_VMEMMAP_5L 0xffd4000000000000ull

enum {
	SYM_TEXT,
	SYM_INIT_TOP_PGT,
	SYM_PAGE_OFFSET_BASE,
	SYM_VMEMMAP_BASE,
	SYM_LINUX_BANNER,
	SYM_INIT_UTS_NS,
	SYM_START_BTF,
	SYM_STOP_BTF,
	SYM_PHYS_BASE,
	SYM_BOOT_PARAMS,
	SYM_VMCOREINFO_DATA,
	SYM_VMCOREINFO_SIZE,
	SYM_INIT_TASK,
	SYM_JIFFIES_64,
	SYM_E820_TABLE,
	SYM_TK_CORE,
	SYM_TOTALRAM_PAGES,
	SYM_TIMEKEEPER_DATA,
	NR_SYMS,
};

static const char *const sym_names[NR_SYMS] = {
	[SYM_TEXT] = "_text",
	[SYM_INIT_TOP_PGT] = "init_top_pgt",
	[SYM_PAGE_OFFSET_BASE] = "page_offset_base",
	[SYM_VMEMMAP_BASE] = "vmemmap_base",
	[SYM_LINUX_BANNER] = "linux_banner",
	[SYM_INIT_UTS_NS] = "init_uts_ns",
	[SYM_START_BTF] = "__start_BTF",
	[SYM_STOP_BTF] = "__stop_BTF",
	[SYM_PHYS_BASE] = "phys_base",
	[SYM_BOOT_PARAMS] = "boot_params",
	[SYM_VMCOREINFO_DATA] = "vmcoreinfo_data",
	[SYM_VMCOREINFO_SIZE] = "vmcoreinfo_size",
	[SYM_INIT_TASK] = "init_task",
	[SYM_JIFFIES_64] = "jiffies_64",
	[SYM_E820_TABLE] = "e820_table",
	[SYM_TK_CORE] = "tk_core",
	/* totalram_pages() reads it since v5.0 (ca79b0c211af). */
	[SYM_TOTALRAM_PAGES] = "_totalram_pages",
	/* tk_core became timekeeper_data[TIMEKEEPER_CORE] in v6.17 (22c62b9a84b8). */
	[SYM_TIMEKEEPER_DATA] = "timekeeper_data",
};

struct discovery {
	u64 sym[NR_SYMS];
	bool have[NR_SYMS];
	u32 index[NR_SYMS];	/* in kallsyms order, for a cache entry */
	u8 *rodata;		/* our copy: parsers read it more than once */
	u64 rodata_vaddr;
	u64 rodata_size;
};

static u64 direct_map_size(const struct mintmon_kernel *k)
{
	/* 64 TiB with 4 levels, 32 PiB with 5 (MAX_PHYSMEM_BITS 46 / 52). */
	return k->paging_levels == 5 ? 1ull << 52 : 1ull << 46;
}

int mintmon_kernel_vtop(struct mintmon_kernel *k, u64 vaddr, struct mintmon_translation *t_ret,
			u64 *fault_ret)
{
	/* The image and the direct map are linear: no table walk needed. */
	if (vaddr >= k->text_virt && vaddr - k->text_virt < k->image.mapped_size) {
		t_ret->phys = vaddr - k->arch->kernel_map_start + k->phys_base;
		t_ret->page_size = PAGE_SIZE_4K;
		t_ret->writable = t_ret->executable = t_ret->user = false;
		return 0;
	}
	if (k->page_offset_base && vaddr >= k->page_offset_base &&
	    vaddr - k->page_offset_base < direct_map_size(k)) {
		t_ret->phys = vaddr - k->page_offset_base;
		t_ret->page_size = PAGE_SIZE_4K;
		t_ret->writable = true;
		t_ret->executable = t_ret->user = false;
		return 0;
	}
	return k->arch->translate(k->mem, k->paging_levels, k->pgtable, vaddr, t_ret, fault_ret);
}

int mintmon_kernel_vtop_pgd(struct mintmon_kernel *k, u64 pgd_vaddr, u64 vaddr,
			    struct mintmon_translation *t_ret, u64 *fault_ret)
{
	struct mintmon_translation pgd;
	int err = mintmon_kernel_vtop(k, pgd_vaddr, &pgd, fault_ret);

	if (err)
		return err;
	return k->arch->translate(k->mem, k->paging_levels, pgd.phys, vaddr, t_ret, fault_ret);
}

int mintmon_kernel_read(struct mintmon_kernel *k, u64 pgd_vaddr, u64 vaddr, void *buf, size_t len,
			u64 *fault_ret)
{
	u8 *out = buf;

	while (len) {
		struct mintmon_translation t;
		u64 fault, chunk = PAGE_SIZE_4K - (vaddr & (PAGE_SIZE_4K - 1));
		int err;

		if (chunk > len)
			chunk = len;
		fault = MINTMON_NO_ADDR;
		if (pgd_vaddr)
			err = mintmon_kernel_vtop_pgd(k, pgd_vaddr, vaddr, &t, &fault);
		else
			err = mintmon_kernel_vtop(k, vaddr, &t, &fault);
		if (err) {
			if (fault_ret)
				*fault_ret = vaddr;
			if (err == -ENXIO)
				return mintmon_fail_at(k->err, err, "read", MINTMON_NO_ADDR, vaddr,
						       "0x%llx is not mapped",
						       (unsigned long long)vaddr);
			return mintmon_fail_at(k->err, err, "read", fault, vaddr,
					       "cannot translate 0x%llx: page table unreadable",
					       (unsigned long long)vaddr);
		}
		err = mintmon_memory_read(k->mem, t.phys, out, chunk, &fault);
		if (err) {
			u64 ignored;
			const char *why = err != -EFAULT ? "unreadable" :
				mintmon_memory_check_ram(k->mem, fault, 1, &ignored) ? "not RAM" :
				"not in the target's memory";

			if (fault_ret)
				*fault_ret = vaddr;
			return mintmon_fail_at(k->err, err, "read", fault, vaddr,
					       "cannot read 0x%llx: physical 0x%llx is %s",
					       (unsigned long long)vaddr, (unsigned long long)fault, why);
		}
		out += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return 0;
}

int mintmon_kernel_read_u64(struct mintmon_kernel *k, u64 vaddr, u64 *val_ret)
{
	u8 b[8];
	int err = mintmon_kernel_read(k, 0, vaddr, b, sizeof(b), NULL);

	if (!err)
		*val_ret = mintmon_le64(b);
	return err;
}

int mintmon_kernel_read_u32(struct mintmon_kernel *k, u64 vaddr, u32 *val_ret)
{
	u8 b[4];
	int err = mintmon_kernel_read(k, 0, vaddr, b, sizeof(b), NULL);

	if (!err)
		*val_ret = mintmon_le32(b);
	return err;
}

/* Read a NUL-terminated string of at most size - 1 bytes. */
static int read_string(struct mintmon_kernel *k, u64 vaddr, char *buf, size_t size)
{
	int err = mintmon_kernel_read(k, 0, vaddr, buf, size - 1, NULL);

	if (err)
		return err;
	buf[size - 1] = '\0';
	return 0;
}

/*
 * Find the kallsyms tables in the image's read-only data: from the first
 * non-executable, read-only 2 MiB chunk after _text to the first writable
 * one (.rodata through .BTF_ids); without such permissions (e.g. before
 * mark_rodata_ro()) the whole mapped image. The data is copied from its
 * start in RODATA_CHUNK pieces, each searched as it arrives, and only as far
 * as the tables need: they lie in .rodata proper, about 1.4 MiB (6.1) and
 * 1.6 MiB (6.12) into it and 1.8 (6.1) to 2.8 MiB (6.12) long, well before
 * the .BTF section at the end (4-5 MiB, read on its own by load_btf()).
 * Each byte is read once into our copy, which is all that is parsed.
 */
static int copy_rodata(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_kallsyms_search search;
	u64 v, start = 0, end = k->text_virt + k->image.mapped_size, fault, size, have = 0;
	size_t need = 0;
	int err;

	for (v = k->text_virt; v < end; v += MIB_2) {
		struct mintmon_translation t;

		if (k->arch->translate(k->mem, k->paging_levels, k->image.pgtable, v, &t, &fault))
			break;
		if (!start && !t.executable && !t.writable) {
			start = v;
		} else if (start && t.writable) {
			end = v;
			break;
		}
	}
	if (!start)
		start = k->text_virt;
	if (end - start > MAX_RODATA)
		end = start + MAX_RODATA;
	size = end - start;
	d->rodata_vaddr = start;
	d->rodata_size = 0;
	/* Copied once, never parsed in place: a live target changes under us. */
	d->rodata = mintmon_malloc(size);
	if (!d->rodata)
		return mintmon_fail(k->err, -ENOMEM, "discovery", "out of memory");
	mintmon_kallsyms_search_init(&search, start, k->text_virt,
				     k->arch->kernel_map_start + k->arch->kernel_map_size, k->err);
	do {
		u64 want = have + RODATA_CHUNK;

		if (want < need)
			want = (need + RODATA_CHUNK - 1) / RODATA_CHUNK * RODATA_CHUNK;
		if (want > size)
			want = size;
		err = mintmon_memory_read(k->mem, k->text_phys + (start + have - k->text_virt),
					  d->rodata + have, want - have, &fault);
		if (err)
			return mintmon_fail_at(k->err, err, "discovery", fault, start + have,
					       "cannot read kernel read-only data at physical 0x%llx",
					       (unsigned long long)fault);
		have = want;
		d->rodata_size = have;
		err = mintmon_kallsyms_search(&search, d->rodata, have, have == size, &need,
					      &k->kallsyms);
		mintmon_yield();
	} while (err == -EAGAIN);
	return err;
}

/*
 * Copy the kernel's .BTF: the part already in our read-only data copy from
 * there (never read twice), the rest in one read of the image's physical
 * range, or through the page tables if it lies outside the image.
 */
static int load_btf(struct mintmon_kernel *k, struct discovery *d,
		    const struct mintmon_kernel_options *opts)
{
	u64 start, size, done = 0, phys, phys_end, fault;
	u8 *copy;
	int err;

	if (opts && opts->btf_data) {
		k->btf_external = true;
		return mintmon_btf_create(opts->btf_data, opts->btf_size, k->err, &k->btf);
	}
	if (!d->have[SYM_START_BTF] || !d->have[SYM_STOP_BTF])
		return mintmon_fail(k->err, -ENOENT, "btf",
				    "kernel has no .BTF section (no __start_BTF symbol); use --btf");
	start = d->sym[SYM_START_BTF];
	if (d->sym[SYM_STOP_BTF] < start || d->sym[SYM_STOP_BTF] - start > MAX_BTF)
		return mintmon_fail(k->err, -EINVAL, "btf", "kernel .BTF section bounds are invalid");
	size = d->sym[SYM_STOP_BTF] - start;
	if (start >= d->rodata_vaddr && mintmon_in_bounds(d->rodata_size, start - d->rodata_vaddr, size)) {
		err = mintmon_btf_create(d->rodata + (start - d->rodata_vaddr), size, k->err,
					 &k->btf);
		goto out;
	}
	copy = mintmon_malloc(size ? size : 1);
	if (!copy)
		return mintmon_fail(k->err, -ENOMEM, "btf", "out of memory");
	if (start >= d->rodata_vaddr && start - d->rodata_vaddr < d->rodata_size) {
		done = d->rodata_size - (start - d->rodata_vaddr);
		memcpy(copy, d->rodata + (start - d->rodata_vaddr), done);
	}
	if (size > done && !mintmon_kernel_linear_pa(k, start + done, &phys) &&
	    !mintmon_kernel_linear_pa(k, start + size - 1, &phys_end) &&
	    phys_end - phys == size - done - 1) {
		err = mintmon_memory_read(k->mem, phys, copy + done, size - done, &fault);
		if (err)
			mintmon_fail_at(k->err, err, "btf", fault, start + done,
					"cannot read the kernel's .BTF at physical 0x%llx",
					(unsigned long long)fault);
	} else {
		err = mintmon_kernel_read(k, 0, start + done, copy + done, size - done, NULL);
	}
	if (!err)
		err = mintmon_btf_create(copy, size, k->err, &k->btf);
	mintmon_free(copy);
out:
	/* The kernel's own BTF is unusable: say what the user can do. */
	if (err && err != -ENOMEM && mintmon_error_is_set(k->err) &&
	    !strcmp(k->err->step, "btf"))
		mintmon_error_context(k->err, err, "btf", "the kernel's .BTF is unusable (use --btf)");
	return err;
}

/* Parse a hexadecimal number of at most 16 digits ending the line. */
static int parse_hex(const char *p, size_t len, u64 *v_ret)
{
	u64 v = 0;
	size_t i;

	if (len == 0 || len > 16)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = p[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*v_ret = v;
	return 0;
}

int mintmon_vmcoreinfo_parse(const char *text, size_t len, struct mintmon_vmcoreinfo *info_ret)
{
	struct mintmon_vmcoreinfo info = {0};
	const char *line = text, *end = text + len;

	while (line < end && *line) {
		const char *nl = memchr(line, '\n', end - line);
		const char *stop = nl ? nl : end;
		const char *nul = memchr(line, '\0', stop - line);
		size_t n;

		if (nul)
			stop = nul;
		n = stop - line;
		if (n >= 10 && !memcmp(line, "OSRELEASE=", 10)) {
			if (n - 10 >= sizeof(info.osrelease))
				return -EINVAL;
			memcpy(info.osrelease, line + 10, n - 10);
			info.osrelease[n - 10] = '\0';
			info.has_osrelease = true;
		} else if (n >= 13 && !memcmp(line, "KERNELOFFSET=", 13)) {
			if (parse_hex(line + 13, n - 13, &info.kerneloffset))
				return -EINVAL;
			info.has_kerneloffset = true;
		} else if (n >= 17 && !memcmp(line, "NUMBER(phys_base)", 17)) {
			/* Printed in decimal as a signed long: may be negative. */
			const char *p = line + 17;
			bool neg;
			u64 v = 0;

			if (n < 19 || *p++ != '=')
				return -EINVAL;
			neg = *p == '-';
			p += neg;
			if (p == stop || stop - p > 20)
				return -EINVAL;
			for (; p < stop; p++) {
				if (*p < '0' || *p > '9')
					return -EINVAL;
				v = v * 10 + (u64)(*p - '0');
			}
			info.phys_base = neg ? -v : v;
			info.has_phys_base = true;
		}
		if (!nl || nul)
			break;
		line = nl + 1;
	}
	*info_ret = info;
	return 0;
}

/* Compare what the kernel's vmcoreinfo note says with what was found. */
static void check_vmcoreinfo(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_vmcoreinfo info;
	u64 ptr, size;
	char *text;

	if (!d->have[SYM_VMCOREINFO_DATA] || !d->have[SYM_VMCOREINFO_SIZE])
		return;
	if (mintmon_kernel_read_u64(k, d->sym[SYM_VMCOREINFO_DATA], &ptr) ||
	    mintmon_kernel_read_u64(k, d->sym[SYM_VMCOREINFO_SIZE], &size) || !ptr || !size)
		return;
	if (size > PAGE_SIZE_4K)
		size = PAGE_SIZE_4K;
	text = mintmon_malloc(size);
	if (!text)
		return;
	if (!mintmon_kernel_read(k, 0, ptr, text, size, NULL) &&
	    !mintmon_vmcoreinfo_parse(text, size, &info)) {
		k->vmcoreinfo.present = true;
		k->vmcoreinfo.release_matches = info.has_osrelease &&
						!strcmp(info.osrelease, k->release);
		k->vmcoreinfo.kernel_offset = info.kerneloffset;
		k->vmcoreinfo.kaslr_matches = info.has_kerneloffset &&
					      info.kerneloffset == k->kaslr_offset;
		if (info.has_phys_base && info.phys_base != k->phys_base)
			k->vmcoreinfo.kaslr_matches = false;
	}
	mintmon_free(text);
}

/*
 * _text - __START_KERNEL. __START_KERNEL is __START_KERNEL_map plus
 * LOAD_PHYSICAL_ADDR, which the kernel keeps in boot_params.hdr.pref_address
 * (boot protocol 2.10+); CONFIG_PHYSICAL_START's default 16 MiB otherwise.
 */
static void find_kaslr_offset(struct mintmon_kernel *k, struct discovery *d)
{
	u64 off, pref = 16ull << 20;

	if (d->have[SYM_BOOT_PARAMS] &&
	    !mintmon_btf_offsetof(k->btf, "boot_params", "hdr.pref_address", &off)) {
		u64 v;

		if (!mintmon_kernel_read_u64(k, d->sym[SYM_BOOT_PARAMS] + off, &v) && v &&
		    v % MIB_2 == 0 && v < k->arch->kernel_map_size)
			pref = v;
	}
	k->kaslr_offset = k->text_virt - (k->arch->kernel_map_start + pref);
}

/*
 * kallsyms has _text but not the data symbols discovery needs: say whether
 * that is because the kernel lists no data symbols at all
 * (CONFIG_KALLSYMS_ALL=n), which no amount of searching fixes.
 */
static int missing_symbol(struct mintmon_kernel *k, const char *name)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	u32 data = 0;
	int ret;

	mintmon_kallsyms_iter_init(&it, k->kallsyms);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0) {
		char t = sym.type | 0x20;	/* lower case */

		data += t == 'd' || t == 'b' || t == 'r';
		if (data > 16)
			break;
	}
	if (data <= 16)
		return mintmon_fail(k->err, -ENOENT, "kallsyms",
				    "kernel built without CONFIG_KALLSYMS_ALL: kallsyms lists no data "
				    "symbols (%s is missing), and mintmon needs them", name);
	return mintmon_fail(k->err, -ENOENT, "kallsyms", "kernel symbol %s not found in kallsyms",
			    name);
}

/*
 * The target's RAM from its e820 table (e820_table points to the kernel's
 * final copy, reallocated by e820__reallocate_tables() since v4.11). Types
 * E820_TYPE_RAM (1) and E820_TYPE_RESERVED_KERN (128) are RAM, as
 * /proc/iomem's "System RAM" shows them.
 */
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED_KERN 128
#define E820_BATCH 16

static int learn_ram(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_field nr_f, entries_f, addr_f, size_f, type_f;
	/* Collected in place in mem->ram; nr_ram stays 0 (no check) until set. */
	struct mintmon_phys_range *ram = k->mem->ram;
	u8 batch[E820_BATCH * 24];
	u64 table, entry_size, nr, i, text_end;
	unsigned int nr_ram = 0;
	u32 entry_id;
	int err;

	if (!d->have[SYM_E820_TABLE])
		return 0;
	if (mintmon_field_init(k->btf, "e820_table", "nr_entries", false, &nr_f) ||
	    mintmon_field_init(k->btf, "e820_table", "entries", false, &entries_f) ||
	    mintmon_field_init(k->btf, "e820_entry", "addr", false, &addr_f) ||
	    mintmon_field_init(k->btf, "e820_entry", "size", false, &size_f) ||
	    mintmon_field_init(k->btf, "e820_entry", "type", false, &type_f) || !nr_f.present ||
	    !entries_f.present || !addr_f.present || !size_f.present || !type_f.present ||
	    mintmon_btf_find(k->btf, "e820_entry", MINTMON_BTF_KIND_STRUCT, &entry_id) ||
	    mintmon_btf_type_size(k->btf, entry_id, &entry_size) || entry_size == 0 ||
	    entry_size > 24) {
		mintmon_error_warn(k->err, "ram", "BTF lacks struct e820_table: RAM ranges unknown");
		return 0;
	}
	err = mintmon_kernel_read_u64(k, d->sym[SYM_E820_TABLE], &table);
	if (!err)
		err = mintmon_kernel_read_field(k, table, &nr_f, &nr);
	if (err)
		return mintmon_error_context(k->err, err, "ram", "cannot read the e820 table");
	/* The array's own bound (E820_MAX_ENTRIES), from BTF. */
	if (nr == 0 || nr > entries_f.size / entry_size)
		return mintmon_fail(k->err, -EINVAL, "ram", "e820 table has %llu entries (at most %llu)",
				    (unsigned long long)nr,
				    (unsigned long long)(entries_f.size / entry_size));
	for (i = 0; i < nr; i += E820_BATCH) {
		u64 n = nr - i < E820_BATCH ? nr - i : E820_BATCH, j;

		err = mintmon_kernel_read(k, 0, table + entries_f.off + i * entry_size, batch,
					  n * entry_size, NULL);
		if (err)
			return mintmon_error_context(k->err, err, "ram", "cannot read the e820 table");
		for (j = 0; j < n; j++) {
			const u8 *e = batch + j * entry_size;
			u64 type = mintmon_field_get(&type_f, e, 0, entry_size);
			u64 start = mintmon_field_get(&addr_f, e, 0, entry_size);
			u64 size = mintmon_field_get(&size_f, e, 0, entry_size), end;

			if (type != E820_TYPE_RAM && type != E820_TYPE_RESERVED_KERN)
				continue;
			if (!size || mintmon_add_overflow(start, size, &end))
				continue;
			if (nr_ram == MINTMON_MAX_PHYS_RANGES) {
				mintmon_error_warn(k->err, "ram", "more than %u RAM ranges: not checked",
						   MINTMON_MAX_PHYS_RANGES);
				return 0;
			}
			ram[nr_ram].start = start;
			ram[nr_ram].size = size;
			nr_ram++;
		}
		mintmon_yield();
	}
	err = mintmon_memory_set_ram(k->mem, ram, nr_ram);
	if (err)
		return err;
	/* Sanity: the kernel image we read must lie in what it calls RAM. */
	text_end = k->text_phys + k->image.mapped_size;
	if (mintmon_memory_check_ram(k->mem, k->text_phys, 1, &text_end) || !nr_ram) {
		mintmon_memory_set_ram(k->mem, NULL, 0);
		return mintmon_fail(k->err, -EINVAL, "ram",
				    "e820 table does not list the kernel image at 0x%llx as RAM",
				    (unsigned long long)k->text_phys);
	}
	k->ram_known = true;
	k->nr_ram = k->mem->nr_ram;
	memcpy(k->ram, k->mem->ram, k->nr_ram * sizeof(k->ram[0]));
	return 0;
}

/*
 * struct timekeeper inside tk_core: an anonymous struct { seqcount_raw_spinlock_t
 * seq; struct timekeeper timekeeper; } up to v6.12, whose timekeeper starts at
 * the seqcount's size rounded up to 8; a named struct tk_data since v6.13
 * (10f7c178a9da); and since v6.17 (22c62b9a84b8) tk_core is a macro for
 * timekeeper_data[TIMEKEEPER_CORE], TIMEKEEPER_CORE being 0.
 */
static void learn_time(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_field tk;
	u32 id;
	u64 off, size, base;

	if (d->have[SYM_TOTALRAM_PAGES])
		k->totalram_vaddr = d->sym[SYM_TOTALRAM_PAGES];
	if (mintmon_field_init(k->btf, "timekeeper", "tkr_mono.base", false, &k->tk_mono_base) ||
	    mintmon_field_init(k->btf, "timekeeper", "offs_boot", false, &k->tk_offs_boot) ||
	    mintmon_field_init(k->btf, "timekeeper", "offs_real", false, &k->tk_offs_real) ||
	    mintmon_field_init(k->btf, "timekeeper", "tkr_mono.xtime_nsec", false,
			       &k->tk_mono_xtime_nsec) ||
	    mintmon_field_init(k->btf, "timekeeper", "tkr_mono.shift", false, &k->tk_mono_shift) ||
	    !k->tk_mono_base.present || !k->tk_offs_boot.present)
		return;
	if (d->have[SYM_TK_CORE])
		base = d->sym[SYM_TK_CORE];
	else if (d->have[SYM_TIMEKEEPER_DATA])
		base = d->sym[SYM_TIMEKEEPER_DATA];
	else
		return;
	if (!mintmon_field_init(k->btf, "tk_data", "timekeeper", false, &tk) && tk.present) {
		off = tk.off;
	} else if (d->have[SYM_TK_CORE] &&
		   !mintmon_btf_find(k->btf, "seqcount_raw_spinlock_t", MINTMON_BTF_KIND_TYPEDEF,
				     &id) && !mintmon_btf_type_size(k->btf, id, &size) && size <= 64) {
		off = (size + 7) & ~7ull;
	} else {
		return;
	}
	k->timekeeper_vaddr = base + off;
}

void mintmon_kernel_use_ram(struct mintmon_kernel *k)
{
	mintmon_memory_set_ram(k->mem, k->ram, k->nr_ram);
}

/*
 * ktime_get_boottime() as of the last timekeeping update: tkr_mono.base
 * holds whole seconds of CLOCK_MONOTONIC (tk_update_ktime_data()), the rest
 * is xtime_nsec >> shift; offs_boot adds time spent suspended.
 */
int mintmon_kernel_uptime_ns(struct mintmon_kernel *k, u64 *ns_ret)
{
	u64 base, boot, xnsec = 0, shift = 0;
	int err;

	if (!k->timekeeper_vaddr)
		return -ENOENT;
	err = mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_mono_base, &base);
	if (!err)
		err = mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_offs_boot, &boot);
	if (!err && k->tk_mono_xtime_nsec.present && k->tk_mono_shift.present)
		err = mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_mono_xtime_nsec,
						&xnsec) ||
		      mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_mono_shift, &shift);
	if (err)
		return err;
	*ns_ret = base + boot + (shift < 64 ? xnsec >> shift : 0);
	return 0;
}

int mintmon_kernel_totalram_pages(struct mintmon_kernel *k, u64 *pages_ret)
{
	if (!k->totalram_vaddr)
		return -ENOENT;
	return mintmon_kernel_read_u64(k, k->totalram_vaddr, pages_ret);
}

u64 mintmon_boot_id_hash(const struct mintmon_boot_id *id)
{
	/* Not top_entry: it can change within one boot (see session.c same_id()). */
	const u64 v[] = {id->text_phys, id->kaslr_offset, id->page_offset_base, id->canary};
	u64 h = 0xcbf29ce484222325ull;	/* FNV-1a, over the bytes of each value */
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(v); i++) {
		for (j = 0; j < 8; j++) {
			h ^= (v[i] >> (8 * j)) & 0xff;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

int mintmon_kernel_linear_pa(const struct mintmon_kernel *k, u64 vaddr, u64 *phys_ret)
{
	if (vaddr >= k->text_virt && vaddr - k->text_virt < k->image.mapped_size) {
		*phys_ret = vaddr - k->arch->kernel_map_start + k->phys_base;
		return 0;
	}
	if (k->page_offset_base && vaddr >= k->page_offset_base &&
	    vaddr - k->page_offset_base < direct_map_size(k)) {
		*phys_ret = vaddr - k->page_offset_base;
		return 0;
	}
	return -ENXIO;
}

enum { CHECK_CANARY, CHECK_POB, CHECK_TOP, CHECK_JIFFIES, CHECK_PATH, NR_CHECKS = CHECK_PATH + 4 };

int mintmon_kernel_check(struct mintmon_kernel *k, u64 *heartbeat_ret)
{
	struct mintmon_iov iov[NR_CHECKS];
	u8 val[NR_CHECKS][8];
	u64 vaddr[CHECK_PATH] = {k->canary_vaddr, k->page_offset_base_vaddr, 0, k->jiffies_vaddr};
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < CHECK_PATH + k->nr_path; i++) {
		u64 phys;

		if (i >= CHECK_PATH)
			phys = k->path_phys[i - CHECK_PATH];
		else if (i == CHECK_TOP)
			phys = k->top_entry_phys;
		else if (!vaddr[i])
			continue;
		else if (mintmon_kernel_linear_pa(k, vaddr[i], &phys))
			return mintmon_fail_at(k->err, -EFAULT, "poll", MINTMON_NO_ADDR, vaddr[i],
					       "boot identity at 0x%llx is outside the image",
					       (unsigned long long)vaddr[i]);
		iov[n].phys = phys;
		iov[n].buf = val[i];
		iov[n].len = 8;
		n++;
	}
	err = mintmon_memory_readv(k->mem, iov, n);
	if (err) {
		for (i = 0; i + 1 < n && !iov[i].err; i++)
			;
		return mintmon_fail_at(k->err, err, "poll", iov[i].fault, MINTMON_NO_ADDR,
				       "cannot read the boot identity at physical 0x%llx",
				       (unsigned long long)iov[i].fault);
	}
	for (i = 0; i < k->nr_path; i++) {
		if (mintmon_le64(val[CHECK_PATH + i]) != k->path_val[i])
			return mintmon_fail(k->err, -ESTALE, "poll",
					    "the kernel image's page tables changed");
	}
	if ((k->canary_vaddr && mintmon_le64(val[CHECK_CANARY]) != k->id.canary) ||
	    (k->page_offset_base_vaddr && mintmon_le64(val[CHECK_POB]) != k->id.page_offset_base) ||
	    mintmon_le64(val[CHECK_TOP]) != k->id.top_entry)
		return mintmon_fail(k->err, -ESTALE, "poll", "the kernel's boot identity changed");
	*heartbeat_ret = k->jiffies_vaddr ? mintmon_le64(val[CHECK_JIFFIES]) : 0;
	return 0;
}

/* Note the page-table entries below the top level on the way to _text. */
static int take_path(struct mintmon_kernel *k, u64 table)
{
	struct mintmon_translation t;
	struct mintmon_walk w;
	int ret = k->arch->walk_start(k->paging_levels, table, k->text_virt, &w);
	u64 entry;
	bool top = true;

	k->nr_path = 0;
	while (!ret) {
		if (mintmon_memory_read(k->mem, w.entry_phys, &entry, 8, NULL))
			return -EFAULT;
		if (!top) {
			if (k->nr_path == MINTMON_ARRAY_SIZE(k->path_phys))
				break;
			k->path_phys[k->nr_path] = w.entry_phys;
			k->path_val[k->nr_path++] = mintmon_le64(&entry);
		}
		top = false;
		ret = k->arch->walk_step(&w, mintmon_le64(&entry), &t);
	}
	return ret < 0 ? ret : 0;
}

/* Take the boot identity and note where to re-check it. */
static int take_identity(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_field canary;
	u64 v, table, idx_shift = k->paging_levels == 5 ? 48 : 39;

	k->id.text_phys = k->text_phys;
	k->id.kaslr_offset = k->kaslr_offset;
	k->id.page_offset_base = k->page_offset_base;
	k->page_offset_base_vaddr = d->have[SYM_PAGE_OFFSET_BASE] ? d->sym[SYM_PAGE_OFFSET_BASE] : 0;
	k->jiffies_vaddr = d->have[SYM_JIFFIES_64] ? d->sym[SYM_JIFFIES_64] : 0;
	/* task_struct.stack_canary exists with CONFIG_STACKPROTECTOR. */
	if (k->init_task && !mintmon_field_init(k->btf, "task_struct", "stack_canary", false,
						&canary) && canary.present && canary.size == 8) {
		k->canary_vaddr = k->init_task + canary.off;
		if (mintmon_kernel_read_u64(k, k->canary_vaddr, &k->id.canary))
			return -EFAULT;
		/*
		 * A kernel just decompressed (kexec, reboot) is in place before
		 * start_kernel() has run: its memory layout is not randomized and
		 * its canary not drawn yet (boot_init_stack_canary(), after
		 * setup_arch()). Its identity would change under us: not yet.
		 */
		if (!k->id.canary)
			return mintmon_fail(k->err, -EAGAIN, "discovery",
					    "the kernel is still starting (its stack canary is not set)");
	}
	/*
	 * The trampoline's copy in the first MiB is rebuilt at the same place by
	 * every kernel that boots there; a table found elsewhere by the full
	 * scan may be a process's pgd, freed at exit: use init_top_pgt then.
	 */
	table = k->image.pgtable < MINTMON_FIRST_MIB ? k->image.pgtable : k->pgtable;
	k->top_entry_phys = table + 8 * ((k->text_virt >> idx_shift) & 511);
	if (mintmon_memory_read(k->mem, k->top_entry_phys, &v, 8, NULL))
		return mintmon_fail_at(k->err, -EFAULT, "discovery", k->top_entry_phys,
				       MINTMON_NO_ADDR, "cannot read the kernel's top-level entry");
	k->id.top_entry = v;
	if (take_path(k, table))
		return mintmon_fail(k->err, -EFAULT, "discovery",
				    "cannot read the boot identity: the page tables to _text");
	/* Re-readable, or every poll would fail its check and re-attach (fuzz_discovery). */
	return mintmon_kernel_check(k, &v);
}

/*
 * Stages 2-7 once the kallsyms tables are there and d->sym[] looked up
 * (and the BTF, if it came from a cache entry).
 */
static int finish(struct mintmon_kernel *k, struct discovery *d,
		  const struct mintmon_kernel_options *opts)
{
	struct mintmon_translation t;
	u64 off, fault;
	int err, i;

	err = -ENOENT;
	if (!d->have[SYM_TEXT] || d->sym[SYM_TEXT] != k->text_virt) {
		mintmon_fail(k->err, err, "discovery",
			     "kallsyms _text (0x%llx) is not the mapped image start 0x%llx",
			     (unsigned long long)d->sym[SYM_TEXT], (unsigned long long)k->text_virt);
		goto out;
	}
	for (i = SYM_INIT_TOP_PGT; i <= SYM_INIT_UTS_NS; i++) {
		if (i == SYM_PAGE_OFFSET_BASE || i == SYM_VMEMMAP_BASE)
			continue;
		if (!d->have[i]) {
			err = missing_symbol(k, sym_names[i]);
			goto out;
		}
	}

	/* The kernel's own page table, to translate vmalloc and vmemmap addresses. */
	k->pgtable = d->sym[SYM_INIT_TOP_PGT] - k->arch->kernel_map_start + k->phys_base;
	if (k->arch->translate(k->mem, k->paging_levels, k->pgtable, k->text_virt, &t, &fault) ||
	    t.phys != k->text_phys) {
		mintmon_fail(k->err, err, "discovery",
			     "init_top_pgt at physical 0x%llx does not map the kernel image",
			     (unsigned long long)k->pgtable);
		goto out;
	}

	/* CONFIG_RANDOMIZE_MEMORY keeps the randomized bases in these variables. */
	k->page_offset_base = k->paging_levels == 5 ? X86_DIRECT_MAP_5L : X86_DIRECT_MAP_4L;
	k->vmemmap_base = k->paging_levels == 5 ? X86_VMEMMAP_5L : X86_VMEMMAP_4L;
	if (d->have[SYM_PAGE_OFFSET_BASE] &&
	    (err = mintmon_kernel_read_u64(k, d->sym[SYM_PAGE_OFFSET_BASE], &k->page_offset_base)))
		goto out;
	if (d->have[SYM_VMEMMAP_BASE] &&
	    (err = mintmon_kernel_read_u64(k, d->sym[SYM_VMEMMAP_BASE], &k->vmemmap_base)))
		goto out;
	/* Check: the direct map must map the image's first page to the same frame. */
	if (k->arch->translate(k->mem, k->paging_levels, k->pgtable,
			       k->page_offset_base + k->text_phys, &t, &fault) ||
	    t.phys != k->text_phys) {
		err = mintmon_fail(k->err, -ENOENT, "discovery",
				   "page_offset_base 0x%llx does not map the kernel image",
				   (unsigned long long)k->page_offset_base);
		goto out;
	}

	err = k->btf ? 0 : load_btf(k, d, opts);
	if (err)
		goto out;
	err = mintmon_btf_offsetof(k->btf, "uts_namespace", "name.release", &off);
	if (err) {
		mintmon_fail(k->err, err, "btf", "BTF has no struct uts_namespace.name.release");
		goto out;
	}
	err = read_string(k, d->sym[SYM_INIT_UTS_NS] + off, k->release, sizeof(k->release));
	if (!err)
		err = read_string(k, d->sym[SYM_LINUX_BANNER], k->banner, sizeof(k->banner));
	if (err)
		goto out;
	for (i = 0; k->banner[i]; i++) {
		if (k->banner[i] == '\n')
			k->banner[i] = '\0';
	}
	k->init_task = d->have[SYM_INIT_TASK] ? d->sym[SYM_INIT_TASK] : 0;
	find_kaslr_offset(k, d);
	check_vmcoreinfo(k, d);
	err = learn_ram(k, d);
	if (err)
		goto out;
	learn_time(k, d);
	err = take_identity(k, d);
out:
	return err;
}

static void kernel_reset(struct mintmon_kernel *k)
{
	struct mintmon_memory *mem = k->mem;
	struct mintmon_error *e = k->err;
	struct mintmon_batch_piece *pieces = k->pieces;
	struct mintmon_iov *piece_iov = k->piece_iov;

	mintmon_kallsyms_destroy(k->kallsyms);
	mintmon_btf_destroy(k->btf);
	if (k->entry)	/* after what was parsed from it */
		k->entry_ops->release(k->entry_ctx, k->entry, k->entry_size);
	mintmon_memory_set_ram(mem, NULL, 0);
	memset(k, 0, sizeof(*k));
	k->mem = mem;
	k->err = e;
	k->pieces = pieces;
	k->piece_iov = piece_iov;
	k->arch = &mintmon_arch_x86_64;
}

/*
 * A cache entry (struct mintmon_kernel_cache_ops): a header of ENTRY_HDR
 * bytes, the kallsyms tables as mintmon_kallsyms_serialize() writes them,
 * zeros to an 8-byte boundary, then the BTF blob (none if the BTF came from
 * a file), zeros to an 8-byte boundary, then the BTF's name index
 * (mintmon_btf_index(), host order) and its record offsets
 * (mintmon_btf_offsets(), host order), both used only if the store trusts
 * the entry. Little-endian. The probe a store shows match() is the header.
 */
#define ENTRY_MAGIC 0x454b4d4du	/* "MMKE" */
#define ENTRY_VERSION 3		/* 3: the BTF's record offsets kept */
#define ENTRY_HDR 1024
#define ENTRY_BANNER_MAX 511
#define ENTRY_NO_BTF 1u		/* flag: the BTF came from a file, none kept */
#define BTF_HDR_LEN 24
enum {
	EH_MAGIC = 0,		/* u32 */
	EH_VERSION = 4,		/* u32 */
	EH_SYMS_HASH = 8,	/* u32: of sym_names[], whose indexes the entry keeps */
	EH_FLAGS = 12,		/* u32 */
	EH_TEXT_PHYS = 16,	/* u64 ×2, u32: the key */
	EH_TEXT_VIRT = 24,
	EH_LEVELS = 32,
	EH_NR_SYMS = 36,	/* u32: NR_SYMS */
	EH_ID = 40,		/* u64 ×5: struct mintmon_boot_id, in its order */
	EH_CANARY_VADDR = 80,	/* u64 ×3: where the identity is re-read */
	EH_POB_VADDR = 88,
	EH_TOP_PHYS = 96,
	EH_BANNER_VADDR = 104,	/* u64, u32: linux_banner's first line */
	EH_BANNER_LEN = 112,
	EH_KALLSYMS_LEN = 120,	/* u64: the tables start at ENTRY_HDR */
	EH_BTF_LEN = 128,	/* u64: the BTF follows them, 8-aligned */
	EH_BTF_VADDR = 136,	/* u64: __start_BTF */
	EH_BTF_HDR = 144,	/* BTF_HDR_LEN bytes: the BTF's header */
	EH_SYM_INDEX = 168,	/* u32 ×NR_SYMS: kallsyms index, MINTMON_KALLSYMS_NONE if absent */
	EH_OFFS_LEN = 496,	/* u64: the record offsets follow the index and end the entry */
	EH_INDEX_LEN = 504,	/* u64: the name index follows the BTF, 8-aligned */
	EH_BANNER = 512,	/* ENTRY_BANNER_MAX bytes */
};
_Static_assert(EH_SYM_INDEX + 4 * NR_SYMS <= EH_OFFS_LEN, "cache entry header too small");
_Static_assert(EH_BANNER + ENTRY_BANNER_MAX <= ENTRY_HDR, "cache entry header too small");

static u32 syms_hash(void)
{
	u32 h = 0x811c9dc5u;	/* FNV-1a over the names and their NULs */
	unsigned int i;
	const char *p;

	for (i = 0; i < NR_SYMS; i++) {
		p = sym_names[i];
		do {
			h = (h ^ (u8)*p) * 0x01000193u;
		} while (*p++);
	}
	return h;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static u64 kernel_text_end(const struct mintmon_kernel *k)
{
	return k->arch->kernel_map_start + k->arch->kernel_map_size;
}

/* The trampoline's entry for _text: what take_identity() reads if pgtable is below 1 MiB. */
static u64 image_top_entry(const struct mintmon_kernel *k)
{
	return k->image.pgtable + 8 * ((k->text_virt >> (k->paging_levels == 5 ? 48 : 39)) & 511);
}

/*
 * Check an entry's header against the image found (its key) and bound every
 * address in it: the places the probe reads must lie in the kernel image.
 */
static bool entry_header_ok(const struct mintmon_kernel *k, const u8 *h)
{
	u64 top = mintmon_le64(h + EH_TOP_PHYS), pa, v;
	u32 flags = mintmon_le32(h + EH_FLAGS), blen = mintmon_le32(h + EH_BANNER_LEN);

	if (mintmon_le32(h + EH_MAGIC) != ENTRY_MAGIC ||
	    mintmon_le32(h + EH_VERSION) != ENTRY_VERSION ||
	    mintmon_le32(h + EH_SYMS_HASH) != syms_hash() ||
	    mintmon_le32(h + EH_NR_SYMS) != NR_SYMS || (flags & ~ENTRY_NO_BTF) ||
	    mintmon_le64(h + EH_TEXT_PHYS) != k->text_phys ||
	    mintmon_le64(h + EH_TEXT_VIRT) != k->text_virt ||
	    mintmon_le32(h + EH_LEVELS) != k->paging_levels ||
	    mintmon_le64(h + EH_ID) != k->text_phys || blen == 0 || blen > ENTRY_BANNER_MAX)
		return false;
	v = mintmon_le64(h + EH_BANNER_VADDR);
	if (mintmon_kernel_linear_pa(k, v, &pa) || mintmon_kernel_linear_pa(k, v + blen - 1, &pa))
		return false;
	v = mintmon_le64(h + EH_CANARY_VADDR);
	if (v && (mintmon_kernel_linear_pa(k, v, &pa) || mintmon_kernel_linear_pa(k, v + 7, &pa)))
		return false;
	v = mintmon_le64(h + EH_POB_VADDR);
	if (v && (mintmon_kernel_linear_pa(k, v, &pa) || mintmon_kernel_linear_pa(k, v + 7, &pa)))
		return false;
	v = mintmon_le64(h + EH_BTF_VADDR);
	if (!(flags & ENTRY_NO_BTF) &&
	    (mintmon_kernel_linear_pa(k, v, &pa) ||
	     mintmon_kernel_linear_pa(k, v + BTF_HDR_LEN - 1, &pa)))
		return false;
	/* The trampoline's table, or init_top_pgt inside the image. */
	return top == image_top_entry(k) ||
	       (top >= k->text_phys && top - k->text_phys < k->image.mapped_size - 8 && top % 8 == 0);
}

enum { PROBE_CANARY, PROBE_POB, PROBE_TOP, PROBE_BTF, PROBE_BANNER, NR_PROBES };

/*
 * Whether an entry may describe this boot: its header fits the image and
 * the identity, banner and BTF header it keeps are what the target holds
 * now (one vectored read of about 600 bytes). Only picks an entry: all of
 * it is checked again after it is loaded.
 */
static bool entry_match(void *arg, const void *probe, size_t len)
{
	struct mintmon_kernel *k = arg;
	const u8 *h = probe;
	struct mintmon_iov iov[NR_PROBES];
	const u8 *want[NR_PROBES];
	u64 vaddr[NR_PROBES];
	u32 size[NR_PROBES] = {8, 8, 8, BTF_HDR_LEN, 0};
	unsigned int i, n = 0;
	bool ok = false;
	u8 *got;

	if (len < ENTRY_HDR || !entry_header_ok(k, h))
		return false;
	got = mintmon_malloc(8 * 3 + BTF_HDR_LEN + ENTRY_BANNER_MAX);
	if (!got)
		return false;
	vaddr[PROBE_CANARY] = mintmon_le64(h + EH_CANARY_VADDR);
	vaddr[PROBE_POB] = mintmon_le64(h + EH_POB_VADDR);
	vaddr[PROBE_TOP] = 0;
	vaddr[PROBE_BTF] = mintmon_le32(h + EH_FLAGS) & ENTRY_NO_BTF ? 0 :
			   mintmon_le64(h + EH_BTF_VADDR);
	vaddr[PROBE_BANNER] = mintmon_le64(h + EH_BANNER_VADDR);
	size[PROBE_BANNER] = mintmon_le32(h + EH_BANNER_LEN);
	want[PROBE_CANARY] = h + EH_ID + 24;
	want[PROBE_POB] = h + EH_ID + 16;
	want[PROBE_TOP] = h + EH_ID + 32;
	want[PROBE_BTF] = h + EH_BTF_HDR;
	want[PROBE_BANNER] = h + EH_BANNER;
	for (i = 0; i < NR_PROBES; i++) {
		u64 phys = mintmon_le64(h + EH_TOP_PHYS);

		if (i != PROBE_TOP && (!vaddr[i] || mintmon_kernel_linear_pa(k, vaddr[i], &phys)))
			continue;
		iov[n].phys = phys;
		iov[n].buf = got + (n ? iov[n - 1].len + ((u8 *)iov[n - 1].buf - got) : 0);
		iov[n].len = size[i];
		want[n] = want[i];
		n++;
	}
	if (!mintmon_memory_readv(k->mem, iov, n)) {
		for (i = 0, ok = true; i < n && ok; i++)
			ok = !memcmp(iov[i].buf, want[i], iov[i].len);
	}
	mintmon_free(got);
	return ok;
}

/*
 * Take the kallsyms tables, the BTF and the discovery symbols from an entry,
 * checking all of it (an entry is untrusted input; see kernel.h); if the
 * store trusts the entry, the BTF gets the bounds checks only and its kept
 * name index, and both are parsed where they lie in the entry (the caller
 * keeps it as long as they live).
 */
static int entry_take(struct mintmon_kernel *k, struct discovery *d,
		      const struct mintmon_kernel_options *opts, const u8 *data, size_t size,
		      bool trusted)
{
	struct mintmon_symbol *sym;
	u64 klen, blen, boff, ilen, ioff, olen, ooff;
	unsigned int i;
	int err;

	if (size < ENTRY_HDR || !entry_header_ok(k, data))
		return mintmon_fail(k->err, -EINVAL, "cache", "entry header does not fit this kernel image");
	klen = mintmon_le64(data + EH_KALLSYMS_LEN);
	blen = mintmon_le64(data + EH_BTF_LEN);
	if (klen > size - ENTRY_HDR)
		return mintmon_fail(k->err, -EINVAL, "cache", "entry truncated in its kallsyms tables");
	ilen = mintmon_le64(data + EH_INDEX_LEN);
	olen = mintmon_le64(data + EH_OFFS_LEN);
	boff = (ENTRY_HDR + klen + 7) & ~7ull;
	if (boff > size || blen > size - boff ||
	    ((mintmon_le32(data + EH_FLAGS) & ENTRY_NO_BTF) && (blen || ilen || olen)))
		return mintmon_fail(k->err, -EINVAL, "cache", "entry has bad BTF bounds");
	ioff = (boff + blen + 7) & ~7ull;
	if (ioff > size || ilen > size - ioff || ilen % 8)
		return mintmon_fail(k->err, -EINVAL, "cache", "entry has bad BTF index bounds");
	ooff = ioff + ilen;
	if (olen != size - ooff)
		return mintmon_fail(k->err, -EINVAL, "cache", "entry has bad BTF offsets bounds");
	if (!opts->btf_data && (mintmon_le32(data + EH_FLAGS) & ENTRY_NO_BTF))
		return mintmon_fail(k->err, -ENOENT, "cache", "entry made with --btf keeps no BTF");
	err = (trusted ? mintmon_kallsyms_deserialize_in_place : mintmon_kallsyms_deserialize)(
		data + ENTRY_HDR, klen, k->text_virt, kernel_text_end(k), k->err, &k->kallsyms);
	if (err)
		return err;
	sym = mintmon_malloc(sizeof(*sym));
	if (!sym)
		return mintmon_fail(k->err, -ENOMEM, "cache", "out of memory");
	/* Each symbol must be the name it stands for. */
	for (i = 0; i < NR_SYMS && !err; i++) {
		d->index[i] = mintmon_le32(data + EH_SYM_INDEX + 4 * i);
		d->have[i] = d->index[i] != MINTMON_KALLSYMS_NONE;
		if (!d->have[i])
			continue;
		err = mintmon_kallsyms_symbol(k->kallsyms, d->index[i], sym);
		if (!err && strcmp(sym->name, sym_names[i]))
			err = -EINVAL;
		if (err)
			mintmon_fail(k->err, err, "cache",
				     "entry says symbol %u is %s, it is not", d->index[i], sym_names[i]);
		d->sym[i] = sym->addr;
	}
	mintmon_free(sym);
	if (!err && !opts->btf_data)
		err = trusted ? mintmon_btf_create_trusted(data + boff, blen, data + ioff, ilen,
							  data + ooff, olen, k->err, &k->btf) :
		      mintmon_btf_create(data + boff, blen, k->err, &k->btf);
	return err;
}

static bool same_boot(const struct mintmon_boot_id *a, const u8 *h)
{
	return a->text_phys == mintmon_le64(h + EH_ID) &&
	       a->kaslr_offset == mintmon_le64(h + EH_ID + 8) &&
	       a->page_offset_base == mintmon_le64(h + EH_ID + 16) &&
	       a->canary == mintmon_le64(h + EH_ID + 24) &&
	       a->top_entry == mintmon_le64(h + EH_ID + 32);
}

/*
 * Attach with a cache entry: 0 when it described this boot; 1 when there
 * is none; a negative errno when it did not fit (then it is dropped).
 */
static int attach_cached(struct mintmon_kernel *k, struct discovery *d,
			 const struct mintmon_kernel_options *opts)
{
	const struct mintmon_kernel_cache_ops *ops = opts->cache;
	struct mintmon_kernel_cache_key key = {k->text_phys, k->text_virt, k->paging_levels};
	bool trusted;
	u8 *h;
	void *data;
	size_t size;
	int err;

	if (ops->load(opts->cache_ctx, &key, ENTRY_HDR, entry_match, k, &data, &size))
		return 1;
	trusted = ops->trusted && ops->trusted(opts->cache_ctx);
	/*
	 * Keep the header (the identity); a trusted entry stays until the
	 * kernel goes (kallsyms and BTF lie in it), another goes back now.
	 */
	h = mintmon_malloc(ENTRY_HDR);
	err = h ? entry_take(k, d, opts, data, size, trusted) :
		  mintmon_fail(k->err, -ENOMEM, "cache", "out of memory");
	if (h)
		memcpy(h, data, ENTRY_HDR);
	if (trusted) {
		k->entry_ops = ops;
		k->entry_ctx = opts->cache_ctx;
		k->entry = data;
		k->entry_size = size;
	} else {
		ops->release(opts->cache_ctx, data, size);
	}
	if (!err)
		err = finish(k, d, opts);
	if (!err && (!same_boot(&k->id, h) ||
		     strlen(k->banner) != mintmon_le32(h + EH_BANNER_LEN) ||
		     memcmp(k->banner, h + EH_BANNER, mintmon_le32(h + EH_BANNER_LEN))))
		err = mintmon_fail(k->err, -ESTALE, "cache",
				   "entry kept for another boot of the kernel");
	if (err && err != -ENOMEM)
		ops->drop(opts->cache_ctx, &key);
	mintmon_free(h);
	return err;
}

/* Keep what a search found for the next attach to this boot. */
static void cache_store(struct mintmon_kernel *k, const struct discovery *d,
			const struct mintmon_kernel_options *opts)
{
	static const u8 zeros[8];
	struct mintmon_kernel_cache_key key = {k->text_phys, k->text_virt, k->paging_levels};
	struct mintmon_kernel_cache_part parts[7];
	const struct mintmon_boot_id *id = &k->id;
	u64 btf_vaddr = d->have[SYM_START_BTF] ? d->sym[SYM_START_BTF] : 0;
	size_t banner_len = strlen(k->banner);
	long klen = mintmon_kallsyms_serialize(k->kallsyms, NULL, 0);
	u8 *h = mintmon_calloc(1, ENTRY_HDR), *tables = mintmon_malloc(klen > 0 ? klen : 1);
	unsigned int i;

	if (!h || !tables || klen <= 0 || !banner_len || banner_len > ENTRY_BANNER_MAX ||
	    (!k->btf_external && (!btf_vaddr || mintmon_btf_size(k->btf) < BTF_HDR_LEN)) ||
	    mintmon_kallsyms_serialize(k->kallsyms, tables, klen) != klen)
		goto out;
	put32(h + EH_MAGIC, ENTRY_MAGIC);
	put32(h + EH_VERSION, ENTRY_VERSION);
	put32(h + EH_SYMS_HASH, syms_hash());
	put32(h + EH_FLAGS, k->btf_external ? ENTRY_NO_BTF : 0);
	put64(h + EH_TEXT_PHYS, k->text_phys);
	put64(h + EH_TEXT_VIRT, k->text_virt);
	put32(h + EH_LEVELS, k->paging_levels);
	put32(h + EH_NR_SYMS, NR_SYMS);
	put64(h + EH_ID, id->text_phys);
	put64(h + EH_ID + 8, id->kaslr_offset);
	put64(h + EH_ID + 16, id->page_offset_base);
	put64(h + EH_ID + 24, id->canary);
	put64(h + EH_ID + 32, id->top_entry);
	put64(h + EH_CANARY_VADDR, k->canary_vaddr);
	put64(h + EH_POB_VADDR, k->page_offset_base_vaddr);
	put64(h + EH_TOP_PHYS, k->top_entry_phys);
	put64(h + EH_BANNER_VADDR, d->sym[SYM_LINUX_BANNER]);
	put32(h + EH_BANNER_LEN, (u32)banner_len);
	memcpy(h + EH_BANNER, k->banner, banner_len);
	put64(h + EH_KALLSYMS_LEN, (u64)klen);
	put64(h + EH_BTF_LEN, k->btf_external ? 0 : mintmon_btf_size(k->btf));
	put64(h + EH_INDEX_LEN, k->btf_external ? 0 : mintmon_btf_index_len(k->btf));
	put64(h + EH_OFFS_LEN, k->btf_external ? 0 : mintmon_btf_offsets_len(k->btf));
	if (!k->btf_external) {
		put64(h + EH_BTF_VADDR, btf_vaddr);
		memcpy(h + EH_BTF_HDR, mintmon_btf_data(k->btf), BTF_HDR_LEN);
	}
	for (i = 0; i < NR_SYMS; i++)
		put32(h + EH_SYM_INDEX + 4 * i, d->have[i] ? d->index[i] : MINTMON_KALLSYMS_NONE);
	/* A header the probe would refuse (an odd image) is not worth keeping. */
	if (!entry_header_ok(k, h))
		goto out;
	parts[0].data = h;
	parts[0].len = ENTRY_HDR;
	parts[1].data = tables;
	parts[1].len = (size_t)klen;
	parts[2].data = zeros;
	parts[2].len = (size_t)(-klen & 7);
	parts[3].data = k->btf_external ? zeros : mintmon_btf_data(k->btf);
	parts[3].len = k->btf_external ? 0 : mintmon_btf_size(k->btf);
	parts[4].data = zeros;
	parts[4].len = -parts[3].len & 7;
	parts[5].data = k->btf_external ? zeros : mintmon_btf_index(k->btf);
	parts[5].len = k->btf_external ? 0 : mintmon_btf_index_len(k->btf);
	parts[6].data = k->btf_external ? zeros : mintmon_btf_offsets(k->btf);
	parts[6].len = k->btf_external ? 0 : mintmon_btf_offsets_len(k->btf);
	opts->cache->store(opts->cache_ctx, &key, parts, 7);
out:
	mintmon_free(h);
	mintmon_free(tables);
}

/*
 * Stages 2-7 on an image found by the page-table search: from a cache
 * entry for this boot if there is one, else by searching the image.
 */
static int discover(struct mintmon_kernel *k, const struct mintmon_kernel_options *opts)
{
	struct discovery d = {0};
	unsigned int i;
	int err;

	k->paging_levels = k->image.levels;
	k->text_virt = k->image.text_virt;
	k->text_phys = k->image.text_phys;
	k->phys_base = k->text_phys - (k->text_virt - k->arch->kernel_map_start);
	k->pgtable = k->image.pgtable;

	if (opts && opts->cache) {
		struct mintmon_arch_image image = k->image;

		err = attach_cached(k, &d, opts);
		if (!err || err == -ENOMEM)
			return err;
		if (err < 0) {
			mintmon_error_warn(k->err, "cache", "entry not used: %s", k->err->msg);
			mintmon_error_clear(k->err);
		}
		/* Start again from the image alone. */
		kernel_reset(k);
		k->image = image;
		memset(&d, 0, sizeof(d));
		k->paging_levels = k->image.levels;
		k->text_virt = k->image.text_virt;
		k->text_phys = k->image.text_phys;
		k->phys_base = k->text_phys - (k->text_virt - k->arch->kernel_map_start);
		k->pgtable = k->image.pgtable;
	}
	err = copy_rodata(k, &d);
	if (!err)
		err = mintmon_kallsyms_lookup_index(k->kallsyms, sym_names, NR_SYMS, d.index);
	for (i = 0; err >= 0 && i < NR_SYMS; i++)
		d.have[i] = !mintmon_kallsyms_address(k->kallsyms, d.index[i], &d.sym[i]);
	if (err >= 0)
		err = finish(k, &d, opts);
	mintmon_free(d.rodata);
	d.rodata = NULL;
	d.rodata_size = 0;
	if (!err && opts && opts->cache)
		cache_store(k, &d, opts);
	return err;
}

/* An empty kernel object for discover(), or NULL. */
static struct mintmon_kernel *kernel_alloc(struct mintmon_memory *mem, struct mintmon_error *e)
{
	struct mintmon_kernel *k = mintmon_calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->pieces = mintmon_calloc(BATCH_PIECES, sizeof(*k->pieces));
	k->piece_iov = mintmon_calloc(BATCH_PIECES, sizeof(*k->piece_iov));
	if (!k->pieces || !k->piece_iov) {
		mintmon_free(k->pieces);
		mintmon_free(k->piece_iov);
		mintmon_free(k);
		return NULL;
	}
	k->mem = mem;
	k->err = e;
	k->arch = &mintmon_arch_x86_64;
	return k;
}

/*
 * When the kernel booted, on the wall clock, ns: tk_core's offs_real
 * (CLOCK_REALTIME - CLOCK_MONOTONIC), set from the RTC at boot and moved
 * only by settimeofday/NTP. Not the current wall clock: a dead kernel's may
 * have run ahead of its successor's (TCG guests drift). 0 if unknown.
 */
static u64 kernel_boot_realtime_ns(struct mintmon_kernel *k)
{
	u64 real;

	if (!k->timekeeper_vaddr || !k->tk_offs_real.present ||
	    mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_offs_real, &real))
		return 0;
	return real;
}

/*
 * Where a search looks, in two passes: first the first MiB, where the
 * real-mode trampoline keeps a copy of the running kernel's top-level
 * table, then the rest in ascending order (where an earlier boot's image
 * may come first). range[pass] = {start, end}.
 */
static void search_ranges(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  u64 range[2][2])
{
	u64 start = opts && (opts->search_start || opts->search_end) ? opts->search_start : 0;
	u64 end = opts && opts->search_end ? opts->search_end : mintmon_memory_end(mem);

	if (opts && opts->first_end > opts->first_start) {
		range[0][0] = opts->first_start;
		range[0][1] = opts->first_end;
		range[1][0] = start;
	} else {
		range[0][0] = start;
		range[0][1] = start + MINTMON_FIRST_MIB < end ? start + MINTMON_FIRST_MIB : end;
		range[1][0] = range[0][1];
	}
	range[1][1] = end;
}

int mintmon_kernel_images(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  bool first_only, u64 *text_phys, unsigned int max, unsigned int *nr_ret)
{
	struct mintmon_arch_image image;
	unsigned int pass, nr = 0, i;
	u64 range[2][2];

	search_ranges(mem, opts, range);
	for (pass = 0; pass < (first_only ? 1u : 2u); pass++) {
		u64 pos = range[pass][0];

		while (pos < range[pass][1] && nr < max) {
			bool seen = false;

			if (mintmon_arch_x86_64.find_kernel(mem, pos, range[pass][1], &image))
				break;
			pos = image.pgtable + PAGE_SIZE_4K;
			for (i = 0; i < nr; i++)
				seen |= text_phys[i] == image.text_phys;
			if (!seen)
				text_phys[nr++] = image.text_phys;
		}
	}
	*nr_ret = nr;
	return 0;
}

int mintmon_kernel_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  struct mintmon_error *e, struct mintmon_kernel **kernel_ret)
{
	u64 tried[MAX_IMAGES], range[2][2], best_time = 0;
	bool attached[MAX_IMAGES];
	unsigned int nr_tried = 0, nr_failed = 0, nr_distinct = 0, pass_first, pass, i, j;
	bool best_first = false;
	struct mintmon_kernel *k, *best = NULL;
	struct mintmon_error *first = NULL;	/* the first failure: what is reported */
	int err = -ENOENT, first_err = 0;

	k = kernel_alloc(mem, e);
	if (!k)
		return mintmon_fail(e, -ENOMEM, "discovery", "out of memory");
	/* A new kernel may use memory the last one did not call RAM. */
	mintmon_memory_set_ram(mem, NULL, 0);
	search_ranges(mem, opts, range);
	for (pass = 0; pass < 2 && !best && nr_tried < MAX_IMAGES; pass++) {
		u64 pos = range[pass][0], pass_end = range[pass][1];

		/*
		 * A stale trampoline may reach the running kernel's place through
		 * tables that kernel overwrote (seen after a Mint peer's kexec):
		 * the first MiB's other tables naming the same place are tried
		 * too, and the ascending pass tries again an image the first
		 * MiB's tables failed on, through its own init_top_pgt. There,
		 * every process's table maps the kernel: each place once.
		 */
		pass_first = nr_tried;
		while (pos < pass_end && nr_tried < MAX_IMAGES) {
			bool seen = false;
			u64 t;

			if (k->arch->find_kernel(mem, pos, pass_end, &k->image))
				break;
			pos = k->image.pgtable + PAGE_SIZE_4K;
			for (i = pass_first; i < nr_tried; i++)
				seen |= tried[i] == k->image.text_phys && (pass || attached[i]);
			if (seen)
				continue;
			attached[nr_tried] = false;
			tried[nr_tried++] = k->image.text_phys;
			err = discover(k, opts);
			if (err == -ENOMEM)
				goto fail;
			attached[nr_tried - 1] = !err;
			if (err) {
				nr_failed++;
				if (e && !first && (first = mintmon_malloc(sizeof(*first)))) {
					*first = *e;
					first_err = err;
				}
				kernel_reset(k);
				continue;
			}
			/*
			 * A kernel that kexec'd another may have put its trampoline
			 * elsewhere in the first MiB: the earlier copy stays there
			 * (each kernel reserves the first MiB), with its intact
			 * image behind it. The running kernel is the one that
			 * booted last. So too in the ascending pass, where an
			 * earlier boot's intact image may come first in address
			 * order (a Mint peer after a kexec, whose first MiB node 0
			 * cannot see on the emulated machine: `mintmon -t node:1
			 * ps` once walked the old kernel).
			 */
			t = kernel_boot_realtime_ns(k);
			if (best && t <= best_time) {
				kernel_reset(k);
				continue;
			}
			mintmon_kernel_destroy(best);
			best = k;
			best_time = t;
			best_first = pass == 0;
			k = kernel_alloc(mem, e);
			if (!k) {
				err = mintmon_fail(e, -ENOMEM, "discovery", "out of memory");
				goto fail;
			}
			mintmon_memory_set_ram(mem, NULL, 0);
		}
	}
	for (i = 0; i < nr_tried; i++) {
		for (j = 0; j < i && tried[j] != tried[i]; j++)
			;
		nr_distinct += j == i;
	}
	if (best) {
		mintmon_free(first);
		mintmon_kernel_destroy(k);
		best->images_failed = nr_failed;
		best->images_tried = nr_distinct;
		best->found_first = best_first;
		mintmon_kernel_use_ram(best);	/* the loser's reset forgot it */
		mintmon_error_clear(e);
		*kernel_ret = best;
		return 0;
	}
	if (!nr_tried)
		err = mintmon_fail(e, -ENOENT, "discovery",
				   "no x86-64 Linux kernel page table in physical memory 0x%llx-0x%llx",
				   (unsigned long long)(opts && opts->first_end > opts->first_start ?
							range[1][0] : range[0][0]),
				   (unsigned long long)range[1][1]);
	if (first) {
		*e = *first;
		err = first_err;
	}
fail:
	mintmon_free(first);
	mintmon_kernel_destroy(best);
	mintmon_kernel_destroy(k);
	return err;
}

void mintmon_kernel_destroy(struct mintmon_kernel *k)
{
	if (!k)
		return;
	kernel_reset(k);
	mintmon_free(k->pieces);
	mintmon_free(k->piece_iov);
	mintmon_free(k);
}

int mintmon_kernel_read_field(struct mintmon_kernel *k, u64 base, const struct mintmon_field *f,
			      u64 *val_ret)
{
	u8 b[8] = {0};
	int err;

	if (!f->present || f->size == 0 || f->size > 8)
		return -EINVAL;
	err = mintmon_kernel_read(k, 0, base + f->off, b, f->size, NULL);
	if (!err)
		*val_ret = mintmon_field_value(f, mintmon_le64(b));
	return err;
}

int mintmon_kernel_symbolize(struct mintmon_kernel *k, u64 addr, char *buf, size_t size)
{
	struct mintmon_symbol sym;
	u64 sym_size;
	int err;

	/* Like the kernel's %pS: only addresses in the kernel image have a name. */
	if (addr < k->text_virt || addr - k->text_virt >= k->image.mapped_size)
		return -ENOENT;
	err = mintmon_kallsyms_by_addr(k->kallsyms, addr, &sym, &sym_size);
	if (err)
		return err;
	mintmon_snprintf(buf, size, "%s+0x%llx/0x%llx", sym.name,
			 (unsigned long long)(addr - sym.addr), (unsigned long long)sym_size);
	return 0;
}

/* Start the pieces' walks; pieces in the image or direct map need none. */
static void batch_start(struct mintmon_kernel *k, struct mintmon_vreq *reqs, unsigned int np)
{
	unsigned int i;

	for (i = 0; i < np; i++) {
		struct mintmon_batch_piece *p = &k->pieces[i];
		struct mintmon_vreq *r = &reqs[p->req];
		struct mintmon_translation t;
		u64 root, fault;
		int err;

		p->walking = false;
		if (r->err)
			continue;
		if (!r->pgd_vaddr && !mintmon_kernel_linear_pa(k, p->vaddr, &p->phys))
			continue;
		root = k->pgtable;
		if (r->pgd_vaddr) {
			err = mintmon_kernel_linear_pa(k, r->pgd_vaddr, &root);
			if (err)
				err = mintmon_kernel_vtop(k, r->pgd_vaddr, &t, &fault);
			if (err) {
				r->err = err;
				r->fault = p->vaddr;
				continue;
			}
		}
		err = k->arch->walk_start(k->paging_levels, root, p->vaddr, &p->walk);
		if (err) {
			r->err = err;
			r->fault = p->vaddr;
			continue;
		}
		p->walking = true;
	}
}

/* Walk every started piece down one level per vectored read. */
static void batch_walk(struct mintmon_kernel *k, struct mintmon_vreq *reqs, unsigned int np)
{
	unsigned int i, n, level;

	for (level = 0; level < 5; level++) {
		for (i = 0, n = 0; i < np; i++) {
			struct mintmon_batch_piece *p = &k->pieces[i];

			if (!p->walking || reqs[p->req].err)
				continue;
			k->piece_iov[n].phys = p->walk.entry_phys;
			k->piece_iov[n].buf = p->entry;
			k->piece_iov[n].len = 8;
			n++;
		}
		if (!n)
			return;
		mintmon_memory_readv(k->mem, k->piece_iov, n);
		for (i = 0, n = 0; i < np; i++) {
			struct mintmon_batch_piece *p = &k->pieces[i];
			struct mintmon_vreq *r = &reqs[p->req];
			struct mintmon_translation t;
			int ret;

			if (!p->walking || r->err)
				continue;
			ret = k->piece_iov[n++].err;
			if (!ret)
				ret = k->arch->walk_step(&p->walk, mintmon_le64(p->entry), &t);
			if (ret < 0) {
				r->err = ret;
				r->fault = p->vaddr;
				p->walking = false;
			} else if (ret > 0) {
				p->phys = t.phys;
				p->walking = false;
			}
		}
	}
}

int mintmon_kernel_read_batch(struct mintmon_kernel *k, struct mintmon_vreq *reqs, unsigned int n)
{
	unsigned int i = 0, np, j;
	u64 done = 0;	/* bytes of reqs[i] already taken into pieces */

	for (j = 0; j < n; j++) {
		reqs[j].err = 0;
		reqs[j].fault = MINTMON_NO_ADDR;
	}
	while (i < n) {
		/* Cut the requests into page pieces, as many as fit. */
		for (np = 0; i < n && np < BATCH_PIECES;) {
			struct mintmon_vreq *r = &reqs[i];
			u64 va = r->vaddr + done, chunk = PAGE_SIZE_4K - (va & (PAGE_SIZE_4K - 1));

			if (done >= r->len) {
				i++;
				done = 0;
				continue;
			}
			if (chunk > r->len - done)
				chunk = r->len - done;
			k->pieces[np].req = i;
			k->pieces[np].vaddr = va;
			k->pieces[np].buf = (u8 *)r->buf + done;
			k->pieces[np].len = (u32)chunk;
			np++;
			done += chunk;
		}
		batch_start(k, reqs, np);
		batch_walk(k, reqs, np);
		for (j = 0; j < np; j++) {
			const struct mintmon_batch_piece *p = &k->pieces[j];

			k->piece_iov[j].phys = p->phys;
			k->piece_iov[j].buf = p->buf;
			k->piece_iov[j].len = reqs[p->req].err ? 0 : p->len;
		}
		mintmon_memory_readv(k->mem, k->piece_iov, np);
		for (j = 0; j < np; j++) {
			struct mintmon_vreq *r = &reqs[k->pieces[j].req];

			if (!r->err && k->piece_iov[j].err) {
				r->err = k->piece_iov[j].err;
				r->fault = k->pieces[j].vaddr;
			}
		}
		mintmon_yield();
	}
	for (j = 0; j < n; j++) {
		if (reqs[j].err)
			return reqs[j].err;
	}
	return 0;
}
