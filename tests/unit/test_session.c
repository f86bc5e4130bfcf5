// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/session.c and mintmon_kernel_check(), on the
 * synthetic kernel (tests/unit/synth_kernel.c): attach, poll, a reboot
 * without and with KASLR, a target that goes away and comes back, what a
 * poll costs, and two sessions polled from two threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mintmon/session.h"
#include "mintmon/tasks.h"
#include "synth_kernel.h"

/* A poll allocates nothing and makes one vectored read of at most this many requests. */
#define POLL_MAX_READS 8

struct fixture {
	struct synth_params p;
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_session *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	synth_default_params(&f->p);
	f->sk = synth_new(&f->p);
	if (!f->sk)
		return -1;
	synth_memory_init(&f->sm, &f->m, f->sk->mem, f->p.mem_size);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mintmon_session_destroy(f->s);
	synth_free(f->sk);
	free(f);
	return 0;
}

static struct mintmon_poll poll_once(struct fixture *f)
{
	struct mintmon_poll p;

	assert_int_equal(mintmon_session_poll(f->s, &p), 0);
	return p;
}

/* The session's kernel is the one the builder made last. */
static void assert_attached_to(struct fixture *f, const struct synth_params *p)
{
	const struct mintmon_kernel *k = f->s->k;

	assert_non_null(k);
	assert_int_equal(k->id.text_phys, p->text_phys);
	assert_int_equal(k->id.kaslr_offset, p->kaslr_offset);
	assert_int_equal(k->id.page_offset_base, p->page_offset_base);
	assert_int_equal(k->id.canary, p->canary);
	assert_int_equal(k->id.top_entry, f->sk->top_entry);
	assert_memory_equal(&f->s->id, &k->id, sizeof(k->id));
	assert_false(mintmon_error_is_set(&f->s->err));
}

/*
 * The other kernel runs (its heartbeat moves, from jiffies on): poll until
 * the session says something else than same, at most max polls. It must be
 * rebooted, onto that kernel.
 */
static void poll_until_rebooted(struct fixture *f, const struct synth_params *next, u64 jiffies,
				unsigned int max)
{
	struct mintmon_poll p;
	unsigned int i;

	for (i = 0; i < max; i++) {
		synth_put64(f->sk, f->sk->jiffies_phys, jiffies + i);
		p = poll_once(f);
		if (p.state != MINTMON_POLL_SAME)
			break;
	}
	assert_int_equal(p.state, MINTMON_POLL_REBOOTED);
	assert_attached_to(f, next);
}

/* Another boot, KASLR'd elsewhere: what the builder makes next. */
static void next_boot(const struct fixture *f, struct synth_params *next)
{
	*next = f->p;
	next->text_phys = 0x3400000;
	next->kaslr_offset = 0x0c400000;
	next->page_offset_base = 0xffff9b0f80000000ull;
	next->canary = 0x1badb002cafef00dull;
	next->nr_procs = 10;
}

/* Nothing there at first: create keeps the session, polls say gone, then attached. */
static void test_first_attach(void **state)
{
	struct fixture *f = *state;
	struct mintmon_poll p;
	u8 *saved = malloc(f->p.mem_size);
	u64 gen;

	assert_non_null(saved);
	memcpy(saved, f->sk->mem, f->p.mem_size);
	memset(f->sk->mem, 0, f->p.mem_size);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), -ENOENT);
	assert_non_null(f->s);
	assert_null(f->s->k);
	assert_int_equal(f->s->err.code, -ENOENT);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_GONE);
	assert_int_equal(p.heartbeat, 0);
	assert_non_null(strstr(f->s->err.msg, "no x86-64 Linux kernel"));
	/* The kernel boots. */
	gen = f->s->generation;
	memcpy(f->sk->mem, saved, f->p.mem_size);
	p = poll_once(f);
	assert_string_equal(mintmon_poll_state_name(p.state), "attached");
	assert_int_equal(p.heartbeat, f->p.jiffies);
	assert_attached_to(f, &f->p);
	assert_int_not_equal(f->s->generation, gen);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
	free(saved);
}

/*
 * The same kernel: "same", the heartbeat is jiffies_64 as it moves, and a
 * poll is one round trip of a few reads that allocates nothing (it runs in
 * the module's watchdog, where it must neither sleep nor fail for memory).
 */
