/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A synthetic x86-64 Linux 6.12 kernel in a byte array of "physical memory",
 * for tests of discovery, sessions and the task walk without a guest.
 *
 * synth_build() lays out, with nothing but the bytes a real kernel would
 * leave there (no hints for mintmon):
 *   - the real-mode trampoline_pgd in the first MiB and init_top_pgt in the
 *     image, both mapping __START_KERNEL_map + KASLR offset through
 *     level3_kernel_pgt/level2_kernel_pgt (text RX, rodata RO+NX, data RW+NX,
 *     bss split into 4 KiB pages), and a direct map at page_offset_base;
 *   - kallsyms tables in the 6.12 order and a .BTF section in .rodata;
 *   - linux_banner, init_uts_ns, boot_params, tk_core, jiffies_64, an e820
 *     table with a hole, vmcoreinfo;
 *   - init_task and a task list: kernel threads (a long-named one, workqueue
 *     workers, a rescuer), user processes with threads, a zombie, a tty,
 *     creds, and an mm with page tables and an argument vector per process.
 * What it built is recorded in struct synth_kernel (addresses, the task
 * list as /proc would show it) for the tests to compare with.
 *
 * The memory source (struct synth_memory) serves the array, optionally with
 * a list of patches laid over it (copy-on-write, for the fuzzer), counts
 * reads that reach a watched range and can call a hook on every read (a
 * target that changes while it is read).
 */
#ifndef MINTMON_TEST_SYNTH_KERNEL_H
#define MINTMON_TEST_SYNTH_KERNEL_H

#include "mintmon/memory.h"

#define SYNTH_KERNEL_MAP	0xffffffff80000000ull	/* __START_KERNEL_map */
#define SYNTH_LOAD_PHYS		0x1000000ull		/* default LOAD_PHYSICAL_ADDR */
#define SYNTH_START_KERNEL	(SYNTH_KERNEL_MAP + SYNTH_LOAD_PHYS)	/* __START_KERNEL */
#define SYNTH_IMAGE_SIZE	(8ull << 20)		/* text, rodata, data, bss */
#define SYNTH_MAX_TASKS		512
#define SYNTH_MAX_E820		16
#define SYNTH_ARGS_MAX		128
#define SYNTH_RELEASE		"6.12.0-synth-amd64"

struct synth_params {
	u64 mem_size;		/* bytes of physical memory, from 0 */
	u64 text_phys;		/* physical load address of _text (2 MiB aligned) */
	u64 load_phys;		/* LOAD_PHYSICAL_ADDR (CONFIG_PHYSICAL_START) */
	u64 kaslr_offset;	/* _text = __START_KERNEL_map + load_phys + kaslr_offset */
	u64 page_offset_base;	/* direct map base (1 GiB aligned) */
	u64 vmemmap_base;
	unsigned int levels;	/* paging levels: 4 or 5 */
	bool gbpages;		/* direct map with 1 GiB pages (else 2 MiB) */
	u64 heap_phys;		/* where "kmalloc" memory comes from */
	u64 heap_size;
	u64 hole_phys;		/* e820 hole (ACPI NVS + reserved), not in the direct map */
	u64 hole_size;
	u64 canary;		/* init_task.stack_canary (random every boot) */
	u64 jiffies;		/* jiffies_64 */
	u64 offs_real;		/* tk_core's offs_real, REALTIME - MONOTONIC (0: 2025-11-30) */
	unsigned int nr_procs;	/* user processes besides systemd */
	unsigned int max_threads;	/* user process i has 1 + i % max_threads threads */
	bool kallsyms_all;	/* false: only text symbols (CONFIG_KALLSYMS_ALL=n) */
	bool vmcoreinfo;	/* vmcoreinfo_data/vmcoreinfo_size and a note */
	/* The printk ring: 2^log_count_bits descriptors, 2^log_size_bits bytes, nr_log records. */
	unsigned int log_count_bits, log_size_bits, nr_log;
	/* BTF members left out ("struct.member"), or whole structs ("struct"). */
	const char *btf_omit[4];

	/* Corruption (0: none; pids of user processes are 100, 107, 114, ...). */
	s32 loop_pid;		/* its tasks.next goes back to systemd's: a loop */
	s32 bad_prev_pid;	/* its tasks.prev points to itself */
	s32 cred_hole_pid;	/* its real_cred points into the e820 hole */
};

