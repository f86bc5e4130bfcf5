// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for text integrity (monitor/core/text.c and
 * text_x86_64.c): the run-time patch site decoders, the page reads with
 * their mapping checks, and the comparison, on the synthetic kernel of
 * tests/unit/synth_kernel.c with the input's patches laid over its text
 * metadata.
 *
 * The kernel is built and attached once; each input is a patch list (see
 * synth_patches_decode()) whose regions are aimed at the text metadata
 * instead of discovery's: 0 the jump table, 1 the static call sites,
 * 2 the static keys, ftrace roots and kprobe_table, 3 the ftrace records,
 * ftrace_page and kprobes on the heap, 4 the functions holding the sites,
 * 5 the kernel's page tables, 6 .data, 7 anywhere.
 *
 * Besides "no crash, no hang, no leak": unpatched, every site is decoded
 * and consistent with its bytes, and nothing differs from the image.
 *
 * Seeds: MINTMON_SEED_DIR=tests/fuzz/seeds/fuzz_text build/fuzz/fuzz_text -runs=0
 */
#include <stdio.h>
#include <stdlib.h>

#include "mintmon/text.h"
#include "../unit/synth_kernel.h"

#define MAX_PATCHES 64

static struct synth_kernel *sk;
static struct synth_memory sm;
static struct mintmon_memory mem;
static struct mintmon_error err;
static struct mintmon_kernel *k;
static struct mintmon_phys_range text_regions[SYNTH_NR_REGIONS];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u32 off_in(unsigned int r, u64 phys)
{
	return (u32)(phys - text_regions[r].start);
}

static void write_seeds(const char *dir)
{
	const struct synth_text *tx = &sk->text;
	u8 buf[256], target[5];
	size_t n;
	u32 off;

#define SEED(name, ...)                                                        \
	do {                                                                  \
		n = 0;                                                        \
		__VA_ARGS__;                                                  \
		synth_write_seed(dir, name, buf, n);                                \
	} while (0)
#define OP(kind, region, o, data, len) \
	synth_op_encode(buf, sizeof(buf), &n, kind, (enum synth_region)(region), o, data, len)

	SEED("empty", (void)0);
	SEED("jump-code", OP(SYNTH_OP_RAW, 0, 0, "\xff\xff\xff\x7f", 4));
	SEED("jump-key", OP(SYNTH_OP_SMALL, 0, 8, &(u8){3}, 0));
	SEED("static-call-key", OP(SYNTH_OP_RAW, 1, 4, "\x00\x00\x00\x80", 4));
	/* ftrace_page.next to itself; records into the hole; an index out of bounds. */
	off = off_in(3, tx->ft_page_phys);
	target[0] = 3;
	memcpy(target + 1, &off, 4);
	SEED("ftrace-loop", OP(SYNTH_OP_PTR, 3, off, target, 0));
	off = (u32)sk->p.hole_phys;
	target[0] = 7;
	memcpy(target + 1, &off, 4);
	SEED("ftrace-records-hole", OP(SYNTH_OP_PTR, 3, off_in(3, tx->ft_page_phys) + 8, target, 0));
	SEED("ftrace-index", OP(SYNTH_OP_RAW, 3, off_in(3, tx->ft_page_phys) + 16,
				"\xff\xff\xff\x7f", 4));
	/* A kprobe chain looping back to its first probe (the second's next). */
	off = off_in(3, tx->kp_phys);
	target[0] = 3;
	memcpy(target + 1, &off, 4);
	SEED("kprobe-loop", OP(SYNTH_OP_PTR, 3,
			       off_in(3, synth_get64(sk, tx->kp_phys) - sk->p.page_offset_base),
			       target, 0));
	/* Bytes of sites changed: a jmp8, an int3. */
	SEED("sites", OP(SYNTH_OP_RAW, 4, 0x110, "\xeb\x7f\xcc", 3));
	/* Text mapped writable; rodata executable. */
	SEED("mapping", OP(SYNTH_OP_SMALL, 5, 0x3000 + 8 * (u32)((sk->text_virt >> 21) & 511),
			   &(u8){0xe3}, 0));
#undef OP
#undef SEED
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct synth_params p;
	const char *dir = getenv("MINTMON_SEED_DIR");
	const struct synth_text *tx;

	synth_fuzz_params(&p);
	sk = synth_new(&p);
	if (!sk)
		abort();
	tx = &sk->text;
	text_regions[0] = (struct mintmon_phys_range){tx->jump_table_phys, 5 * 16};
	text_regions[1] = (struct mintmon_phys_range){tx->sc_table_phys, 4 * 8};
	text_regions[2] = tx->vars;
	text_regions[3] = tx->heap;
	text_regions[4] = tx->sites;
	text_regions[5] = sk->regions[SYNTH_R_PGTABLES];
	text_regions[6] = sk->regions[SYNTH_R_VARS];
	text_regions[7] = sk->regions[SYNTH_R_ALL];
	synth_memory_init(&sm, &mem, sk->mem, sk->p.mem_size);
	mintmon_error_init(&err, 0);
	if (mintmon_kernel_create(&mem, NULL, &err, &k))
		abort();
	if (dir)
		write_seeds(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 cur[MINTMON_TEXT_PAGE * 16];
	struct synth_patch patches[MAX_PATCHES];
	struct mintmon_phys_range saved[SYNTH_NR_REGIONS];
	struct mintmon_text_change ch[MINTMON_TEXT_MAX_CHANGES];
	struct mintmon_text_sites *s;
	struct mintmon_text *t;
	u8 map[16], hash[16][MINTMON_SHA256_LEN];
	unsigned int n;
	u64 pages, i;
	u32 j;

	/* The patches' regions are the text metadata's (see above). */
	memcpy(saved, sk->regions, sizeof(saved));
	memcpy(sk->regions, text_regions, sizeof(saved));
	n = synth_patches_decode(sk, data, size, patches, MAX_PATCHES);
	memcpy(sk->regions, saved, sizeof(saved));
	sm.patches = patches;
	sm.nr_patches = n;
	if (mintmon_text_create(k, &t))
		__builtin_trap();	/* regions come from kallsyms, which is not patched */
	if (mintmon_text_sites_create(t, &s)) {
		mintmon_text_destroy(t);
		return 0;
	}
	for (j = 0; !n && j < s->nr; j++) {
		u16 form;
		u32 len;

		if (!mintmon_text_site_match(&s->site[j], sk->mem + synth_pa(sk, s->site[j].addr), 8,
					     &form, &len))
			__builtin_trap();	/* as built, every site holds what its state says */
	}
	pages = mintmon_text_nr_pages(t);
	/* The text's pages (16 at a time), compared with the image as built. */
	for (i = 0; i < pages && i < 256; i += 16) {
		u32 m = pages - i < 16 ? (u32)(pages - i) : 16, nr;

		if (mintmon_text_read_pages(t, i, m, cur, map))
			continue;
		mintmon_text_hash_pages(t, i, m, cur, hash);
		for (j = 0; j < m; j++) {
			u64 va;
			u32 len;

			mintmon_text_page(t, i + j, &va, &len, NULL);
			if (mintmon_text_compare(s, va, sk->mem + synth_pa(sk, va),
						 cur + (u64)j * MINTMON_TEXT_PAGE, len, ch,
						 MINTMON_TEXT_MAX_CHANGES, &nr) && !n)
				__builtin_trap();
			if (!n && (nr || map[j]))
				__builtin_trap();
		}
	}
	mintmon_text_sites_destroy(s);
	mintmon_text_destroy(t);
	return 0;
}