static void test_same(void **state)
{
	struct fixture *f = *state;
	const struct mintmon_kernel *k;
	unsigned long allocs;
	u64 gen, tick;

	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	assert_attached_to(f, &f->p);
	k = f->s->k;
	gen = f->s->generation;
	allocs = mintmon_alloc_count();
	for (tick = 0; tick < 100; tick++) {
		struct mintmon_poll p;

		synth_put64(f->sk, f->sk->jiffies_phys, f->p.jiffies + tick * 4);
		p = poll_once(f);
		assert_int_equal(p.state, MINTMON_POLL_SAME);
		assert_int_equal(p.heartbeat, f->p.jiffies + tick * 4);
		assert_in_range(p.reads, 1, POLL_MAX_READS);
		assert_int_equal(p.round_trips, 1);
		assert_int_equal(p.bytes, 8 * p.reads);
		assert_false(mintmon_error_is_set(&f->s->err));
	}
	assert_int_equal(mintmon_alloc_count(), allocs);
	assert_ptr_equal(f->s->k, k);
	assert_int_equal(f->s->generation, gen);
	/* A failed read leaves its error in the session's object; the next poll starts clean. */
	assert_int_equal(mintmon_kernel_read_u64(f->s->k, f->p.page_offset_base + f->p.hole_phys,
						 &tick), -EFAULT);
	assert_true(mintmon_error_is_set(&f->s->err));
	assert_int_equal(poll_once(f).state, MINTMON_POLL_SAME);
	assert_false(mintmon_error_is_set(&f->s->err));
}

/*
 * A reboot with nokaslr lands everything at the same place: only the stack
 * canary (random on every boot) tells the boots apart.
 */
static void test_reboot_same_place(void **state)
{
	struct fixture *f = *state;
	struct synth_params next;
	struct mintmon_poll p;
	u64 gen;

	f->p.text_phys = 0x1000000;
	f->p.kaslr_offset = 0;
	f->p.page_offset_base = 0xffff888000000000ull;
	assert_int_equal(synth_build(f->sk, &f->p), 0);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	gen = f->s->generation;
	next = f->p;
	next.canary = 0x0123456789abcdefull;
	next.jiffies = 0xfffb6c20;	/* INITIAL_JIFFIES again, just after boot */
	assert_int_equal(synth_build(f->sk, &next), 0);
	assert_int_equal(f->sk->top_entry, f->s->id.top_entry);	/* only the canary moved */
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_REBOOTED);
	assert_int_equal(p.heartbeat, next.jiffies);
	assert_attached_to(f, &next);
	assert_int_equal(f->s->generation, gen + 2);	/* dropped, then attached */
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
}

/*
 * A reboot with KASLR: the image elsewhere in physical and virtual memory,
 * the direct map elsewhere; the old image partly overwritten (its text and
 * read-only data), its page tables and init_task still there.
 */
static void test_reboot_kaslr(void **state)
{
	struct fixture *f = *state;
	struct synth_params next;
	struct mintmon_tasks *t;
	const struct mintmon_task *list;
	struct mintmon_poll p;
	u32 nr;

	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	next_boot(f, &next);
	assert_int_equal(synth_build(f->sk, &next), 0);
	memset(f->sk->mem + f->p.text_phys, 0, 4 << 20);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_REBOOTED);
	assert_attached_to(f, &next);
	assert_int_equal(f->s->k->text_virt, SYNTH_START_KERNEL + next.kaslr_offset);
	/* State derived from the new kernel reads the new kernel. */
	assert_int_equal(mintmon_tasks_create(f->s->k, &t), 0);
	assert_int_equal(mintmon_tasks_list(t, &list, &nr), 0);
	assert_int_equal(nr, f->sk->nr_tasks);
	mintmon_tasks_destroy(t);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
}

/*
 * The same reboot, found by a window search (--window, as on the Mint
 * machine), which skips the trampoline_pgd in the first MiB: the identity is
 * then read from the kernel's own image (init_task's canary,
 * page_offset_base, init_top_pgt's entry), and the old image's .data, not
 * yet overwritten by the new kernel, still holds all of it.
 *
 * Nothing in the old image is sure to change at a reboot; a heartbeat that
 * stops is the sign: the session then looks for a kernel from scratch.
 */
