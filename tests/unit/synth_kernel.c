// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic kernel (see synth_kernel.h).
 *
 * Every structure written here names the kernel structure it imitates. The
 * member offsets are made up (a real kernel's differ by version and config),
 * but consistently: the BTF blob built below describes exactly what is
 * written, as a kernel's own .BTF describes its memory. Nothing is hinted
 * to mintmon: it must find all of this the way it finds a real kernel.
 *
 * Physical memory with synth_default_params() (64 MiB):
 *
 *   0x0000000  low RAM; trampoline_pgd at 0x98000 (setup_real_mode())
 *   0x009f000  reserved (EBDA, VGA, BIOS)
 *   0x1200000  the kernel image, 8 MiB: .text | .rodata | .data | .bss
 *   0x1c00000  "kmalloc" heap: direct-map tables, tasks, creds, mms, ...
 *   0x3000000  e820 hole: ACPI NVS, then reserved (not in the direct map)
 *   0x3200000  RAM to the end
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_kernel.h"

#define KIB_4		0x1000ull
#define MIB_1		0x100000ull
#define MIB_2		0x200000ull
#define GIB_1		0x40000000ull
#define ADDR_MASK	0x000ffffffffff000ull

/* Page-table entry bits (arch/x86/include/asm/pgtable_types.h). */
#define PTE_P		0x001ull
#define PTE_RW		0x002ull
#define PTE_US		0x004ull
#define PTE_A		0x020ull
#define PTE_D		0x040ull
#define PTE_PS		0x080ull
#define PTE_G		0x100ull
#define PTE_NX		(1ull << 63)
#define PAGE_TABLE	(PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)	/* _PAGE_TABLE, 0x67 */
#define KERNPG_TABLE	(PTE_P | PTE_RW | PTE_A | PTE_D)	/* _KERNPG_TABLE, 0x63 */
/* Kernel image chunks after mark_rodata_ro(): text RX, rodata RO, data RW, never both W and X. */
#define LARGE_RX	(PTE_P | PTE_A | PTE_PS | PTE_G)
#define LARGE_RO	(LARGE_RX | PTE_NX)
/* __PAGE_KERNEL_LARGE, __PAGE_KERNEL, and a user stack page */
#define LARGE_RW	(PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS | PTE_G | PTE_NX)
#define PAGE_RW		(PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | PTE_NX)
#define USER_RW		(PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX)

/* The image, from _text (arch/x86/kernel/vmlinux.lds.S order). */
#define TEXT_OFF		0x000000ull
#define RODATA_OFF		0x200000ull
#define DATA_OFF		0x400000ull
#define BSS_OFF			0x600000ull
#define BANNER_OFF		(RODATA_OFF + 0x0000)		/* linux_banner */
#define KALLSYMS_OFF		(RODATA_OFF + 0x1000)		/* kallsyms_num_syms */
/* .data: head_64.S's page tables first, then variables */
#define INIT_TOP_PGT_OFF	(DATA_OFF + 0x0000)
#define LEVEL4_KERNEL_OFF	(DATA_OFF + 0x1000)		/* 5-level paging only */
#define LEVEL3_KERNEL_OFF	(DATA_OFF + 0x2000)
#define LEVEL2_KERNEL_OFF	(DATA_OFF + 0x3000)
#define LEVEL2_FIXMAP_OFF	(DATA_OFF + 0x4000)
#define LEVEL1_BSS_OFF		(DATA_OFF + 0x5000)		/* .bss in 4 KiB pages */
#define VARS_OFF		(DATA_OFF + 0x6000)
#define PHYS_BASE_OFF		(VARS_OFF + 0x000)
#define PAGE_OFFSET_BASE_OFF	(VARS_OFF + 0x008)
#define VMALLOC_BASE_OFF	(VARS_OFF + 0x010)
#define VMEMMAP_BASE_OFF	(VARS_OFF + 0x018)
#define JIFFIES_OFF		(VARS_OFF + 0x040)		/* jiffies_64, jiffies */
#define E820_TABLE_VAR_OFF	(VARS_OFF + 0x080)		/* e820_table (a pointer) */
#define TOTALRAM_OFF		(VARS_OFF + 0x0c0)		/* _totalram_pages */
#define VMCOREINFO_DATA_OFF	(VARS_OFF + 0x100)
#define VMCOREINFO_SIZE_OFF	(VARS_OFF + 0x108)
#define UTS_OFF			(DATA_OFF + 0x7000)		/* init_uts_ns */
#define TK_CORE_OFF		(DATA_OFF + 0x8000)		/* tk_core */
#define INIT_CRED_OFF		(DATA_OFF + 0x8800)
#define INIT_SIGNALS_OFF	(DATA_OFF + 0x9000)
#define INIT_MM_OFF		(DATA_OFF + 0xa000)
#define INIT_TASK_OFF		(DATA_OFF + 0xc000)
#define TEXTVARS_OFF		(DATA_OFF + 0xe000)		/* static keys, ftrace and kprobe roots */
#define DATA_END_OFF		(DATA_OFF + 0x10000)
/* Text integrity metadata: sites in synth_fn_NNN, tables at the end of .rodata (ro_after_init). */
#define TEXTMETA_OFF		(RODATA_OFF + 0x1f0000)
#define RODATA_END_OFF		(RODATA_OFF + 0x1ff000)		/* __end_rodata */
#define PRB_VAR_OFF		(VARS_OFF + 0x110)		/* prb: &printk_rb_static */
#define BOOT_PARAMS_OFF		(BSS_OFF + 0x0000)		/* __page_aligned_bss */
/* printk_rb_static and its arrays (kernel/printk/printk.c: DEFINE_PRINTKRB). */
#define PRB_OFF			(BSS_OFF + 0x10000)
#define PRB_DESCS_OFF		(BSS_OFF + 0x11000)
#define PRB_INFOS_OFF		(BSS_OFF + 0x12000)
#define PRB_TEXT_OFF		(BSS_OFF + 0x18000)
#define TRAMPOLINE_PHYS		0x98000ull

/* ---- structure layouts (the BTF below says the same) ---- */

/* struct thread_info (arch/x86/include/asm/thread_info.h) */
#define TI_SIZE			0x18
/* struct task_struct (include/linux/sched.h), 6.12 member order */
#define TS_STATE		0x018	/* unsigned int __state */
#define TS_STACK		0x020
#define TS_FLAGS		0x02c	/* unsigned int flags: PF_* */
#define TS_TASKS		0x8e8	/* struct list_head tasks */
#define TS_MM			0x938
#define TS_ACTIVE_MM		0x940
#define TS_EXIT_STATE		0x960
#define TS_EXIT_CODE		0x964
#define TS_EXIT_SIGNAL		0x968
#define TS_PID			0x9b0
#define TS_TGID			0x9b4
#define TS_STACK_CANARY		0x9b8	/* CONFIG_STACKPROTECTOR */
#define TS_REAL_PARENT		0x9c0
#define TS_PARENT		0x9c8
#define TS_CHILDREN		0x9d0
#define TS_SIBLING		0x9e0
#define TS_GROUP_LEADER		0x9f0
#define TS_THREAD_NODE		0xa70	/* on signal->thread_head */
#define TS_UTIME		0xaa8
#define TS_STIME		0xab0
#define TS_START_TIME		0xae0
#define TS_START_BOOTTIME	0xae8
#define TS_REAL_CRED		0xb98
#define TS_CRED			0xba0
#define TS_COMM			0xbb0	/* char comm[TASK_COMM_LEN] */
#define TS_SIGNAL		0xc10
#define TS_WORKER_PRIVATE	0xd40	/* struct kthread * of a kernel thread */
#define TASK_SIZE		0x1c00
/* struct signal_struct (include/linux/sched/signal.h) */
#define SIG_SIGCNT		0x000
#define SIG_LIVE		0x004
#define SIG_NR_THREADS		0x008
#define SIG_THREAD_HEAD		0x010
#define SIG_TTY			0x1a8
#define SIGNAL_SIZE		0x400
/* struct cred (include/linux/cred.h) */
#define CRED_USAGE		0x00
#define CRED_UID		0x08
#define CRED_GID		0x0c
#define CRED_SUID		0x10
#define CRED_SGID		0x14
#define CRED_EUID		0x18
#define CRED_EGID		0x1c
#define CRED_SIZE		0xb8
/* struct mm_struct (include/linux/mm_types.h): since 6.1 all in an anonymous struct */
#define MM_PGD			0x048
#define MM_TOTAL_VM		0x0b0
#define MM_ARG_START		0x118
#define MM_ARG_END		0x120
#define MM_ENV_START		0x128
#define MM_ENV_END		0x130
#define MM_RSS_STAT		0x2f0	/* struct percpu_counter rss_stat[NR_MM_COUNTERS] */
#define MM_ANON_SIZE		0x4c0
#define PCC_COUNT		0x08	/* struct percpu_counter: s64 count */
#define PCC_SIZE		0x28
/* struct kthread (kernel/kthread.c) */
#define KT_DATA			0x18
#define KT_FULL_NAME		0x68
#define KT_SIZE			0x70
/* struct worker (kernel/workqueue_internal.h) */
#define W_CURRENT_WORK		0x10
#define W_TASK			0x50
#define W_POOL			0x58
#define W_DESC			0x80	/* char desc[WORKER_DESC_LEN = 32] */
#define W_RESCUE_WQ		0xa0
#define W_SIZE			0xa8
/* struct workqueue_struct (kernel/workqueue.c) */
#define WQ_NAME			0xd8	/* char name[WQ_NAME_LEN = 32] */
#define WQ_SIZE			0x140
/* struct tty_struct, struct tty_driver (include/linux/tty*.h) */
#define TTY_INDEX		0x04
#define TTY_DRIVER		0x10
#define TTY_SIZE		0x100
#define DRV_MAJOR		0x2c
#define DRV_MINOR_START		0x30
#define DRV_SIZE		0x98
/* struct uts_namespace: struct new_utsname name first, six char[65] */
#define UTS_RELEASE		(2 * 65)
#define UTS_SIZE		0x1b0
/* struct e820_entry is __packed: 20 bytes; E820_MAX_ENTRIES = 128 + 3 * MAX_NUMNODES (1024) */
#define E820_ENTRY_SIZE		20
#define E820_MAX_ENTRIES	3200
/* struct boot_params: hdr (struct setup_header, packed) at 0x1f1, pref_address at 0x258 */
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1
#define HDR_PREF_ADDRESS	0x67
#define HDR_SIZE		0x7b
/* struct timekeeper (include/linux/timekeeper_internal.h), after a 4-byte seqcount */
#define TKR_BASE		0x28	/* struct tk_read_base: ktime_t base */
#define TK_OFFS_REAL		0x58
#define TK_OFFS_BOOT		0x60
#define TK_SIZE			0x118
#define TK_IN_CORE		0x08	/* tk_core.timekeeper */

/* PF_* and task states (include/linux/sched.h) */
#define PF_IDLE			0x00000002
#define PF_WQ_WORKER		0x00000020
#define PF_FORKNOEXEC		0x00000040
#define PF_SUPERPRIV		0x00000100
#define PF_NOFREEZE		0x00008000
#define PF_KTHREAD		0x00200000
#define TASK_RUNNING		0x0000
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define TASK_STOPPED		0x0104	/* TASK_WAKEKILL | __TASK_STOPPED */
#define TASK_DEAD		0x0080
#define TASK_IDLE		0x0402	/* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
#define EXIT_ZOMBIE		0x0020

/* The printk ring (kernel/printk/printk_ringbuffer.h, v5.11+ layout). */
#define PI_SEQ			0x00	/* struct printk_info */
#define PI_TS			0x08
#define PI_TEXT_LEN		0x10
#define PI_FACILITY		0x12
#define PI_FLAGS_LEVEL		0x13	/* u8 flags:5, level:3 */
#define PI_CALLER		0x14
#define PI_SIZE			0x58	/* with struct dev_printk_info */
#define PD_STATE		0x00	/* struct prb_desc: atomic_long_t state_var */
#define PD_BEGIN		0x08	/* text_blk_lpos.begin, .next */
#define PD_NEXT			0x10
#define PD_SIZE			0x18
#define PRB_COUNT_BITS		0x00	/* struct printk_ringbuffer: desc_ring... */
#define PRB_DESCS		0x08
#define PRB_INFOS		0x10
#define PRB_HEAD_ID		0x18
#define PRB_TAIL_ID		0x20
#define PRB_SIZE_BITS		0x30	/* ...text_data_ring... */
#define PRB_DATA		0x38
#define PRB_HEAD_LPOS		0x40
#define PRB_TAIL_LPOS		0x48
#define PRB_FAIL		0x50
#define PRB_SIZE		0x58
#define SV_ID_MASK		((1ull << 62) - 1)
#define SV_FINALIZED		(2ull << 62)
#define SV_REUSABLE		(3ull << 62)

/* ---- small helpers ---- */

static void die(const char *what)
{
	fprintf(stderr, "synth_kernel: %s\n", what);
	abort();
}

void synth_put64(struct synth_kernel *sk, u64 phys, u64 v)
{
	memcpy(sk->mem + phys, &v, 8);
}

u64 synth_get64(const struct synth_kernel *sk, u64 phys)
{
	u64 v;

	memcpy(&v, sk->mem + phys, 8);
	return v;
}

void synth_stale_trampoline(struct synth_kernel *sk, u64 t)
{
	const u64 mask = 0x000ffffffffff000ull, l3 = t + 0x1000, l2 = t + 0x2000;
	u64 e511, e510, old_l3, old_l2;
	unsigned int i;

	memcpy(sk->mem + t, sk->mem + sk->trampoline, 4096);
	e511 = synth_get64(sk, t + 8 * 511);
	old_l3 = e511 & mask;
	e510 = synth_get64(sk, old_l3 + 8 * 510);
	old_l2 = e510 & mask;
	memcpy(sk->mem + l3, sk->mem + old_l3, 4096);
	memset(sk->mem + l2, 0, 4096);
	for (i = 0; i + 1 < 512; i++)
		synth_put64(sk, l2 + 8 * (i + 1), synth_get64(sk, old_l2 + 8 * i));
	synth_put64(sk, t + 8 * 511, l3 | (e511 & ~mask));
	synth_put64(sk, l3 + 8 * 510, l2 | (e510 & ~mask));
}

static void put32(struct synth_kernel *sk, u64 phys, u32 v)
{
	memcpy(sk->mem + phys, &v, 4);
}

static void put_str(struct synth_kernel *sk, u64 phys, const char *s)
{
	memcpy(sk->mem + phys, s, strlen(s) + 1);
}

/* Physical and virtual address of an offset in the image. */
static u64 img_pa(const struct synth_kernel *sk, u64 off)
{
	return sk->p.text_phys + off;
}

static u64 img_va(const struct synth_kernel *sk, u64 off)
{
	return sk->text_virt + off;
}

/* Direct-map address of a physical address (__va()). */
static u64 dm_va(const struct synth_kernel *sk, u64 phys)
{
	return sk->p.page_offset_base + phys;
}

u64 synth_pa(const struct synth_kernel *sk, u64 vaddr)
{
	if (vaddr >= sk->text_virt && vaddr - sk->text_virt < SYNTH_IMAGE_SIZE)
		return vaddr - sk->text_virt + sk->p.text_phys;
	return vaddr - sk->p.page_offset_base;
}

/* kmalloc(): zeroed memory from the heap. */
static u64 heap_alloc(struct synth_kernel *sk, u64 size, u64 align)
{
	u64 phys = (sk->heap_next + align - 1) & ~(align - 1);

	if (phys + size > sk->p.heap_phys + sk->p.heap_size)
		die("heap exhausted: raise heap_size or lower nr_procs");
	memset(sk->mem + phys, 0, size);
	sk->heap_next = phys + size;
	return phys;
}

/* INIT_LIST_HEAD() of the list_head at phys, whose virtual address is va. */
static void list_init(struct synth_kernel *sk, u64 phys, u64 va)
{
	synth_put64(sk, phys, va);
	synth_put64(sk, phys + 8, va);
}

/* ---- page tables ---- */

static unsigned int pt_index(u64 va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/*
 * Map one page at va (level 1: 4 KiB, 2: 2 MiB, 3: 1 GiB) in the tree whose
 * top is at top, creating missing tables in the heap as the kernel's
 * alloc_low_pages() would (_PAGE_TABLE entries).
 */
static void map_page(struct synth_kernel *sk, u64 top, u64 va, u64 phys, unsigned int leaf,
		     u64 flags)
{
	u64 table = top, e;
	unsigned int level;

	for (level = sk->p.levels; level > leaf; level--) {
		u64 slot = table + 8 * pt_index(va, level);

		e = synth_get64(sk, slot);
		if (!(e & PTE_P)) {
			e = heap_alloc(sk, KIB_4, KIB_4) | PAGE_TABLE;
			synth_put64(sk, slot, e);
		}
		table = e & ADDR_MASK;
	}
	synth_put64(sk, table + 8 * pt_index(va, leaf), phys | flags | (leaf > 1 ? PTE_PS : 0));
}

/* Physical address of va through the tree at top (the builder's own walk). */
static u64 walk(const struct synth_kernel *sk, u64 top, u64 va)
{
	u64 table = top, e = 0;
	unsigned int level;

	for (level = sk->p.levels; level >= 1; level--) {
		e = synth_get64(sk, table + 8 * pt_index(va, level));
		if (!(e & PTE_P))
			die("walk: not mapped");
		if (level == 1 || (e & PTE_PS)) {
			u64 size = 1ull << (12 + 9 * (level - 1));

			return (e & ADDR_MASK & ~(size - 1)) | (va & (size - 1));
		}
		table = e & ADDR_MASK;
	}
	die("walk: no leaf");
	return 0;
}

/*
 * head_64.S's tables: init_top_pgt[511] -> (level4_kernel_pgt[511] ->)
 * level3_kernel_pgt, whose entry 510 is level2_kernel_pgt: the image in
 * 2 MiB pages from _text (cleanup_highmap() cleared the entries below it);
 * the .bss chunk split into 4 KiB pages, as set_memory_*() leaves it.
 */
static void build_kernel_map(struct synth_kernel *sk)
{
	const u64 chunk_flags[3] = {LARGE_RX, LARGE_RO, LARGE_RW};
	u64 top = img_pa(sk, INIT_TOP_PGT_OFF), l3 = img_pa(sk, LEVEL3_KERNEL_OFF);
	u64 l2 = img_pa(sk, LEVEL2_KERNEL_OFF), l1 = img_pa(sk, LEVEL1_BSS_OFF);
	unsigned int first = (unsigned int)((sk->text_virt - SYNTH_KERNEL_MAP) / MIB_2), i;

	memset(sk->mem + top, 0, VARS_OFF - INIT_TOP_PGT_OFF);
	if (sk->p.levels == 5) {
		u64 l4 = img_pa(sk, LEVEL4_KERNEL_OFF);

		synth_put64(sk, top + 8 * 511, l4 | PAGE_TABLE);
		synth_put64(sk, l4 + 8 * 511, l3 | PAGE_TABLE);
	} else {
		synth_put64(sk, top + 8 * 511, l3 | PAGE_TABLE);
	}
	synth_put64(sk, l3 + 8 * 510, l2 | KERNPG_TABLE);
	synth_put64(sk, l3 + 8 * 511, img_pa(sk, LEVEL2_FIXMAP_OFF) | PAGE_TABLE);
	for (i = 0; i < 3; i++)
		synth_put64(sk, l2 + 8 * (first + i), img_pa(sk, i * MIB_2) | chunk_flags[i]);
	synth_put64(sk, l2 + 8 * (first + 3), l1 | KERNPG_TABLE);
	for (i = 0; i < 512; i++)
		synth_put64(sk, l1 + 8 * i, (img_pa(sk, BSS_OFF) + i * KIB_4) | PAGE_RW);
}

/* The direct map of every RAM range (kernel_physical_mapping_init()). */
static void build_direct_map(struct synth_kernel *sk)
{
	u64 top = img_pa(sk, INIT_TOP_PGT_OFF), step = sk->p.gbpages ? GIB_1 : MIB_2, a;
	unsigned int i;

	for (i = 0; i < sk->nr_ram; i++) {
		u64 end = sk->ram[i].start + sk->ram[i].size;

		for (a = sk->ram[i].start & ~(step - 1); a < end; a += step) {
			/* Ranges share a 1 GiB page; map it once. */
			if (sk->p.gbpages && i && a < sk->ram[i - 1].start + sk->ram[i - 1].size)
				continue;
			map_page(sk, top, dm_va(sk, a), a, sk->p.gbpages ? 3 : 2, LARGE_RW);
		}
	}
}

/* A table that shares init_top_pgt's kernel half (pgd_alloc(), setup_real_mode()). */
static void copy_kernel_half(struct synth_kernel *sk, u64 dst)
{
	u64 src = img_pa(sk, INIT_TOP_PGT_OFF);

	memcpy(sk->mem + dst + 8 * 256, sk->mem + src + 8 * 256, 8 * 256);
}

/* ---- kallsyms (scripts/kallsyms.c output, 6.12 order) ---- */

struct ksym {
	char name[160];		/* type letter first, as kallsyms_names stores it */
	u64 addr;
};

struct ksyms {
	struct ksym s[448];
	unsigned int n;
};

static void add_sym(struct ksyms *ks, char type, const char *name, u64 addr)
{
	struct ksym *s;

	if (ks->n == MINTMON_ARRAY_SIZE(ks->s))
		die("too many symbols");
	s = &ks->s[ks->n++];
	snprintf(s->name, sizeof(s->name), "%c%s", type, name);
	s->addr = addr;
}

/* The token table: printable characters stand for themselves, a few slots for substrings. */
static const char *const multi_tokens[][2] = {
	{"\x80", "synth_fn_"},
	{"\x81", "init_"},
	{"\x82", "kthread"},
	{"\x83", "_base"},
	{"\x84", "Dinit_"},	/* tokens may span the type letter, as real ones do */
};

static const char *token_of(unsigned int c, char *one)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(multi_tokens); i++) {
		if ((u8)multi_tokens[i][0][0] == c)
			return multi_tokens[i][1];
	}
	if (c > 0x20 && c < 0x7f) {
		one[0] = (char)c;
		one[1] = '\0';
		return one;
	}
	return "";
}

