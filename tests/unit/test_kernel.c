// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/kernel.c: the vmcoreinfo parser and kernel
 * discovery on memory that holds no kernel. Discovery on real kernels is
 * tested in tests/integration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_memory.h"
#include "mintmon/kernel.h"
#include "synth_kernel.h"

struct vmcoreinfo_case {
	const char *what;
	const char *text;
	int err;
	const char *osrelease;	/* NULL: absent */
	bool has_offset;
	u64 offset;
	bool has_phys_base;
	u64 phys_base;
};

static const struct vmcoreinfo_case cases[] = {
	{"typical note", "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nKERNELOFFSET=2be00000\n"
	 "NUMBER(phys_base)=-104857600\n", 0, "6.1.0-56-amd64", true, 0x2be00000, true,
	 (u64)-104857600},
	{"no trailing newline", "KERNELOFFSET=1c000000", 0, NULL, true, 0x1c000000, false, 0},
	{"unknown keys only", "SYMBOL(init_uts_ns)=ffffffff8f000000\n", 0, NULL, false, 0, false, 0},
	{"empty", "", 0, NULL, false, 0, false, 0},
	{"text stops at NUL", "OSRELEASE=a\0KERNELOFFSET=zz\n", 0, "a", false, 0, false, 0},
	{"bad hex", "KERNELOFFSET=12g4\n", -EINVAL, NULL, false, 0, false, 0},
	{"hex too long", "KERNELOFFSET=12345678901234567\n", -EINVAL, NULL, false, 0, false, 0},
	{"release too long", "OSRELEASE=0123456789012345678901234567890123456789012345678901234"
	 "567890123456789\n", -EINVAL, NULL, false, 0, false, 0},
	{"phys_base without value", "NUMBER(phys_base)=\n", -EINVAL, NULL, false, 0, false, 0},
};

static void test_vmcoreinfo_parse(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		const struct vmcoreinfo_case *c = &cases[i];
		struct mintmon_vmcoreinfo info;
		size_t len = strlen(c->text);

		if (!strcmp(c->what, "text stops at NUL"))
			len = sizeof("OSRELEASE=a\0KERNELOFFSET=zz\n") - 1;
		print_message("%s\n", c->what);
		assert_int_equal(mintmon_vmcoreinfo_parse(c->text, len, &info), c->err);
		if (c->err)
			continue;
		assert_int_equal(info.has_osrelease, c->osrelease != NULL);
		if (c->osrelease)
			assert_string_equal(info.osrelease, c->osrelease);
		assert_int_equal(info.has_kerneloffset, c->has_offset);
		assert_int_equal(info.kerneloffset, c->offset);
		assert_int_equal(info.has_phys_base, c->has_phys_base);
		assert_int_equal(info.phys_base, c->phys_base);
	}
}

/* Memory with no kernel: zeros, and a page table that maps 8 MiB of zeros. */
static void test_no_kernel(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	struct mintmon_kernel *k = NULL;
	unsigned int i;

	fake_memory_init(&f, &m, 32 << 20);
	assert_int_equal(mintmon_kernel_create(&m, NULL, NULL, &k), -ENOENT);
	assert_null(k);
	/* PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000: 8 MiB at 0x1000000, no kallsyms there. */
	fake_put64(&f, 0x1000 + 8 * 511, 0x2000 | 0x67);
	fake_put64(&f, 0x2000 + 8 * 510, 0x3000 | 0x67);
	for (i = 0; i < 4; i++)
		fake_put64(&f, 0x3000 + 8 * (8 + i), (0x1000000ull + i * 0x200000) | 0x81);
	assert_int_equal(mintmon_kernel_create(&m, NULL, NULL, &k), -ENOENT);
	assert_null(k);
	fake_memory_deinit(&f);
}

/* ---- discovery of a synthetic kernel (tests/unit/synth_kernel.c) ---- */

