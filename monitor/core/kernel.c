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
};

struct discovery {
	u64 sym[NR_SYMS];
	bool have[NR_SYMS];
	const u8 *rodata;
	u8 *rodata_copy;	/* rodata when the source could not lend it */
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
		if (pgd_vaddr)
			err = mintmon_kernel_vtop_pgd(k, pgd_vaddr, vaddr, &t, &fault);
		else
			err = mintmon_kernel_vtop(k, vaddr, &t, &fault);
		if (!err)
			err = mintmon_memory_read(k->mem, t.phys, out, chunk, &fault);
		if (err) {
			if (fault_ret)
				*fault_ret = vaddr;
			return err;
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
	d->rodata = mintmon_memory_map(k->mem, k->text_phys + (start - k->text_virt),
				       d->rodata_size);
	if (d->rodata)
		return 0;
	d->rodata = d->rodata_copy = mintmon_malloc(d->rodata_size);
	if (!d->rodata_copy)
		return -ENOMEM;
	err = mintmon_memory_read(k->mem, k->text_phys + (start - k->text_virt), d->rodata_copy,
				  d->rodata_size, &fault);
	if (err)
		mintmon_warn("cannot read kernel read-only data at physical %#llx",
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
		return mintmon_btf_create(opts->btf_data, opts->btf_size, &k->btf);
	}
	if (!d->have[SYM_START_BTF] || !d->have[SYM_STOP_BTF]) {
		mintmon_warn("kernel has no .BTF section (no __start_BTF symbol); use --btf");
		return -ENOENT;
	}
	start = d->sym[SYM_START_BTF];
	if (d->sym[SYM_STOP_BTF] < start || d->sym[SYM_STOP_BTF] - start > MAX_BTF) {
		mintmon_warn("kernel .BTF section bounds are invalid");
		return -EINVAL;
	}
	size = d->sym[SYM_STOP_BTF] - start;
	if (start >= d->rodata_vaddr && mintmon_in_bounds(d->rodata_size, start - d->rodata_vaddr, size))
		return mintmon_btf_create(d->rodata + (start - d->rodata_vaddr), size, &k->btf);
	copy = mintmon_malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	err = mintmon_kernel_read(k, 0, start, copy, size, NULL);
	if (!err)
		err = mintmon_btf_create(copy, size, &k->btf);
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

/* Stages 2-5 on an image found by the page-table search. */
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
				      &k->kallsyms);
	if (err)
		goto out;
	err = mintmon_kallsyms_lookup_many(k->kallsyms, sym_names, NR_SYMS, d.sym, d.have);
	if (err < 0)
		goto out;
	err = -ENOENT;
	if (!d.have[SYM_TEXT] || d.sym[SYM_TEXT] != k->text_virt) {
		mintmon_warn("kallsyms _text (%#llx) is not the mapped image start %#llx",
			     (unsigned long long)d.sym[SYM_TEXT], (unsigned long long)k->text_virt);
		goto out;
	}
	for (i = SYM_INIT_TOP_PGT; i <= SYM_INIT_UTS_NS; i++) {
		if (i == SYM_PAGE_OFFSET_BASE || i == SYM_VMEMMAP_BASE)
			continue;
		if (!d.have[i]) {
			mintmon_warn("kernel symbol %s not found in kallsyms", sym_names[i]);
			goto out;
		}
	}

	/* The kernel's own page table, to translate vmalloc and vmemmap addresses. */
	k->pgtable = d.sym[SYM_INIT_TOP_PGT] - k->arch->kernel_map_start + k->phys_base;
	if (k->arch->translate(k->mem, k->paging_levels, k->pgtable, k->text_virt, &t, &fault) ||
	    t.phys != k->text_phys) {
		mintmon_warn("init_top_pgt at physical %#llx does not map the kernel image",
			     (unsigned long long)k->pgtable);
		goto out;
	}

	/* CONFIG_RANDOMIZE_MEMORY keeps the randomized bases in these variables. */
	k->page_offset_base = k->paging_levels == 5 ? X86_DIRECT_MAP_5L : X86_DIRECT_MAP_4L;
	k->vmemmap_base = k->paging_levels == 5 ? X86_VMEMMAP_5L : X86_VMEMMAP_4L;
	if (d.have[SYM_PAGE_OFFSET_BASE] &&
	    mintmon_kernel_read_u64(k, d.sym[SYM_PAGE_OFFSET_BASE], &k->page_offset_base))
		goto out;
	if (d.have[SYM_VMEMMAP_BASE] &&
	    mintmon_kernel_read_u64(k, d.sym[SYM_VMEMMAP_BASE], &k->vmemmap_base))
		goto out;
	/* Check: the direct map must map the image's first page to the same frame. */
	if (k->arch->translate(k->mem, k->paging_levels, k->pgtable,
			       k->page_offset_base + k->text_phys, &t, &fault) ||
	    t.phys != k->text_phys) {
		mintmon_warn("page_offset_base %#llx does not map the kernel image",
			     (unsigned long long)k->page_offset_base);
		goto out;
	}

	err = load_btf(k, &d, opts);
	if (err)
		goto out;
	err = mintmon_btf_offsetof(k->btf, "uts_namespace", "name.release", &off);
	if (err) {
		mintmon_warn("BTF has no struct uts_namespace.name.release");
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
	err = 0;
out:
	mintmon_free(d.rodata_copy);
	return err;
}

static void kernel_reset(struct mintmon_kernel *k)
{
	mintmon_kallsyms_destroy(k->kallsyms);
	mintmon_btf_destroy(k->btf);
	k->kallsyms = NULL;
	k->btf = NULL;
}

int mintmon_kernel_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  struct mintmon_kernel **kernel_ret)
{
	u64 tried[MAX_IMAGES], start, end, low_end;
	unsigned int nr_tried = 0, pass, i;
	struct mintmon_kernel *k;
	int err = -ENOENT;

	k = mintmon_calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->mem = mem;
	k->arch = &mintmon_arch_x86_64;
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
				*kernel_ret = k;
				return 0;
			}
			kernel_reset(k);
			if (err == -ENOMEM)
				goto fail;
		}
	}
	if (!nr_tried)
		mintmon_warn("no x86-64 Linux kernel page table in physical memory %#llx-%#llx",
			     (unsigned long long)start, (unsigned long long)end);
fail:
	mintmon_free(k);
	return err;
}

void mintmon_kernel_destroy(struct mintmon_kernel *k)
{
	if (!k)
		return;
	kernel_reset(k);
	mintmon_free(k);
}