/* Compress greedily: the longest multi-character token first, else the character. */
static size_t compress(const char *name, u8 *out)
{
	size_t n = 0;

	while (*name) {
		unsigned int i, best = ~0u;
		size_t best_len = 1;

		for (i = 0; i < MINTMON_ARRAY_SIZE(multi_tokens); i++) {
			size_t l = strlen(multi_tokens[i][1]);

			if (l > best_len && !strncmp(name, multi_tokens[i][1], l)) {
				best = i;
				best_len = l;
			}
		}
		out[n++] = best == ~0u ? (u8)*name : (u8)multi_tokens[best][0][0];
		name += best_len;
	}
	return n;
}

static u64 align8(u64 v)
{
	return (v + 7) & ~7ull;
}

/* Sort by address, stable (aliases keep their order), as scripts/kallsyms does. */
static void sort_syms(struct ksyms *ks)
{
	unsigned int i, j;

	for (i = 1; i < ks->n; i++) {
		struct ksym t = ks->s[i];

		for (j = i; j > 0 && ks->s[j - 1].addr > t.addr; j--)
			ks->s[j] = ks->s[j - 1];
		ks->s[j] = t;
	}
}

/*
 * kallsyms_num_syms, kallsyms_names, kallsyms_markers, kallsyms_token_table,
 * kallsyms_token_index, kallsyms_offsets, kallsyms_relative_base,
 * kallsyms_seqs_of_names, each .balign 8, at image offset off. Returns the
 * offset just past them.
 */
static u64 emit_kallsyms(struct synth_kernel *sk, struct ksyms *ks, u64 off)
{
	u64 pos = off, names, markers, tt, ti, offsets, base_pos, seqs;
	u64 base = ks->s[0].addr;
	u32 order[400];
	char one[2];
	unsigned int i, j;
	u8 *m = sk->mem + sk->p.text_phys;

	sort_syms(ks);
	memcpy(m + pos, &ks->n, 4);
	pos += 8;
	names = pos;
	/* Markers: where every 256th name starts. Names: ULEB128 length, then tokens. */
	markers = 0;
	{
		u32 marks[8];

		for (i = 0; i < ks->n; i++) {
			u8 tok[200];
			size_t len = compress(ks->s[i].name, tok);

			if (i % 256 == 0)
				marks[i / 256] = (u32)(pos - names);
			if (len > 127) {
				m[pos++] = (u8)(0x80 | (len & 0x7f));
				m[pos++] = (u8)(len >> 7);
			} else {
				m[pos++] = (u8)len;
			}
			memcpy(m + pos, tok, len);
			pos += len;
		}
		markers = align8(pos);
		for (i = 0; i < (ks->n + 255) / 256; i++)
			memcpy(m + markers + 4 * i, &marks[i], 4);
		pos = markers + 4 * ((ks->n + 255) / 256);
	}
	tt = align8(pos);
	pos = tt;
	ti = 0;
	{
		u16 index[256];

		for (i = 0; i < 256; i++) {
			const char *t = token_of(i, one);

			index[i] = (u16)(pos - tt);
			memcpy(m + pos, t, strlen(t) + 1);
			pos += strlen(t) + 1;
		}
		ti = align8(pos);
		memcpy(m + ti, index, sizeof(index));
	}
	offsets = align8(ti + 512);
	for (i = 0; i < ks->n; i++) {
		u32 v = (u32)(ks->s[i].addr - base);

		memcpy(m + offsets + 4 * i, &v, 4);
	}
	base_pos = align8(offsets + 4 * ks->n);
	memcpy(m + base_pos, &base, 8);
	/* kallsyms_seqs_of_names: symbol indices in name order, 3 bytes big-endian each. */
	seqs = base_pos + 8;
	for (i = 0; i < ks->n; i++)
		order[i] = i;
	for (i = 1; i < ks->n; i++) {
		u32 t = order[i];

		for (j = i; j > 0 && strcmp(ks->s[order[j - 1]].name + 1, ks->s[t].name + 1) > 0;
		     j--)
			order[j] = order[j - 1];
		order[j] = t;
	}
	for (i = 0; i < ks->n; i++) {
		m[seqs + 3 * i] = (u8)(order[i] >> 16);
		m[seqs + 3 * i + 1] = (u8)(order[i] >> 8);
		m[seqs + 3 * i + 2] = (u8)order[i];
	}
	return seqs + 3 * ks->n;
}

/* ---- BTF (include/uapi/linux/btf.h) ---- */

enum {
	K_INT = 1, K_PTR = 2, K_ARRAY = 3, K_STRUCT = 4, K_UNION = 5, K_ENUM = 6,
	K_TYPEDEF = 8, K_CONST = 10,
};

/* Type ids: the blob lists them in this order. */
enum {
	BT_VOID,
	BT_INT, BT_UINT, BT_LONG, BT_ULONG, BT_LLONG, BT_ULLONG, BT_CHAR, BT_UCHAR, BT_USHORT,
	BT_ARRAY_SIZE_TYPE,
	BT_U8, BT_U16, BT_U32, BT_U64, BT_S64, BT_PID_T, BT_UID_T, BT_GID_T, BT_KTIME_T,
	BT_PGDVAL_T,
	BT_VOID_PTR, BT_CHAR_PTR, BT_CHAR16, BT_CHAR32, BT_CHAR65, BT_ULONG_FLEX,
	BT_LIST_HEAD, BT_LIST_HEAD_PTR,
	BT_ATOMIC64_ANON, BT_ATOMIC64_T, BT_ATOMIC_LONG_T,
	BT_KUID_ANON, BT_KUID_T, BT_KGID_ANON, BT_KGID_T,
	BT_THREAD_INFO,
	BT_NEW_UTSNAME, BT_UTS_NAMESPACE,
	BT_TASK_STRUCT, BT_TASK_PTR,
	BT_CRED, BT_CONST_CRED, BT_CONST_CRED_PTR,
	BT_SIGNAL_STRUCT, BT_SIGNAL_PTR,
	BT_PGD_ANON, BT_PGD_T, BT_PGD_PTR,
	BT_PERCPU_COUNTER, BT_RSS_ARRAY, BT_MM_COUNTERS, BT_MM_ANON, BT_MM_STRUCT, BT_MM_PTR,
	BT_KTHREAD,
	BT_WQ, BT_WQ_PTR, BT_WORKER,
	BT_TTY_DRIVER, BT_TTY_DRIVER_PTR, BT_TTY_STRUCT, BT_TTY_PTR,
	BT_E820_TYPE, BT_E820_ENTRY, BT_E820_ENTRIES, BT_E820_TABLE,
	BT_SETUP_HEADER, BT_BOOT_PARAMS,
	BT_TK_READ_BASE, BT_TIMEKEEPER,
	BT_SEQCOUNT, BT_SEQCOUNT_T, BT_SEQCOUNT_RAW_SPINLOCK, BT_SEQCOUNT_RAW_SPINLOCK_T,
	BT_PRINTK_INFO, BT_PRINTK_INFO_PTR, BT_BLK_LPOS, BT_PRB_DESC, BT_PRB_DESC_PTR,
	BT_PRB_DESC_RING, BT_PRB_DATA_RING, BT_PRINTK_RINGBUFFER,
	BT_ATOMIC_ANON, BT_ATOMIC_T, BT_STATIC_KEY, BT_STATIC_CALL_KEY, BT_DYN_FTRACE,
	BT_DYN_FTRACE_PTR, BT_FTRACE_PAGE, BT_FTRACE_PAGE_PTR, BT_FTRACE_OPS, BT_FTRACE_OPS_PTR,
	BT_HLIST_NODE, BT_HLIST_NODE_PTR, BT_FTRACE_FL, BT_KPROBE, BT_U8_4, BT_OPT_INSN,
	BT_OPT_KPROBE, BT_MODULE_MEMORY, BT_MODULE_MEMS, BT_CHAR56, BT_MODULE,
	BT_NR,
};

struct bmember {
	const char *name;
	u16 type;
	u32 off;		/* bytes, or BM_BITFIELD() */
};

/* A bitfield member: bits wide, from bit `bit` of byte `byte` (the struct gets kind_flag). */
#define BM_BITFIELD(byte, bit, bits) (0x80000000u | (u32)(bits) << 24 | ((byte) * 8 + (bit)))
#define BM_IS_BITFIELD(off) ((off) & 0x80000000u)

struct benum {
	const char *name;
	s32 val;
};

struct btype {
	u8 kind;
	const char *name;
	u32 size;		/* INT, STRUCT, UNION, ENUM */
	u16 ref;		/* PTR, TYPEDEF, CONST: the type; ARRAY: the element */
	u32 n;			/* INT: encoding word; ARRAY: elements */
	const struct bmember *m;
	const struct benum *e;
	u16 vlen;
};

#define B_INT(nm, sz, enc) {.kind = K_INT, .name = nm, .size = sz, .n = (enc) << 24 | (sz) * 8}
#define B_PTR(t) {.kind = K_PTR, .ref = t}
#define B_CONST(t) {.kind = K_CONST, .ref = t}
#define B_TYPEDEF(nm, t) {.kind = K_TYPEDEF, .name = nm, .ref = t}
#define B_ARRAY(t, cnt) {.kind = K_ARRAY, .ref = t, .n = cnt}
#define B_STRUCT(nm, sz, mem) \
	{.kind = K_STRUCT, .name = nm, .size = sz, .m = mem, .vlen = MINTMON_ARRAY_SIZE(mem)}
#define B_ENUM(nm, sz, vals) \
	{.kind = K_ENUM, .name = nm, .size = sz, .e = vals, .vlen = MINTMON_ARRAY_SIZE(vals)}

