/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text integrity: the watched kernel's text, read-only data and
 * exception table, page by page, and the run-time patch sites that explain
 * legitimate changes to them (docs/text.md).
 *
 * Regions come from kallsyms: text is _stext.._etext, rodata is
 * __start_rodata..__end_rodata (it holds __ex_table and the
 * __ro_after_init data, which no one writes after boot). Every page is read
 * where the kernel's own page table maps it, and that mapping is checked
 * against the image's linear layout and its permissions (text RX, rodata
 * read-only), since a remapped text page is tampering that a read of the
 * linear address would miss.
 *
 * Run-time patch sites are decoded from the kernel's own metadata, all of
 * it untrusted (bounded counts, checked addresses):
 *   jump labels   __start___jump_table.. {s32 code, s32 target, long key},
 *                 self-relative; key bit 0 = branch, bit 1 = init
 *   static calls  __start_static_call_sites.. {s32 addr, s32 key}, self-
 *                 relative; key bit 0 = tail call, bit 1 = init; and the
 *                 trampolines __SCT__NAME with their keys __SCK__NAME
 *   ftrace        the struct dyn_ftrace records of ftrace_pages_start (the
 *                 __mcount_loc table itself is freed after boot), and the
 *                 call sites inside ftrace_caller (ftrace_call,
 *                 ftrace_regs_call, ftrace_graph_call)
 *   kprobes       the probes hashed in kprobe_table[]: an INT3, or the JMP
 *                 of an optimized probe to its detour buffer
 * A site's state says which encodings it may hold now (its "forms"); a
 * changed byte is explained only if it lies in a site whose current bytes
 * are one of them. This file is x86-64 specific in its encodings.
 */
#ifndef MINTMON_TEXT_H
#define MINTMON_TEXT_H

#include "kernel.h"

#define MINTMON_TEXT_PAGE 4096u
#define MINTMON_SHA256_LEN 32
#define MINTMON_TEXT_MAX_MODULES 128
#define MINTMON_TEXT_MAX_REGIONS (2 + MINTMON_TEXT_MAX_MODULES)

enum mintmon_text_region_kind {
	MINTMON_TEXT_REGION_TEXT,
	MINTMON_TEXT_REGION_RODATA,
	MINTMON_TEXT_REGION_MODULE,	/* a live module's core text (vmalloc'ed: not linear) */
};

struct mintmon_text_region {
	u64 start, end;		/* kernel virtual, end exclusive */
	u64 first_page;		/* index of its first page among all regions' pages */
	u32 kind;
	u64 module;		/* MODULE: its struct module */
	char name[57];		/* MODULE: its name */
};

/* Per-page mapping findings (mintmon_text_read_pages()). */
#define MINTMON_TEXT_MAP_REMAPPED 0x1	/* not mapped at the image's linear address */
#define MINTMON_TEXT_MAP_WRITABLE 0x2	/* mapped writable */
#define MINTMON_TEXT_MAP_EXEC 0x4	/* rodata mapped executable */
#define MINTMON_TEXT_MAP_NOEXEC 0x8	/* text mapped not executable */
#define MINTMON_TEXT_MAP_UNMAPPED 0x10	/* not mapped at all (the page is read at its linear address) */

enum mintmon_text_site_kind {
	MINTMON_SITE_JUMP_LABEL,
	MINTMON_SITE_STATIC_CALL,
	MINTMON_SITE_FTRACE,
	MINTMON_SITE_KPROBE,
	MINTMON_SITE_NR_KINDS,
};

/* Site flags. */
#define MINTMON_SITE_TRAMP 0x1		/* static call: the trampoline __SCT__NAME */
#define MINTMON_SITE_TAIL 0x2		/* static call: a tail call (jmp) */
#define MINTMON_SITE_FTRACE_FUNC 0x4	/* ftrace: a call site inside ftrace_caller */
#define MINTMON_SITE_OPTIMIZED 0x8	/* kprobe: optimized (a jmp to its detour) */
#define MINTMON_SITE_TRANSITION 0x10	/* jump label: the key is being switched (enabled < 0) */

