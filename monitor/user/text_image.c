// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon text verify --image PATH: the kernel's text and rodata against the
 * image it booted (image.h), relocated by the discovered KASLR offset
 * (docs/text.md). A changed byte is explained
 *   - by a run-time patch site, as for a baseline (text.c), or
 *   - by boot-time patching, read from the image's own tables, when the
 *     bytes are one of the legitimate variants at that site:
 *       .altinstructions    the original or the replacement (its rel32
 *                           displacements moved with it, a jmp32 possibly
 *                           shrunk to a jmp8), padded with NOPs
 *       .retpoline_sites    the thunk call, or an indirect call/jmp through the
 *                           thunk's register (after an lfence), NOP-padded, or a
 *                           call/jmp to another thunk of that register
 *       .return_sites       "ret; int3...", or a jmp to a return thunk
 *       .call_sites         a call into the padding before its target
 *                           (call depth tracking)
 *       .smp_locks          a lock prefix turned into a DS prefix (one CPU)
 *       .ibt_endbr_seal     endbr64 poisoned into "nopl -42(%rax)"
 *       .parainstructions   a direct call to the current pv_ops entry, a NOP
 *                           or "xor %eax,%eax", NOP-padded (up to v6.7)
 *       runtime_ptr_NAME,   the immediate of a movabs or a shift, set to the
 *       runtime_shift_NAME  variable NAME's value (v6.11+, runtime_const_init())
 * The __ro_after_init data is written during boot and not compared.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image.h"
#include "text_image.h"

enum boot_kind { B_ALT, B_RETPOLINE, B_RETURN, B_CALL, B_LOCK, B_ENDBR, B_PARAVIRT, B_CONST,
		 NR_BOOT };

static const char *const boot_names[NR_BOOT] = {
	"alternatives", "retpolines", "returns", "call thunks", "smp locks", "endbr seals",
	"paravirt", "runtime constants",
};

struct boot_site {
	u64 addr;		/* runtime */
	u64 other;		/* alternative: its replacement (runtime); paravirt: its type */
	u32 len, other_len;
	u8 kind;
};

struct sites_vec {
	struct boot_site *v;
	size_t nr, cap;
};

static struct boot_site *bs_new(struct cli *c, struct sites_vec *sv)
{
	if (sv->nr == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 65536;
		struct boot_site *nv = realloc(sv->v, cap * sizeof(*nv));

		if (!nv)
			cli_die(c, -ENOMEM, "text verify --image");
		sv->v = nv;
		sv->cap = cap;
	}
	memset(&sv->v[sv->nr], 0, sizeof(sv->v[0]));
	return &sv->v[sv->nr++];
}

