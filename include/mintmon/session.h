/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session: one watched kernel, attached once and polled many times.
 *
 * Attach finds the kernel and everything it takes to read it (symbols,
 * types, RAM ranges) and records its boot identity. A poll re-reads the
 * identity and the heartbeat in one vectored read and answers one of: the
 * same kernel, a new one (rebooted or kexec'd: the session has re-attached
 * to it by itself), or gone (nothing can be attached now). State derived from
 * a kernel (a task walker, cached addresses) must be dropped when the
 * session's generation changes: it never reads a new kernel with the old
 * kernel's symbols, offsets or page tables.
 *
 * A poll of a kernel that is still there allocates nothing and never sleeps;
 * only (re-)attach allocates. One case needs more than the identity: a
 * machine that reboots leaves the old kernel's memory as it was until the
 * new kernel happens to overwrite it, so the old identity can still read
 * true while a new kernel runs elsewhere. When the heartbeat stops moving
 * (after MINTMON_VERIFY_STALLED polls), the poll also looks for a kernel from
 * scratch (an attach, so it allocates) and switches if it finds another
 * boot: every MINTMON_VERIFY_STALLED polls while the stall is younger than
 * MINTMON_VERIFY_FAST polls (a reboot takes seconds), then at doubling
 * intervals up to MINTMON_VERIFY_MAX polls, so a hung target does not cost
 * an attach every other poll for ever. A look first lists the kernel images
 * the search would try (page tables only, mintmon_kernel_images(); the
 * first MiB's alone when the kernel was found there, since every boot
 * rebuilds its trampoline there): when they are the ones of the last look,
 * and that look attached every one, or our kernel has run since, nothing
 * new can run there and the attach is skipped, so a paused or idle target
 * costs a scan of the first MiB, not a discovery. (An image that could not
 * be attached while ours stands still, such as a kernel still starting, is
 * looked at again.) A look tries every image and keeps the one that booted
 * last. Each session has its own error object, so two sessions can be
 * polled from two threads.
 */
#ifndef MINTMON_SESSION_H
#define MINTMON_SESSION_H

#include "kernel.h"

#define MINTMON_VERIFY_STALLED 2
#define MINTMON_VERIFY_FAST 300
#define MINTMON_VERIFY_MAX 64
/* The longest a look budget puts the next listing off. */
#define MINTMON_LOOK_WAIT_MAX_NS (30ull * 1000000000)

enum mintmon_poll_state {
	MINTMON_POLL_ATTACHED,	/* first attach */
	MINTMON_POLL_SAME,	/* the kernel attached before, still there */
	MINTMON_POLL_REBOOTED,	/* another boot: the session now reads the new kernel */
	MINTMON_POLL_GONE,	/* no kernel can be attached (the error says why) */
};

const char *mintmon_poll_state_name(enum mintmon_poll_state state);

struct mintmon_poll {
	enum mintmon_poll_state state;
	u64 heartbeat;		/* jiffies_64 (0 when gone) */
	u64 reads;		/* memory requests made by this poll */
	u64 round_trips;	/* memory calls made by this poll */
	u64 bytes;		/* bytes read by this poll */
};

struct mintmon_session {
	struct mintmon_memory *mem;
	struct mintmon_kernel_options opts;
	struct mintmon_error err;
	struct mintmon_kernel *k;	/* NULL while gone */
	struct mintmon_boot_id id;	/* of the last kernel attached */
	bool attached_once;
	u64 generation;			/* changes whenever k does */
	/* Polls since the heartbeat last moved, and when to look again from scratch. */
	u64 last_heartbeat;
	u32 stalled;
	u32 verify_at;
	u32 verify_step;
	/*
	 * The images the last look from scratch listed (the first MiB's only
	 * if seen_first), whether it attached every one, and whether our
	 * kernel has run since (seen_settled: an image it could not attach is
	 * then no boot in progress). Kept while the heartbeat moves: an idle
	 * target stalls often, and nothing new is there to attach. look_first:
	 * the last search found its kernel through the first MiB, so the next
	 * listing reads the first MiB only.
	 */
	u64 seen[MINTMON_KERNEL_MAX_IMAGES];
	unsigned int nr_seen;
	bool seen_first;
	bool seen_all_attached;
	bool seen_settled;
	bool look_first;
	/* Looks at the stalled heartbeat since create, and searches from scratch (attaches included). */
	u64 looks;
	u64 searches;
	/*
	 * Optional, set by the caller after create: a clock (monotonic ns) and
	 * the share of time, in parts per million, that listing images may
	 * take (0: no limit). A listing that took t ns is not followed by
	 * another for t * (10^6 / look_budget_ppm - 1) ns: where the first MiB
	 * is out of sight (the emulated Mint machine) a listing reads one
	 * entry per page of the whole window, 85 ms under TCG. The wait is
	 * at most MINTMON_LOOK_WAIT_MAX_NS; a candidate is looked at again
	 * regardless. next_look_ns: when the next listing may start.
	 */
	u64 (*clock_ns)(void);
	u32 look_budget_ppm;
	u64 next_look_ns;
	u64 budget_skips;	/* looks the budget put off */
	/* Another kernel seen while ours stalled: switched to once its heartbeat moves. */
	bool have_candidate;
	struct mintmon_boot_id candidate;
	u64 candidate_heartbeat;
};

/*
 * Set up a session on mem (which the caller keeps) and attach. opts is
 * copied (its BTF data must outlive the session). Returns 0, or the attach
 * error (also recorded in s->err) with *session_ret still set so the caller
 * may keep polling for a kernel to appear; -ENOMEM leaves nothing.
 */
int mintmon_session_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			   int verbose, struct mintmon_session **session_ret);
void mintmon_session_destroy(struct mintmon_session *s);

/*
 * One poll (see above). Returns 0 with *poll_ret filled, whatever the state;
 * a negative errno only for an internal failure (out of memory).
 */
int mintmon_session_poll(struct mintmon_session *s, struct mintmon_poll *poll_ret);

#endif /* MINTMON_SESSION_H */