/* Encodings a site may hold (masks of these). */
#define MINTMON_FORM_NOP2 0x001		/* 66 90 */
#define MINTMON_FORM_NOP5 0x002		/* 0f 1f 44 00 00 */
#define MINTMON_FORM_JMP8 0x004		/* eb rel8, to one of the targets */
#define MINTMON_FORM_JMP32 0x008	/* e9 rel32, to one of the targets */
#define MINTMON_FORM_CALL32 0x010	/* e8 rel32, to one of the targets */
#define MINTMON_FORM_RET 0x020		/* c3 cc cc cc cc */
#define MINTMON_FORM_XOR5 0x040		/* 2e 2e 2e 31 c0: cs cs cs xor %eax,%eax */
#define MINTMON_FORM_INT3 0x080		/* cc */
#define MINTMON_FORM_JCC32 0x100	/* 0f 8x rel32, to one of the targets */
#define MINTMON_FORM_NR 9

#define MINTMON_SITE_MAX_TARGETS 6

struct mintmon_text_site {
	u64 addr;
	u64 ref;		/* the key, ftrace record or kprobe that holds the state */
	u64 state;		/* key->enabled, key->func, record flags, probe flags */
	u64 targets[MINTMON_SITE_MAX_TARGETS];
	u16 forms;		/* allowed now */
	u8 kind;
	u8 flags;
	u8 nr_targets;
	u8 orig_len;		/* kprobe: bytes the probe saved (what the site held before) */
	u8 orig[5];
};

struct mintmon_text_sites {
	struct mintmon_text_site *site;	/* sorted by addr */
	u32 nr;
	u32 count[MINTMON_SITE_NR_KINDS];
	/* Entries skipped: in init text, outside text, or unreadable (counted, not trusted). */
	u32 skipped;
	/* Tables that could not be read (a kernel without ftrace, say): a mask of 1 << kind. */
	u32 missing;
};

struct mintmon_text;

/* The regions and what site decoding needs (symbols, BTF offsets). */
int mintmon_text_create(struct mintmon_kernel *k, struct mintmon_text **text_ret);
/*
 * The same, plus the core text of every live module (at most
 * MINTMON_TEXT_MAX_MODULES, in address order; module jump tables and static
 * call sites decoded too, its ftrace records and kprobes counted). A kernel
 * whose module list cannot be read gives the kernel's regions alone.
 */
int mintmon_text_create_modules(struct mintmon_kernel *k, struct mintmon_text **text_ret);
void mintmon_text_destroy(struct mintmon_text *t);

const struct mintmon_text_region *mintmon_text_regions(const struct mintmon_text *t,
						       unsigned int *nr_ret);
const char *mintmon_text_region_name(u32 kind);
/* Pages of every region, in order (a region's last page may be partial). */
u64 mintmon_text_nr_pages(const struct mintmon_text *t);
/* Bytes of every region. */
u64 mintmon_text_nr_bytes(const struct mintmon_text *t);
/* Page index's first address and length (1..MINTMON_TEXT_PAGE); -ERANGE past the end. */
int mintmon_text_page(const struct mintmon_text *t, u64 index, u64 *vaddr_ret, u32 *len_ret,
		      u32 *region_kind_ret);

/*
 * Read pages [first, first + n) (within one region or across) into buf, a
 * page per MINTMON_TEXT_PAGE bytes (a partial page is zero-filled past its
 * end), translating each through the kernel's page table; map_ret[i] gets
 * page i's MINTMON_TEXT_MAP_* findings. A page that cannot be read fails
 * the call (recorded in the kernel's error object).
 */
int mintmon_text_read_pages(struct mintmon_text *t, u64 first, u32 n, u8 *buf, u8 *map_ret);

/* SHA-256 of each page of buf (len bytes each as mintmon_text_page() says). */
int mintmon_text_hash_pages(const struct mintmon_text *t, u64 first, u32 n, const u8 *buf,
			    u8 (*hash_ret)[MINTMON_SHA256_LEN]);

/*
 * Decode every run-time patch site from the kernel's metadata, now. A
 * table that is absent or unreadable marks its kind missing; a corrupt
 * entry is skipped (counted). -ENOMEM, or 0.
 */
int mintmon_text_sites_create(struct mintmon_text *t, struct mintmon_text_sites **sites_ret);
void mintmon_text_sites_destroy(struct mintmon_text_sites *s);