static const struct bmember list_head_m[] = {
	{"next", BT_LIST_HEAD_PTR, 0}, {"prev", BT_LIST_HEAD_PTR, 8},
};
static const struct bmember atomic64_m[] = {{"counter", BT_S64, 0}};
static const struct bmember kuid_m[] = {{"val", BT_UID_T, 0}};
static const struct bmember kgid_m[] = {{"val", BT_GID_T, 0}};
static const struct bmember pgd_m[] = {{"pgd", BT_PGDVAL_T, 0}};
static const struct bmember thread_info_m[] = {
	{"flags", BT_ULONG, 0}, {"syscall_work", BT_ULONG, 8}, {"status", BT_U32, 0x10},
	{"cpu", BT_U32, 0x14},
};
static const struct bmember new_utsname_m[] = {
	{"sysname", BT_CHAR65, 0}, {"nodename", BT_CHAR65, 65}, {"release", BT_CHAR65, 130},
	{"version", BT_CHAR65, 195}, {"machine", BT_CHAR65, 260}, {"domainname", BT_CHAR65, 325},
};
static const struct bmember uts_namespace_m[] = {
	{"name", BT_NEW_UTSNAME, 0}, {"user_ns", BT_VOID_PTR, 0x188},
	{"ucounts", BT_VOID_PTR, 0x190},
};
static const struct bmember task_struct_m[] = {
	{"thread_info", BT_THREAD_INFO, 0},
	{"__state", BT_UINT, TS_STATE},
	{"stack", BT_VOID_PTR, TS_STACK},
	{"flags", BT_UINT, TS_FLAGS},
	{"tasks", BT_LIST_HEAD, TS_TASKS},
	{"mm", BT_MM_PTR, TS_MM},
	{"active_mm", BT_MM_PTR, TS_ACTIVE_MM},
	{"exit_state", BT_INT, TS_EXIT_STATE},
	{"exit_code", BT_INT, TS_EXIT_CODE},
	{"exit_signal", BT_INT, TS_EXIT_SIGNAL},
	{"pid", BT_PID_T, TS_PID},
	{"tgid", BT_PID_T, TS_TGID},
	{"stack_canary", BT_ULONG, TS_STACK_CANARY},
	{"real_parent", BT_TASK_PTR, TS_REAL_PARENT},
	{"parent", BT_TASK_PTR, TS_PARENT},
	{"children", BT_LIST_HEAD, TS_CHILDREN},
	{"sibling", BT_LIST_HEAD, TS_SIBLING},
	{"group_leader", BT_TASK_PTR, TS_GROUP_LEADER},
	{"thread_node", BT_LIST_HEAD, TS_THREAD_NODE},
	{"utime", BT_U64, TS_UTIME},
	{"stime", BT_U64, TS_STIME},
	{"start_time", BT_U64, TS_START_TIME},
	{"start_boottime", BT_U64, TS_START_BOOTTIME},
	{"real_cred", BT_CONST_CRED_PTR, TS_REAL_CRED},
	{"cred", BT_CONST_CRED_PTR, TS_CRED},
	{"comm", BT_CHAR16, TS_COMM},
	{"signal", BT_SIGNAL_PTR, TS_SIGNAL},
	{"worker_private", BT_VOID_PTR, TS_WORKER_PRIVATE},
};
static const struct bmember cred_m[] = {
	{"usage", BT_ATOMIC_LONG_T, CRED_USAGE}, {"uid", BT_KUID_T, CRED_UID},
	{"gid", BT_KGID_T, CRED_GID}, {"suid", BT_KUID_T, CRED_SUID},
	{"sgid", BT_KGID_T, CRED_SGID}, {"euid", BT_KUID_T, CRED_EUID},
	{"egid", BT_KGID_T, CRED_EGID},
};
static const struct bmember signal_struct_m[] = {
	{"sigcnt", BT_INT, SIG_SIGCNT}, {"live", BT_INT, SIG_LIVE},
	{"nr_threads", BT_INT, SIG_NR_THREADS}, {"thread_head", BT_LIST_HEAD, SIG_THREAD_HEAD},
	{"tty", BT_TTY_PTR, SIG_TTY},
};
static const struct bmember percpu_counter_m[] = {
	{"lock", BT_UINT, 0}, {"count", BT_S64, PCC_COUNT}, {"list", BT_LIST_HEAD, 0x10},
	{"counters", BT_VOID_PTR, 0x20},
};
static const struct benum mm_counters_e[] = {
	{"MM_FILEPAGES", 0}, {"MM_ANONPAGES", 1}, {"MM_SWAPENTS", 2}, {"MM_SHMEMPAGES", 3},
	{"NR_MM_COUNTERS", 4},
};
static const struct bmember mm_anon_m[] = {
	{"pgd", BT_PGD_PTR, MM_PGD}, {"total_vm", BT_ULONG, MM_TOTAL_VM},
	{"arg_start", BT_ULONG, MM_ARG_START}, {"arg_end", BT_ULONG, MM_ARG_END},
	{"env_start", BT_ULONG, MM_ENV_START}, {"env_end", BT_ULONG, MM_ENV_END},
	{"rss_stat", BT_RSS_ARRAY, MM_RSS_STAT},
};
static const struct bmember mm_struct_m[] = {
	{"", BT_MM_ANON, 0}, {"cpu_bitmap", BT_ULONG_FLEX, MM_ANON_SIZE},
};
static const struct bmember kthread_m[] = {
	{"flags", BT_ULONG, 0}, {"cpu", BT_UINT, 8}, {"result", BT_INT, 0xc},
	{"threadfn", BT_VOID_PTR, 0x10}, {"data", BT_VOID_PTR, KT_DATA},
	{"full_name", BT_CHAR_PTR, KT_FULL_NAME},
};
static const struct bmember workqueue_struct_m[] = {
	{"list", BT_LIST_HEAD, 0x10}, {"name", BT_CHAR32, WQ_NAME},
};
static const struct bmember worker_m[] = {
	{"entry", BT_LIST_HEAD, 0}, {"current_work", BT_VOID_PTR, W_CURRENT_WORK},
	{"task", BT_TASK_PTR, W_TASK}, {"pool", BT_VOID_PTR, W_POOL},
	{"desc", BT_CHAR32, W_DESC}, {"rescue_wq", BT_WQ_PTR, W_RESCUE_WQ},
};
static const struct bmember tty_driver_m[] = {
	{"kref", BT_INT, 0}, {"name", BT_CHAR_PTR, 0x20}, {"major", BT_INT, DRV_MAJOR},
	{"minor_start", BT_INT, DRV_MINOR_START},
};
static const struct bmember tty_struct_m[] = {
	{"kref", BT_INT, 0}, {"index", BT_INT, TTY_INDEX},
	{"driver", BT_TTY_DRIVER_PTR, TTY_DRIVER},
};
static const struct benum e820_type_e[] = {
	{"E820_TYPE_RAM", 1}, {"E820_TYPE_RESERVED", 2}, {"E820_TYPE_ACPI", 3},
	{"E820_TYPE_NVS", 4}, {"E820_TYPE_UNUSABLE", 5}, {"E820_TYPE_PMEM", 7},
	{"E820_TYPE_RESERVED_KERN", 128},
};
static const struct bmember e820_entry_m[] = {
	{"addr", BT_U64, 0}, {"size", BT_U64, 8}, {"type", BT_E820_TYPE, 16},
};
static const struct bmember e820_table_m[] = {
	{"nr_entries", BT_U32, 0}, {"entries", BT_E820_ENTRIES, 4},
};
static const struct bmember setup_header_m[] = {
	{"setup_sects", BT_U8, 0}, {"version", BT_U16, 0x15}, {"kernel_alignment", BT_U32, 0x3f},
	{"relocatable_kernel", BT_U8, 0x43}, {"pref_address", BT_U64, HDR_PREF_ADDRESS},
	{"init_size", BT_U32, 0x6f},
};
static const struct bmember boot_params_m[] = {
	{"e820_entries", BT_U8, BP_E820_ENTRIES}, {"hdr", BT_SETUP_HEADER, BP_HDR},
};
static const struct bmember tk_read_base_m[] = {
	{"clock", BT_VOID_PTR, 0}, {"mask", BT_U64, 8}, {"cycle_last", BT_U64, 0x10},
	{"mult", BT_U32, 0x18}, {"shift", BT_U32, 0x1c}, {"xtime_nsec", BT_U64, 0x20},
	{"base", BT_KTIME_T, TKR_BASE}, {"base_real", BT_U64, 0x30},
};
static const struct bmember timekeeper_m[] = {
	{"tkr_mono", BT_TK_READ_BASE, 0}, {"xtime_sec", BT_U64, 0x38},
	{"ktime_sec", BT_ULONG, 0x40}, {"offs_real", BT_KTIME_T, TK_OFFS_REAL},
	{"offs_boot", BT_KTIME_T, TK_OFFS_BOOT}, {"offs_tai", BT_KTIME_T, 0x68},
	{"tkr_raw", BT_TK_READ_BASE, 0x78},
};
static const struct bmember printk_info_m[] = {
	{"seq", BT_U64, PI_SEQ}, {"ts_nsec", BT_U64, PI_TS}, {"text_len", BT_U16, PI_TEXT_LEN},
	{"facility", BT_U8, PI_FACILITY}, {"flags", BT_U8, BM_BITFIELD(PI_FLAGS_LEVEL, 0, 5)},
	{"level", BT_U8, BM_BITFIELD(PI_FLAGS_LEVEL, 5, 3)}, {"caller_id", BT_U32, PI_CALLER},
};
static const struct bmember blk_lpos_m[] = {{"begin", BT_ULONG, 0}, {"next", BT_ULONG, 8}};
static const struct bmember prb_desc_m[] = {
	{"state_var", BT_ATOMIC_LONG_T, PD_STATE}, {"text_blk_lpos", BT_BLK_LPOS, PD_BEGIN},
};
static const struct bmember prb_desc_ring_m[] = {
	{"count_bits", BT_UINT, 0}, {"descs", BT_PRB_DESC_PTR, PRB_DESCS},
	{"infos", BT_PRINTK_INFO_PTR, PRB_INFOS}, {"head_id", BT_ATOMIC_LONG_T, PRB_HEAD_ID},
	{"tail_id", BT_ATOMIC_LONG_T, PRB_TAIL_ID},
	{"last_finalized_seq", BT_ATOMIC_LONG_T, 0x28},
};
static const struct bmember prb_data_ring_m[] = {
	{"size_bits", BT_UINT, 0}, {"data", BT_CHAR_PTR, 8}, {"head_lpos", BT_ATOMIC_LONG_T, 0x10},
	{"tail_lpos", BT_ATOMIC_LONG_T, 0x18},
};
static const struct bmember printk_ringbuffer_m[] = {
	{"desc_ring", BT_PRB_DESC_RING, 0}, {"text_data_ring", BT_PRB_DATA_RING, PRB_SIZE_BITS},
	{"fail", BT_ATOMIC_LONG_T, PRB_FAIL},
};
static const struct bmember seqcount_m[] = {{"sequence", BT_UINT, 0}};
static const struct bmember seqcount_raw_spinlock_m[] = {{"seqcount", BT_SEQCOUNT_T, 0}};

/* Text integrity (text.h): include/linux/jump_label.h, static_call_types.h, ftrace.h, kprobes.h. */
static const struct bmember atomic_m[] = {{"counter", BT_INT, 0}};
static const struct bmember static_key_m[] = {{"enabled", BT_ATOMIC_T, 0}, {"type", BT_ULONG, 8}};
static const struct bmember static_call_key_m[] = {{"func", BT_VOID_PTR, 0},
						   {"type", BT_ULONG, 8}};
static const struct bmember dyn_ftrace_m[] = {{"ip", BT_ULONG, 0}, {"flags", BT_ULONG, 8}};
static const struct bmember ftrace_page_m[] = {
	{"next", BT_FTRACE_PAGE_PTR, 0}, {"records", BT_DYN_FTRACE_PTR, 8}, {"index", BT_INT, 16},
	{"order", BT_INT, 20},
};
static const struct bmember ftrace_ops_m[] = {
	{"func", BT_VOID_PTR, 0}, {"next", BT_FTRACE_OPS_PTR, 8}, {"flags", BT_ULONG, 16},
	{"trampoline", BT_ULONG, 0x88},
};
static const struct bmember hlist_node_m[] = {{"next", BT_HLIST_NODE_PTR, 0},
					      {"pprev", BT_VOID_PTR, 8}};
static const struct benum ftrace_fl_e[] = {
	{"FTRACE_FL_ENABLED", (s32)0x80000000u}, {"FTRACE_FL_REGS", 1 << 30},
	{"FTRACE_FL_DIRECT_EN", 1 << 23},
};
static const struct bmember kprobe_m[] = {
	{"hlist", BT_HLIST_NODE, 0}, {"list", BT_LIST_HEAD, 16}, {"nmissed", BT_ULONG, 32},
	{"addr", BT_VOID_PTR, 40}, {"symbol_name", BT_CHAR_PTR, 48}, {"offset", BT_UINT, 56},
	{"opcode", BT_U8, 80}, {"flags", BT_U32, 120},
};
static const struct bmember opt_insn_m[] = {{"copied_insn", BT_U8_4, 0},
					    {"insn", BT_VOID_PTR, 8}, {"size", BT_ULONG, 16}};
static const struct bmember opt_kprobe_m[] = {{"kp", BT_KPROBE, 0}, {"list", BT_LIST_HEAD, 128},
					      {"optinsn", BT_OPT_INSN, 144}};

/* include/linux/module.h since v6.4: mem[MOD_MEM_NUM_TYPES] of struct module_memory. */
static const struct bmember module_memory_m[] = {{"base", BT_VOID_PTR, 0}, {"size", BT_UINT, 8}};
static const struct bmember module_m[] = {
	{"state", BT_INT, 0}, {"list", BT_LIST_HEAD, 8}, {"name", BT_CHAR56, 24},
	{"refcnt", BT_ATOMIC_T, 0x100}, {"taints", BT_ULONG, 0x108}, {"mem", BT_MODULE_MEMS, 0x140},
};

