// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/tasks.c: the state letter. The walk itself is
 * tested against real kernels (tests/integration), whose /proc is the truth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mintmon/tasks.h"
#include "synth_kernel.h"

struct state_case {
	const char *what;
	u64 state;		/* task_struct.__state */
	u64 exit_state;
	char letter;
};

/* Values from include/linux/sched.h (v6.1 and v6.12 agree on all of these). */
static const struct state_case cases[] = {
	{"TASK_RUNNING", 0x0000, 0, 'R'},
	{"TASK_INTERRUPTIBLE", 0x0001, 0, 'S'},
	{"TASK_UNINTERRUPTIBLE", 0x0002, 0, 'D'},
	{"TASK_KILLABLE (WAKEKILL|UNINTERRUPTIBLE)", 0x0102, 0, 'D'},
	{"TASK_STOPPED (WAKEKILL|__TASK_STOPPED)", 0x0104, 0, 'T'},
	{"TASK_TRACED", 0x0008, 0, 't'},
	{"EXIT_ZOMBIE in exit_state", 0x0080, 0x0020, 'Z'},
	{"EXIT_DEAD in exit_state", 0x0080, 0x0010, 'X'},
	{"TASK_PARKED", 0x0040, 0, 'P'},
	{"TASK_IDLE (UNINTERRUPTIBLE|NOLOAD)", 0x0402, 0, 'I'},
	{"TASK_RTLOCK_WAIT reports as D", 0x1000, 0, 'D'},
	{"TASK_FREEZABLE|INTERRUPTIBLE (6.1)", 0x2001, 0, 'S'},
	{"TASK_NEW alone is not reported", 0x0800, 0, 'R'},
};

static void test_state_letters(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		print_message("%s\n", cases[i].what);
		assert_int_equal(mintmon_task_state_letter(cases[i].state, cases[i].exit_state),
				 cases[i].letter);
	}
}

/* ---- the walk, on the synthetic kernel (tests/unit/synth_kernel.c) ---- */

struct walk_env {
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k;
	struct mintmon_tasks *t;
};

static void walk_env_init(struct walk_env *w, const struct synth_params *p)
{
	memset(w, 0, sizeof(*w));
	w->sk = synth_new(p);
	assert_non_null(w->sk);
	synth_memory_init(&w->sm, &w->m, w->sk->mem, p->mem_size);
	mintmon_error_init(&w->e, 0);
	assert_int_equal(mintmon_kernel_create(&w->m, NULL, &w->e, &w->k), 0);
	assert_int_equal(mintmon_tasks_create(w->k, &w->t), 0);
}

static void walk_env_fini(struct walk_env *w)
{
	mintmon_tasks_destroy(w->t);
	mintmon_kernel_destroy(w->k);
	synth_free(w->sk);
}

/* The task with this pid in list, which must hold it exactly once. */
static const struct mintmon_task *find_once(const struct mintmon_task *list, u32 nr, s32 pid)
{
	const struct mintmon_task *found = NULL;
	u32 i;

	for (i = 0; i < nr; i++) {
		if (list[i].pid != pid)
			continue;
		assert_null(found);
		found = &list[i];
	}
	assert_non_null(found);
	return found;
}

struct walk_case {
	const char *what;
	const char *omit;	/* a BTF member the kernel lacks */
	bool full_names;	/* kernel threads by struct kthread / struct worker */
	bool nr_threads;	/* signal->nr_threads is there */
	bool tty;		/* signal->tty is there */
	bool desc;		/* worker.desc is there */
};

static const struct walk_case walk_cases[] = {
	{"6.12 layouts", NULL, true, true, true, true},
	{"no task_struct.worker_private (before v5.17): kernel threads by comm",
	 "task_struct.worker_private", false, true, true, true},
	{"no signal_struct.nr_threads", "signal_struct.nr_threads", true, false, true, true},
	{"no signal_struct.tty", "signal_struct.tty", true, true, false, true},
	/*
	 * Found by fuzz_discovery (seed worker-desc): tasks.c computed a pointer
	 * before the worker's span for the missing field (UB clang's UBSan sees).
	 */
	{"no worker.desc: pooled workers by comm alone", "worker.desc", true, true, true, false},
};

/*
 * The name the walk must give: the builder's (full kernel-thread and
 * workqueue names), comm without struct kthread, and a pooled worker's
 * comm without its "+desc"/"-desc" when struct worker has no desc.
 */