/* One attach: the builder's kernel, its memory source and what mintmon found. */
struct attached {
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k;
};

static int attach_synth(struct attached *a, const struct synth_params *p)
{
	memset(a, 0, sizeof(*a));
	a->sk = synth_new(p);
	assert_non_null(a->sk);
	synth_memory_init(&a->sm, &a->m, a->sk->mem, p->mem_size);
	mintmon_error_init(&a->e, 0);
	return mintmon_kernel_create(&a->m, NULL, &a->e, &a->k);
}

static void detach_synth(struct attached *a)
{
	mintmon_kernel_destroy(a->k);
	synth_free(a->sk);
}

struct discovery_case {
	const char *what;
	u64 text_phys;		/* physical load address */
	u64 kaslr_offset;
	u64 page_offset_base;
	unsigned int levels;
	bool gbpages;
	bool vmcoreinfo;
	const char *omit;	/* a BTF member the kernel lacks */
	u64 load_phys;		/* CONFIG_PHYSICAL_START (LOAD_PHYSICAL_ADDR) */
};

static const struct discovery_case discovery_cases[] = {
	{"KASLR, 4-level, 2 MiB direct map", 0x1200000, 0x2be00000, 0xffff8f3a00000000ull, 4,
	 false, true, NULL, 0x1000000},
	{"nokaslr: everything at its default", 0x1000000, 0, 0xffff888000000000ull, 4, false,
	 true, NULL, 0x1000000},
	{"5-level paging (LA57)", 0x1400000, 0x0c600000, 0xff3b800000000000ull, 5, false, true,
	 NULL, 0x1000000},
	{"1 GiB pages in the direct map", 0x1200000, 0x10000000, 0xffffa0c240000000ull, 4, true,
	 true, NULL, 0x1000000},
	{"KASLR at its top (image ends at 1 GiB)", 0x1200000, 0x3e800000, 0xffff8f3a00000000ull,
	 4, false, true, NULL, 0x1000000},
	{"no vmcoreinfo", 0x1200000, 0x2be00000, 0xffff8f3a00000000ull, 4, false, false, NULL,
	 0x1000000},
	{"BTF without boot_params.hdr.pref_address: 16 MiB assumed", 0x1200000, 0x2be00000,
	 0xffff8f3a00000000ull, 4, false, true, "setup_header.pref_address", 0x1000000},
	{"no CONFIG_STACKPROTECTOR: no canary in the identity", 0x1200000, 0x2be00000,
	 0xffff8f3a00000000ull, 4, false, true, "task_struct.stack_canary", 0x1000000},
	/* KASLR's offset is from __START_KERNEL, which boot_params.hdr.pref_address gives. */
	{"CONFIG_PHYSICAL_START=32 MiB", 0x1200000, 0x2be00000, 0xffff8f3a00000000ull, 4, false,
	 true, NULL, 0x2000000},
};

/*
 * The synthetic kernel is found, and every value discovery reports is the
 * one the builder put there. (test_no_kernel alone would pass with a
 * discovery that never succeeds.)
 */