static int bs_cmp(const void *a, const void *b)
{
	const struct boot_site *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A table of s32 self-relative addresses (.retpoline_sites and the like). */
static void rel_table(struct cli *c, const struct mintmon_image *img, u64 delta, const char *sec,
		      enum boot_kind kind, u32 len, struct sites_vec *sv)
{
	u64 addr, size, i;
	const u8 *p;

	if (mintmon_image_section(img, sec, &addr, &size) || size % 4 ||
	    !(p = mintmon_image_at(img, addr, size)))
		return;
	for (i = 0; i < size; i += 4) {
		struct boot_site *b = bs_new(c, sv);

		b->addr = addr + i + (u64)(s64)(s32)mintmon_le32(p + i) + delta;
		b->len = len;
		b->kind = (u8)kind;
	}
}

static void alternatives(struct cli *c, const struct mintmon_image *img, u64 delta,
			 const struct mintmon_btf *btf, struct sites_vec *sv)
{
	struct mintmon_field io, ro, il, rl;
	u64 addr, size, esize = 0, i;
	const u8 *p;
	u32 id;

	if (mintmon_btf_find(btf, "alt_instr", MINTMON_BTF_KIND_STRUCT, &id) ||
	    mintmon_btf_type_size(btf, id, &esize) || esize < 10 || esize > 32 ||
	    mintmon_field_init(btf, "alt_instr", "instr_offset", true, &io) ||
	    mintmon_field_init(btf, "alt_instr", "repl_offset", true, &ro) ||
	    mintmon_field_init(btf, "alt_instr", "instrlen", true, &il) ||
	    mintmon_field_init(btf, "alt_instr", "replacementlen", true, &rl) ||
	    mintmon_image_section(img, ".altinstructions", &addr, &size) || size % esize ||
	    !(p = mintmon_image_at(img, addr, size)))
		return;
	for (i = 0; i < size; i += esize) {
		const u8 *e = p + i;
		struct boot_site *b = bs_new(c, sv);

		b->addr = addr + i + io.off + (u64)mintmon_field_get_signed(&io, e, 0, esize) + delta;
		b->other = addr + i + ro.off + (u64)mintmon_field_get_signed(&ro, e, 0, esize) + delta;
		b->len = (u32)mintmon_field_get(&il, e, 0, esize);
		b->other_len = (u32)mintmon_field_get(&rl, e, 0, esize);
		b->kind = B_ALT;
	}
}

static void paravirt(struct cli *c, const struct mintmon_image *img, const struct mintmon_btf *btf,
		     struct sites_vec *sv)
{
	struct mintmon_field in, ty, ln;
	u64 addr, size, esize = 0, i;
	const u8 *p;
	u32 id;

	if (mintmon_btf_find(btf, "paravirt_patch_site", MINTMON_BTF_KIND_STRUCT, &id) ||
	    mintmon_btf_type_size(btf, id, &esize) || esize < 10 || esize > 32 ||
	    mintmon_field_init(btf, "paravirt_patch_site", "instr", true, &in) ||
	    mintmon_field_init(btf, "paravirt_patch_site", "type", true, &ty) ||
	    mintmon_field_init(btf, "paravirt_patch_site", "len", true, &ln) ||
	    mintmon_image_section(img, ".parainstructions", &addr, &size) || size % esize ||
	    !(p = mintmon_image_at(img, addr, size)))
		return;
	for (i = 0; i < size; i += esize) {
		struct boot_site *b = bs_new(c, sv);

		/* instr is absolute: the 64-bit relocations made it a runtime address. */
		b->addr = mintmon_field_get(&in, p + i, 0, esize);
		b->other = mintmon_field_get(&ty, p + i, 0, esize);
		b->len = (u32)mintmon_field_get(&ln, p + i, 0, esize);
		b->kind = B_PARAVIRT;
	}
}

/*
 * Runtime constants (arch/x86/include/asm/runtime-const.h, v6.11+): tables
 * runtime_ptr_NAME (s32 to an 8-byte immediate) and runtime_shift_NAME (to
 * a 1-byte one), set at boot to the variable NAME's value.
 */
static void runtime_consts(struct cli *c, const struct mintmon_image *img, u64 delta,
			   struct mintmon_kernel *k, struct sites_vec *sv)
{
	unsigned int i;
	const char *name;
	u64 addr, size;

	for (i = 0; !mintmon_image_section_at(img, i, &name, &addr, &size); i++) {
		bool ptr = !strncmp(name, "runtime_ptr_", 12);
		u64 var, val = 0, j;
		const u8 *p;

		if ((!ptr && strncmp(name, "runtime_shift_", 14)) || size % 4 || size > 65536 ||
		    !(p = mintmon_image_at(img, addr, size)) ||
		    mintmon_kallsyms_lookup(k->kallsyms, name + (ptr ? 12 : 14), &var) ||
		    mintmon_kernel_read(k, 0, var, &val, ptr ? 8 : 4, NULL))
			continue;
		for (j = 0; j < size; j += 4) {
			struct boot_site *b = bs_new(c, sv);

			b->addr = addr + j + (u64)(s64)(s32)mintmon_le32(p + j) + delta;
			b->len = ptr ? 8 : 1;
			b->other = ptr ? val : (val & 0xff);
			b->kind = B_CONST;
		}
	}
}

/* Bytes b[0, n) are NOP padding as the kernel writes it (x86_nops[], int3, a jmp8 over int3s). */
static bool nops(const u8 *b, u32 n)
{
	static const u8 *const nop[] = {
		(const u8 *)"\x90", (const u8 *)"\x66\x90", (const u8 *)"\x0f\x1f\x00",
		(const u8 *)"\x0f\x1f\x40\x00", (const u8 *)"\x0f\x1f\x44\x00\x00",
		(const u8 *)"\x66\x0f\x1f\x44\x00\x00", (const u8 *)"\x0f\x1f\x80\x00\x00\x00\x00",
		(const u8 *)"\x0f\x1f\x84\x00\x00\x00\x00\x00",
		(const u8 *)"\x66\x0f\x1f\x84\x00\x00\x00\x00\x00",
	};
	static const u8 nop_len[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	u32 i = 0;

	while (i < n) {
		unsigned int j;
		bool hit = false;

		if (b[i] == 0xcc) {
			i++;
			continue;
		}
		if (b[i] == 0xeb && i + 2 <= n && i + 2 + b[i + 1] == n) {
			return true;	/* a jmp8 to the end: what it skips is never run */
		}
		/* Prefixes (0x66, 0x2e) before a nopl: v6.x's longer NOPs. */
		while (i + 1 < n && (b[i] == 0x66 || b[i] == 0x2e) &&
		       (b[i + 1] == 0x66 || b[i + 1] == 0x2e || b[i + 1] == 0x0f))
			i++;
		for (j = 0; j < MINTMON_ARRAY_SIZE(nop); j++) {
			if (i + nop_len[j] <= n && !memcmp(b + i, nop[j], nop_len[j])) {
				i += nop_len[j];
				hit = true;
				break;
			}
		}
		if (!hit)
			return false;
	}
	return true;
}

/*
 * mem[0, n) equals code c[0, cl) placed shift bytes away from where it was
 * assembled (rel32 displacements moved by -shift), then NOP padding.
 */
static bool sym_named(struct mintmon_kernel *k, u64 addr, const char *part, char *name,
		      size_t size);
static u64 rel_target(const u8 *b, u64 at, u32 len);

static bool moved_code(struct mintmon_kernel *k, const u8 *mem, u32 n, const u8 *c, u32 cl,
		       s64 shift, u64 c_addr)
{
	u32 i = 0;

	if (cl > n)
		return false;
	while (i < cl) {
		s32 d;

		if (mem[i] == c[i]) {
			i++;
			continue;
		}
		/* A return inside the replacement: its jmp to the return thunk patched to "ret; int3". */
		if (c[i] == 0xe9 && i + 5 <= cl && !memcmp(mem + i, "\xc3\xcc\xcc\xcc\xcc", 5) &&
		    sym_named(k, rel_target(c + i, c_addr + i, 5), "return_thunk", NULL, 0)) {
			i += 5;
			continue;
		}
		/* A 4-byte displacement covering i, corrected by the move. */
		for (d = (s32)i - 3; d <= (s32)i; d++) {
			if (d < 0 || (u32)d + 4 > cl)
				continue;
			if ((s32)mintmon_le32(mem + d) == (s32)((s64)(s32)mintmon_le32(c + d) + shift))
				break;
		}
		if (d > (s32)i)
			return false;
		i = (u32)d + 4;
	}
	return nops(mem + cl, n - cl);
}

static bool sym_named(struct mintmon_kernel *k, u64 addr, const char *part, char *name,
		      size_t size)
{
	struct mintmon_symbol sym;
	u64 sz;

	if (mintmon_kallsyms_by_addr(k->kallsyms, addr, &sym, &sz) || sym.addr != addr)
		return false;
	if (name)
		snprintf(name, size, "%s", sym.name);
	return strstr(sym.name, part) != NULL;
}

static u64 rel_target(const u8 *b, u64 at, u32 len)
{
	return at + len + (u64)(s64)(s32)mintmon_le32(b + len - 4);
}

/* What register __x86_indirect_thunk_REG uses (x86 encoding), or -1. */
static int thunk_reg(const char *name)
{
	static const char *const regs[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
	const char *u = strrchr(name, '_');
	int i;

	for (i = 0; u && i < 16; i++) {
		if (!strcmp(u + 1, regs[i]))
			return i;
	}
	return -1;
}

static bool retpoline_ok(struct mintmon_kernel *k, const struct boot_site *b, const u8 *mem,
			 const u8 *img)
{
	char orig[MINTMON_KSYM_NAME_LEN], now[MINTMON_KSYM_NAME_LEN];
	u32 n = b->len, i = 0;
	bool is_call = img[0] == 0xe8;
	int reg;

	if (img[0] == 0x0f && (img[1] & 0xf0) == 0x80)
		n = 6;		/* jcc.d32 to the thunk */
	else if (img[0] != 0xe8 && img[0] != 0xe9)
		return false;
	if (!sym_named(k, rel_target(img, b->addr, n), "__x86_indirect", orig, sizeof(orig)) ||
	    (reg = thunk_reg(orig)) < 0)
		return false;
	/* Another thunk of the same register (call depth, ITS, the jump thunks). */
	if ((mem[0] == 0xe8 || mem[0] == 0xe9) && n == 5 &&
	    sym_named(k, rel_target(mem, b->addr, 5), "__x86_indirect", now, sizeof(now)) &&
	    thunk_reg(now) == reg)
		return true;
	if (n == 6) {
		/* jcc: "j!cc .+N; jmp *%reg" (patch_retpoline()). */
		if ((mem[0] & 0xf0) != 0x70)
			return false;
		i = 2;
		is_call = false;
	}
	if (i + 3 <= n && !memcmp(mem + i, "\x0f\xae\xe8", 3))
		i += 3;		/* lfence (retpoline,lfence) */
	if (reg >= 8) {
		if (mem[i] != 0x41)
			return false;
		i++;
	}
	if (i + 2 > n || mem[i] != 0xff || mem[i + 1] != (u8)((is_call ? 0xd0 : 0xe0) | (reg & 7)))
		return false;
	return nops(mem + i + 2, n - i - 2);
}

static bool return_ok(struct mintmon_kernel *k, const struct boot_site *b, const u8 *mem)
{
	char name[MINTMON_KSYM_NAME_LEN];

	if (mem[0] == 0xc3)
		return nops(mem + 1, b->len - 1);
	return mem[0] == 0xe9 && sym_named(k, rel_target(mem, b->addr, 5), "", name, sizeof(name)) &&
	       (strstr(name, "return_thunk") || strstr(name, "_return_skl") ||
		!strncmp(name, "srso_", 5) || strstr(name, "untrain_ret"));
}

static bool alt_ok(struct mintmon_kernel *k, const struct mintmon_image *img, u64 delta,
		   const struct boot_site *b, const u8 *mem, const u8 *orig)
{
	const u8 *repl = b->other_len ? mintmon_image_at(img, b->other - delta, b->other_len) :
					(const u8 *)"";
	s64 shift = (s64)(b->other - b->addr);

	if (!repl || b->len > 255)
		return false;
	if (nops(mem, b->len))
		return true;
	/* The original, its padding re-laid (optimize_nops()). */
	{
		u32 ol = b->len;

		while (ol && nops(orig + ol - 1, b->len - ol + 1))
			ol--;
		if (!memcmp(mem, orig, ol) && nops(mem + ol, b->len - ol))
			return true;
	}
	if (moved_code(k, mem, b->len, repl, b->other_len, shift, b->other))
		return true;
	/*
	 * ALT_FLAG_DIRECT_CALL (v6.8+, paravirt through alternatives): "call
	 * *slot(%rip)" becomes a direct call to what the slot holds.
	 */
	if (b->len >= 6 && orig[0] == 0xff && orig[1] == 0x15 && mem[0] == 0xe8) {
		u64 slot = b->addr + 6 + (u64)(s64)(s32)mintmon_le32(orig + 2), fn;

		if (!mintmon_kernel_read_u64(k, slot, &fn) && rel_target(mem, b->addr, 5) == fn)
			return nops(mem + 5, b->len - 5);
	}
	/* A jmp32 replacement shrunk to a jmp8 to the same place (recompute_jump()). */
	if (b->other_len >= 5 && repl[0] == 0xe9 && mem[0] == 0xeb &&
	    rel_target(repl, b->other, 5) == b->addr + 2 + (u64)(s64)(s8)mem[1])
		return nops(mem + 2, b->len - 2);
	return false;
}

static u64 pv_ops;	/* &pv_ops, looked up once (0: none) */

static bool paravirt_ok(struct mintmon_kernel *k, const struct boot_site *b, const u8 *mem)
{
	u64 fn;

	if (b->len > 16)
		return false;
	if (nops(mem, b->len) || (mem[0] == 0x31 && mem[1] == 0xc0 && nops(mem + 2, b->len - 2)))
		return true;
	if (mem[0] != 0xe8 || b->len < 5 || !pv_ops || b->other > 512 ||
	    mintmon_kernel_read_u64(k, pv_ops + 8 * b->other, &fn))
		return false;
	return rel_target(mem, b->addr, 5) == fn && nops(mem + 5, b->len - 5);
}

static bool site_ok(struct mintmon_kernel *k, const struct mintmon_image *img, u64 delta,
		    const struct boot_site *b, const u8 *mem, const u8 *orig)
{
	switch (b->kind) {
	case B_ALT:
		return alt_ok(k, img, delta, b, mem, orig);
	case B_RETPOLINE:
		return retpoline_ok(k, b, mem, orig);
	case B_RETURN:
		return orig[0] == 0xe9 && return_ok(k, b, mem);
	case B_CALL:
		if (mem[0] != 0xe8 || orig[0] != 0xe8)
			return false;
		{
			u64 was = rel_target(orig, b->addr, 5), now = rel_target(mem, b->addr, 5);

			return now <= was && was - now <= 64;
		}
	case B_LOCK:
		return orig[0] == 0xf0 && mem[0] == 0x3e;
	case B_ENDBR:
		/* "nopl -42(%rax)" up to v6.9, "osp nopl (%rax)" since (is_endbr() poison). */
		return !memcmp(orig, "\xf3\x0f\x1e\xfa", 4) &&
		       (!memcmp(mem, "\x0f\x1f\x40\xd6", 4) || !memcmp(mem, "\x66\x0f\x1f\x00", 4));
	case B_PARAVIRT:
		return paravirt_ok(k, b, mem);
	case B_CONST:
		return b->len == 8 ? mintmon_le64(mem) == b->other : mem[0] == (u8)b->other;
	}
	return false;
}

struct region_cmp {
	u64 exact, runtime, boot[NR_BOOT], unexplained, skipped;
};

int text_verify_image(struct cli *c, struct mintmon_text *t, const u8 *all)
{
	struct mintmon_kernel *k = cli_kernel(c);
	struct mintmon_image img;
	struct mintmon_text_sites *s;
	struct sites_vec sv = {0};
	struct region_cmp rc = {0};
	const struct mintmon_text_region *r;
	u64 delta = k->kaslr_offset, rai[2] = {0, 0}, notes[2];
	static const char *const rai_names[2] = {"__start_ro_after_init", "__end_ro_after_init"};
	static const char *const note_names[2] = {"__start_notes", "__stop_notes"};
	bool rai_found[2], note_found[2];
	unsigned int nr, j;
	char why[512];
	u32 shown = 0;

	if (mintmon_image_open(c->o.image, &img, why, sizeof(why))) {
		fprintf(stderr, "mintmon: text verify --image: %s: %s\n", c->o.image, why);
		exit(1);
	}
	/* Is it the running kernel? Its banner, then its build id note. */
	{
		size_t bl = strcspn(k->banner, "\n");
		const u8 *found = NULL;
		unsigned int i;

		for (i = 0; i < img.nr_seg && !found; i++)
			found = memmem(img.seg[i].data, img.seg[i].size, k->banner, bl);
		if (!found || !bl) {
			const u8 *other = NULL;

			for (i = 0; i < img.nr_seg && !other; i++)
				other = memmem(img.seg[i].data, img.seg[i].size, "Linux version ", 14);
			fprintf(stderr, "mintmon: text verify --image: %s is not the running kernel "
				"(its banner: %.*s)\n", c->o.image, other ? (int)strcspn((const char *)
				other, "\n") > 120 ? 120 : (int)strcspn((const char *)other, "\n") : 4,
				other ? (const char *)other : "none");
			exit(1);
		}
	}
	if (mintmon_kallsyms_lookup_many(k->kallsyms, note_names, 2, notes, note_found) == 2 &&
	    notes[1] > notes[0] && notes[1] - notes[0] < 4096) {
		u8 mem_notes[4096];
		const u8 *in = mintmon_image_at(&img, notes[0] - delta, notes[1] - notes[0]);

		if (!mintmon_kernel_read(k, 0, notes[0], mem_notes, notes[1] - notes[0], NULL) && in &&
		    memcmp(in, mem_notes, notes[1] - notes[0])) {
			fprintf(stderr, "mintmon: text verify --image: %s is not the running kernel "
				"(its notes, the build id among them, differ)\n", c->o.image);
			exit(1);
		}
	}
	if (mintmon_image_relocate(&img, delta, why, sizeof(why))) {
		fprintf(stderr, "mintmon: text verify --image: %s: %s\n", c->o.image, why);
		exit(1);
	}
	mintmon_kallsyms_lookup_many(k->kallsyms, rai_names, 2, rai, rai_found);
	/* Boot-time patch sites from the image's tables. */
	alternatives(c, &img, delta, k->btf, &sv);
	rel_table(c, &img, delta, ".retpoline_sites", B_RETPOLINE, 5, &sv);
	rel_table(c, &img, delta, ".return_sites", B_RETURN, 5, &sv);
	rel_table(c, &img, delta, ".call_sites", B_CALL, 5, &sv);
	rel_table(c, &img, delta, ".smp_locks", B_LOCK, 1, &sv);
	rel_table(c, &img, delta, ".ibt_endbr_seal", B_ENDBR, 4, &sv);
	paravirt(c, &img, k->btf, &sv);
	runtime_consts(c, &img, delta, k, &sv);
	if (mintmon_kallsyms_lookup(k->kallsyms, "pv_ops", &pv_ops))
		pv_ops = 0;
	qsort(sv.v, sv.nr, sizeof(*sv.v), bs_cmp);
	if (mintmon_text_sites_create(t, &s))
		cli_die(c, -ENOMEM, "text: patch sites");

	r = mintmon_text_regions(t, &nr);
	for (j = 0; j < nr; j++) {
		u64 len = r[j].end - r[j].start, i, held = len;
		const u8 *mem = all + r[j].first_page * MINTMON_TEXT_PAGE;
		const u8 *ref = mintmon_image_at(&img, r[j].start - delta, len);
		unsigned int sg;

		/* The region's page-alignment tail may lie past the image's segment: not compared. */
		for (sg = 0; !ref && sg < img.nr_seg; sg++) {
			const struct mintmon_image_seg *g = &img.seg[sg];
			u64 at = r[j].start - delta;

			if (at >= g->vaddr && at - g->vaddr < g->size && len - (g->size - (at - g->vaddr)) <
									       MINTMON_TEXT_PAGE) {
				held = g->size - (at - g->vaddr);
				ref = g->data + (at - g->vaddr);
			}
		}
		u8 *old;
		struct mintmon_text_change *ch;
		u32 nch, max = 1u << 20, x;
		size_t b0 = 0;

		if (!ref) {
			fprintf(stderr, "mintmon: text verify --image: %s does not hold the kernel's "
				"%s (0x%" PRIx64 "-0x%" PRIx64 ")\n", c->o.image,
				mintmon_text_region_name(r[j].kind), r[j].start, r[j].end);
			exit(1);
		}
		old = malloc(len);
		ch = calloc(max, sizeof(*ch));
		if (!old || !ch)
			cli_die(c, -ENOMEM, "text verify --image");
		memcpy(old, ref, held);
		memcpy(old + held, mem + held, len - held);
		rc.skipped += len - held;
		/* __ro_after_init: written during boot, not comparable. */
		if (rai_found[0] && rai_found[1] && rai[0] >= r[j].start && rai[1] <= r[j].end &&
		    rai[1] > rai[0]) {
			memcpy(old + (rai[0] - r[j].start), mem + (rai[0] - r[j].start), rai[1] - rai[0]);
			rc.skipped += rai[1] - rai[0];
		}
		for (i = 0; i < len; i++)
			rc.exact += old[i] == mem[i];
		mintmon_text_compare(s, r[j].start, old, mem, (u32)len, ch, max, &nch);
		if (nch > max)
			nch = max;
		for (x = 0; x < nch; x++) {
			const struct mintmon_text_change *cc = &ch[x];
			u64 a, end = cc->addr + cc->len;
			u32 diff = 0, left = 0;

			for (a = cc->addr; a < end; a++)
				diff += old[a - r[j].start] != mem[a - r[j].start];
			if (cc->explained) {
				rc.runtime += diff;
				continue;
			}
			/* Each changed byte must lie in a boot-time site holding a legitimate variant. */
			while (b0 < sv.nr && sv.v[b0].addr + 64 < cc->addr)
				b0++;
			for (a = cc->addr; a < end; a++) {
				size_t bi;
				bool ok = false;

				if (old[a - r[j].start] == mem[a - r[j].start])
					continue;
				for (bi = b0; bi < sv.nr && sv.v[bi].addr <= a; bi++) {
					const struct boot_site *b = &sv.v[bi];

					if (a < b->addr + b->len && b->addr >= r[j].start &&
					    b->addr + b->len <= r[j].end &&
					    site_ok(k, &img, delta, b, mem + (b->addr - r[j].start),
						    old + (b->addr - r[j].start))) {
						rc.boot[b->kind]++;
						ok = true;
						break;
					}
				}
				if (!ok)
					left++;
			}
			rc.unexplained += left;
			if (left && shown < 50 && !c->o.json) {
				char sym[256];
				u32 n = cc->len < 16 ? cc->len : 16, q;

				shown++;
				if (mintmon_kernel_symbolize(k, cc->addr, sym, sizeof(sym)))
					snprintf(sym, sizeof(sym), "?");
				printf("unexplained %016" PRIx64 " %s  %u byte%s: image ", cc->addr, sym,
				       cc->len, cc->len == 1 ? "" : "s");
				for (q = 0; q < n; q++)
					printf("%s%02x", q ? " " : "", old[cc->addr - r[j].start + q]);
				printf(" memory ");
				for (q = 0; q < n; q++)
					printf("%s%02x", q ? " " : "", mem[cc->addr - r[j].start + q]);
				printf("\n");
			}
		}
		free(old);
		free(ch);
	}
	{
		u64 boot = 0;

		for (j = 0; j < NR_BOOT; j++)
			boot += rc.boot[j];
		if (c->o.json) {
			printf("{\"image\": ");
			cli_json_string(stdout, c->o.image, strlen(c->o.image));
			printf(", \"format\": \"%s\", \"relocations\": %" PRIu64 ", \"exact\": %" PRIu64
			       ", \"runtime_variant\": %" PRIu64 ", \"boot_variant\": %" PRIu64
			       ", \"unexplained\": %" PRIu64 ", \"not_compared\": %" PRIu64
			       ", \"boot_sites\": %zu, \"result\": \"%s\"}\n", img.format,
			       img.relocs_applied, rc.exact - rc.skipped, rc.runtime, boot, rc.unexplained,
			       rc.skipped, sv.nr, rc.unexplained ? "tampered" : "clean");
		} else {
			printf("%s: %s (%s, %" PRIu64 " relocations applied): %" PRIu64 " bytes verified "
			       "exactly, %" PRIu64 " as legitimate variants (%" PRIu64 " at run-time "
			       "patch sites, %" PRIu64 " at boot-time ones:", rc.unexplained ?
			       "UNEXPLAINED" : "clean", c->o.image, img.format, img.relocs_applied,
			       rc.exact - rc.skipped, rc.runtime + boot, rc.runtime, boot);
			for (j = 0; j < NR_BOOT; j++)
				if (rc.boot[j])
					printf(" %s %" PRIu64, boot_names[j], rc.boot[j]);
			printf("), %" PRIu64 " unexplained; %" PRIu64 " bytes of ro_after_init data not "
			       "compared\n", rc.unexplained, rc.skipped);
		}
	}
	mintmon_text_sites_destroy(s);
	free(sv.v);
	mintmon_image_close(&img);
	return rc.unexplained ? 3 : 0;
}