static const char *expected_name(const struct walk_case *c, const struct synth_task *want)
{
	size_t n = strlen(want->comm);

	if (!c->full_names)
		return want->comm;
	if (!c->desc && !strncmp(want->name, want->comm, n) &&
	    (want->name[n] == '+' || want->name[n] == '-'))
		return want->comm;
	return want->name;
}

/*
 * Every task as the builder made it: kernel threads (full names, busy, idle,
 * rescuer and dying workqueue workers), processes with threads (one whose
 * leader is not first on its ring), parents seen before and after their
 * children, a zombie, a setuid process, a tty; and each process's
 * arguments, one pair crossing a page, one overwritten by setproctitle().
 */
static void test_synth_walk(void **state)
{
	unsigned int ci;

	for (ci = 0; ci < MINTMON_ARRAY_SIZE(walk_cases); ci++) {
		const struct walk_case *c = &walk_cases[ci];
		struct synth_params p;
		struct walk_env w;
		const struct mintmon_task *list;
		struct mintmon_tasks_stats st;
		struct mintmon_task found;
		char tty[16];
		u32 nr, i, batches;

		print_message("%s\n", c->what);
		synth_default_params(&p);
		p.btf_omit[0] = c->omit;
		walk_env_init(&w, &p);
		assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), 0);
		assert_int_equal(nr, w.sk->nr_tasks);
		for (i = 0; i < w.sk->nr_tasks; i++) {
			const struct synth_task *want = &w.sk->tasks[i];
			const struct mintmon_task *got = find_once(list, nr, want->pid);
			char args[SYNTH_ARGS_MAX];
			size_t len;

			assert_int_equal(got->addr, want->addr);
			assert_int_equal(got->tgid, want->tgid);
			assert_int_equal(got->ppid, want->ppid);
			assert_int_equal(got->uid, want->uid);
			assert_int_equal(got->euid, want->euid);
			assert_int_equal(got->state, want->state);
			assert_int_equal(got->kthread, want->kthread);
			assert_int_equal(got->flags, want->flags);
			assert_string_equal(got->comm, want->comm);
			assert_string_equal(got->name, expected_name(c, want));
			assert_int_equal(got->nr_threads, c->nr_threads ? want->nr_threads : 1);
			assert_int_equal(got->tty_nr, c->tty ? want->tty_nr : 0);
			assert_int_equal(got->start_time_ns, want->start_time_ns);
			assert_int_equal(got->cpu_time_ns, want->cpu_time_ns);
			assert_int_equal(got->vsz_kb, want->vsz_kb);
			assert_int_equal(got->rss_kb, want->rss_kb);
			assert_int_equal(mintmon_task_args(w.t, got, args, sizeof(args), &len), 0);
			assert_int_equal(len, want->args_len);
			assert_memory_equal(args, want->args, len);
		}
		assert_int_equal(mintmon_tasks_find(w.t, 100, &found), 0);
		mintmon_tty_name(found.tty_nr, tty, sizeof(tty));
		assert_string_equal(tty, c->tty ? "pts/3" : "?");
		assert_int_equal(mintmon_tasks_find(w.t, 99999, &found), -ESRCH);
		/*
		 * Cost: one dependent read per task (plus init_task.tasks and one
		 * jump to a thread ring's head), three vectored reads per batch
		 * of 64 tasks for what hangs off them.
		 */
		mintmon_tasks_list(w.t, &list, &nr);
		mintmon_tasks_stats(w.t, &st);
		batches = (st.tasks + 63) / 64;
		print_message("  %u tasks: %llu chain reads, %llu round trips\n", st.tasks,
			      (unsigned long long)st.chain_reads,
			      (unsigned long long)st.round_trips);
		assert_int_equal(st.tasks, w.sk->nr_tasks);
		assert_int_equal(st.restarts, 0);
		assert_in_range(st.chain_reads, st.tasks, st.tasks + 2);
		assert_in_range(st.round_trips, st.chain_reads, st.chain_reads + 3 * batches);
		walk_env_fini(&w);
	}
}

/* Arguments of many processes together: their page-table walks a level per round trip. */
static void test_synth_args_batch(void **state)
{
	const struct mintmon_task *list, *batch[MINTMON_ARGS_BATCH];
	static char bufs[MINTMON_ARGS_BATCH][SYNTH_ARGS_MAX];
	size_t lens[MINTMON_ARGS_BATCH];
	struct synth_params p;
	struct walk_env w;
	u32 nr, i, n = 0;
	u64 trips;

	synth_default_params(&p);
	walk_env_init(&w, &p);
	assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), 0);
	/* Every task but the setproctitle() one, which takes the single-task path. */
	for (i = 0; i < nr && n < MINTMON_ARGS_BATCH; i++) {
		if (list[i].tgid != 121)
			batch[n++] = &list[i];
	}
	trips = w.m.round_trips;
	assert_int_equal(mintmon_tasks_args_many(w.t, batch, n, bufs[0], SYNTH_ARGS_MAX, lens), 0);
	/* A walk of p.levels reads, then the data: one round trip each. */
	assert_in_range(w.m.round_trips - trips, 1, p.levels + 1);
	for (i = 0; i < n; i++) {
		const struct synth_task *want = synth_find_task(w.sk, batch[i]->pid);

		assert_int_equal(lens[i], want->args_len);
		assert_memory_equal(bufs[i], want->args, lens[i]);
	}
	walk_env_fini(&w);
}

