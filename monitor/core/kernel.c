// SPDX-License-Identifier: GPL-2.0
/* Find a Linux kernel in physical memory and learn its layout (see kernel.h). */
#include "mintmon/kernel.h"

#define MIB_1 (1ull << 20)
#define MIB_2 (2ull << 20)
/* Bound on kernel read-only data copied for the kallsyms search. */
#define MAX_RODATA (96ull << 20)
#define MAX_BTF (64ull << 20)
/* Kernel images tried before giving up (every page table maps the same one). */
#define MAX_IMAGES 8
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
};

struct discovery {
	u64 sym[NR_SYMS];
	bool have[NR_SYMS];
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
 * Copy the image's read-only data: from the first non-executable,
 * read-only 2 MiB chunk after _text to the first writable one (.rodata
 * through .BTF_ids). Without such permissions (e.g. before
 * mark_rodata_ro()) the whole mapped image is used.
 */
static int copy_rodata(struct mintmon_kernel *k, struct discovery *d)
{
	u64 v, start = 0, end = k->text_virt + k->image.mapped_size, fault;
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
	d->rodata_size = end - start;
	d->rodata_vaddr = start;
	/* Copied once, never parsed in place: a live target changes under us. */
	d->rodata = mintmon_malloc(d->rodata_size);
	if (!d->rodata)
		return mintmon_fail(k->err, -ENOMEM, "discovery", "out of memory");
	err = mintmon_memory_read(k->mem, k->text_phys + (start - k->text_virt), d->rodata,
				  d->rodata_size, &fault);
	if (err)
		mintmon_fail_at(k->err, err, "discovery", fault, start,
				"cannot read kernel read-only data at physical 0x%llx",
				(unsigned long long)fault);
	return err;
}

static int load_btf(struct mintmon_kernel *k, struct discovery *d,
		    const struct mintmon_kernel_options *opts)
{
	u64 start, size;
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
	if (start >= d->rodata_vaddr && mintmon_in_bounds(d->rodata_size, start - d->rodata_vaddr, size))
		return mintmon_btf_create(d->rodata + (start - d->rodata_vaddr), size, k->err,
					  &k->btf);
	copy = mintmon_malloc(size ? size : 1);
	if (!copy)
		return mintmon_fail(k->err, -ENOMEM, "btf", "out of memory");
	err = mintmon_kernel_read(k, 0, start, copy, size, NULL);
	if (!err)
		err = mintmon_btf_create(copy, size, k->err, &k->btf);
	mintmon_free(copy);
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
	u64 off, pref = 16 * MIB_1;

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
	return 0;
}

/*
 * struct timekeeper inside tk_core: a named struct tk_data since v6.13
 * (8c4799b18ed6); before, an anonymous struct { seqcount_raw_spinlock_t
 * seq; struct timekeeper timekeeper; } whose timekeeper starts at the
 * seqcount's size rounded up to 8.
 */
static void learn_time(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_field tk;
	u32 id;
	u64 off, size;

	if (d->have[SYM_TOTALRAM_PAGES])
		k->totalram_vaddr = d->sym[SYM_TOTALRAM_PAGES];
	if (!d->have[SYM_TK_CORE] ||
	    mintmon_field_init(k->btf, "timekeeper", "tkr_mono.base", false, &k->tk_mono_base) ||
	    mintmon_field_init(k->btf, "timekeeper", "offs_boot", false, &k->tk_offs_boot) ||
	    mintmon_field_init(k->btf, "timekeeper", "offs_real", false, &k->tk_offs_real) ||
	    !k->tk_mono_base.present || !k->tk_offs_boot.present)
		return;
	if (!mintmon_field_init(k->btf, "tk_data", "timekeeper", false, &tk) && tk.present) {
		off = tk.off;
	} else if (!mintmon_btf_find(k->btf, "seqcount_raw_spinlock_t", MINTMON_BTF_KIND_TYPEDEF,
				     &id) && !mintmon_btf_type_size(k->btf, id, &size) && size <= 64) {
		off = (size + 7) & ~7ull;
	} else {
		return;
	}
	k->timekeeper_vaddr = d->sym[SYM_TK_CORE] + off;
}

int mintmon_kernel_uptime_ns(struct mintmon_kernel *k, u64 *ns_ret)
{
	u64 base, boot;
	int err;

	if (!k->timekeeper_vaddr)
		return -ENOENT;
	err = mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_mono_base, &base);
	if (!err)
		err = mintmon_kernel_read_field(k, k->timekeeper_vaddr, &k->tk_offs_boot, &boot);
	if (!err)
		*ns_ret = base + boot;
	return err;
}

int mintmon_kernel_totalram_pages(struct mintmon_kernel *k, u64 *pages_ret)
{
	if (!k->totalram_vaddr)
		return -ENOENT;
	return mintmon_kernel_read_u64(k, k->totalram_vaddr, pages_ret);
}