static const struct btype btf_types[BT_NR] = {
	[BT_INT] = B_INT("int", 4, 1),
	[BT_UINT] = B_INT("unsigned int", 4, 0),
	[BT_LONG] = B_INT("long int", 8, 1),
	[BT_ULONG] = B_INT("long unsigned int", 8, 0),
	[BT_LLONG] = B_INT("long long int", 8, 1),
	[BT_ULLONG] = B_INT("long long unsigned int", 8, 0),
	[BT_CHAR] = B_INT("char", 1, 2),
	[BT_UCHAR] = B_INT("unsigned char", 1, 0),
	[BT_USHORT] = B_INT("short unsigned int", 2, 0),
	[BT_ARRAY_SIZE_TYPE] = B_INT("__ARRAY_SIZE_TYPE__", 4, 0),
	[BT_U8] = B_TYPEDEF("u8", BT_UCHAR),
	[BT_U16] = B_TYPEDEF("u16", BT_USHORT),
	[BT_U32] = B_TYPEDEF("u32", BT_UINT),
	[BT_U64] = B_TYPEDEF("u64", BT_ULLONG),
	[BT_S64] = B_TYPEDEF("s64", BT_LLONG),
	[BT_PID_T] = B_TYPEDEF("pid_t", BT_INT),
	[BT_UID_T] = B_TYPEDEF("uid_t", BT_UINT),
	[BT_GID_T] = B_TYPEDEF("gid_t", BT_UINT),
	[BT_KTIME_T] = B_TYPEDEF("ktime_t", BT_S64),
	[BT_PGDVAL_T] = B_TYPEDEF("pgdval_t", BT_ULONG),
	[BT_VOID_PTR] = B_PTR(BT_VOID),
	[BT_CHAR_PTR] = B_PTR(BT_CHAR),
	[BT_CHAR16] = B_ARRAY(BT_CHAR, 16),
	[BT_CHAR32] = B_ARRAY(BT_CHAR, 32),
	[BT_CHAR65] = B_ARRAY(BT_CHAR, 65),
	[BT_ULONG_FLEX] = B_ARRAY(BT_ULONG, 0),
	[BT_LIST_HEAD] = B_STRUCT("list_head", 16, list_head_m),
	[BT_LIST_HEAD_PTR] = B_PTR(BT_LIST_HEAD),
	[BT_ATOMIC64_ANON] = B_STRUCT("", 8, atomic64_m),
	[BT_ATOMIC64_T] = B_TYPEDEF("atomic64_t", BT_ATOMIC64_ANON),
	[BT_ATOMIC_LONG_T] = B_TYPEDEF("atomic_long_t", BT_ATOMIC64_T),
	[BT_KUID_ANON] = B_STRUCT("", 4, kuid_m),
	[BT_KUID_T] = B_TYPEDEF("kuid_t", BT_KUID_ANON),
	[BT_KGID_ANON] = B_STRUCT("", 4, kgid_m),
	[BT_KGID_T] = B_TYPEDEF("kgid_t", BT_KGID_ANON),
	[BT_THREAD_INFO] = B_STRUCT("thread_info", TI_SIZE, thread_info_m),
	[BT_NEW_UTSNAME] = B_STRUCT("new_utsname", 390, new_utsname_m),
	[BT_UTS_NAMESPACE] = B_STRUCT("uts_namespace", UTS_SIZE, uts_namespace_m),
	[BT_TASK_STRUCT] = B_STRUCT("task_struct", TASK_SIZE, task_struct_m),
	[BT_TASK_PTR] = B_PTR(BT_TASK_STRUCT),
	[BT_CRED] = B_STRUCT("cred", CRED_SIZE, cred_m),
	[BT_CONST_CRED] = B_CONST(BT_CRED),
	[BT_CONST_CRED_PTR] = B_PTR(BT_CONST_CRED),
	[BT_SIGNAL_STRUCT] = B_STRUCT("signal_struct", SIGNAL_SIZE, signal_struct_m),
	[BT_SIGNAL_PTR] = B_PTR(BT_SIGNAL_STRUCT),
	[BT_PGD_ANON] = B_STRUCT("", 8, pgd_m),
	[BT_PGD_T] = B_TYPEDEF("pgd_t", BT_PGD_ANON),
	[BT_PGD_PTR] = B_PTR(BT_PGD_T),
	[BT_PERCPU_COUNTER] = B_STRUCT("percpu_counter", PCC_SIZE, percpu_counter_m),
	[BT_RSS_ARRAY] = B_ARRAY(BT_PERCPU_COUNTER, 4),
	[BT_MM_COUNTERS] = B_ENUM("", 4, mm_counters_e),
	[BT_MM_ANON] = B_STRUCT("", MM_ANON_SIZE, mm_anon_m),
	[BT_MM_STRUCT] = B_STRUCT("mm_struct", MM_ANON_SIZE, mm_struct_m),
	[BT_MM_PTR] = B_PTR(BT_MM_STRUCT),
	[BT_KTHREAD] = B_STRUCT("kthread", KT_SIZE, kthread_m),
	[BT_WQ] = B_STRUCT("workqueue_struct", WQ_SIZE, workqueue_struct_m),
	[BT_WQ_PTR] = B_PTR(BT_WQ),
	[BT_WORKER] = B_STRUCT("worker", W_SIZE, worker_m),
	[BT_TTY_DRIVER] = B_STRUCT("tty_driver", DRV_SIZE, tty_driver_m),
	[BT_TTY_DRIVER_PTR] = B_PTR(BT_TTY_DRIVER),
	[BT_TTY_STRUCT] = B_STRUCT("tty_struct", TTY_SIZE, tty_struct_m),
	[BT_TTY_PTR] = B_PTR(BT_TTY_STRUCT),
	[BT_E820_TYPE] = B_ENUM("e820_type", 4, e820_type_e),
	[BT_E820_ENTRY] = B_STRUCT("e820_entry", E820_ENTRY_SIZE, e820_entry_m),
	[BT_E820_ENTRIES] = B_ARRAY(BT_E820_ENTRY, E820_MAX_ENTRIES),
	[BT_E820_TABLE] = B_STRUCT("e820_table", 4 + E820_ENTRY_SIZE * E820_MAX_ENTRIES,
				   e820_table_m),
	[BT_SETUP_HEADER] = B_STRUCT("setup_header", HDR_SIZE, setup_header_m),
	[BT_BOOT_PARAMS] = B_STRUCT("boot_params", 4096, boot_params_m),
	[BT_TK_READ_BASE] = B_STRUCT("tk_read_base", 0x38, tk_read_base_m),
	[BT_TIMEKEEPER] = B_STRUCT("timekeeper", TK_SIZE, timekeeper_m),
	[BT_SEQCOUNT] = B_STRUCT("seqcount", 4, seqcount_m),
	[BT_SEQCOUNT_T] = B_TYPEDEF("seqcount_t", BT_SEQCOUNT),
	[BT_SEQCOUNT_RAW_SPINLOCK] = B_STRUCT("seqcount_raw_spinlock", 4, seqcount_raw_spinlock_m),
	[BT_SEQCOUNT_RAW_SPINLOCK_T] = B_TYPEDEF("seqcount_raw_spinlock_t",
						 BT_SEQCOUNT_RAW_SPINLOCK),
	[BT_PRINTK_INFO] = B_STRUCT("printk_info", PI_SIZE, printk_info_m),
	[BT_PRINTK_INFO_PTR] = B_PTR(BT_PRINTK_INFO),
	[BT_BLK_LPOS] = B_STRUCT("prb_data_blk_lpos", 16, blk_lpos_m),
	[BT_PRB_DESC] = B_STRUCT("prb_desc", PD_SIZE, prb_desc_m),
	[BT_PRB_DESC_PTR] = B_PTR(BT_PRB_DESC),
	[BT_PRB_DESC_RING] = B_STRUCT("prb_desc_ring", 0x30, prb_desc_ring_m),
	[BT_PRB_DATA_RING] = B_STRUCT("prb_data_ring", 0x20, prb_data_ring_m),
	[BT_PRINTK_RINGBUFFER] = B_STRUCT("printk_ringbuffer", PRB_SIZE, printk_ringbuffer_m),
	[BT_ATOMIC_ANON] = B_STRUCT("", 4, atomic_m),
	[BT_ATOMIC_T] = B_TYPEDEF("atomic_t", BT_ATOMIC_ANON),
	[BT_STATIC_KEY] = B_STRUCT("static_key", 16, static_key_m),
	[BT_STATIC_CALL_KEY] = B_STRUCT("static_call_key", 16, static_call_key_m),
	[BT_DYN_FTRACE] = B_STRUCT("dyn_ftrace", 16, dyn_ftrace_m),
	[BT_DYN_FTRACE_PTR] = B_PTR(BT_DYN_FTRACE),
	[BT_FTRACE_PAGE] = B_STRUCT("ftrace_page", 24, ftrace_page_m),
	[BT_FTRACE_PAGE_PTR] = B_PTR(BT_FTRACE_PAGE),
	[BT_FTRACE_OPS] = B_STRUCT("ftrace_ops", 0xa0, ftrace_ops_m),
	[BT_FTRACE_OPS_PTR] = B_PTR(BT_FTRACE_OPS),
	[BT_HLIST_NODE] = B_STRUCT("hlist_node", 16, hlist_node_m),
	[BT_HLIST_NODE_PTR] = B_PTR(BT_HLIST_NODE),
	[BT_FTRACE_FL] = B_ENUM("", 4, ftrace_fl_e),
	[BT_KPROBE] = B_STRUCT("kprobe", 128, kprobe_m),
	[BT_U8_4] = B_ARRAY(BT_U8, 4),
	[BT_OPT_INSN] = B_STRUCT("arch_optimized_insn", 24, opt_insn_m),
	[BT_OPT_KPROBE] = B_STRUCT("optimized_kprobe", 168, opt_kprobe_m),
	[BT_MODULE_MEMORY] = B_STRUCT("module_memory", 0x38, module_memory_m),
	[BT_MODULE_MEMS] = B_ARRAY(BT_MODULE_MEMORY, 7),
	[BT_CHAR56] = B_ARRAY(BT_CHAR, 56),
	[BT_MODULE] = B_STRUCT("module", 0x300, module_m),
};

struct btf_out {
	u8 *types;		/* the type section, grown as written */
	u32 tlen;
	char strs[4096];
	u32 slen;
};

static u32 btf_str(struct btf_out *o, const char *s)
{
	u32 i = 0;

	if (!*s)
		return 0;
	while (i < o->slen) {	/* the same string once */
		if (!strcmp(o->strs + i, s))
			return i;
		i += (u32)strlen(o->strs + i) + 1;
	}
	if (o->slen + strlen(s) + 1 > sizeof(o->strs))
		die("BTF strings overflow");
	memcpy(o->strs + o->slen, s, strlen(s) + 1);
	o->slen += (u32)strlen(s) + 1;
	return i;
}

static void btf_word(struct btf_out *o, u32 v)
{
	memcpy(o->types + o->tlen, &v, 4);
	o->tlen += 4;
}

/* Is "type" or "type.member" in the omit list? */
static bool omitted(const struct synth_params *p, const char *type, const char *member)
{
	char want[128];
	unsigned int i;

	if (member)
		snprintf(want, sizeof(want), "%s.%s", type, member);
	else
		snprintf(want, sizeof(want), "%s", type);
	for (i = 0; i < MINTMON_ARRAY_SIZE(p->btf_omit); i++) {
		if (p->btf_omit[i] && *type && !strcmp(p->btf_omit[i], want))
			return true;
	}
	return false;
}

/* The .BTF section at image offset off (pahole's output, minus everything unused). */
static u64 emit_btf(struct synth_kernel *sk, u64 off)
{
	struct btf_out o = {.types = malloc(BT_NR * 12 + 8192), .slen = 1};
	u8 *m = sk->mem + sk->p.text_phys;
	unsigned int id, i;
	u32 hdr[6];

	if (!o.types)
		die("out of memory");
	for (id = 1; id < BT_NR; id++) {
		const struct btype *t = &btf_types[id];
		const char *name = t->name ? t->name : "";
		u32 vlen = 0, name_off = omitted(&sk->p, name, NULL) ? 0 : btf_str(&o, name);

		if (!t->kind)
			die("BTF: type id without a description");
		bool kflag = false;

		if (t->kind == K_STRUCT) {
			for (i = 0; i < t->vlen; i++) {
				vlen += !omitted(&sk->p, name, t->m[i].name);
				kflag |= BM_IS_BITFIELD(t->m[i].off) != 0;
			}
		} else {
			vlen = t->vlen;
		}
		btf_word(&o, name_off);
		/* kind_flag: member offsets carry a bitfield size in their top byte */
		btf_word(&o, (u32)kflag << 31 | (u32)t->kind << 24 | vlen);
		switch (t->kind) {
		case K_INT:
			btf_word(&o, t->size);
			btf_word(&o, t->n);
			break;
		case K_PTR:
		case K_TYPEDEF:
		case K_CONST:
			btf_word(&o, t->ref);
			break;
		case K_ARRAY:
			btf_word(&o, 0);
			btf_word(&o, t->ref);
			btf_word(&o, BT_ARRAY_SIZE_TYPE);
			btf_word(&o, t->n);
			break;
		case K_STRUCT:
			btf_word(&o, t->size);
			for (i = 0; i < t->vlen; i++) {
				if (omitted(&sk->p, name, t->m[i].name))
					continue;
				btf_word(&o, btf_str(&o, t->m[i].name));
				btf_word(&o, t->m[i].type);
				btf_word(&o, BM_IS_BITFIELD(t->m[i].off) ?
						     t->m[i].off & 0x7fffffffu : t->m[i].off * 8);
			}
			break;
		case K_ENUM:
			btf_word(&o, t->size);
			for (i = 0; i < t->vlen; i++) {
				btf_word(&o, btf_str(&o, t->e[i].name));
				btf_word(&o, (u32)t->e[i].val);
			}
			break;
		}
	}
	/* struct btf_header: magic, version, flags, hdr_len; types, then strings. */
	hdr[0] = 0xeb9f | 1 << 16;
	hdr[1] = 24;
	hdr[2] = 0;
	hdr[3] = o.tlen;
	hdr[4] = o.tlen;
	hdr[5] = o.slen;
	memcpy(m + off, hdr, 24);
	memcpy(m + off + 24, o.types, o.tlen);
	memcpy(m + off + 24 + o.tlen, o.strs, o.slen);
	free(o.types);
	return off + 24 + o.tlen + o.slen;
}

/* ---- the kernel log: written as kernel/printk/printk_ringbuffer.c does ---- */

static u64 prb_get(const struct synth_kernel *sk, u64 off)
{
	return synth_get64(sk, sk->prb_phys + off);
}

static void prb_put(struct synth_kernel *sk, u64 off, u64 v)
{
	synth_put64(sk, sk->prb_phys + off, v);
}

/* DEFINE_PRINTKRB()'s initial state: empty, head = tail = the last descriptor, reusable. */
static void log_init(struct synth_kernel *sk)
{
	unsigned int cb = sk->p.log_count_bits, sb = sk->p.log_size_bits;
	u64 count = 1ull << cb, size = 1ull << sb, desc0 = (-(count + 1)) & SV_ID_MASK;

	sk->prb_phys = img_pa(sk, PRB_OFF);
	sk->log_descs = img_pa(sk, PRB_DESCS_OFF);
	sk->log_infos = img_pa(sk, PRB_INFOS_OFF);
	sk->log_text = img_pa(sk, PRB_TEXT_OFF);
	sk->nr_log = 0;
	synth_put64(sk, img_pa(sk, PRB_VAR_OFF), img_va(sk, PRB_OFF));
	synth_put64(sk, sk->prb_phys + PRB_COUNT_BITS, cb);
	prb_put(sk, PRB_DESCS, img_va(sk, PRB_DESCS_OFF));
	prb_put(sk, PRB_INFOS, img_va(sk, PRB_INFOS_OFF));
	prb_put(sk, PRB_HEAD_ID, desc0);
	prb_put(sk, PRB_TAIL_ID, desc0);
	synth_put64(sk, sk->prb_phys + PRB_SIZE_BITS, sb);
	prb_put(sk, PRB_DATA, img_va(sk, PRB_TEXT_OFF));
	prb_put(sk, PRB_HEAD_LPOS, -size);
	prb_put(sk, PRB_TAIL_LPOS, -size);
	/* infos[0].seq = -count (the first reservation makes it 0); the last: reusable, no data */
	synth_put64(sk, sk->log_infos + PI_SEQ, -count);
	synth_put64(sk, sk->log_descs + (count - 1) * PD_SIZE + PD_STATE, SV_REUSABLE | desc0);
	synth_put64(sk, sk->log_descs + (count - 1) * PD_SIZE + PD_BEGIN, 1);	/* FAILED_LPOS */
	synth_put64(sk, sk->log_descs + (count - 1) * PD_SIZE + PD_NEXT, 1);
}

/* The oldest descriptor goes (its data may be overwritten now): the tail moves on. */
static void log_push_tail(struct synth_kernel *sk)
{
	u64 count = 1ull << sk->p.log_count_bits, tail = prb_get(sk, PRB_TAIL_ID);
	u64 d = sk->log_descs + (tail & (count - 1)) * PD_SIZE, sv = synth_get64(sk, d + PD_STATE);

	if ((sv & SV_ID_MASK) == tail && (sv & ~SV_ID_MASK) == SV_FINALIZED) {
		u64 seq = synth_get64(sk, sk->log_infos + (tail & (count - 1)) * PI_SIZE + PI_SEQ);

		if (seq < sk->nr_log)
			sk->log[seq].live = false;
		if (!(synth_get64(sk, d + PD_BEGIN) & 1))
			prb_put(sk, PRB_TAIL_LPOS, synth_get64(sk, d + PD_NEXT));
	}
	synth_put64(sk, d + PD_STATE, SV_REUSABLE | tail);
	prb_put(sk, PRB_TAIL_ID, (tail + 1) & SV_ID_MASK);
}

void synth_log_add(struct synth_kernel *sk, u8 level, u8 facility, u8 flags, u32 caller,
		   const char *text, u16 len)
{
	u64 count = 1ull << sk->p.log_count_bits, size = 1ull << sk->p.log_size_bits;
	u64 id = (prb_get(sk, PRB_HEAD_ID) + 1) & SV_ID_MASK, slot = id & (count - 1);
	u64 blen = (8 + len + 7) & ~7ull, begin = prb_get(sk, PRB_HEAD_LPOS), next, at;
	u64 d = sk->log_descs + slot * PD_SIZE, in = sk->log_infos + slot * PI_SIZE;
	struct synth_log_rec *r;

	if (sk->nr_log >= SYNTH_MAX_LOG || blen > size)
		die("synthetic log: too many or too long records");
	if (((id - prb_get(sk, PRB_TAIL_ID)) & SV_ID_MASK) >= count)
		log_push_tail(sk);	/* the descriptor ring is full */
	/* get_next_lpos(): a block whose end is in the next wrap (even at its very start) wraps */
	if ((begin >> sk->p.log_size_bits) != ((begin + blen) >> sk->p.log_size_bits)) {
		next = (begin | (size - 1)) + 1 + blen;	/* at index 0 */
		at = 0;
	} else {
		next = begin + blen;
		at = begin & (size - 1);
	}
	while (next - prb_get(sk, PRB_TAIL_LPOS) > size &&
	       prb_get(sk, PRB_TAIL_ID) != prb_get(sk, PRB_HEAD_ID))
		log_push_tail(sk);	/* the data ring is full */
	synth_put64(sk, sk->log_text + at, id);
	memset(sk->mem + sk->log_text + at + 8, 0, blen - 8);
	memcpy(sk->mem + sk->log_text + at + 8, text, len);
	synth_put64(sk, d + PD_BEGIN, begin);
	synth_put64(sk, d + PD_NEXT, next);
	synth_put64(sk, in + PI_SEQ, sk->nr_log);
	sk->log_ts += 1234567 + 1000ull * sk->nr_log;
	synth_put64(sk, in + PI_TS, sk->log_ts);
	memcpy(sk->mem + in + PI_TEXT_LEN, &len, 2);
	sk->mem[in + PI_FACILITY] = facility;
	sk->mem[in + PI_FLAGS_LEVEL] = (u8)((flags & 0x1f) | level << 5);
	memcpy(sk->mem + in + PI_CALLER, &caller, 4);
	synth_put64(sk, d + PD_STATE, SV_FINALIZED | id);
	prb_put(sk, PRB_HEAD_LPOS, next);
	prb_put(sk, PRB_HEAD_ID, id);
	r = &sk->log[sk->nr_log++];
	r->seq = sk->nr_log - 1;
	r->ts_nsec = sk->log_ts;
	r->level = level;
	r->facility = facility;
	r->flags = flags;
	r->caller_id = caller;
	r->len = len;
	memcpy(r->text, text, len);
	r->live = true;
}