static void test_synth_discovery(void **state)
{
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(discovery_cases); i++) {
		const struct discovery_case *c = &discovery_cases[i];
		struct synth_params p;
		struct attached a;
		struct mintmon_kernel *k;
		char buf[MINTMON_KSYM_NAME_LEN + 64];
		u64 v;

		print_message("%s\n", c->what);
		synth_default_params(&p);
		p.text_phys = c->text_phys;
		p.kaslr_offset = c->kaslr_offset;
		p.page_offset_base = c->page_offset_base;
		p.levels = c->levels;
		p.gbpages = c->gbpages;
		p.vmcoreinfo = c->vmcoreinfo;
		p.btf_omit[0] = c->omit;
		p.load_phys = c->load_phys;
		assert_int_equal(attach_synth(&a, &p), 0);
		k = a.k;
		assert_false(mintmon_error_is_set(&a.e));
		/* Stage 1: the trampoline's table in the first MiB, then the image. */
		assert_int_equal(k->paging_levels, c->levels);
		assert_int_equal(k->image.pgtable, a.sk->trampoline);
		assert_int_equal(k->text_virt, a.sk->text_virt);
		assert_int_equal(k->text_virt, SYNTH_KERNEL_MAP + p.load_phys + c->kaslr_offset);
		assert_int_equal(k->text_phys, c->text_phys);
		assert_int_equal(k->image.mapped_size, SYNTH_IMAGE_SIZE);
		assert_int_equal(k->phys_base, a.sk->phys_base);
		/* Stages 2-4: symbols, variables, BTF. */
		assert_int_equal(k->kaslr_offset, c->kaslr_offset);
		assert_int_equal(k->pgtable, a.sk->init_top_pgt);
		assert_int_equal(k->page_offset_base, c->page_offset_base);
		assert_int_equal(k->vmemmap_base, p.vmemmap_base);
		assert_int_equal(k->init_task, a.sk->init_task);
		assert_string_equal(k->release, SYNTH_RELEASE);
		assert_string_equal(k->banner, a.sk->banner);
		assert_false(k->btf_external);
		assert_true(mintmon_kallsyms_count(k->kallsyms) > 256);	/* two markers */
		assert_int_equal(mintmon_kallsyms_lookup(k->kallsyms, "init_task", &v), 0);
		assert_int_equal(v, a.sk->init_task);
		/* __schedule follows schedule at +0x200. */
		v = a.sk->schedule + 0x10;
		assert_int_equal(mintmon_kernel_symbolize(k, v, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "schedule+0x10/0x200");
		/* Stage 5: vmcoreinfo agrees. */
		assert_int_equal(k->vmcoreinfo.present, c->vmcoreinfo);
		if (c->vmcoreinfo) {
			assert_true(k->vmcoreinfo.kaslr_matches);
			assert_true(k->vmcoreinfo.release_matches);
		}
		/* Stage 6: RAM from the e820 table, merged (E820_TYPE_RESERVED_KERN is RAM). */
		assert_true(k->ram_known);
		assert_int_equal(a.m.nr_ram, a.sk->nr_ram);
		for (j = 0; j < a.sk->nr_ram; j++) {
			assert_int_equal(a.m.ram[j].start, a.sk->ram[j].start);
			assert_int_equal(a.m.ram[j].size, a.sk->ram[j].size);
		}
		/* Stage 7: the boot identity. */
		assert_int_equal(k->id.text_phys, c->text_phys);
		assert_int_equal(k->id.kaslr_offset, c->kaslr_offset);
		assert_int_equal(k->id.page_offset_base, c->page_offset_base);
		assert_int_equal(k->id.canary, c->omit && strstr(c->omit, "canary") ? 0 : p.canary);
		assert_int_equal(k->id.top_entry, a.sk->top_entry);
		assert_int_equal(mintmon_kernel_check(k, &v), 0);
		assert_int_equal(v, p.jiffies);
		/* Time and memory totals for ps. */
		assert_int_equal(mintmon_kernel_uptime_ns(k, &v), 0);
		assert_int_equal(v, a.sk->uptime_ns);
		assert_int_equal(mintmon_kernel_totalram_pages(k, &v), 0);
		assert_int_equal(v, a.sk->totalram_pages);
		detach_synth(&a);
	}
}

/*
 * Two boots in one memory, the old image first in address order. A kernel
 * that kexec'd another put its trampoline elsewhere in the first MiB (Mint
 * nodes: seen after the second kexec of a node): the old copy stays, and so
 * does the old image. Or no trampoline names either (the first MiB wiped,
 * or out of sight: a Mint peer on the emulated machine, where `mintmon -t
 * node:1 ps` once walked the old kernel), and the ascending pass meets the
 * old image first. Either way discovery must attach the one that booted
 * last (offs_real: the wall clock of its boot), wherever it lies.
 */