static void test_reboot_kaslr_window(void **state)
{
	struct fixture *f = *state;
	struct mintmon_kernel_options o = {.search_start = 0x100000, .search_end = f->p.mem_size};
	struct synth_params next;
	struct mintmon_poll p;
	unsigned int i;

	assert_int_equal(mintmon_session_create(&f->m, &o, 0, &f->s), 0);
	assert_int_not_equal(f->s->k->image.pgtable, f->sk->trampoline);
	next_boot(f, &next);
	assert_int_equal(synth_build(f->sk, &next), 0);
	memset(f->sk->mem + f->p.text_phys, 0, 4 << 20);	/* the old text and rodata only */
	/*
	 * The old identity may still read true. While the other kernel's
	 * heartbeat stands still too it may be an image some earlier boot left
	 * in RAM: no reboot is said, however often the session looks.
	 */
	for (i = 0; i <= 4 * MINTMON_VERIFY_STALLED + 4; i++) {
		p = poll_once(f);
		assert_int_equal(p.state, MINTMON_POLL_SAME);
	}
	/*
	 * Once its heartbeat moves (it runs), the frozen heartbeat of ours has
	 * the session switch within MINTMON_VERIFY_STALLED + 2 polls.
	 */
	poll_until_rebooted(f, &next, next.jiffies + 1, MINTMON_VERIFY_STALLED + 2 + 1);
}

/*
 * The new kernel is still starting when the session first looks (its canary
 * not drawn: not attachable), and its image stays where it is: a look that
 * could not attach every image must not count as having seen them all.
 */
static void test_reboot_starting(void **state)
{
	struct fixture *f = *state;
	struct mintmon_kernel_options o = {.search_start = 0x100000, .search_end = f->p.mem_size};
	struct synth_params next;
	unsigned int i;

	assert_int_equal(mintmon_session_create(&f->m, &o, 0, &f->s), 0);
	next_boot(f, &next);
	next.canary = 0;			/* boot_init_stack_canary() not run yet */
	assert_int_equal(synth_build(f->sk, &next), 0);
	for (i = 0; i <= 4 * MINTMON_VERIFY_STALLED + 4; i++)
		assert_int_equal(poll_once(f).state, MINTMON_POLL_SAME);
	/* It starts: the canary is drawn, its heartbeat moves. */
	next.canary = 0x1badb002cafef00dull;
	synth_put64(f->sk, f->sk->canary_phys, next.canary);
	poll_until_rebooted(f, &next, next.jiffies + 1, 2 * MINTMON_VERIFY_STALLED + 2 + 1);
}

/*
 * A paused target: its heartbeat stands still and nothing else changes.
 * The attach tried every image the first MiB names, so every look finds
 * the kernel images it saw and skips the search (page tables only, no
 * discovery, megabytes). On a Mint node a discovery took the watchdog a
 * second or two under TCG, during which a resumed peer stayed "hung".
 */
static void test_paused(void **state)
{
	struct fixture *f = *state;
	const struct mintmon_phys_range *ks = &f->sk->regions[SYNTH_R_KALLSYMS];
	const struct mintmon_kernel *k;
	unsigned int i, looks = 0, discoveries = 0;
	struct mintmon_poll p;
	u64 hits;

	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	k = f->s->k;
	/*
	 * A discovery reads the kallsyms tables; a look at the page tables reads
	 * the last entry of every page only: watch a page of them but that.
	 */
	f->sm.watch_start = (ks->start + 0xfff) & ~0xfffull;
	f->sm.watch_len = 0xff8;
	assert_true(f->sm.watch_start + 0x1000 <= ks->start + ks->size);
	for (i = 0; i < 10 * MINTMON_VERIFY_STALLED; i++) {
		hits = f->sm.watch_hits;
		p = poll_once(f);
		assert_int_equal(p.state, MINTMON_POLL_SAME);
		looks += p.reads > POLL_MAX_READS;
		discoveries += f->sm.watch_hits != hits;
	}
	assert_int_equal(looks, 10);	/* every MINTMON_VERIFY_STALLED polls */
	assert_int_equal(discoveries, 0);
	assert_int_equal(f->s->looks, 10);
	assert_int_equal(f->s->searches, 1);	/* the attach */
	assert_ptr_equal(f->s->k, k);
	/* Resumed: the heartbeat moves, the same kernel; the next stall finds nothing new either. */
	synth_put64(f->sk, f->sk->jiffies_phys, f->p.jiffies + 1);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
	assert_int_equal(p.heartbeat, f->p.jiffies + 1);
	assert_in_range(p.reads, 1, POLL_MAX_READS);
	for (i = 0, discoveries = 0; i < 2 * MINTMON_VERIFY_STALLED; i++) {
		hits = f->sm.watch_hits;
		poll_once(f);
		discoveries += f->sm.watch_hits != hits;
	}
	assert_int_equal(discoveries, 0);
}