u64 mintmon_boot_id_hash(const struct mintmon_boot_id *id)
{
	const u64 v[] = {id->text_phys, id->kaslr_offset, id->page_offset_base, id->canary,
			 id->top_entry};
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

enum { CHECK_CANARY, CHECK_POB, CHECK_TOP, CHECK_JIFFIES, NR_CHECKS };

int mintmon_kernel_check(struct mintmon_kernel *k, u64 *heartbeat_ret)
{
	struct mintmon_iov iov[NR_CHECKS];
	u8 val[NR_CHECKS][8];
	u64 vaddr[NR_CHECKS] = {k->canary_vaddr, k->page_offset_base_vaddr, 0, k->jiffies_vaddr};
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < NR_CHECKS; i++) {
		u64 phys = k->top_entry_phys;

		if (i != CHECK_TOP && (!vaddr[i] || mintmon_kernel_linear_pa(k, vaddr[i], &phys)))
			continue;
		iov[n].phys = phys;
		iov[n].buf = val[i];
		iov[n].len = 8;
		n++;
	}
	err = mintmon_memory_readv(k->mem, iov, n);
	if (err) {
		for (i = 0; i < n && !iov[i].err; i++)
			;
		return mintmon_fail_at(k->err, err, "poll", iov[i < n ? i : 0].fault, MINTMON_NO_ADDR,
				       "cannot read the boot identity at physical 0x%llx",
				       (unsigned long long)iov[i < n ? i : 0].fault);
	}
	if ((k->canary_vaddr && mintmon_le64(val[CHECK_CANARY]) != k->id.canary) ||
	    (k->page_offset_base_vaddr && mintmon_le64(val[CHECK_POB]) != k->id.page_offset_base) ||
	    mintmon_le64(val[CHECK_TOP]) != k->id.top_entry)
		return mintmon_fail(k->err, -ESTALE, "poll", "the kernel's boot identity changed");
	*heartbeat_ret = k->jiffies_vaddr ? mintmon_le64(val[CHECK_JIFFIES]) : 0;
	return 0;
}

/* Take the boot identity and note where to re-check it. */
static int take_identity(struct mintmon_kernel *k, struct discovery *d)
{
	struct mintmon_field canary;
	u64 v, idx_shift = k->paging_levels == 5 ? 48 : 39;

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
	}
	k->top_entry_phys = k->image.pgtable + 8 * ((k->text_virt >> idx_shift) & 511);
	if (mintmon_memory_read(k->mem, k->top_entry_phys, &v, 8, NULL))
		return mintmon_fail_at(k->err, -EFAULT, "discovery", k->top_entry_phys,
				       MINTMON_NO_ADDR, "cannot read the kernel's top-level entry");
	k->id.top_entry = v;
	return 0;
}

/* Stages 2-7 on an image found by the page-table search. */
static int discover(struct mintmon_kernel *k, const struct mintmon_kernel_options *opts)
{
	struct discovery d = {0};
	struct mintmon_translation t;
	u64 off, fault;
	int err, i;

	k->paging_levels = k->image.levels;
	k->text_virt = k->image.text_virt;
	k->text_phys = k->image.text_phys;
	k->phys_base = k->text_phys - (k->text_virt - k->arch->kernel_map_start);
	k->pgtable = k->image.pgtable;

	err = copy_rodata(k, &d);
	if (err)
		goto out;
	err = mintmon_kallsyms_create(d.rodata, d.rodata_size, d.rodata_vaddr, k->text_virt,
				      k->arch->kernel_map_start + k->arch->kernel_map_size,
				      k->err, &k->kallsyms);
	if (err)
		goto out;
	err = mintmon_kallsyms_lookup_many(k->kallsyms, sym_names, NR_SYMS, d.sym, d.have);
	if (err < 0)
		goto out;
	err = -ENOENT;
	if (!d.have[SYM_TEXT] || d.sym[SYM_TEXT] != k->text_virt) {
		mintmon_fail(k->err, err, "discovery",
			     "kallsyms _text (0x%llx) is not the mapped image start 0x%llx",
			     (unsigned long long)d.sym[SYM_TEXT], (unsigned long long)k->text_virt);
		goto out;
	}
	for (i = SYM_INIT_TOP_PGT; i <= SYM_INIT_UTS_NS; i++) {
		if (i == SYM_PAGE_OFFSET_BASE || i == SYM_VMEMMAP_BASE)
			continue;
		if (!d.have[i]) {
			err = missing_symbol(k, sym_names[i]);
			goto out;
		}
	}

	/* The kernel's own page table, to translate vmalloc and vmemmap addresses. */
	k->pgtable = d.sym[SYM_INIT_TOP_PGT] - k->arch->kernel_map_start + k->phys_base;
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
	if (d.have[SYM_PAGE_OFFSET_BASE] &&
	    (err = mintmon_kernel_read_u64(k, d.sym[SYM_PAGE_OFFSET_BASE], &k->page_offset_base)))
		goto out;
	if (d.have[SYM_VMEMMAP_BASE] &&
	    (err = mintmon_kernel_read_u64(k, d.sym[SYM_VMEMMAP_BASE], &k->vmemmap_base)))
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

	err = load_btf(k, &d, opts);
	if (err)
		goto out;
	err = mintmon_btf_offsetof(k->btf, "uts_namespace", "name.release", &off);
	if (err) {
		mintmon_fail(k->err, err, "btf", "BTF has no struct uts_namespace.name.release");
		goto out;
	}
	err = read_string(k, d.sym[SYM_INIT_UTS_NS] + off, k->release, sizeof(k->release));
	if (!err)
		err = read_string(k, d.sym[SYM_LINUX_BANNER], k->banner, sizeof(k->banner));
	if (err)
		goto out;
	for (i = 0; k->banner[i]; i++) {
		if (k->banner[i] == '\n')
			k->banner[i] = '\0';
	}
	k->init_task = d.have[SYM_INIT_TASK] ? d.sym[SYM_INIT_TASK] : 0;
	find_kaslr_offset(k, &d);
	check_vmcoreinfo(k, &d);
	err = learn_ram(k, &d);
	if (err)
		goto out;
	learn_time(k, &d);
	err = take_identity(k, &d);
out:
	mintmon_free(d.rodata);
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
	mintmon_memory_set_ram(mem, NULL, 0);
	memset(k, 0, sizeof(*k));
	k->mem = mem;
	k->err = e;
	k->pieces = pieces;
	k->piece_iov = piece_iov;
	k->arch = &mintmon_arch_x86_64;
}