/* The boot log: records of every length, a multi-line one, a continuation, a user one. */
static void build_log(struct synth_kernel *sk)
{
	char text[SYNTH_LOG_TEXT];
	unsigned int i;

	log_init(sk);
	for (i = 0; i < sk->p.nr_log; i++) {
		int n = snprintf(text, sizeof(text), "synth: record %u ", i);

		while (n < (int)(8 + (i * 7) % 60))
			text[n++] = (char)('a' + i % 26);
		if (i == 5)
			n = snprintf(text, sizeof(text), "line one of %u\nline two", i);
		synth_log_add(sk, (u8)(i % 8), i == 11, i == 9 ? 8 : 2,
			      i % 3 ? 0x80000000u | (i % 2) : 100 + i, text, (u16)n);
	}
}

/* ---- tasks ---- */

/* Everything a task points at, as kernel virtual addresses (0: none). */
struct task_links {
	u64 parent, cred, signal, mm, kthread;
};

/* dup_task_struct() + copy_process(), reduced to what /proc shows. */
static u64 write_task(struct synth_kernel *sk, u64 phys, u64 va, const struct synth_task *t,
		      u32 state, u32 exit_state, const struct task_links *l)
{
	put32(sk, phys + TS_STATE, state);
	put32(sk, phys + TS_FLAGS, t->flags);
	put32(sk, phys + TS_EXIT_STATE, exit_state);
	put32(sk, phys + TS_EXIT_SIGNAL, 17);	/* SIGCHLD */
	put32(sk, phys + TS_PID, (u32)t->pid);
	put32(sk, phys + TS_TGID, (u32)t->tgid);
	synth_put64(sk, phys + TS_STACK_CANARY, sk->p.canary ^ (u64)t->pid * 0x9e3779b97f4a7c15ull);
	synth_put64(sk, phys + TS_REAL_PARENT, l->parent);
	synth_put64(sk, phys + TS_PARENT, l->parent);
	list_init(sk, phys + TS_CHILDREN, va + TS_CHILDREN);
	list_init(sk, phys + TS_SIBLING, va + TS_SIBLING);
	synth_put64(sk, phys + TS_MM, l->mm);
	synth_put64(sk, phys + TS_REAL_CRED, l->cred);
	synth_put64(sk, phys + TS_CRED, l->cred);
	synth_put64(sk, phys + TS_SIGNAL, l->signal);
	synth_put64(sk, phys + TS_WORKER_PRIVATE, l->kthread);
	/* utime + stime = cpu time; 2:1 between them. */
	synth_put64(sk, phys + TS_UTIME, t->cpu_time_ns / 3 * 2);
	synth_put64(sk, phys + TS_STIME, t->cpu_time_ns - t->cpu_time_ns / 3 * 2);
	synth_put64(sk, phys + TS_START_TIME, t->start_time_ns);
	synth_put64(sk, phys + TS_START_BOOTTIME, t->start_time_ns);
	memcpy(sk->mem + phys + TS_COMM, t->comm, 16);
	return va;
}

/* The shapes of kernel threads the walk names differently (proc_task_name()). */
enum kt_kind { KT_PLAIN, KT_WORKER, KT_RESCUER, KT_DYING };

struct kthread_spec {
	s32 pid;
	const char *name;	/* what kthread_create() was given; comm is its first 15 bytes */
	enum kt_kind kind;
	u32 state;
	const char *desc;	/* worker: last workqueue (worker->desc) */
	bool busy;		/* worker: running a work item ('+', else '-') */
};

/* Kernel threads (children of kthreadd, pid 2), as a 6.12 guest has them. */
static const struct kthread_spec kthreads[] = {
	{3, "rcu_tasks_trace_kthread", KT_PLAIN, TASK_IDLE, NULL, false},
	{4, "kworker/0:1", KT_WORKER, TASK_RUNNING, "events", true},
	{5, "kworker/u8:2", KT_WORKER, TASK_IDLE, "events_unbound", false},
	{6, "kworker/R-mm_percpu_wq", KT_RESCUER, TASK_IDLE, NULL, false},
	{7, "ksoftirqd/0", KT_PLAIN, TASK_INTERRUPTIBLE, NULL, false},
	{8, "kworker/dying", KT_DYING, TASK_IDLE, NULL, false},
};

static const char *const progs[] = {
	"bash", "sshd", "postgres", "nginx", "python3", "cron", "rsyslogd", "dbus-daemon",
};

static char state_letter(u32 state, u32 exit_state)
{
	if (exit_state & EXIT_ZOMBIE)
		return 'Z';
	switch (state) {
	case TASK_RUNNING: return 'R';
	case TASK_INTERRUPTIBLE: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	case TASK_STOPPED: return 'T';
	case TASK_IDLE: return 'I';
	}
	die("state letter");
	return '?';
}

/* A new truth record (the task list as /proc would show it). */
static struct synth_task *new_truth(struct synth_kernel *sk, s32 pid, s32 tgid, const char *comm)
{
	struct synth_task *t;

	if (sk->nr_tasks == SYNTH_MAX_TASKS)
		die("too many tasks");
	t = &sk->tasks[sk->nr_tasks++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tgid = tgid;
	snprintf(t->comm, 16, "%s", comm);
	memcpy(t->name, t->comm, sizeof(t->comm));
	t->nr_threads = 1;
	return t;
}

/* copy_signal(): a thread group's signal_struct, its thread ring empty yet. */
static u64 new_signal(struct synth_kernel *sk, u32 nr_threads, u64 tty)
{
	u64 phys = heap_alloc(sk, SIGNAL_SIZE, 64), va = dm_va(sk, phys);

	put32(sk, phys + SIG_SIGCNT, 1);
	put32(sk, phys + SIG_LIVE, nr_threads);
	put32(sk, phys + SIG_NR_THREADS, nr_threads);
	list_init(sk, phys + SIG_THREAD_HEAD, va + SIG_THREAD_HEAD);
	synth_put64(sk, phys + SIG_TTY, tty);
	return va;
}

/* prepare_creds(): uid and euid; the rest follows them. */
static u64 new_cred(struct synth_kernel *sk, u32 uid, u32 euid)
{
	u64 phys = heap_alloc(sk, CRED_SIZE, 64);

	synth_put64(sk, phys + CRED_USAGE, 1);
	put32(sk, phys + CRED_UID, uid);
	put32(sk, phys + CRED_GID, uid);
	put32(sk, phys + CRED_SUID, euid);
	put32(sk, phys + CRED_SGID, uid);
	put32(sk, phys + CRED_EUID, euid);
	put32(sk, phys + CRED_EGID, uid);
	return dm_va(sk, phys);
}

/* Link tasks' list nodes at the given offsets into a ring after head: head, v[0], ... */
static void link_ring(struct synth_kernel *sk, u64 head_va, const u64 *node_va, unsigned int n)
{
	unsigned int i;

	for (i = 0; i <= n; i++) {
		u64 cur = i ? node_va[i - 1] : head_va, next = i < n ? node_va[i] : head_va;

		synth_put64(sk, synth_pa(sk, cur), next);
		synth_put64(sk, synth_pa(sk, next) + 8, cur);
	}
}

/* Where a process's arguments sit in its stack pages. */
enum args_shape {
	ARGS_MIDPAGE,		/* the usual case */
	ARGS_CROSS_PAGE,	/* across two pages, not adjacent in physical memory */
	ARGS_PROCTITLE,		/* setproctitle() ran over argv's final NUL into envp */
};

/* Write bytes at a user virtual address through the process's own tables. */
static void user_write(struct synth_kernel *sk, u64 pgd, u64 va, const void *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sk->mem[walk(sk, pgd, va + i)] = ((const u8 *)data)[i];
}

/*
 * A user process's address space: pgd_alloc() (the kernel half of
 * init_top_pgt), two stack pages with argv and envp, and mm_struct. slot
 * picks the stack address and the memory counters; argv holds argv_len
 * bytes, NULs included.
 */
static u64 new_mm(struct synth_kernel *sk, unsigned int slot, const char *argv, size_t argv_len,
		  enum args_shape shape, struct synth_task *t)
{
	static const char env[] = "PATH=/usr/bin\0HOME=/root\0";
	static const char title[] = "postgres: walwriter process";
	u64 mm = heap_alloc(sk, MM_ANON_SIZE, 64), pgd = heap_alloc(sk, KIB_4, KIB_4);
	u64 stack = 0x7ffc00000000ull + ((u64)slot << 20), page_a, page_b, arg, env_va;
	const u64 counts[4] = {100 + slot, 50 + 2 * slot, 7, 3};	/* file anon swap shmem */
	u64 total_vm = 2000 + 10 * slot;
	unsigned int c;

