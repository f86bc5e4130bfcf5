/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target's tasks: every thread of every process, read through the
 * structure layouts its BTF describes.
 */
#ifndef MINTMON_TASKS_H
#define MINTMON_TASKS_H

#include "kernel.h"

#define MINTMON_TASK_COMM_LEN 16
/* Walks stop with -ELOOP past this many tasks (PID_MAX_LIMIT is 4M). */
#define MINTMON_MAX_TASKS (1u << 22)

struct mintmon_task {
	u64 addr;		/* the task_struct */
	s32 pid;
	s32 tgid;
	s32 ppid;		/* real_parent's tgid, as /proc shows it */
	u32 uid;		/* real and effective uid (real_cred) */
	u32 euid;
	char state;		/* the letter ps shows: R S D T t X Z P I */
	bool kthread;		/* PF_KTHREAD */
	char comm[MINTMON_TASK_COMM_LEN + 1];
	u64 mm;			/* mm_struct, 0 for kernel threads and zombies */
	u64 pgd;		/* mm->pgd */
	u64 arg_start, arg_end, env_end;
	u64 vsz_kb;
	u64 rss_kb;
	u64 start_time_ns;	/* since boot (start_boottime) */
	u64 cpu_time_ns;	/* utime + stime */
	u32 nr_threads;		/* threads in the group (signal->nr_threads) */
};

struct mintmon_tasks;

/*
 * The letter ps shows for a task's __state and exit_state, as the kernel's
 * task_state_index() computes it.
 */
char mintmon_task_state_letter(u64 state, u64 exit_state);

/* Learn the layouts the walk needs from k's BTF. */
int mintmon_tasks_create(struct mintmon_kernel *k, struct mintmon_tasks **tasks_ret);
void mintmon_tasks_destroy(struct mintmon_tasks *tasks);

/* Called for each task; a non-zero return stops the walk and is returned. */
typedef int (*mintmon_task_fn)(const struct mintmon_task *task, void *arg);

/*
 * Visit every task: each process on init_task.tasks, then its threads on
 * signal->thread_head. The swapper (pid 0) is not visited, as in /proc.
 * Loops in the lists are detected (-ELOOP), never followed.
 */
int mintmon_tasks_for_each(struct mintmon_tasks *tasks, mintmon_task_fn fn, void *arg);

/* Find the task with this pid (thread id). -ESRCH if there is none. */
int mintmon_tasks_find(struct mintmon_tasks *tasks, s32 pid, struct mintmon_task *task_ret);

/*
 * The process's argument vector as /proc/PID/cmdline gives it (NUL
 * separated), read from its own memory, at most size bytes. *len_ret is the
 * length stored. Kernel threads and zombies give 0 bytes.
 */
int mintmon_task_args(struct mintmon_tasks *tasks, const struct mintmon_task *task, char *buf,
		      size_t size, size_t *len_ret);

#endif /* MINTMON_TASKS_H */
