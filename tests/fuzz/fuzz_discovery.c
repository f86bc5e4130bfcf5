// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for everything that reads a whole target: discovery,
 * the task walk, virtual reads and a session poll, on the synthetic kernel
 * of tests/unit/synth_kernel.c with the input's patches laid over it.
 *
 * The kernel is built once; each input is a list of patches (see
 * synth_patches_decode(): raw bytes, zeros, a pointer to another place, a
 * small number) aimed at one region each (page tables, the trampoline,
 * kallsyms, BTF, the heap of tasks, the e820 table, .data variables, or
 * anywhere). The memory source serves the image with the patches on top,
 * so nothing is copied per input.
 *
 * Besides "no crash, no hang, no leak" it checks what must hold whatever
 * the bytes: the unpatched kernel attaches and lists every task; a kernel
 * that attached and has not changed polls as "same", in one round trip,
 * without allocating.
 *
 * Seeds: MINTMON_SEED_DIR=tests/fuzz/seeds/fuzz_discovery build/fuzz/fuzz_discovery -runs=0
 * writes them (their offsets depend on the synthetic kernel's layout).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mintmon/session.h"
#include "mintmon/tasks.h"
#include "../unit/synth_kernel.h"

#define MAX_PATCHES 64

static struct synth_kernel *sk;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* Offset of a physical address in a region, for seeds. */
static u32 in_region(enum synth_region r, u64 phys)
{
	return (u32)(phys - sk->regions[r].start);
}

/* Offset in the heap of a field of the task with this pid. */
static u32 task_field(s32 pid, const char *field)
{
	return in_region(SYNTH_R_TASKS, synth_pa(sk, synth_find_task(sk, pid)->addr) +
				       synth_task_field(field));
}

/* Offset in the BTF region of a string of its string section. */
static u32 btf_string(const char *s)
{
	const struct mintmon_phys_range *r = &sk->regions[SYNTH_R_BTF];
	const u8 *b = sk->mem + r->start;
	size_t n = strlen(s) + 1;
	u64 i;

	for (i = 1; i + n <= r->size; i++) {
		if (!b[i - 1] && !memcmp(b + i, s, n))
			return (u32)i;
	}
	abort();
}

/* One seed per kind of damage, each a patch list or two. */
static void write_seeds(const char *dir)
{
	static const u8 bad_magic[2] = {0xeb, 0x9f};	/* big-endian BTF */
	u8 buf[256], target[5];
	u32 off;
	size_t n;

#define SEED(name, ...)                                                        \
	do {                                                                  \
		n = 0;                                                        \
		__VA_ARGS__;                                                  \
		synth_write_seed(dir, name, buf, n);                                \
	} while (0)
#define OP(kind, region, o, data, len) \
	synth_op_encode(buf, sizeof(buf), &n, kind, region, o, data, len)

	SEED("empty", (void)0);
	/* trampoline_pgd's kernel entry gone: found by the full scan (init_top_pgt, a pgd). */
	SEED("no-trampoline", OP(SYNTH_OP_ZERO, SYNTH_R_TRAMPOLINE, 8 * 511, NULL, 8));
	/* level2_kernel_pgt (at +0x3000 in the region) loses _text: 6 MiB left, no kernel. */
	SEED("image-cut", OP(SYNTH_OP_ZERO, SYNTH_R_PGTABLES,
			     (u32)(0x3000 + 8 * ((sk->text_virt >> 21) & 511)), NULL, 16));
	/* A kallsyms name length past the end of the names. */
	SEED("kallsyms-names", OP(SYNTH_OP_SMALL, SYNTH_R_KALLSYMS, 8, &(u8){0xff}, 0));
	SEED("kallsyms-tokens", OP(SYNTH_OP_ZERO, SYNTH_R_KALLSYMS,
				   sk->regions[SYNTH_R_KALLSYMS].size / 2, NULL, 64));
	SEED("btf-magic", OP(SYNTH_OP_RAW, SYNTH_R_BTF, 0, bad_magic, 2));
	SEED("btf-types", OP(SYNTH_OP_ZERO, SYNTH_R_BTF, 24 + 12 * 30, NULL, 40));
	/* e820: no entries; more entries than the kernel keeps. */
	SEED("e820-empty", OP(SYNTH_OP_SMALL, SYNTH_R_E820, 0, &(u8){0}, 0));
	SEED("e820-many", OP(SYNTH_OP_RAW, SYNTH_R_E820, 0, "\xff\xff\x00\x00", 4));
	SEED("e820-no-kernel", OP(SYNTH_OP_ZERO, SYNTH_R_E820, 4 + 20 * 2, NULL, 20));
	/* page_offset_base that maps nothing; jiffies_64 and the canary changed. */
	SEED("page-offset-base", OP(SYNTH_OP_SMALL, SYNTH_R_VARS,
				    in_region(SYNTH_R_VARS, sk->pob_phys), &(u8){0x40}, 0));
	SEED("canary", OP(SYNTH_OP_SMALL, SYNTH_R_VARS, in_region(SYNTH_R_VARS, sk->canary_phys),
			  &(u8){7}, 0));
	/* A loop in the task list: a process's tasks.next back to systemd's. */
	off = task_field(1, "tasks");
	target[0] = SYNTH_R_TASKS;
	memcpy(target + 1, &off, 4);
	SEED("task-loop", OP(SYNTH_OP_PTR, SYNTH_R_TASKS, task_field(121, "tasks"), target, 0));
	/* next->prev not pointing back. */
	SEED("task-prev", OP(SYNTH_OP_SMALL, SYNTH_R_TASKS, task_field(114, "tasks") + 8,
			     &(u8){8}, 0));
	/* A cred pointer into the e820 hole; a thread ring that does not close. */
	off = (u32)sk->p.hole_phys + 0x40;
	target[0] = SYNTH_R_ALL;
	memcpy(target + 1, &off, 4);
	SEED("cred-in-hole", OP(SYNTH_OP_PTR, SYNTH_R_TASKS, task_field(100, "real_cred"), target,
				0));
	SEED("thread-ring", OP(SYNTH_OP_SMALL, SYNTH_R_TASKS, task_field(115, "thread_node"),
			       &(u8){0}, 0));
	/* Reproducers of core bugs fuzzing found. */
	/* tasks.c made a pointer outside the worker's span when worker.desc is missing. */
	SEED("worker-desc", OP(SYNTH_OP_RAW, SYNTH_R_BTF, btf_string("desc"), "x", 1));
	/*
	 * No stack canary and RAM ending inside the image: attach succeeded, every
	 * poll failed its identity check and re-attached.
	 */
	off = (u32)(sk->p.text_phys + 0x200000 - 0x100000);
	SEED("identity-not-ram", OP(SYNTH_OP_RAW, SYNTH_R_BTF, btf_string("stack_canary"), "x", 1);
	     OP(SYNTH_OP_RAW, SYNTH_R_E820, 4 + 20 * 2 + 8, &off, 4));
	/* Several at once. */
	SEED("mixed", OP(SYNTH_OP_ZERO, SYNTH_R_TRAMPOLINE, 8 * 511, NULL, 8);
	     OP(SYNTH_OP_SMALL, SYNTH_R_TASKS, task_field(114, "tasks") + 8, &(u8){8}, 0);
	     OP(SYNTH_OP_SMALL, SYNTH_R_E820, 0, &(u8){3}, 0));
#undef OP
#undef SEED
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct synth_params p;
	const char *dir = getenv("MINTMON_SEED_DIR");

	synth_fuzz_params(&p);
	sk = synth_new(&p);
	if (!sk)
		abort();
	if (dir)
		write_seeds(dir);
	return 0;
}

/* What the CLI's ps and vread do with an attached kernel. */
static void exercise(struct mintmon_kernel *k, bool pristine)
{
	static char bufs[MINTMON_ARGS_BATCH][256];
	const struct mintmon_task *list, *batch[MINTMON_ARGS_BATCH];
	size_t lens[MINTMON_ARGS_BATCH], len;
	struct mintmon_tasks *t;
	struct mintmon_task task;
	struct mintmon_vreq reqs[4];
	u8 buf[512];
	u64 v;
	u32 nr, i;
	int err;

	err = mintmon_tasks_create(k, &t);
	if (pristine && err)
		__builtin_trap();
	if (!err) {
		err = mintmon_tasks_list(t, &list, &nr);
		if (pristine && (err || nr != sk->nr_tasks))
			__builtin_trap();
		if (!err) {
			for (i = 0; i < nr && i < MINTMON_ARGS_BATCH; i++)
				batch[i] = &list[i];
			mintmon_tasks_args_many(t, batch, i, bufs[0], sizeof(bufs[0]), lens);
			for (i = 0; i < nr && i < 8; i++)
				mintmon_task_args(t, &list[i], (char *)buf, sizeof(buf), &len);
			mintmon_tasks_find(t, 1, &task);
		}
		mintmon_tasks_destroy(t);
	}
	/* The image, the direct map (RAM and the hole), a user address without a pgd. */
	mintmon_kernel_read(k, 0, k->init_task, buf, sizeof(buf), NULL);
	mintmon_kernel_read(k, 0, k->page_offset_base + sk->p.hole_phys - 8, buf, 16, NULL);
	mintmon_kernel_read(k, 0, k->text_virt + SYNTH_IMAGE_SIZE - 4, buf, 64, NULL);
	mintmon_kernel_read_u64(k, 0x7ffc00000800ull, &v);
	for (i = 0; i < 4; i++) {
		reqs[i].pgd_vaddr = 0;
		reqs[i].vaddr = k->page_offset_base + sk->p.heap_phys + i * 0x1ff8;
		reqs[i].buf = buf + 128 * i;
		reqs[i].len = 128;
	}
	mintmon_kernel_read_batch(k, reqs, 4);
	mintmon_kernel_symbolize(k, k->text_virt + 0x1234, (char *)buf, sizeof(buf));
	mintmon_kernel_uptime_ns(k, &v);
	mintmon_kernel_totalram_pages(k, &v);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct synth_patch patches[MAX_PATCHES];
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_session *s = NULL;
	struct mintmon_poll p;
	unsigned int n = synth_patches_decode(sk, data, size, patches, MAX_PATCHES);
	unsigned long allocs;
	u64 gen;
	int err;

	synth_memory_init(&sm, &m, sk->mem, sk->p.mem_size);
	sm.patches = patches;
	sm.nr_patches = n;
	err = mintmon_session_create(&m, NULL, 0, &s);
	if (err == -ENOMEM)
		return 0;
	if (!n && err)
		__builtin_trap();	/* the unpatched kernel must attach */
	if (!err) {
		/* Nothing changed since attach: the same kernel, for one vectored read. */
		gen = s->generation;
		allocs = mintmon_alloc_count();
		if (mintmon_session_poll(s, &p) || p.state != MINTMON_POLL_SAME ||
		    s->generation != gen || mintmon_alloc_count() != allocs || p.round_trips != 1)
			__builtin_trap();
		exercise(s->k, !n);
	}
	/*
	 * Polls keep working whatever the state: gone, or attached as above. The
	 * heartbeat stands still: the second stalled poll looks for a kernel
	 * (a listing, and a search of every image if the patches made one fail).
	 */
	mintmon_session_poll(s, &p);
	mintmon_session_poll(s, &p);
	mintmon_session_destroy(s);
	return 0;
}