	copy_kernel_half(sk, pgd);
	page_a = heap_alloc(sk, KIB_4, KIB_4);
	heap_alloc(sk, KIB_4, KIB_4);	/* keeps page_b apart from page_a */
	page_b = heap_alloc(sk, KIB_4, KIB_4);
	map_page(sk, pgd, stack, page_a, 1, USER_RW);
	map_page(sk, pgd, stack + KIB_4, page_b, 1, USER_RW);
	arg = shape == ARGS_CROSS_PAGE ? stack + KIB_4 - 9 : stack + 0x800;
	env_va = arg + argv_len;
	if (shape == ARGS_PROCTITLE) {
		/*
		 * The title is longer than the original argv (arg_end stays where
		 * that ended); /proc shows it up to its NUL (get_mm_proctitle()).
		 */
		user_write(sk, pgd, arg, title, sizeof(title));
		user_write(sk, pgd, arg + sizeof(title), env, sizeof(env) - 1);
		memcpy(t->args, title, sizeof(title) - 1);
		t->args_len = sizeof(title) - 1;
	} else {
		user_write(sk, pgd, arg, argv, argv_len);
		user_write(sk, pgd, env_va, env, sizeof(env) - 1);
		memcpy(t->args, argv, argv_len);
		t->args_len = argv_len;
	}
	synth_put64(sk, mm + MM_PGD, dm_va(sk, pgd));
	synth_put64(sk, mm + MM_TOTAL_VM, total_vm);
	synth_put64(sk, mm + MM_ARG_START, arg);
	synth_put64(sk, mm + MM_ARG_END, arg + argv_len);
	synth_put64(sk, mm + MM_ENV_START, env_va);
	synth_put64(sk, mm + MM_ENV_END, env_va + sizeof(env) - 1);
	for (c = 0; c < 4; c++)
		synth_put64(sk, mm + MM_RSS_STAT + c * PCC_SIZE + PCC_COUNT, counts[c]);
	t->vsz_kb = total_vm * 4;
	t->rss_kb = (counts[0] + counts[1] + counts[3]) * 4;	/* get_mm_rss(): not swap */
	return dm_va(sk, mm);
}

/* A tty on the Unix98 pty master/slave pair: /dev/pts/3 (major 136). */
static u64 new_tty(struct synth_kernel *sk, u32 *tty_nr_ret)
{
	u64 drv = heap_alloc(sk, DRV_SIZE, 64), tty = heap_alloc(sk, TTY_SIZE, 64);

	put32(sk, drv + DRV_MAJOR, 136);
	put32(sk, drv + DRV_MINOR_START, 0);
	put32(sk, tty + TTY_INDEX, 3);
	synth_put64(sk, tty + TTY_DRIVER, dm_va(sk, drv));
	*tty_nr_ret = 3 | 136 << 8;	/* new_encode_dev(MKDEV(136, 3)) */
	return dm_va(sk, tty);
}

/* kstrdup() */
static u64 new_string(struct synth_kernel *sk, const char *s)
{
	u64 phys = heap_alloc(sk, 64, 8);

	snprintf((char *)sk->mem + phys, 64, "%s", s);
	return dm_va(sk, phys);
}

/*
 * Every task but the swapper: systemd, kthreadd and its kernel threads,
 * then the user processes; the task list and each thread ring linked last.
 */
static void build_tasks(struct synth_kernel *sk)
{
	const struct synth_params *p = &sk->p;
	u64 init_va = sk->init_task, init_cred = img_va(sk, INIT_CRED_OFF);
	u64 leaders[SYNTH_MAX_TASKS], systemd = 0, kthreadd = 0, proc_va[256];
	unsigned int nr_leaders = 0, i, j;
	struct task_links l;
	u64 tty;
	u32 tty_nr = 0;

	if (p->nr_procs > 256)
		die("nr_procs > 256");
	/* systemd (pid 1, the swapper's child) and kthreadd (pid 2). */
	for (i = 1; i <= 2; i++) {
		struct synth_task *t = new_truth(sk, (s32)i, (s32)i,
						 i == 1 ? "systemd" : "kthreadd");
		u64 phys = heap_alloc(sk, TASK_SIZE, 64), va = dm_va(sk, phys), node;

		t->addr = va;
		t->ppid = 0;
		t->state = 'S';
		t->flags = i == 1 ? PF_SUPERPRIV : PF_KTHREAD | PF_NOFREEZE;
		t->kthread = i == 2;
		t->start_time_ns = 10000000ull * i;
		t->cpu_time_ns = 300000000ull / i;
		memset(&l, 0, sizeof(l));
		l.parent = init_va;
		l.cred = init_cred;
		l.signal = new_signal(sk, 1, 0);
		if (i == 1) {
			static const char argv[] = "/sbin/init\0splash";

			l.mm = new_mm(sk, 255, argv, sizeof(argv), ARGS_MIDPAGE, t);
			l.cred = new_cred(sk, 0, 0);
		} else {
			l.kthread = dm_va(sk, heap_alloc(sk, KT_SIZE, 64));
		}
		write_task(sk, phys, va, t, TASK_INTERRUPTIBLE, 0, &l);
		node = va + TS_THREAD_NODE;
		link_ring(sk, l.signal + SIG_THREAD_HEAD, &node, 1);
		leaders[nr_leaders++] = va;
		*(i == 1 ? &systemd : &kthreadd) = va;
	}
	/* kthreadd's children: kthread_create(), workers and a rescuer. */
	for (i = 0; i < MINTMON_ARRAY_SIZE(kthreads); i++) {
		const struct kthread_spec *s = &kthreads[i];
		struct synth_task *t = new_truth(sk, s->pid, s->pid, s->name);
		u64 phys = heap_alloc(sk, TASK_SIZE, 64), va = dm_va(sk, phys), node;
		u64 kt = heap_alloc(sk, KT_SIZE, 64);

		t->addr = va;
		t->ppid = 2;
		t->kthread = true;
		t->flags = PF_KTHREAD | PF_NOFREEZE | (s->kind != KT_PLAIN ? PF_WQ_WORKER : 0);
		t->state = state_letter(s->state, 0);
		t->start_time_ns = 20000000ull + 1000000ull * i;
		t->cpu_time_ns = 1000000ull * (i + 1);
		/* kthread_create_on_node(): a name that does not fit comm is kept whole. */
		if (strlen(s->name) >= 16)
			synth_put64(sk, kt + KT_FULL_NAME, new_string(sk, s->name));
		if (s->kind != KT_PLAIN) {
			u64 w = heap_alloc(sk, W_SIZE, 64);

			synth_put64(sk, kt + KT_DATA, dm_va(sk, w));	/* kthread_data() */
			synth_put64(sk, w + W_TASK, va);
			if (s->kind == KT_WORKER) {
				synth_put64(sk, w + W_POOL, dm_va(sk, heap_alloc(sk, 0x200, 64)));
				if (s->busy)
					synth_put64(sk, w + W_CURRENT_WORK,
						    dm_va(sk, heap_alloc(sk, 0x20, 8)));
				snprintf((char *)sk->mem + w + W_DESC, 32, "%s", s->desc);
				/* wq_worker_comm(): comm, then '+' or '-' and the description. */
				snprintf(t->name, sizeof(t->name), "%s%c%s", t->comm,
					 s->busy ? '+' : '-', s->desc);
			} else if (s->kind == KT_RESCUER) {
				u64 wq = heap_alloc(sk, WQ_SIZE, 64);

				snprintf((char *)sk->mem + wq + WQ_NAME, 32, "%s",
					 s->name + strlen("kworker/R-"));
				synth_put64(sk, w + W_RESCUE_WQ, dm_va(sk, wq));
				snprintf(t->name, sizeof(t->name), "%s", s->name);
			} else {
				snprintf(t->name, sizeof(t->name), "kworker/dying");
			}
		} else {
			snprintf(t->name, sizeof(t->name), "%s", s->name);
		}
		memset(&l, 0, sizeof(l));
		l.parent = kthreadd;
		l.cred = init_cred;
		l.signal = new_signal(sk, 1, 0);
		l.kthread = dm_va(sk, kt);
		write_task(sk, phys, va, t, s->state, 0, &l);
		node = va + TS_THREAD_NODE;
		link_ring(sk, l.signal + SIG_THREAD_HEAD, &node, 1);
		leaders[nr_leaders++] = va;
	}
	/* User processes: pids 100, 107, ...; process i has 1 + i % max_threads threads. */
	tty = new_tty(sk, &tty_nr);
	for (i = 0; i < p->nr_procs; i++) {
		static const u32 states[5] = {TASK_INTERRUPTIBLE, TASK_RUNNING,
					      TASK_UNINTERRUPTIBLE, TASK_STOPPED,
					      TASK_INTERRUPTIBLE};
		bool zombie = i == 4;
		u32 nr = zombie ? 1 : 1 + i % (p->max_threads ? p->max_threads : 1);
		s32 pid = 100 + 7 * (s32)i;
		u32 uid = i % 3 == 0 ? 0 : 1000 + i % 5, euid = i == 2 ? 0 : uid;
		struct synth_task *lt = NULL;
		u64 nodes[16], mm = 0, leader_va = 0;

		if (nr > 16)
			nr = 16;
		memset(&l, 0, sizeof(l));
		l.cred = new_cred(sk, uid, euid);
		l.signal = new_signal(sk, nr, i == 0 ? tty : 0);
		/* Parents: systemd, the previous process, or (process 1) the last one. */
		l.parent = systemd;
		for (j = 0; j < nr; j++) {
			struct synth_task *t;
			u64 phys = heap_alloc(sk, TASK_SIZE, 64), va = dm_va(sk, phys);
			char comm[32];

			if (j)
				snprintf(comm, sizeof(comm), "%.8s:w%u", progs[i % 8], j);
			else
				snprintf(comm, sizeof(comm), "%s", progs[i % 8]);
			t = new_truth(sk, pid + (s32)j, pid, comm);
			if (!j) {
				lt = t;
				leader_va = va;
				if (!zombie) {
					char argv[64];
					size_t len = (size_t)snprintf(argv, sizeof(argv),
								      "/usr/bin/%s%c--id=%u",
								      progs[i % 8], 0, i) + 1;

					mm = new_mm(sk, i, argv, len, i == 1 ? ARGS_CROSS_PAGE :
						    i == 3 ? ARGS_PROCTITLE : ARGS_MIDPAGE, t);
				}
			} else {
				memcpy(t->args, lt->args, lt->args_len);
				t->args_len = lt->args_len;
				t->vsz_kb = lt->vsz_kb;
				t->rss_kb = lt->rss_kb;
			}
			t->addr = va;
			t->uid = uid;
			t->euid = euid;
			t->nr_threads = nr;
			t->tty_nr = i == 0 ? tty_nr : 0;
			t->flags = j ? PF_FORKNOEXEC : 0;
			t->state = zombie ? 'Z' :
				   state_letter(j ? TASK_INTERRUPTIBLE : states[i % 5], 0);
			t->start_time_ns = 1000000000ull * (10 + i) + 1000ull * j;
			t->cpu_time_ns = 3000000ull * (i + 1) + 3000ull * j;
			l.mm = mm;
			write_task(sk, phys, va, t, zombie ? TASK_DEAD : j ? TASK_INTERRUPTIBLE :
				   states[i % 5], zombie ? EXIT_ZOMBIE : 0, &l);
			nodes[j] = va + TS_THREAD_NODE;
		}
		/*
		 * The thread ring (signal->thread_head). In process 5 the leader
		 * is not first after the head: the walk must go round it.
		 */
		if (i == 5 && nr > 1) {
			u64 first = nodes[0];

			nodes[0] = nodes[1];
			nodes[1] = first;
		}
		link_ring(sk, l.signal + SIG_THREAD_HEAD, nodes, nr);
		proc_va[i] = leader_va;
		leaders[nr_leaders++] = leader_va;
	}
	/* Parents: process 3 (7, 11...) is the child of the one before, process 1 of the last. */
	for (i = 0; i < p->nr_procs; i++) {
		u64 parent = 0;
		const struct synth_task *pt;

		if (i % 4 == 3)
			parent = proc_va[i - 1];
		else if (i == 1 && p->nr_procs > 2)
			parent = proc_va[p->nr_procs - 1];
		if (!parent)
			continue;
		for (j = 0; j < sk->nr_tasks; j++) {
			if (sk->tasks[j].addr == parent)
				break;
		}
		pt = &sk->tasks[j];
		for (j = 0; j < sk->nr_tasks; j++) {
			struct synth_task *t = &sk->tasks[j];

			if (t->tgid != 100 + 7 * (s32)i)
				continue;
			synth_put64(sk, synth_pa(sk, t->addr) + TS_REAL_PARENT, parent);
			synth_put64(sk, synth_pa(sk, t->addr) + TS_PARENT, parent);
			t->ppid = pt->tgid;
		}
	}
	for (j = 0; j < sk->nr_tasks; j++) {
		if (sk->tasks[j].tgid >= 100 && !sk->tasks[j].ppid)
			sk->tasks[j].ppid = 1;
	}
	/* init_task.tasks: every thread-group leader, in creation order. */
	for (i = 0; i < nr_leaders; i++)
		leaders[i] += TS_TASKS;
	link_ring(sk, init_va + TS_TASKS, leaders, nr_leaders);
}

/* The corruption knobs (synth_params): applied after everything is linked. */
static void corrupt(struct synth_kernel *sk)
{
	const struct synth_params *p = &sk->p;
	const struct synth_task *t;

	if (p->loop_pid && (t = synth_find_task(sk, p->loop_pid)))
		synth_put64(sk, synth_pa(sk, t->addr) + TS_TASKS,
			    synth_find_task(sk, 1)->addr + TS_TASKS);
	if (p->bad_prev_pid && (t = synth_find_task(sk, p->bad_prev_pid)))
		synth_put64(sk, synth_pa(sk, t->addr) + TS_TASKS + 8, t->addr + TS_TASKS);
	if (p->cred_hole_pid && (t = synth_find_task(sk, p->cred_hole_pid)))
		synth_put64(sk, synth_pa(sk, t->addr) + TS_REAL_CRED,
			    dm_va(sk, p->hole_phys + 0x40));
}

const struct synth_task *synth_find_task(const struct synth_kernel *sk, s32 pid)
{
	unsigned int i;

	for (i = 0; i < sk->nr_tasks; i++) {
		if (sk->tasks[i].pid == pid)
			return &sk->tasks[i];
	}
	return NULL;
}

u64 synth_task_field(const char *name)
{
	static const struct {
		const char *name;
		u64 off;
	} fields[] = {
		{"tasks", TS_TASKS}, {"thread_node", TS_THREAD_NODE}, {"real_cred", TS_REAL_CRED},
		{"signal", TS_SIGNAL}, {"mm", TS_MM}, {"pid", TS_PID}, {"comm", TS_COMM},
		{"stack_canary", TS_STACK_CANARY}, {"real_parent", TS_REAL_PARENT},
	};
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(fields); i++) {
		if (!strcmp(fields[i].name, name))
			return fields[i].off;
	}
	die("unknown task_struct field");
	return 0;
}

/* ---- the image ---- */

/* e820__update_table() output: RAM, the holes below 1 MiB and at hole_phys, device ranges. */
static unsigned int build_e820(struct synth_kernel *sk, u64 entries[][3])
{
	const struct synth_params *p = &sk->p;
	u64 half = p->hole_size / 2, e[][3] = {
		{0, 0x9f000, 1},
		{0x9f000, MIB_1 - 0x9f000, 2},
		{MIB_1, p->heap_phys - MIB_1, 1},
		/* setup_data in RAM, E820_TYPE_RESERVED_KERN: still RAM */
		{p->heap_phys, 0x10000, 128},
		{p->heap_phys + 0x10000, p->hole_phys - p->heap_phys - 0x10000, 1},
		{p->hole_phys, half, 4},
		{p->hole_phys + half, p->hole_size - half, 2},
		{p->hole_phys + p->hole_size, p->mem_size - p->hole_phys - p->hole_size, 1},
		{0xfec00000, 0x1000, 2},	/* IOAPIC */
		{0xfee00000, 0x1000, 2},	/* local APIC */
	};
	unsigned int n = MINTMON_ARRAY_SIZE(e);

	memcpy(entries, e, sizeof(e));
	/* RAM as mintmon must learn it: merged. */
	sk->nr_ram = 3;
	sk->ram[0].start = 0;
	sk->ram[0].size = 0x9f000;
	sk->ram[1].start = MIB_1;
	sk->ram[1].size = p->hole_phys - MIB_1;
	sk->ram[2].start = p->hole_phys + p->hole_size;
	sk->ram[2].size = p->mem_size - sk->ram[2].start;
	return n;
}

/* The image must sit in RAM, clear of the heap and the hole; the heap below the hole. */
static int check_params(const struct synth_params *p)
{
	u64 img_end = p->text_phys + SYNTH_IMAGE_SIZE, heap_end = p->heap_phys + p->heap_size;
	u64 hole_end = p->hole_phys + p->hole_size;

	if ((p->levels != 4 && p->levels != 5) || p->text_phys % MIB_2 || p->kaslr_offset % MIB_2 ||
	    p->page_offset_base % GIB_1 || p->heap_phys % MIB_2 || p->text_phys < MIB_1 ||
	    p->heap_phys < 2 * MIB_1 || heap_end > p->hole_phys || hole_end > p->mem_size ||
	    img_end > p->mem_size || !(img_end <= p->heap_phys || p->text_phys >= heap_end) ||
	    !(img_end <= p->hole_phys || p->text_phys >= hole_end) ||
	    p->load_phys % MIB_2 || p->kaslr_offset + p->load_phys + SYNTH_IMAGE_SIZE > GIB_1 ||
	    /* the printk ring's arrays between their offsets in .bss */
	    p->log_count_bits < 2 || p->log_count_bits > 7 || p->log_size_bits < 8 ||
	    p->log_size_bits > 16 || p->nr_log > SYNTH_MAX_LOG)
		return -EINVAL;
	return 0;
}

/* ---- text integrity metadata (monitor/core/text.c reads it) ---- */

#define FN_OFF(i) (0x1000 + 0x40 + 0x100 * (u64)(i))	/* synth_fn_NNN */
#define TV_KEY_A 0x000		/* struct static_key, disabled */
#define TV_KEY_B 0x010		/* enabled */
#define TV_SCK_A 0x020		/* struct static_call_key: func = synth_fn_050 */
#define TV_SCK_B 0x030		/* synth_fn_051 */
#define TV_SCK_C 0x040		/* NULL */
#define TV_FTRACE_PAGES 0x060	/* ftrace_pages_start */
#define TV_TRACE_FUNCTION 0x068	/* ftrace_trace_function */
#define TV_OPS_LIST 0x070	/* ftrace_ops_list */
#define TV_LIST_END 0x080	/* ftrace_list_end (a struct ftrace_ops) */
#define TV_OPS1 0x200		/* an ftrace_ops with a trampoline */
#define TV_KPROBE_TABLE 0x400	/* kprobe_table[64] */
#define TV_MODULES 0x600	/* the module list's head */
#define SYNTH_FTRACE_TRAMP 0xffffffffc0001000ull
#define SYNTH_OPT_DETOUR 0xffffffffc0002000ull

static void put_rel32(struct synth_kernel *sk, u64 off, u8 op, u64 target)
{
	u64 pa = img_pa(sk, off);

	sk->mem[pa] = op;
	put32(sk, pa + 1, (u32)(target - (img_va(sk, off) + 5)));
}

/* A self-relative s32 at table offset off to addr (plus flags). */
static void put_rel(struct synth_kernel *sk, u64 off, u64 addr)
{
	put32(sk, img_pa(sk, off), (u32)(addr - img_va(sk, off)));
}