/*
 * A kexec: the new kernel runs elsewhere while the old one's image and its
 * trampoline in the first MiB stay intact, until the new kernel builds its
 * own, at another place there (do_init_real_mode(), an early initcall).
 * Until then an attach from scratch (`info`) finds the old kernel too.
 * Once a trampoline names the new kernel the session must switch within a
 * few polls, though the set of images in memory did not change (CI,
 * integration poll-kexec: "rebooted" came 5 to 7 polls after `info` could
 * attach).
 */
static void test_kexec_trampoline_later(void **state)
{
	const u64 new_place = 0x90000;	/* the new kernel's trampoline_pgd */
	struct fixture *f = *state;
	struct mintmon_kernel *k = NULL;
	struct synth_params pn;
	u8 old_tramp[4096], new_tramp[4096];
	struct mintmon_error e;
	unsigned int i;

	synth_free(f->sk);
	f->sk = synth_two_boots(&f->p, &pn, 1764460800000000000ull, 1764460860000000000ull);
	assert_non_null(f->sk);
	synth_memory_init(&f->sm, &f->m, f->sk->mem, f->p.mem_size);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	assert_attached_to(f, &f->p);
	memcpy(old_tramp, f->sk->mem + f->sk->trampoline, sizeof(old_tramp));
	assert_int_equal(synth_build(f->sk, &pn), 0);
	memcpy(new_tramp, f->sk->mem + f->sk->trampoline, sizeof(new_tramp));
	memcpy(f->sk->mem + f->sk->trampoline, old_tramp, sizeof(old_tramp));
	assert_true(f->sk->trampoline > new_place);
	/* The new kernel runs; the old trampoline still names the old one. */
	for (i = 0; i <= 4 * MINTMON_VERIFY_STALLED + 4; i++) {
		synth_put64(f->sk, f->sk->jiffies_phys, pn.jiffies + 1 + i);
		assert_int_equal(poll_once(f).state, MINTMON_POLL_SAME);
	}
	mintmon_error_init(&e, 0);
	assert_int_equal(mintmon_kernel_create(&f->m, NULL, &e, &k), 0);
	assert_int_equal(k->text_phys, f->p.text_phys);	/* what `info` says now */
	mintmon_kernel_destroy(k);
	mintmon_kernel_use_ram(f->s->k);
	/* Its trampoline is built: within MINTMON_VERIFY_STALLED + 2 polls, rebooted. */
	memcpy(f->sk->mem + new_place, new_tramp, sizeof(new_tramp));
	poll_until_rebooted(f, &pn, pn.jiffies + 100, MINTMON_VERIFY_STALLED + 2 + 1);
}

/*
 * An idle target (NO_HZ: its heartbeat stands still for a few polls, then
 * moves) with a stale trampoline copy in the first MiB that no discovery
 * can attach (left by an earlier kexec): once ours has run since the look
 * that failed on it, it is an old boot's, and later stalls must not
 * discover again (a discovery takes the module's watchdog a second under
 * TCG). Its looks read the first MiB's tables, not the whole memory.
 */
static void test_idle_stale_image(void **state)
{
	struct fixture *f = *state;
	const struct mintmon_phys_range *ks = &f->sk->regions[SYNTH_R_KALLSYMS];
	unsigned int i, looks = 0, discoveries = 0;
	u64 hits, hb = f->p.jiffies, look_bytes = 0;
	struct mintmon_poll p;

	synth_stale_trampoline(f->sk, 0x90000);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	assert_attached_to(f, &f->p);
	f->sm.watch_start = (ks->start + 0xfff) & ~0xfffull;
	f->sm.watch_len = 0xff8;
	for (i = 0; i < 20 * MINTMON_VERIFY_STALLED; i++) {
		if (i % (2 * MINTMON_VERIFY_STALLED) == 2 * MINTMON_VERIFY_STALLED - 1)
			synth_put64(f->sk, f->sk->jiffies_phys, ++hb);
		hits = f->sm.watch_hits;
		p = poll_once(f);
		assert_int_equal(p.state, MINTMON_POLL_SAME);
		if (p.reads > POLL_MAX_READS) {
			looks++;
			if (f->sm.watch_hits == hits && p.bytes > look_bytes)
				look_bytes = p.bytes;
		}
		discoveries += f->sm.watch_hits != hits;
	}
	assert_int_equal(looks, 10);	/* one a stall */
	assert_int_equal(discoveries, 1);	/* the first: the attach failed on the stale copy */
	assert_int_equal(f->s->searches, 2);
	/* A look without a discovery reads the first MiB's tables, not the whole memory. */
	assert_in_range(look_bytes, 1, 64 << 10);
}