/* A loop in the task list (never back to init_task): -ELOOP, after the bounded retries. */
static void test_synth_walk_loop(void **state)
{
	const struct mintmon_task *list;
	struct mintmon_tasks_stats st;
	struct synth_params p;
	struct walk_env w;
	u32 nr;

	synth_default_params(&p);
	p.loop_pid = 135;	/* its tasks.next goes back to systemd */
	walk_env_init(&w, &p);
	assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), -ELOOP);
	assert_string_equal(w.e.step, "tasks");
	assert_non_null(strstr(w.e.msg, "loop"));
	assert_non_null(strstr(w.e.msg, "seen twice"));
	mintmon_tasks_stats(w.t, &st);
	assert_int_equal(st.restarts, 3);	/* four walks in all */
	walk_env_fini(&w);
}

/* What a live target does between two reads: heal the list once it has been seen broken. */
struct heal {
	struct synth_kernel *sk;
	u64 prev_phys;		/* task->tasks.prev */
	u64 good;
};

static void heal_after_read(struct synth_memory *sm, u64 phys, u64 len)
{
	struct heal *h = sm->hook_arg;

	if (phys <= h->prev_phys && h->prev_phys - phys < len) {
		synth_put64(h->sk, h->prev_phys, h->good);
		sm->hook = NULL;
	}
}

/*
 * next->prev does not point back (a task being unlinked under the walk):
 * the walk starts again; -EAGAIN if the list never settles.
 */
static void test_synth_walk_changed(void **state)
{
	const struct mintmon_task *list;
	struct mintmon_tasks_stats st;
	struct synth_params p;
	struct walk_env w;
	struct heal h;
	u32 nr;

	synth_default_params(&p);
	p.bad_prev_pid = 149;
	walk_env_init(&w, &p);
	assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), -EAGAIN);
	assert_non_null(strstr(w.e.msg, "changed under the walk"));
	mintmon_tasks_stats(w.t, &st);
	assert_int_equal(st.restarts, 3);
	walk_env_fini(&w);

	/* The same, healed after the first walk saw it: one restart, then every task. */
	p.bad_prev_pid = 0;
	walk_env_init(&w, &p);
	h.sk = w.sk;
	h.prev_phys = synth_pa(w.sk, synth_find_task(w.sk, 149)->addr) +
		      synth_task_field("tasks") + 8;
	h.good = synth_get64(w.sk, h.prev_phys);
	synth_put64(w.sk, h.prev_phys, h.prev_phys);
	w.sm.hook = heal_after_read;
	w.sm.hook_arg = &h;
	assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), 0);
	assert_int_equal(nr, w.sk->nr_tasks);
	mintmon_tasks_stats(w.t, &st);
	assert_int_equal(st.restarts, 1);
	assert_null(w.sm.hook);
	walk_env_fini(&w);
}

/* A pointer into the e820 hole: refused before the source sees it, and the error says where. */
static void test_synth_walk_hole(void **state)
{
	const struct mintmon_task *list;
	struct synth_params p;
	struct walk_env w;
	u32 nr;

	synth_default_params(&p);
	p.cred_hole_pid = 121;
	walk_env_init(&w, &p);
	w.sm.watch_start = p.hole_phys;
	w.sm.watch_len = p.hole_size;
	assert_int_equal(mintmon_tasks_list(w.t, &list, &nr), -EFAULT);
	assert_string_equal(w.e.step, "tasks");
	assert_in_range(w.e.phys, p.hole_phys, p.hole_phys + p.hole_size - 1);
	assert_int_equal(w.sm.watch_hits, 0);
	walk_env_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_letters),
		cmocka_unit_test(test_synth_walk),
		cmocka_unit_test(test_synth_args_batch),
		cmocka_unit_test(test_synth_walk_loop),
		cmocka_unit_test(test_synth_walk_changed),
		cmocka_unit_test(test_synth_walk_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