static void build_text_meta(struct synth_kernel *sk, struct ksyms *ks)
{
	static const u8 nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
	struct synth_text *tx = &sk->text;
	u64 jt = TEXTMETA_OFF, sc = TEXTMETA_OFF + 0x100, tv = TEXTVARS_OFF, e, i;
	u64 recs, page, kp, okp;
	const struct {
		u64 code, target, key;
		unsigned int branch;
	} jl[] = {
		{FN_OFF(20) + 0x10, FN_OFF(20) + 0x40, TV_KEY_A, 0},	/* nop5 */
		{FN_OFF(21) + 0x10, FN_OFF(21) + 0x30, TV_KEY_B, 0},	/* jmp32 */
		{FN_OFF(22) + 0x10, FN_OFF(22) + 0x20, TV_KEY_B, 1},	/* nop2 */
		{FN_OFF(23) + 0x10, FN_OFF(23) + 0x20, TV_KEY_A, 1},	/* jmp8 */
		/* In init text (past _etext, freed after boot): bit 1 of the key, left alone. */
		{0x1f0000, 0x1f0040, TV_KEY_A, 2},
	};

	memset(tx, 0, sizeof(*tx));
	tx->text_start = img_va(sk, 0x1000);
	tx->text_end = img_va(sk, 0x100000);
	tx->rodata_start = img_va(sk, RODATA_OFF);
	tx->rodata_end = img_va(sk, RODATA_END_OFF);
	tx->text_pmd_phys = img_pa(sk, LEVEL2_KERNEL_OFF) +
			    8 * ((sk->text_virt - SYNTH_KERNEL_MAP) / MIB_2);
	tx->rodata_pmd_phys = tx->text_pmd_phys + 8;
	/* Jump labels: struct jump_entry { s32 code; s32 target; long key; }, key B enabled. */
	put32(sk, img_pa(sk, tv + TV_KEY_B), 1);
	for (i = 0; i < MINTMON_ARRAY_SIZE(jl); i++) {
		e = jt + 16 * i;
		put_rel(sk, e, img_va(sk, jl[i].code));
		put_rel(sk, e + 4, img_va(sk, jl[i].target));
		synth_put64(sk, img_pa(sk, e + 8), img_va(sk, tv + jl[i].key) + jl[i].branch -
							img_va(sk, e + 8));
		if (jl[i].branch & 2)
			continue;
		if (i == 0 || i == 2) {
			memcpy(sk->mem + img_pa(sk, jl[i].code), i ? (const u8 *)"\x66\x90" : nop5,
			       i ? 2 : 5);
		} else if (i == 1) {
			put_rel32(sk, jl[i].code, 0xe9, img_va(sk, jl[i].target));
		} else {
			sk->mem[img_pa(sk, jl[i].code)] = 0xeb;
			sk->mem[img_pa(sk, jl[i].code) + 1] = (u8)(jl[i].target - jl[i].code - 2);
		}
	}
	tx->nr[0] = MINTMON_ARRAY_SIZE(jl) - 1;
	tx->jl_nop_site = img_va(sk, jl[0].code);
	tx->jl_nop_target = img_va(sk, jl[0].target);
	tx->jl_jmp_site = img_va(sk, jl[1].code);
	tx->jl_target = img_va(sk, jl[1].target);
	tx->key_a_phys = img_pa(sk, tv + TV_KEY_A);
	tx->key_b_phys = img_pa(sk, tv + TV_KEY_B);
	tx->jump_table_phys = img_pa(sk, jt);
	add_sym(ks, 'D', "__start___jump_table", img_va(sk, jt));
	add_sym(ks, 'D', "__stop___jump_table", img_va(sk, jt + 16 * MINTMON_ARRAY_SIZE(jl)));

	/* Static calls: { s32 addr; s32 key; }: a call, a tail call, a NULL call. */
	synth_put64(sk, img_pa(sk, tv + TV_SCK_A), img_va(sk, FN_OFF(50)));
	synth_put64(sk, img_pa(sk, tv + TV_SCK_B), img_va(sk, FN_OFF(51)));
	put_rel(sk, sc, img_va(sk, FN_OFF(24) + 0x20));
	put_rel(sk, sc + 4, img_va(sk, tv + TV_SCK_A));
	put_rel32(sk, FN_OFF(24) + 0x20, 0xe8, img_va(sk, FN_OFF(50)));
	put_rel(sk, sc + 8, img_va(sk, FN_OFF(25) + 0x20));
	put_rel(sk, sc + 12, img_va(sk, tv + TV_SCK_B) + 1);	/* STATIC_CALL_SITE_TAIL */
	put_rel32(sk, FN_OFF(25) + 0x20, 0xe9, img_va(sk, FN_OFF(51)));
	put_rel(sk, sc + 16, img_va(sk, FN_OFF(26) + 0x20));
	put_rel(sk, sc + 20, img_va(sk, tv + TV_SCK_C));
	memcpy(sk->mem + img_pa(sk, FN_OFF(26) + 0x20), nop5, 5);
	put_rel(sk, sc + 24, img_va(sk, 0x1f0080));		/* in init text: */
	put_rel(sk, sc + 28, img_va(sk, tv + TV_SCK_A) + 2);	/* STATIC_CALL_SITE_INIT */
	add_sym(ks, 'D', "__start_static_call_sites", img_va(sk, sc));
	add_sym(ks, 'D', "__stop_static_call_sites", img_va(sk, sc + 32));
	/* Trampolines: __SCT__synth_a jumps to its function, __SCT__synth_c returns. */
	put_rel32(sk, FN_OFF(60) + 0x80, 0xe9, img_va(sk, FN_OFF(50)));
	memcpy(sk->mem + img_pa(sk, FN_OFF(61) + 0x80), "\xc3\xcc\xcc\xcc\xcc", 5);
	add_sym(ks, 't', "__SCT__synth_a", img_va(sk, FN_OFF(60) + 0x80));
	add_sym(ks, 't', "__SCT__synth_c", img_va(sk, FN_OFF(61) + 0x80));
	add_sym(ks, 'D', "__SCK__synth_a", img_va(sk, tv + TV_SCK_A));
	add_sym(ks, 'D', "__SCK__synth_b", img_va(sk, tv + TV_SCK_B));
	add_sym(ks, 'D', "__SCK__synth_c", img_va(sk, tv + TV_SCK_C));
	tx->nr[1] = 3 + 2;
	tx->sc_site = img_va(sk, FN_OFF(24) + 0x20);
	tx->sc_func = img_va(sk, FN_OFF(50));
	tx->sc_other_func = img_va(sk, FN_OFF(52));
	tx->sc_key_phys = img_pa(sk, tv + TV_SCK_A);
	tx->sc_table_phys = img_pa(sk, sc);

	/* ftrace: 10 records at synth_fn_010..019; 011 calls ftrace_caller, 012 a trampoline. */
	recs = heap_alloc(sk, 10 * 16, 64);
	for (i = 0; i < 10; i++) {
		u64 ip = FN_OFF(10 + i), flags = 0;

		if (i == 1) {
			flags = 0x80000000ull | 1;
			put_rel32(sk, ip, 0xe8, img_va(sk, FN_OFF(40)));
		} else if (i == 2) {
			flags = 0x80000000ull | 1;
			put_rel32(sk, ip, 0xe8, SYNTH_FTRACE_TRAMP);
		} else {
			memcpy(sk->mem + img_pa(sk, ip), nop5, 5);
		}
		synth_put64(sk, recs + 16 * i, img_va(sk, ip));
		synth_put64(sk, recs + 16 * i + 8, flags);
	}
	page = heap_alloc(sk, 24, 64);
	synth_put64(sk, page + 8, dm_va(sk, recs));
	put32(sk, page + 16, 10);
	synth_put64(sk, img_pa(sk, tv + TV_FTRACE_PAGES), dm_va(sk, page));
	/* ftrace_caller with its call site ftrace_call (to ftrace_stub, a ret). */
	put_rel32(sk, FN_OFF(40) + 0x20, 0xe8, img_va(sk, FN_OFF(41)));
	sk->mem[img_pa(sk, FN_OFF(41))] = 0xc3;
	synth_put64(sk, img_pa(sk, tv + TV_TRACE_FUNCTION), img_va(sk, FN_OFF(41)));
	synth_put64(sk, img_pa(sk, tv + TV_OPS_LIST), img_va(sk, tv + TV_OPS1));
	synth_put64(sk, img_pa(sk, tv + TV_OPS1 + 8), img_va(sk, tv + TV_LIST_END));
	synth_put64(sk, img_pa(sk, tv + TV_OPS1 + 0x88), SYNTH_FTRACE_TRAMP);
	add_sym(ks, 'T', "ftrace_caller", img_va(sk, FN_OFF(40)));
	add_sym(ks, 'T', "ftrace_call", img_va(sk, FN_OFF(40) + 0x20));
	add_sym(ks, 'T', "ftrace_stub", img_va(sk, FN_OFF(41)));
	add_sym(ks, 'b', "ftrace_pages_start", img_va(sk, tv + TV_FTRACE_PAGES));
	add_sym(ks, 'D', "ftrace_trace_function", img_va(sk, tv + TV_TRACE_FUNCTION));
	add_sym(ks, 'D', "ftrace_ops_list", img_va(sk, tv + TV_OPS_LIST));
	add_sym(ks, 'D', "ftrace_list_end", img_va(sk, tv + TV_LIST_END));
	tx->nr[2] = 10 + 1;
	tx->ft_nop_site = img_va(sk, FN_OFF(10));
	tx->ft_call_site = img_va(sk, FN_OFF(11));
	tx->ftrace_caller = img_va(sk, FN_OFF(40));
	tx->ft_records_phys = recs;
	tx->ft_page_phys = page;

	/* kprobes: an INT3 over 0x55 (push %rbp), and an optimized one (jmp to its detour). */
	kp = heap_alloc(sk, 128, 64);
	synth_put64(sk, kp + 40, img_va(sk, FN_OFF(27) + 8));
	sk->mem[kp + 80] = 0x55;
	sk->mem[img_pa(sk, FN_OFF(27) + 8)] = 0xcc;
	okp = heap_alloc(sk, 168, 64);
	synth_put64(sk, okp + 40, img_va(sk, FN_OFF(28) + 8));
	sk->mem[okp + 80] = 0x48;
	put32(sk, okp + 120, 4);			/* KPROBE_FLAG_OPTIMIZED */
	memcpy(sk->mem + okp + 144, "\x89\xe5\x41\x54", 4);
	synth_put64(sk, okp + 152, SYNTH_OPT_DETOUR);
	put_rel32(sk, FN_OFF(28) + 8, 0xe9, SYNTH_OPT_DETOUR);
	/* Both in bucket 5: kprobe_table[5] -> kp -> okp. */
	synth_put64(sk, img_pa(sk, tv + TV_KPROBE_TABLE + 8 * 5), dm_va(sk, kp));
	synth_put64(sk, kp, dm_va(sk, okp));
	add_sym(ks, 'b', "kprobe_table", img_va(sk, tv + TV_KPROBE_TABLE));
	tx->nr[3] = 2;
	tx->kp_site = img_va(sk, FN_OFF(27) + 8);
	tx->kp_opt_site = img_va(sk, FN_OFF(28) + 8);
	tx->kp_phys = kp;
	tx->kp_table_phys = img_pa(sk, tv + TV_KPROBE_TABLE);
	tx->vars = (struct mintmon_phys_range){img_pa(sk, tv), TV_KPROBE_TABLE + 8 * 64};
	tx->heap = (struct mintmon_phys_range){recs, okp + 168 - recs};
	tx->sites = (struct mintmon_phys_range){img_pa(sk, FN_OFF(10)), FN_OFF(62) - FN_OFF(10)};
	add_sym(ks, 'D', "__end_rodata", img_va(sk, RODATA_END_OFF));

	/* The module list (kernel/module/main.c): modules -> "synth_b" -> "synth_a" -> modules. */
	{
		u64 head = img_pa(sk, tv + TV_MODULES), m[2];
		static const char *const names[2] = {"synth_b", "synth_a"};

		for (i = 0; i < 2; i++) {
			unsigned int t;

			m[i] = heap_alloc(sk, 0x300, 64);
			put32(sk, m[i], i ? 0 : 1);			/* COMING, LIVE */
			put_str(sk, m[i] + 24, names[i]);
			put32(sk, m[i] + 0x100, 1 + (u32)i);		/* refcnt - MODULE_REF_BASE */
			synth_put64(sk, m[i] + 0x108, i ? 1ull << 12 : 0);	/* O */
			for (t = 0; t < 7; t++) {
				synth_put64(sk, m[i] + 0x140 + 0x38 * t,
					    0xffffffffc0100000ull + 0x10000 * i + 0x1000 * t);
				put32(sk, m[i] + 0x140 + 0x38 * t + 8, t < 4 ? 0x1000 * (t + 1) : 0);
			}
			tx->mod_phys[i] = m[i];
		}
		synth_put64(sk, head, dm_va(sk, m[0]) + 8);
		synth_put64(sk, head + 8, dm_va(sk, m[1]) + 8);
		synth_put64(sk, m[0] + 8, dm_va(sk, m[1]) + 8);
		synth_put64(sk, m[0] + 16, img_va(sk, tv + TV_MODULES));
		synth_put64(sk, m[1] + 8, img_va(sk, tv + TV_MODULES));
		synth_put64(sk, m[1] + 16, dm_va(sk, m[0]) + 8);
		add_sym(ks, 'd', "modules", img_va(sk, tv + TV_MODULES));
		tx->modules_phys = head;
	}
}