/* A task as /proc shows it (what mintmon must find). */
struct synth_task {
	u64 addr;		/* task_struct (kernel virtual) */
	s32 pid, tgid, ppid;
	u32 uid, euid;
	char state;
	bool kthread;
	u32 flags;
	char comm[17];
	char name[64];		/* /proc/PID/stat's name */
	u32 nr_threads;
	u32 tty_nr;
	u64 start_time_ns, cpu_time_ns, vsz_kb, rss_kb;
	char args[SYNTH_ARGS_MAX];	/* /proc/PID/cmdline */
	size_t args_len;
};

/* A record of the kernel log as written (seq is its index in synth_kernel.log). */
#define SYNTH_MAX_LOG 512
#define SYNTH_LOG_TEXT 96
struct synth_log_rec {
	u64 seq, ts_nsec;
	u32 caller_id;
	u8 level, facility, flags;
	u16 len;
	char text[SYNTH_LOG_TEXT];
	bool live;		/* still in the ring (its slot and data not reused) */
};

/* Regions of the image the fuzzer aims its patches at. */
enum synth_region {
	SYNTH_R_PGTABLES,	/* init_top_pgt, level4/3/2_kernel_pgt, the .bss PTEs */
	SYNTH_R_TRAMPOLINE,	/* trampoline_pgd in the first MiB */
	SYNTH_R_KALLSYMS,	/* kallsyms_num_syms .. kallsyms_seqs_of_names */
	SYNTH_R_BTF,		/* __start_BTF .. __stop_BTF */
	SYNTH_R_TASKS,		/* the heap: direct map tables, tasks, creds, mms, stacks */
	SYNTH_R_E820,		/* the e820 table the kernel keeps */
	SYNTH_R_VARS,		/* .data: page_offset_base, jiffies_64, ..., init_task */
	SYNTH_R_ALL,		/* all of memory */
	SYNTH_NR_REGIONS,
};

struct synth_kernel {
	struct synth_params p;
	u8 *mem;		/* p.mem_size bytes */

	/* What discovery must find. */
	u64 text_virt;
	u64 phys_base;
	u64 init_top_pgt;	/* physical */
	u64 trampoline;		/* physical address of trampoline_pgd */
	u64 top_entry;		/* trampoline_pgd's entry that maps _text */
	u64 init_task;		/* virtual */
	u64 canary_phys;	/* &init_task.stack_canary */
	u64 jiffies_phys;
	u64 pob_phys;		/* &page_offset_base */
	u64 uptime_ns;		/* tk_core: tkr_mono.base + offs_boot */
	u64 totalram_pages;
	u64 schedule;		/* a text symbol, for symbolization */
	char banner[256];	/* first line, without the newline */
	struct mintmon_phys_range ram[SYNTH_MAX_E820];	/* e820 RAM, merged */
	unsigned int nr_ram;
	struct synth_task tasks[SYNTH_MAX_TASKS];	/* every task but the swapper */
	unsigned int nr_tasks;
	struct mintmon_phys_range regions[SYNTH_NR_REGIONS];

	/* The printk ring (physical addresses) and what was written to it. */
	u64 prb_phys, log_descs, log_infos, log_text, log_ts;
	struct mintmon_phys_range log_region;	/* the ring, its arrays and text */
	struct synth_log_rec log[SYNTH_MAX_LOG];
	unsigned int nr_log;

	/*
	 * Text integrity metadata (text.h): its run-time patch sites (kernel
	 * virtual), every one consistent with its state as built, and where
	 * the state lives (physical).
	 */
	struct synth_text {
		u32 nr[4];		/* sites per kind: jump label, static call, ftrace, kprobe */
		u64 jl_nop_site, jl_nop_target, jl_jmp_site, jl_target;	/* key A off, key B on */
		u64 key_a_phys, key_b_phys;
		u64 sc_site, sc_func, sc_other_func, sc_key_phys;	/* a call site of key synth_a */
		u64 ft_nop_site, ft_call_site, ftrace_caller, ft_records_phys, ft_page_phys;
		u64 kp_site, kp_opt_site, kp_phys, kp_table_phys;
		u64 jump_table_phys, sc_table_phys;
		u64 text_start, text_end, rodata_start, rodata_end;
		u64 text_pmd_phys, rodata_pmd_phys;	/* the 2 MiB entries that map them */
		/* Physical ranges of it all, for the fuzzer: variables, heap objects, sites. */
		struct mintmon_phys_range vars, heap, sites;
		/* Two modules: "synth_b" (live, first in the list) and "synth_a" (coming, taint O). */
		u64 modules_phys, mod_phys[2];
	} text;

	/* Builder state. */
	u64 heap_next;
};

/* A KASLR'd 64 MiB machine with about 110 tasks (see synth_kernel.c). */
void synth_default_params(struct synth_params *p);
/* A smaller one for the fuzzer: 40 MiB, about 30 tasks. */
void synth_fuzz_params(struct synth_params *p);