static void test_synth_two_boots(void **state)
{
	static const struct {
		const char *what;
		bool trampolines;	/* both copies in the first MiB, else none */
		u64 real_old, real_new;	/* offs_real of the old and the new kernel */
		bool want_new;
	} tcases[] = {
		{"two trampolines, the new kernel booted last", true, 1764460800000000000ull,
		 1764460860000000000ull, true},
		/* Not a real machine; shows the clock decides, not the copies' order. */
		{"two trampolines, the old kernel's clock later", true, 1764460860000000000ull,
		 1764460800000000000ull, false},
		{"no trampoline, the new kernel booted last", false, 1764460800000000000ull,
		 1764460860000000000ull, true},
		{"no trampoline, the old kernel's clock later", false, 1764460860000000000ull,
		 1764460800000000000ull, false},
	};
	const u64 old_copy = 0x90000;	/* below the new kernel's (0x98000): found first */
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(tcases); i++) {
		struct synth_params po, pn;
		struct synth_kernel *sk;
		struct synth_memory sm;
		struct mintmon_memory m;
		struct mintmon_error e;
		struct mintmon_kernel *k = NULL;
		u8 page[4096];

		print_message("%s\n", tcases[i].what);
		sk = synth_two_boots(&po, &pn, tcases[i].real_old, tcases[i].real_new);
		assert_non_null(sk);
		memcpy(page, sk->mem + sk->trampoline, sizeof(page));
		assert_int_equal(synth_build(sk, &pn), 0);
		if (tcases[i].trampolines)
			memcpy(sk->mem + old_copy, page, sizeof(page));
		else
			memset(sk->mem + sk->trampoline, 0, 4096);
		synth_memory_init(&sm, &m, sk->mem, pn.mem_size);
		mintmon_error_init(&e, 0);
		assert_int_equal(mintmon_kernel_create(&m, NULL, &e, &k), 0);
		assert_false(mintmon_error_is_set(&e));
		assert_int_equal(k->text_phys, tcases[i].want_new ? pn.text_phys : po.text_phys);
		assert_int_equal(k->id.canary, tcases[i].want_new ? pn.canary : po.canary);
		if (tcases[i].trampolines)
			assert_int_equal(k->image.pgtable,
					 tcases[i].want_new ? sk->trampoline : old_copy);
		assert_int_equal(k->found_first, tcases[i].trampolines);
		assert_int_equal(k->images_tried, 2);
		assert_int_equal(k->images_failed, 0);
		/* The winner's RAM is the memory source's, not the loser's reset. */
		assert_true(m.nr_ram > 0);
		mintmon_kernel_destroy(k);
		synth_free(sk);
	}
}

/*
 * A stale table in the first MiB reaches the running kernel's place through
 * tables that no longer describe it (here: its PMDs shifted by one, so
 * _text seems 2 MiB off), and that discovery fails. The ascending pass must
 * try the same image again through its own init_top_pgt (seen after a Mint
 * peer's kexec), and a search that fails reports the first failure.
 */
static void test_synth_stale_trampoline(void **state)
{
	struct synth_params p;
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k = NULL;

	synth_default_params(&p);
	sk = synth_new(&p);
	assert_non_null(sk);
	/* Only the stale copy in the first MiB: the real trampoline is gone. */
	synth_stale_trampoline(sk, 0x90000);
	memset(sk->mem + sk->trampoline, 0, 4096);
	synth_memory_init(&sm, &m, sk->mem, p.mem_size);
	mintmon_error_init(&e, 0);
	assert_int_equal(mintmon_kernel_create(&m, NULL, &e, &k), 0);
	assert_int_equal(k->text_phys, p.text_phys);
	assert_int_equal(k->text_virt, sk->text_virt);
	assert_true(k->image.pgtable >= 0x100000);
	assert_int_equal(k->images_failed, 1);
	assert_int_equal(k->images_tried, 1);	/* the same image, twice */
	assert_false(k->found_first);
	mintmon_kernel_destroy(k);
	synth_free(sk);
}

