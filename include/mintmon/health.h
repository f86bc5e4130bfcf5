/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health of a watched kernel, from what it keeps in memory anyway: its
 * heartbeat (jiffies_64), each CPU's run queue (the scheduler's clock, its
 * count of context switches, the task it runs, its idle task), its panic
 * state (panic_cpu), its taint mask and oops/warning counts, and the
 * numbers an operator wants (load averages, threads, free pages).
 *
 * A sample is one vectored read of at most MINTMON_HEALTH_MAX_REQS small
 * values, into buffers allocated when the health object is made: sampling
 * allocates nothing and never sleeps, so the node-0 module's watchdog can
 * call it from kernel context. Judging compares two samples.
 */
#ifndef MINTMON_HEALTH_H
#define MINTMON_HEALTH_H

#include "kernel.h"

#define MINTMON_HEALTH_MAX_CPUS 64
#define MINTMON_HEALTH_MAX_TAINTS 32

enum mintmon_health_state {
	MINTMON_HEALTH_RUNNING,
	MINTMON_HEALTH_TAINTED,		/* taint flags set (other than D and W) */
	MINTMON_HEALTH_OOPSED,		/* an oops (taint D) or a warning (W) happened */
	MINTMON_HEALTH_HUNG,		/* the heartbeat, or a busy CPU, stopped */
	MINTMON_HEALTH_PANICKED,	/* panic_cpu is set: the kernel is in panic() */
	MINTMON_HEALTH_REBOOTED,	/* another kernel than at the last look (the caller knows) */
	MINTMON_HEALTH_UNREACHABLE,	/* its memory cannot be read */
	MINTMON_HEALTH_TAMPERED,	/* its text or rodata changed unexplained (watchers, text.h) */
};

const char *mintmon_health_state_name(enum mintmon_health_state s);

struct mintmon_health_cpu {
	u64 clock;		/* rq->clock, ns */
	u64 nr_switches;	/* rq->nr_switches */
	u64 curr;		/* rq->curr (task_struct) */
	bool idle;		/* curr is the CPU's idle task */
};

struct mintmon_health_sample {
	u64 when_ms;		/* the caller's clock when it was taken */
	u64 jiffies;
	s32 panic_cpu;		/* -1: not in panic */
	u64 tainted;		/* tainted_mask: bit n is /proc/sys/kernel/tainted's bit n */
	u64 oops_count, warn_count;	/* since v6.2 (9db89b411170, 8b05aa263361); 0 before */
	u64 avenrun[3];		/* fixed point, FSHIFT 11 */
	u64 nr_threads;
	u64 free_pages;		/* vm_zone_stat[NR_FREE_PAGES] */
	unsigned int nr_cpus;	/* online CPUs sampled, in cpu[] by CPU number */
	u16 cpu_id[MINTMON_HEALTH_MAX_CPUS];
	struct mintmon_health_cpu cpu[MINTMON_HEALTH_MAX_CPUS];
};

struct mintmon_health;

/*
 * Learn where everything is (symbols, per-CPU offsets, BTF layouts) and
 * allocate the sampling buffers. Optional values the kernel lacks read as
 * 0; without jiffies_64 or the run queues it fails (-ENOENT, recorded).
 */
int mintmon_health_create(struct mintmon_kernel *k, struct mintmon_health **health_ret);
void mintmon_health_destroy(struct mintmon_health *h);

/* One sample (one vectored read); when_ms is stored as given. */
int mintmon_health_sample(struct mintmon_health *h, u64 when_ms,
			  struct mintmon_health_sample *s_ret);

/* A task's pid and comm (what a stuck CPU runs); pid -1 and "?" if unreadable. */
void mintmon_health_task(struct mintmon_health *h, u64 task, s32 *pid_ret, char *comm,
			 size_t size);

/*
 * The letters of a taint mask, as the target's own taint_flags[] names them
 * (h NULL: as v6.15's does); '?' for a bit without a letter.
 */
void mintmon_health_taint_letters(const struct mintmon_health *h, u64 mask, char *buf,
				  size_t size);

struct mintmon_health_verdict {
	enum mintmon_health_state state;
	bool heartbeat_moved;	/* jiffies advanced between the samples */
	bool all_idle;		/* no CPU ran anything but its idle task in either sample */
	u64 stalled_ms;		/* how long nothing has advanced, as far as the samples tell */
	unsigned int nr_stuck;	/* busy CPUs whose clock and switches did not move */
	u16 stuck_cpu[MINTMON_HEALTH_MAX_CPUS];
	u64 stuck_task[MINTMON_HEALTH_MAX_CPUS];	/* the task each of them runs */
};

/*
 * Judge cur against an earlier sample (hung_ms apart at least for a
 * "hung" verdict): panicked if panic_cpu is set; hung if the heartbeat did
 * not move while some CPU was busy, or a busy CPU's clock and context
 * switches stood still while others went on; then oopsed (taint D or W,
 * or a count that grew), tainted, running. A machine whose CPUs all sit in
 * their idle tasks can stop its tick (NO_HZ) for seconds: it is running.
 */
void mintmon_health_judge(const struct mintmon_health_sample *prev,
			  const struct mintmon_health_sample *cur, u64 hung_ms,
			  struct mintmon_health_verdict *v_ret);

#endif /* MINTMON_HEALTH_H */