int mintmon_kernel_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  struct mintmon_error *e, struct mintmon_kernel **kernel_ret)
{
	u64 tried[MAX_IMAGES], start, end, low_end;
	unsigned int nr_tried = 0, pass, i;
	struct mintmon_kernel *k;
	int err = -ENOENT;

	k = mintmon_calloc(1, sizeof(*k));
	if (!k)
		return mintmon_fail(e, -ENOMEM, "discovery", "out of memory");
	k->pieces = mintmon_calloc(BATCH_PIECES, sizeof(*k->pieces));
	k->piece_iov = mintmon_calloc(BATCH_PIECES, sizeof(*k->piece_iov));
	if (!k->pieces || !k->piece_iov) {
		err = mintmon_fail(e, -ENOMEM, "discovery", "out of memory");
		goto fail;
	}
	k->mem = mem;
	k->err = e;
	k->arch = &mintmon_arch_x86_64;
	/* A new kernel may use memory the last one did not call RAM. */
	mintmon_memory_set_ram(mem, NULL, 0);
	start = opts && (opts->search_start || opts->search_end) ? opts->search_start : 0;
	end = opts && opts->search_end ? opts->search_end : mintmon_memory_end(mem);
	/*
	 * First the first MiB, where the real-mode trampoline keeps a copy of
	 * the kernel's top-level table, then the rest in ascending order.
	 */
	low_end = start + MIB_1 < end ? start + MIB_1 : end;
	for (pass = 0; pass < 2 && nr_tried < MAX_IMAGES; pass++) {
		u64 pos = pass ? low_end : start, pass_end = pass ? end : low_end;

		while (pos < pass_end && nr_tried < MAX_IMAGES) {
			bool seen = false;

			if (k->arch->find_kernel(mem, pos, pass_end, &k->image))
				break;
			pos = k->image.pgtable + PAGE_SIZE_4K;
			for (i = 0; i < nr_tried; i++)
				seen |= tried[i] == k->image.text_phys;
			if (seen)
				continue;
			tried[nr_tried++] = k->image.text_phys;
			err = discover(k, opts);
			if (!err) {
				mintmon_error_clear(e);
				*kernel_ret = k;
				return 0;
			}
			kernel_reset(k);
			if (err == -ENOMEM)
				goto fail;
		}
	}
	if (!nr_tried)
		err = mintmon_fail(e, -ENOENT, "discovery",
				   "no x86-64 Linux kernel page table in physical memory 0x%llx-0x%llx",
				   (unsigned long long)start, (unsigned long long)end);
fail:
	mintmon_free(k->pieces);
	mintmon_free(k->piece_iov);
	mintmon_free(k);
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
		*val_ret = mintmon_le64(b);
	return err;
}

int mintmon_kernel_symbolize(struct mintmon_kernel *k, u64 addr, char *buf, size_t size)
{
	struct mintmon_symbol sym;
	u64 sym_size;
	int err = mintmon_kallsyms_by_addr(k->kallsyms, addr, &sym, &sym_size);

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
