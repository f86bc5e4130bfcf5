/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target's tasks: every thread of every process, read through the
 * structure layouts its BTF describes.
 *
 * The walk is built for targets that keep running and for sources where
 * each read is a round trip (NetTLP): following the lists costs one read per
 * task (each task's span holds the next pointers), and everything hanging off
 * a task (cred, mm, signal, parent, kernel-thread and workqueue names, tty)
 * is read for a batch of tasks at a time in a few vectored reads. A list
 * that changes under the walk (a task exits: next->prev no longer points
 * back) restarts it, a bounded number of times.
 */
#ifndef MINTMON_TASKS_H
#define MINTMON_TASKS_H

#include "kernel.h"

#define MINTMON_TASK_COMM_LEN 16
/* /proc/PID/stat's name: proc_task_name()'s buffer is 64 bytes. */
#define MINTMON_TASK_NAME_LEN 64
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
	u32 flags;		/* task_struct.flags */
	char comm[MINTMON_TASK_COMM_LEN + 1];
	/*
	 * The name /proc/PID/stat shows: comm, a kernel thread's full name,
	 * or a workqueue worker's name and current description.
	 */
	char name[MINTMON_TASK_NAME_LEN];
	u64 mm;			/* mm_struct, 0 for kernel threads and zombies */
	u64 pgd;		/* mm->pgd */
	u64 arg_start, arg_end, env_end;
	u64 vsz_kb;
	u64 rss_kb;
	u64 start_time_ns;	/* since boot (start_boottime) */
	u64 cpu_time_ns;	/* the thread's runtime, as /proc's utime + stime add up */
	u64 group_exited_cpu_ns;	/* its group's exited threads' (signal->sum_sched_runtime) */
	u32 nr_threads;		/* threads in the group (signal->nr_threads) */
	u32 tty_nr;		/* controlling tty as /proc/PID/stat encodes it, 0: none */
};

struct mintmon_tasks;

/*
 * The letter ps shows for a task's __state and exit_state, as the kernel's
 * task_state_index() computes it.
 */
char mintmon_task_state_letter(u64 state, u64 exit_state);

/*
 * A tty number (new_encode_dev() form, field 7 of /proc/PID/stat) as ps
 * names it: "ttyS0", "pts/3", "tty1", "?" for 0; "MAJ,MIN" otherwise.
 */
void mintmon_tty_name(u32 tty_nr, char *buf, size_t size);

/* Learn the layouts the walk needs from k's BTF; allocate its buffers. */
int mintmon_tasks_create(struct mintmon_kernel *k, struct mintmon_tasks **tasks_ret);
void mintmon_tasks_destroy(struct mintmon_tasks *tasks);

/*
 * Every task: each process on init_task.tasks, then its threads on
 * signal->thread_head (the swapper, pid 0, is left out, as in /proc).
 * *list_ret stays valid until the next call or destroy. Loops are
 * detected (-ELOOP), never followed; a list that changed under the walk is
 * walked again, at most a few times (-EAGAIN after that).
 */
int mintmon_tasks_list(struct mintmon_tasks *tasks, const struct mintmon_task **list_ret,
		       u32 *nr_ret);

/* Called for each task; a non-zero return stops the walk and is returned. */
typedef int (*mintmon_task_fn)(const struct mintmon_task *task, void *arg);

/* mintmon_tasks_list(), then fn on each task in order. */
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

/* Tasks mintmon_tasks_args_many() serves in one call, at most. */
#define MINTMON_ARGS_BATCH 64
/* lens_ret value of mintmon_tasks_args_many(): longer than stride, read it alone. */
#define MINTMON_ARGS_TOO_LONG ((size_t)-1)

/*
 * mintmon_task_args() for up to MINTMON_ARGS_BATCH tasks at once, their
 * page-table walks and reads done together: task i's arguments go to
 * bufs + i * stride and their length to lens_ret[i]; 0 if they cannot be
 * read (as /proc shows paged-out arguments), MINTMON_ARGS_TOO_LONG if they
 * do not fit in stride bytes.
 */
int mintmon_tasks_args_many(struct mintmon_tasks *tasks, const struct mintmon_task *const *list,
			    unsigned int n, char *bufs, size_t stride, size_t *lens_ret);

/* Walk statistics of the last mintmon_tasks_list(). */
struct mintmon_tasks_stats {
	u32 tasks;
	u32 restarts;		/* walks started again because a list changed */
	u64 round_trips;	/* memory calls (reads and vectored reads) */
	u64 chain_reads;	/* of them, dependent reads that follow the lists */
};
void mintmon_tasks_stats(const struct mintmon_tasks *tasks, struct mintmon_tasks_stats *stats_ret);

#endif /* MINTMON_TASKS_H */