/* A new zeroed memory of p->mem_size bytes with the kernel p describes; NULL if p does not fit. */
/*
 * Two boots in one memory (a kexec): sets *po and *pn, and builds the old
 * one (*po): image at 0x1000000, heap 0x1800000-0x2200000. synth_build(sk,
 * pn) adds the new one: image 0x2200000, heap 0x2a00000-0x3400000, and
 * its trampoline_pgd at 0x98000 over the old one's. real_*: offs_real.
 */
struct synth_kernel *synth_two_boots(struct synth_params *po, struct synth_params *pn,
				     u64 real_old, u64 real_new);
struct synth_kernel *synth_new(const struct synth_params *p);
/*
 * Build another kernel into the same memory, over the last one, as a
 * reboot does: what the new kernel does not write keeps the old bytes.
 * Returns 0, or -EINVAL for parameters that do not fit.
 */
int synth_build(struct synth_kernel *sk, const struct synth_params *p);
void synth_free(struct synth_kernel *sk);

const struct synth_task *synth_find_task(const struct synth_kernel *sk, s32 pid);
/* Write one more record to the kernel log, as printk would (pushing the tails as needed). */
void synth_log_add(struct synth_kernel *sk, u8 level, u8 facility, u8 flags, u32 caller,
		   const char *text, u16 len);
/* Physical address of a kernel virtual address in the image or the direct map. */
u64 synth_pa(const struct synth_kernel *sk, u64 vaddr);
/* Offset of a task_struct field the tests corrupt ("tasks", "real_cred", ...). */
u64 synth_task_field(const char *name);
void synth_put64(struct synth_kernel *sk, u64 phys, u64 v);
u64 synth_get64(const struct synth_kernel *sk, u64 phys);
/*
 * A stale copy of trampoline_pgd at t (3 pages: t, its PUD, its PMD) in
 * the first MiB that reaches the kernel's place through tables that no
 * longer describe it: its PMDs shifted by one, so _text seems 2 MiB off
 * and a discovery through it fails (seen after a Mint peer's kexec).
 */
void synth_stale_trampoline(struct synth_kernel *sk, u64 t);

/* A patch laid over the memory (copy-on-write): len bytes at phys. */
#define SYNTH_PATCH_MAX 64
struct synth_patch {
	u64 phys;
	u32 len;
	u8 data[SYNTH_PATCH_MAX];
};

struct synth_memory {
	const u8 *bytes;
	u64 size;
	const struct synth_patch *patches;	/* applied in order over bytes */
	unsigned int nr_patches;
	int fail;		/* non-zero: every read fails with it (a dead transport) */
	u64 watch_start, watch_len;	/* reads that reach [start, +len) are counted */
	u64 watch_hits;
	u64 source_reads;	/* requests that reached the source */
	/* Called after every request served (the target moves under the reader). */
	void (*hook)(struct synth_memory *sm, u64 phys, u64 len);
	void *hook_arg;
};

/* mem reads sm (which the caller keeps): the whole array as one range at 0. */
void synth_memory_init(struct synth_memory *sm, struct mintmon_memory *mem, const u8 *bytes,
		       u64 size);

/*
 * Fuzz input: a list of operations, each
 *   u8 op       low 3 bits: region (enum synth_region, modulo), bits 3-4: kind
 *   u32 offset  in the region (little-endian, modulo its size)
 *   u8 len      kind RAW/ZERO: bytes (at most SYNTH_PATCH_MAX)
 *   ...         kind RAW: len bytes; PTR: u8 region + u32 offset of the target;
 *               SMALL: u8 value
 * RAW writes bytes, ZERO clears them, PTR writes the direct-map address of
 * another place (so lists can be re-linked), SMALL writes a u64 0..255.
 */
enum synth_op_kind { SYNTH_OP_RAW, SYNTH_OP_ZERO, SYNTH_OP_PTR, SYNTH_OP_SMALL };

unsigned int synth_patches_decode(const struct synth_kernel *sk, const u8 *in, size_t size,
				  struct synth_patch *out, unsigned int max);
/* Append one operation to buf (at *pos, at most cap bytes); false if it does not fit. */
bool synth_op_encode(u8 *buf, size_t cap, size_t *pos, enum synth_op_kind kind,
		     enum synth_region region, u32 off, const void *data, u8 len);

/* Write a fuzzer seed: len bytes of buf to dir/name (aborts on failure). */
void synth_write_seed(const char *dir, const char *name, const u8 *buf, size_t len);

#endif /* MINTMON_TEST_SYNTH_KERNEL_H */