int synth_build(struct synth_kernel *sk, const struct synth_params *p)
{
	u64 e820[SYNTH_MAX_E820][3], tramp, ident, e820_tab, kallsyms_end, btf, btf_end, init_phys;
	unsigned int nr_e820, i;
	struct ksyms *ks;
	char line[512];

	if (check_params(p) || p->mem_size != sk->p.mem_size)
		return -EINVAL;
	sk->p = *p;
	sk->nr_tasks = 0;
	sk->heap_next = p->heap_phys;
	sk->text_virt = SYNTH_KERNEL_MAP + p->load_phys + p->kaslr_offset;
	sk->phys_base = p->text_phys - (sk->text_virt - SYNTH_KERNEL_MAP);
	sk->init_top_pgt = img_pa(sk, INIT_TOP_PGT_OFF);
	sk->trampoline = TRAMPOLINE_PHYS;
	sk->init_task = img_va(sk, INIT_TASK_OFF);
	sk->canary_phys = img_pa(sk, INIT_TASK_OFF + TS_STACK_CANARY);
	sk->jiffies_phys = img_pa(sk, JIFFIES_OFF);
	sk->pob_phys = img_pa(sk, PAGE_OFFSET_BASE_OFF);
	/* A fresh image: a reboot's loader writes all of it. */
	memset(sk->mem + p->text_phys, 0, SYNTH_IMAGE_SIZE);
	memset(sk->mem + TRAMPOLINE_PHYS, 0, KIB_4);

	/* .text: int3 padding between functions, as objtool leaves it. */
	memset(sk->mem + img_pa(sk, TEXT_OFF), 0xcc, RODATA_OFF - TEXT_OFF);

	nr_e820 = build_e820(sk, e820);
	build_kernel_map(sk);
	build_direct_map(sk);

	/* trampoline_pgd: entry 0 identity-maps low memory, the kernel half is init_top_pgt's. */
	tramp = TRAMPOLINE_PHYS;
	ident = heap_alloc(sk, KIB_4, KIB_4);
	synth_put64(sk, ident, 0 | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS);
	if (p->levels == 5) {
		u64 l4 = heap_alloc(sk, KIB_4, KIB_4);

		synth_put64(sk, l4, ident | PAGE_TABLE);
		synth_put64(sk, tramp, l4 | PAGE_TABLE);
	} else {
		synth_put64(sk, tramp, ident | PAGE_TABLE);
	}
	copy_kernel_half(sk, tramp);
	sk->top_entry = synth_get64(sk, tramp + 8 * 511);

	/* .rodata: linux_banner (init/version-timestamp.c) */
	snprintf(sk->banner, sizeof(sk->banner), "Linux version %s (mintmon@tests.invalid) "
		 "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) "
		 "#1 SMP PREEMPT_DYNAMIC Debian 6.12.0-1 (2026-11-29)", SYNTH_RELEASE);
	snprintf(line, sizeof(line), "%s\n", sk->banner);
	put_str(sk, img_pa(sk, BANNER_OFF), line);

	/* .data variables */
	synth_put64(sk, img_pa(sk, PHYS_BASE_OFF), sk->phys_base);
	synth_put64(sk, sk->pob_phys, p->page_offset_base);
	synth_put64(sk, img_pa(sk, VMALLOC_BASE_OFF), p->page_offset_base + (32ull << 40));
	synth_put64(sk, img_pa(sk, VMEMMAP_BASE_OFF), p->vmemmap_base);
	synth_put64(sk, sk->jiffies_phys, p->jiffies);
	sk->totalram_pages = (sk->ram[0].size + sk->ram[1].size + sk->ram[2].size) / KIB_4 - 1234;
	synth_put64(sk, img_pa(sk, TOTALRAM_OFF), sk->totalram_pages);
	/* init_uts_ns */
	put_str(sk, img_pa(sk, UTS_OFF), "Linux");
	put_str(sk, img_pa(sk, UTS_OFF) + 65, "synth");
	put_str(sk, img_pa(sk, UTS_OFF) + UTS_RELEASE, SYNTH_RELEASE);
	put_str(sk, img_pa(sk, UTS_OFF) + 195, "#1 SMP PREEMPT_DYNAMIC Debian 6.12.0-1");
	put_str(sk, img_pa(sk, UTS_OFF) + 260, "x86_64");
	put_str(sk, img_pa(sk, UTS_OFF) + 325, "(none)");
	build_log(sk);
	/* tk_core: { seqcount_raw_spinlock_t seq; struct timekeeper timekeeper; } */
	synth_put64(sk, img_pa(sk, TK_CORE_OFF + TK_IN_CORE + TKR_BASE), 123456789000ull);
	synth_put64(sk, img_pa(sk, TK_CORE_OFF + TK_IN_CORE + TK_OFFS_BOOT), 5000000000ull);
	synth_put64(sk, img_pa(sk, TK_CORE_OFF + TK_IN_CORE + TK_OFFS_REAL),
		    p->offs_real ? p->offs_real : 1764460800000000000ull);
	sk->uptime_ns = 123456789000ull + 5000000000ull;
	/* boot_params: the boot protocol's pref_address is LOAD_PHYSICAL_ADDR. */
	sk->mem[img_pa(sk, BOOT_PARAMS_OFF + BP_E820_ENTRIES)] = (u8)nr_e820;
	synth_put64(sk, img_pa(sk, BOOT_PARAMS_OFF + BP_HDR + HDR_PREF_ADDRESS), p->load_phys);
	/* e820_table: e820__reallocate_tables()'s kmalloc'd copy, just nr_entries long. */
	e820_tab = heap_alloc(sk, 4 + E820_ENTRY_SIZE * nr_e820, 64);
	put32(sk, e820_tab, nr_e820);
	for (i = 0; i < nr_e820; i++) {
		u64 at = e820_tab + 4 + E820_ENTRY_SIZE * i;

		synth_put64(sk, at, e820[i][0]);
		synth_put64(sk, at + 8, e820[i][1]);
		put32(sk, at + 16, (u32)e820[i][2]);
	}
	synth_put64(sk, img_pa(sk, E820_TABLE_VAR_OFF), dm_va(sk, e820_tab));
	sk->regions[SYNTH_R_E820].start = e820_tab;
	sk->regions[SYNTH_R_E820].size = 4 + E820_ENTRY_SIZE * nr_e820;

	/* init_cred, init_signals, init_mm, init_task (init/init_task.c) */
	put32(sk, img_pa(sk, INIT_CRED_OFF + CRED_USAGE), 4);
	put32(sk, img_pa(sk, INIT_SIGNALS_OFF + SIG_NR_THREADS), 1);
	synth_put64(sk, img_pa(sk, INIT_MM_OFF + MM_PGD), img_va(sk, INIT_TOP_PGT_OFF));
	init_phys = img_pa(sk, INIT_TASK_OFF);
	{
		struct synth_task swapper = {.pid = 0, .tgid = 0, .flags = PF_KTHREAD | PF_IDLE,
					     .comm = "swapper/0"};
		struct task_links l = {.parent = sk->init_task, .cred = img_va(sk, INIT_CRED_OFF),
				       .signal = img_va(sk, INIT_SIGNALS_OFF)};
		u64 node = sk->init_task + TS_THREAD_NODE;

		write_task(sk, init_phys, sk->init_task, &swapper, TASK_RUNNING, 0, &l);
		synth_put64(sk, init_phys + TS_ACTIVE_MM, img_va(sk, INIT_MM_OFF));
		synth_put64(sk, sk->canary_phys, p->canary);
		list_init(sk, init_phys + TS_TASKS, sk->init_task + TS_TASKS);
		list_init(sk, img_pa(sk, INIT_SIGNALS_OFF + SIG_THREAD_HEAD),
			  img_va(sk, INIT_SIGNALS_OFF + SIG_THREAD_HEAD));
		link_ring(sk, img_va(sk, INIT_SIGNALS_OFF + SIG_THREAD_HEAD), &node, 1);
	}
	build_tasks(sk);
	corrupt(sk);

	/* vmcoreinfo (kernel/vmcore_info.c): a kmalloc'd page of KEY=value lines. */
	if (p->vmcoreinfo) {
		u64 note = heap_alloc(sk, KIB_4, KIB_4);
		int n = snprintf((char *)sk->mem + note, KIB_4,
				 "OSRELEASE=%s\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=%llx\n"
				 "NUMBER(phys_base)=%lld\nKERNELOFFSET=%llx\n", SYNTH_RELEASE,
				 (unsigned long long)img_va(sk, UTS_OFF),
				 (long long)sk->phys_base, (unsigned long long)p->kaslr_offset);

		synth_put64(sk, img_pa(sk, VMCOREINFO_DATA_OFF), dm_va(sk, note));
		synth_put64(sk, img_pa(sk, VMCOREINFO_SIZE_OFF), (u64)n);
	}

	/* kallsyms: text symbols always; data symbols with CONFIG_KALLSYMS_ALL. */
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	add_sym(ks, 'T', "_text", img_va(sk, 0));
	add_sym(ks, 'T', "startup_64", img_va(sk, 0));
	add_sym(ks, 'T', "_stext", img_va(sk, 0x1000));
	for (i = 0; i < 300; i++) {
		char name[32];

		snprintf(name, sizeof(name), "synth_fn_%03u", i);
		add_sym(ks, i % 3 ? 't' : 'T', name, img_va(sk, 0x1000 + 0x40 + 0x100 * i));
	}
	sk->schedule = img_va(sk, 0x40000);
	add_sym(ks, 'T', "schedule", sk->schedule);
	add_sym(ks, 'T', "__schedule", img_va(sk, 0x40200));
	add_sym(ks, 'T', "start_kernel", img_va(sk, 0x41000));
	add_sym(ks, 'T', "kthread", img_va(sk, 0x42000));
	add_sym(ks, 'T', "worker_thread", img_va(sk, 0x42400));
	/* A symbol longer than 127 tokens: its length takes two bytes (v6.1+). */
	add_sym(ks, 't', "_RNvMs0_NtNtCs1234_6kernel4sync9lock_classNtB5_9LockClass3new_"
		"with_a_rust_mangled_name_long_enough_to_need_two_length_bytes_in_kallsyms_names",
		img_va(sk, 0x43000));
	add_sym(ks, 'T', "_etext", img_va(sk, 0x100000));
	if (p->kallsyms_all)
		build_text_meta(sk, ks);
	if (p->kallsyms_all) {
		static const struct {
			char type;
			const char *name;
			u64 off;
		} data_syms[] = {
			{'R', "__start_rodata", RODATA_OFF},
			{'R', "linux_banner", BANNER_OFF},
			{'D', "_sdata", DATA_OFF},
			{'D', "init_top_pgt", INIT_TOP_PGT_OFF},
			{'D', "level4_kernel_pgt", LEVEL4_KERNEL_OFF},
			{'D', "level3_kernel_pgt", LEVEL3_KERNEL_OFF},
			{'D', "level2_kernel_pgt", LEVEL2_KERNEL_OFF},
			{'D', "level2_fixmap_pgt", LEVEL2_FIXMAP_OFF},
			{'D', "phys_base", PHYS_BASE_OFF},
			{'D', "page_offset_base", PAGE_OFFSET_BASE_OFF},
			{'D', "vmalloc_base", VMALLOC_BASE_OFF},
			{'D', "vmemmap_base", VMEMMAP_BASE_OFF},
			{'D', "jiffies_64", JIFFIES_OFF},
			{'D', "jiffies", JIFFIES_OFF},
			{'D', "e820_table", E820_TABLE_VAR_OFF},
			{'D', "_totalram_pages", TOTALRAM_OFF},
			{'D', "vmcoreinfo_data", VMCOREINFO_DATA_OFF},
			{'D', "vmcoreinfo_size", VMCOREINFO_SIZE_OFF},
			{'D', "init_uts_ns", UTS_OFF},
			{'d', "tk_core", TK_CORE_OFF},
			{'D', "init_cred", INIT_CRED_OFF},
			{'d', "init_signals", INIT_SIGNALS_OFF},
			{'D', "init_mm", INIT_MM_OFF},
			{'D', "init_task", INIT_TASK_OFF},
			{'D', "_edata", DATA_END_OFF},
			{'B', "__bss_start", BSS_OFF},
			{'B', "boot_params", BOOT_PARAMS_OFF},
			{'d', "prb", PRB_VAR_OFF},
			{'b', "printk_rb_static", PRB_OFF},
			{'B', "_end", BSS_OFF + MIB_2},
		};

		for (i = 0; i < MINTMON_ARRAY_SIZE(data_syms); i++) {
			if (!p->vmcoreinfo && !strncmp(data_syms[i].name, "vmcoreinfo", 10))
				continue;
			add_sym(ks, data_syms[i].type, data_syms[i].name,
				img_va(sk, data_syms[i].off));
		}
	}
	/*
	 * .BTF follows the kallsyms tables in .rodata; __start_BTF/__stop_BTF
	 * need their place first, and the tables do not depend on addresses'
	 * values, so lay them out once to learn where they end.
	 */
	if (p->kallsyms_all) {
		struct ksyms *probe = malloc(sizeof(*probe));

		if (!probe) {
			free(ks);
			return -ENOMEM;
		}
		memcpy(probe, ks, sizeof(*ks));
		add_sym(probe, 'R', "__start_BTF", 0);
		add_sym(probe, 'R', "__stop_BTF", 0);
		kallsyms_end = emit_kallsyms(sk, probe, KALLSYMS_OFF);
		free(probe);
		btf = (kallsyms_end + KIB_4 - 1) & ~(KIB_4 - 1);
		btf_end = emit_btf(sk, btf);
		memset(sk->mem + img_pa(sk, KALLSYMS_OFF), 0, btf - KALLSYMS_OFF);
		add_sym(ks, 'R', "__start_BTF", img_va(sk, btf));
		add_sym(ks, 'R', "__stop_BTF", img_va(sk, btf_end));
	} else {
		btf = btf_end = 0;
	}
	kallsyms_end = emit_kallsyms(sk, ks, KALLSYMS_OFF);
	free(ks);
	if (!p->kallsyms_all) {
		btf = (kallsyms_end + KIB_4 - 1) & ~(KIB_4 - 1);
		btf_end = emit_btf(sk, btf);
	}
	if (btf_end > TEXTMETA_OFF)
		die("rodata overflow");

	sk->regions[SYNTH_R_PGTABLES].start = img_pa(sk, INIT_TOP_PGT_OFF);
	sk->regions[SYNTH_R_PGTABLES].size = VARS_OFF - INIT_TOP_PGT_OFF;
	sk->regions[SYNTH_R_TRAMPOLINE].start = TRAMPOLINE_PHYS;
	sk->regions[SYNTH_R_TRAMPOLINE].size = KIB_4;
	sk->regions[SYNTH_R_KALLSYMS].start = img_pa(sk, KALLSYMS_OFF);
	sk->regions[SYNTH_R_KALLSYMS].size = kallsyms_end - KALLSYMS_OFF;
	sk->regions[SYNTH_R_BTF].start = img_pa(sk, btf);
	sk->regions[SYNTH_R_BTF].size = btf_end - btf;
	sk->regions[SYNTH_R_TASKS].start = p->heap_phys;
	sk->regions[SYNTH_R_TASKS].size = sk->heap_next - p->heap_phys;
	sk->log_region.start = img_pa(sk, PRB_OFF);
	sk->log_region.size = PRB_TEXT_OFF - PRB_OFF + (1ull << p->log_size_bits);
	sk->regions[SYNTH_R_VARS].start = img_pa(sk, VARS_OFF);
	sk->regions[SYNTH_R_VARS].size = DATA_END_OFF - VARS_OFF;
	sk->regions[SYNTH_R_ALL].start = 0;
	sk->regions[SYNTH_R_ALL].size = p->mem_size;
	return 0;
}

struct synth_kernel *synth_new(const struct synth_params *p)
{
	struct synth_kernel *sk = calloc(1, sizeof(*sk));

	if (!sk)
		return NULL;
	sk->p.mem_size = p->mem_size;
	sk->mem = calloc(1, p->mem_size);
	if (!sk->mem || synth_build(sk, p)) {
		synth_free(sk);
		return NULL;
	}
	return sk;
}

void synth_free(struct synth_kernel *sk)
{
	if (!sk)
		return;
	free(sk->mem);
	free(sk);
}

void synth_default_params(struct synth_params *p)
{
	memset(p, 0, sizeof(*p));
	p->mem_size = 64ull << 20;
	p->text_phys = 0x1200000;
	p->load_phys = SYNTH_LOAD_PHYS;
	p->kaslr_offset = 0x2be00000;
	p->page_offset_base = 0xffff8f3a00000000ull;
	p->vmemmap_base = 0xffffd8e240000000ull;
	p->levels = 4;
	p->heap_phys = 0x1c00000;
	p->heap_size = 0x1400000;
	p->hole_phys = 0x3000000;
	p->hole_size = 0x200000;
	p->canary = 0x5f3759df0badc0deull;
	p->jiffies = 0x1000a2f3bull;
	p->nr_procs = 40;
	p->max_threads = 4;
	p->kallsyms_all = true;
	p->vmcoreinfo = true;
	p->log_count_bits = 6;	/* 64 records, 2 KiB of text: both rings wrap */
	p->log_size_bits = 11;
	p->nr_log = 100;
}

void synth_fuzz_params(struct synth_params *p)
{
	synth_default_params(p);
	p->mem_size = 40ull << 20;
	p->text_phys = 0x1000000;
	p->heap_phys = 0x1800000;
	p->heap_size = 0xa00000;
	p->hole_phys = 0x2200000;
	p->hole_size = 0x200000;
	p->nr_procs = 12;
	p->max_threads = 3;
	p->nr_log = 40;
}

struct synth_kernel *synth_two_boots(struct synth_params *po, struct synth_params *pn,
				     u64 real_old, u64 real_new)
{
	synth_fuzz_params(po);
	po->mem_size = 64ull << 20;
	po->hole_phys = 0x3400000;
	po->offs_real = real_old;
	*pn = *po;
	pn->text_phys = 0x2200000;
	pn->kaslr_offset = 0x10000000;
	pn->heap_phys = 0x2a00000;
	pn->canary = 0x0123456789abcd00ull;
	pn->offs_real = real_new;
	return synth_new(po);
}

/* ---- the memory source ---- */

/*
 * Under libFuzzer, the source is scaffolding, not code under test: its
 * comparisons would only slow the page-table scans and add noise features.
 */
#if defined(__clang__) && __clang_major__ >= 13
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

NO_COVERAGE static void serve(const struct synth_memory *sm, u64 phys, u8 *buf, size_t len)
{
	unsigned int i;

	memcpy(buf, sm->bytes + phys, len);
	for (i = 0; i < sm->nr_patches; i++) {
		const struct synth_patch *pt = &sm->patches[i];
		u64 lo = phys > pt->phys ? phys : pt->phys;
		u64 hi = phys + len < pt->phys + pt->len ? phys + len : pt->phys + pt->len;

		if (lo < hi)
			memcpy(buf + (lo - phys), pt->data + (lo - pt->phys), hi - lo);
	}
}

NO_COVERAGE static int synth_read(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	struct synth_memory *sm = ctx;

	if (sm->fail) {
		*fault_ret = phys;
		return sm->fail;
	}
	if (phys >= sm->size || sm->size - phys < len) {
		*fault_ret = phys < sm->size ? sm->size : phys;
		return -EFAULT;
	}
	sm->source_reads++;
	if (sm->watch_len && phys < sm->watch_start + sm->watch_len &&
	    sm->watch_start < phys + len)
		sm->watch_hits++;
	serve(sm, phys, buf, len);
	if (sm->hook)
		sm->hook(sm, phys, len);
	return 0;
}

/* All requests "in flight" at once: one call, as a network source would make it. */
NO_COVERAGE static int synth_readv(void *ctx, struct mintmon_iov *iov, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (iov[i].len)
			iov[i].err = synth_read(ctx, iov[i].phys, iov[i].buf, iov[i].len,
						&iov[i].fault);
	}
	return 0;
}

static const struct mintmon_memory_ops synth_ops = {
	.read = synth_read,
	.readv = synth_readv,
};

void synth_memory_init(struct synth_memory *sm, struct mintmon_memory *mem, const u8 *bytes,
		       u64 size)
{
	memset(sm, 0, sizeof(*sm));
	sm->bytes = bytes;
	sm->size = size;
	memset(mem, 0, sizeof(*mem));
	mem->ops = &synth_ops;
	mem->ctx = sm;
	mintmon_memory_add_range(mem, 0, size);
}

/* ---- fuzz input ---- */

unsigned int synth_patches_decode(const struct synth_kernel *sk, const u8 *in, size_t size,
				  struct synth_patch *out, unsigned int max)
{
	size_t pos = 0;
	unsigned int n = 0;

	while (n < max && size - pos >= 6) {
		u8 op = in[pos], len = in[pos + 5];
		u32 off = mintmon_le32(in + pos + 1);
		const struct mintmon_phys_range *r = &sk->regions[(op & 7) % SYNTH_NR_REGIONS];
		struct synth_patch *pt = &out[n];
		u64 v;

		pos += 6;
		if (!r->size)
			continue;
		pt->phys = r->start + off % r->size;
		switch ((op >> 3) & 3) {
		case SYNTH_OP_RAW:
			if (len > SYNTH_PATCH_MAX)
				len = SYNTH_PATCH_MAX;
			if (len > size - pos)
				len = (u8)(size - pos);
			memcpy(pt->data, in + pos, len);
			pos += len;
			break;
		case SYNTH_OP_ZERO:
			if (len > SYNTH_PATCH_MAX)
				len = SYNTH_PATCH_MAX;
			memset(pt->data, 0, len);
			break;
		case SYNTH_OP_PTR: {
			const struct mintmon_phys_range *t;
			u64 target;

			if (size - pos < 5)
				return n;
			t = &sk->regions[(in[pos] & 7) % SYNTH_NR_REGIONS];
			target = t->start + (t->size ? mintmon_le32(in + pos + 1) % t->size : 0);
			/* Bit 7: the image's own address (as &init_task), else __va(). */
			if ((in[pos] & 0x80) && target >= sk->p.text_phys &&
			    target - sk->p.text_phys < SYNTH_IMAGE_SIZE)
				v = target - sk->p.text_phys + sk->text_virt;
			else
				v = sk->p.page_offset_base + target;
			memcpy(pt->data, &v, 8);
			len = 8;
			pos += 5;
			break;
		}
		default:
			if (size - pos < 1)
				return n;
			v = in[pos++];
			memcpy(pt->data, &v, 8);
			len = 8;
			break;
		}
		if (pt->phys + len > sk->p.mem_size)
			len = (u8)(sk->p.mem_size - pt->phys);
		if (!len)
			continue;
		pt->len = len;
		n++;
	}
	return n;
}

bool synth_op_encode(u8 *buf, size_t cap, size_t *pos, enum synth_op_kind kind,
		     enum synth_region region, u32 off, const void *data, u8 len)
{
	size_t extra = kind == SYNTH_OP_RAW ? len : kind == SYNTH_OP_PTR ? 5 :
		       kind == SYNTH_OP_SMALL ? 1 : 0;

	if (cap - *pos < 6 + extra)
		return false;
	buf[*pos] = (u8)(region | kind << 3);
	memcpy(buf + *pos + 1, &off, 4);
	buf[*pos + 5] = len;
	if (extra)
		memcpy(buf + *pos + 6, data, extra);
	*pos += 6 + extra;
	return true;
}

void synth_write_seed(const char *dir, const char *name, const u8 *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		abort();
}