/* A clock that moves 1 ms at every reading: a listing seems to take 1 ms. */
static u64 fake_ns;

static u64 fake_clock(void)
{
	fake_ns += 1000000;
	return fake_ns;
}

/*
 * A listing budget (the module's watchdog: a listing of a whole window
 * takes 85 ms under TCG): a stalled target is listed at most as often as
 * keeps listings within the budget, against every MINTMON_VERIFY_STALLED
 * polls without one.
 */
static void test_look_budget(void **state)
{
	static const struct {
		const char *what;
		u32 ppm;
		unsigned int min_looks, max_looks;
	} tcases[] = {
		{"no budget: every MINTMON_VERIFY_STALLED polls", 0, 100, 100},
		/*
		 * 1 ms of listing, then 99 ms off: 2 s of 10 ms polls (a little
		 * more: each reading moves the clock) hold 1% / 1 ms + 1 = 21 at most.
		 */
		{"1%: about one listing a 100 ms", 10000, 15, 21},
	};
	struct fixture *f = *state;
	unsigned int c, i;

	for (c = 0; c < MINTMON_ARRAY_SIZE(tcases); c++) {
		unsigned int looks = 0;

		print_message("%s\n", tcases[c].what);
		mintmon_session_destroy(f->s);
		assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
		f->s->clock_ns = fake_clock;
		f->s->look_budget_ppm = tcases[c].ppm;
		fake_ns = 0;
		for (i = 0; i < 200; i++) {
			struct mintmon_poll p = poll_once(f);

			assert_int_equal(p.state, MINTMON_POLL_SAME);
			looks += p.reads > POLL_MAX_READS;
			fake_ns += 10000000;	/* a 10 ms period */
		}
		assert_in_range(looks, tcases[c].min_looks, tcases[c].max_looks);
		assert_int_equal(f->s->budget_skips + looks, 100);
	}
}

/*
 * Memory wiped: gone, with the reason. The same bytes back: the same boot
 * (a passing glitch, not a reboot). Then another boot: rebooted.
 */
static void test_gone_and_back(void **state)
{
	struct fixture *f = *state;
	struct synth_params next;
	struct mintmon_poll p;
	u8 *saved = malloc(f->p.mem_size);
	u64 gen;

	assert_non_null(saved);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	memcpy(saved, f->sk->mem, f->p.mem_size);
	memset(f->sk->mem, 0, f->p.mem_size);
	gen = f->s->generation;
	p = poll_once(f);
	assert_string_equal(mintmon_poll_state_name(p.state), "gone");
	assert_int_equal(p.heartbeat, 0);
	assert_null(f->s->k);
	assert_int_equal(f->s->err.code, -ENOENT);
	assert_non_null(strstr(f->s->err.msg, "no x86-64 Linux kernel"));
	assert_int_not_equal(f->s->generation, gen);
	assert_int_equal(poll_once(f).state, MINTMON_POLL_GONE);

	memcpy(f->sk->mem, saved, f->p.mem_size);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
	assert_int_equal(p.heartbeat, f->p.jiffies);
	assert_attached_to(f, &f->p);

	memset(f->sk->mem, 0, f->p.mem_size);
	assert_int_equal(poll_once(f).state, MINTMON_POLL_GONE);
	next = f->p;
	next.canary ^= 0xff00;
	assert_int_equal(synth_build(f->sk, &next), 0);
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_REBOOTED);
	assert_attached_to(f, &next);
	free(saved);
}

/* A source that stops answering (the transport died): gone, then back when it answers. */
static void test_unreadable(void **state)
{
	struct fixture *f = *state;
	struct mintmon_poll p;

	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	f->sm.fail = -EIO;
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_GONE);
	assert_int_equal(p.heartbeat, 0);
	assert_true(mintmon_error_is_set(&f->s->err));
	f->sm.fail = 0;
	p = poll_once(f);
	assert_int_equal(p.state, MINTMON_POLL_SAME);
	assert_attached_to(f, &f->p);
}