/* Without CONFIG_KALLSYMS_ALL kallsyms lists text symbols only: the error must say so. */
static void test_synth_no_kallsyms_all(void **state)
{
	struct synth_params p;
	struct attached a;

	synth_default_params(&p);
	p.kallsyms_all = false;
	assert_int_equal(attach_synth(&a, &p), -ENOENT);
	assert_null(a.k);
	assert_true(mintmon_error_is_set(&a.e));
	assert_string_equal(a.e.step, "kallsyms");
	assert_non_null(strstr(a.e.msg, "CONFIG_KALLSYMS_ALL"));
	assert_int_equal(a.m.nr_ram, 0);	/* nothing learnt from a kernel not attached */
	detach_synth(&a);
}

struct ram_case {
	const char *what;
	u64 phys;		/* read through the direct map at page_offset_base + phys */
	u32 len;
	int err;
	u64 fault;		/* the first physical address not read */
};

/*
 * After attach every read must lie in the RAM the target's e820 table
 * lists: holes are refused before the source sees them (over PCIe such a
 * read may have side effects), and the error names the physical address.
 */
static void test_synth_ram_checks(void **state)
{
	struct synth_params p;
	struct attached a;
	unsigned int i;

	synth_default_params(&p);
	{
		const u64 hole = p.hole_phys, hole_end = p.hole_phys + p.hole_size;
		const struct ram_case ram_cases[] = {
			{"inside RAM, below the hole", hole - 0x1000, 8, 0, 0},
			{"inside RAM, above the hole", hole_end + 0x1000, 64, 0, 0},
			{"low RAM (below 640 KiB)", 0x1000, 8, 0, 0},
			{"inside the hole (ACPI NVS)", hole + 0x100, 8, -EFAULT, hole + 0x100},
			{"inside the hole (reserved half)", hole_end - 8, 8, -EFAULT, hole_end - 8},
			{"from RAM into the hole", hole - 4, 8, -EFAULT, hole},
			{"the legacy VGA window (reserved)", 0xa0000, 8, -EFAULT, 0xa0000},
			{"past the last RAM", p.mem_size, 8, -EFAULT, p.mem_size},
		};

		assert_int_equal(attach_synth(&a, &p), 0);
		a.sm.watch_start = hole;
		a.sm.watch_len = p.hole_size;
		for (i = 0; i < MINTMON_ARRAY_SIZE(ram_cases); i++) {
			const struct ram_case *c = &ram_cases[i];
			u64 vaddr = p.page_offset_base + c->phys, fault = 0;
			u8 buf[64];
			int err;

			print_message("%s\n", c->what);
			mintmon_error_clear(&a.e);
			err = mintmon_kernel_read(a.k, 0, vaddr, buf, c->len, &fault);
			assert_int_equal(err, c->err);
			if (!err) {
				assert_memory_equal(buf, a.sk->mem + c->phys, c->len);
				assert_false(mintmon_error_is_set(&a.e));
				continue;
			}
			assert_int_equal(fault, p.page_offset_base + c->fault);
			assert_int_equal(a.e.code, -EFAULT);
			assert_int_equal(a.e.phys, c->fault);
			assert_int_equal(a.e.vaddr, p.page_offset_base + c->fault);
			assert_non_null(strstr(a.e.msg, "not RAM"));
		}
		/* None of it reached the source. */
		assert_int_equal(a.sm.watch_hits, 0);
		detach_synth(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcoreinfo_parse),
		cmocka_unit_test(test_no_kernel),
		cmocka_unit_test(test_synth_discovery),
		cmocka_unit_test(test_synth_two_boots),
		cmocka_unit_test(test_synth_stale_trampoline),
		cmocka_unit_test(test_synth_no_kallsyms_all),
		cmocka_unit_test(test_synth_ram_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