const char *mintmon_text_site_kind_name(u32 kind);
/* The form's name ("nop5", "call"...), for one bit of MINTMON_FORM_*. */
const char *mintmon_text_form_name(u16 form);

/*
 * Whether bytes (avail of them, starting at site->addr) hold one of the
 * site's forms: 1 with *form_ret and *len_ret, else 0.
 */
int mintmon_text_site_match(const struct mintmon_text_site *site, const u8 *bytes, u32 avail,
			    u16 *form_ret, u32 *len_ret);
/* Which form bytes hold, whatever the site allows (for reports); 0 if none. */
u16 mintmon_text_form_of(const u8 *bytes, u32 avail, u64 addr, u64 *target_ret, u32 *len_ret);

/* The first site whose address is >= addr (index into s->site; s->nr if none). */
u32 mintmon_text_sites_lower_bound(const struct mintmon_text_sites *s, u64 addr);

/* One changed range of a page and what explains it. */
struct mintmon_text_change {
	u64 addr;
	u32 len;
	bool explained;
	u16 form;			/* the current form, if explained */
	const struct mintmon_text_site *site;	/* the site, if explained (or a kprobe whose saved bytes differ) */
};

/* Changes reported per page at most (the rest are counted only). */
#define MINTMON_TEXT_MAX_CHANGES 64

/*
 * Compare a page as it was (old) with as it is (cur), len bytes at vaddr:
 * each run of changed bytes either lies in a site that holds one of its
 * allowed forms now (explained) or not (tampered). Changes go to
 * changes_ret (at most max; *nr_ret counts all of them). Returns the
 * number of tampered changes.
 */
u32 mintmon_text_compare(const struct mintmon_text_sites *s, u64 vaddr, const u8 *old,
			 const u8 *cur, u32 len, struct mintmon_text_change *changes_ret, u32 max,
			 u32 *nr_ret);

/*
 * Incremental integrity checking for a watcher (`mintmon watch`, the
 * node-0 module's watchdog): each step checks the next slice of pages, so
 * every page is checked once per cycle of ceil(pages / slice) steps. A page
 * is hashed "masked": every run-time patch site in it that holds a form its
 * current state allows is zeroed over that form's length, every armed
 * kprobe has the bytes it saved put back; a site that holds anything else
 * counts as a change. The first cycle takes the baseline (trust on first
 * use); from the second on, a page whose masked hash differs is a suspect,
 * checked again at the next step with the sites decoded afresh (a site
 * caught mid-patch settles), and tampered if it still differs. Only the
 * page hashes are kept (32 bytes a page), not the pages.
 *
 * A step reads nothing when the caller says the kernel did not run since
 * the last one (heartbeat_moved false): a kernel stopped, rebooting or
 * being kexec'd over is not judged on memory in flux, and a suspect is
 * confirmed only once the kernel has run after it was seen.
 */
struct mintmon_text_watch;

struct mintmon_text_watch_state {
	bool baseline_done;	/* every page hashed once */
	u64 cycles;		/* full cycles done (the first one took the baseline) */
	u32 tampered_pages;	/* pages confirmed changed, now */
	u64 first_tampered;	/* the lowest such page's address (0: none) */
	u64 pages_checked;	/* pages hashed so far */
	u64 site_decodes;	/* times the sites were decoded */
};

/* A cycle of steps_per_cycle steps (at least 1): each checks that share of the pages. */
int mintmon_text_watch_create(struct mintmon_kernel *k, u32 steps_per_cycle,
			      struct mintmon_text_watch **w_ret);
void mintmon_text_watch_destroy(struct mintmon_text_watch *w);
u64 mintmon_text_watch_pages(const struct mintmon_text_watch *w);
/*
 * One step (see above): pages to check (0: a cycle's share; at most four
 * shares), so that a caller whose steps come irregularly can keep the
 * cycle's length in time. heartbeat_moved: the kernel ran since the last
 * step (a suspect is confirmed only by a step after that). A read failure
 * is returned (the state is kept).
 */
int mintmon_text_watch_step(struct mintmon_text_watch *w, bool heartbeat_moved, u32 pages,
			    struct mintmon_text_watch_state *state_ret);

#endif /* MINTMON_TEXT_H */