/*
 * A kernel whose identity cannot be re-read (its e820 table ends RAM inside
 * the image, before .data; no stack canary, so attach reads nothing there)
 * is not attached: otherwise every poll failed its check, re-attached and
 * said "same" (found by fuzz_discovery, seed identity-not-ram).
 */
static void test_identity_unreadable(void **state)
{
	struct fixture *f = *state;
	struct mintmon_poll p;
	unsigned int i;

	f->p.btf_omit[0] = "task_struct.stack_canary";
	assert_int_equal(synth_build(f->sk, &f->p), 0);
	/* e820 entry 2, [1 MiB, heap): RAM ends 2 MiB into the image, after .text. */
	synth_put64(f->sk, f->sk->regions[SYNTH_R_E820].start + 4 + 20 * 2 + 8,
		    f->p.text_phys + 0x200000 - 0x100000);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), -EFAULT);
	assert_non_null(strstr(f->s->err.msg, "boot identity"));
	for (i = 0; i < 2; i++) {
		p = poll_once(f);
		assert_int_equal(p.state, MINTMON_POLL_GONE);
		assert_null(f->s->k);
	}
}

/* ---- two sessions, two threads ---- */

struct poller {
	struct mintmon_session *s;
	enum mintmon_poll_state want;
	const char *want_msg;		/* in the error after each poll; NULL: no error */
	const char *never_msg;		/* the other session's error */
	unsigned int polls, bad;
	char first_bad[MINTMON_ERROR_MSG_LEN + 64];
};

/* cmocka's assertions cannot run off the main thread: count mismatches instead. */
static void *poll_thread(void *arg)
{
	struct poller *w = arg;
	unsigned int i;

	for (i = 0; i < w->polls; i++) {
		struct mintmon_poll p;
		const struct mintmon_error *e = &w->s->err;
		bool ok = !mintmon_session_poll(w->s, &p) && p.state == w->want &&
			  (w->want_msg ? mintmon_error_is_set(e) && strstr(e->msg, w->want_msg) :
			   !mintmon_error_is_set(e)) && !strstr(e->msg, w->never_msg);

		if (!ok && !w->bad++)
			snprintf(w->first_bad, sizeof(w->first_bad), "state %s, error '%s'",
				 mintmon_poll_state_name(p.state), e->msg);
	}
	return NULL;
}

/*
 * A kernel that attaches and one without CONFIG_KALLSYMS_ALL (never
 * attaches: every poll retries discovery and fails), polled at once: each
 * session keeps its own state and error.
 */
static void test_two_threads(void **state)
{
	struct fixture *f = *state;
	struct synth_params q = f->p;
	struct synth_kernel *sk2;
	struct synth_memory sm2;
	struct mintmon_memory m2;
	struct mintmon_session *s2 = NULL;
	struct poller w[2];
	pthread_t th[2];
	unsigned int i;

	q.kallsyms_all = false;
	sk2 = synth_new(&q);
	assert_non_null(sk2);
	synth_memory_init(&sm2, &m2, sk2->mem, q.mem_size);
	assert_int_equal(mintmon_session_create(&f->m, NULL, 0, &f->s), 0);
	assert_int_equal(mintmon_session_create(&m2, NULL, 0, &s2), -ENOENT);
	memset(w, 0, sizeof(w));
	w[0].s = f->s;
	w[0].want = MINTMON_POLL_SAME;
	w[0].never_msg = "KALLSYMS_ALL";
	w[0].polls = 2000;
	w[1].s = s2;
	w[1].want = MINTMON_POLL_GONE;
	w[1].want_msg = "CONFIG_KALLSYMS_ALL";
	w[1].never_msg = "boot identity";
	w[1].polls = 20;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, poll_thread, &w[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 2; i++) {
		if (w[i].bad)
			print_message("session %u: %u bad polls, first: %s\n", i, w[i].bad,
				      w[i].first_bad);
		assert_int_equal(w[i].bad, 0);
	}
	assert_non_null(f->s->k);
	assert_null(s2->k);
	mintmon_session_destroy(s2);
	synth_free(sk2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_same_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_kaslr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_kaslr_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_starting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kexec_trampoline_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_stale_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_look_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
