/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mintmon.ko: node 0 of a Mint machine watches its sibling OS nodes through
 * their physical memory (docs/module.md).
 *
 *   main.c      load and unload: the layout, the peers, module parameters
 *   handover.c  the node id and layout kexec-mint handed over (setup_data)
 *   window.c    a peer's windows: checked reserved, claimed, mapped read-only;
 *               the core's memory source over them
 *   dev.c       what /dev/mint/nodeN serves: pread and read-only mmap of the
 *               windows, no write path; the nodes are mintmon_dev.ko's
 *               (devnode.c), so that this module unloads with readers open
 *   watchdog.c  per-peer watchdog and /sys/kernel/mint/nodeN/
 *
 * Errors are negative errnos; every refusal at load prints one line naming
 * what is wrong (pr_err) before the errno goes back to insmod.
 */
#ifndef MINTMON_KMOD_H
#define MINTMON_KMOD_H

#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "mintmon/health.h"
#include "mintmon/memmap.h"
#include "mintmon/memory.h"
#include "mintmon/session.h"
#include "mintmon/text.h"

#define MINTMON_KMOD_NAME_SIZE 32

/* One peer window: claimed and mapped read-only for the module's lifetime. */
struct mintmon_kmod_window {
	u64 start;
	u64 size;
	u32 region;			/* index in the owner's regions */
	char name[MINTMON_KMOD_NAME_SIZE];	/* its /proc/iomem name */
	struct resource *claim;		/* NULL: not claimed (below 1 MiB) */
	void *map;			/* NULL: not mapped (below 1 MiB) */
};

/* What sysfs shows of a peer: a snapshot the watchdog publishes under lock. */
struct mintmon_kmod_status {
	enum mintmon_health_state state;
	bool judged;			/* state is a verdict (else still "unknown") */
	time64_t since;			/* wall clock of the last change, seconds */
	u64 last_move_ms;		/* monotonic ms when the heartbeat last moved */
	u64 reboots;
	u64 polls;
	u64 errors;
	u64 bytes;			/* read by the last poll */
	u64 poll_ns;			/* duration of the last poll (it never sleeps) */
	u64 poll_ns_total;		/* of every poll since load */
	u64 looks;			/* the session's looks at a stalled heartbeat */
	u64 searches;			/* and its searches from scratch (discoveries) */
	u64 text_cycles;		/* full checks of its text and rodata (text_watch.c) */
	u32 tampered_pages;		/* pages changed unexplained, now */
	u64 tampered_at;		/* the first of them (0: none) */
	char release[65];
	char error[128];		/* why it is unreachable */
};

#define MINTMON_KMOD_RING 64

struct mintmon_kmod_peer {
	unsigned int id;
	char name[16];			/* "node1" */
	unsigned int nr_windows;
	struct mintmon_kmod_window windows[MINT_MEMMAP_MAX_REGIONS];
	struct mint_memmap_range kernel_window;

	/* The core's view: a memory source over the mapped windows. */
	struct mintmon_memory mem;

	/* Watchdog state, touched only by the work item. */
	struct delayed_work work;
	struct mintmon_session *s;
	struct mintmon_health *h;
	struct mintmon_text_watch *tw;	/* NULL: text_cycle_ms 0, or the peer's text unknown */
	u64 text_jiffies, text_ms;	/* the heartbeat at the last text step, and when */
	u32 text_cycle_ms;		/* what tw was made for */
	u64 gen;
	u64 boot_id;
	struct mintmon_health_sample ring[MINTMON_KMOD_RING];
	unsigned int head, nr;
	bool started;			/* queued once: a new period may kick it */
	bool stopping;

	/* Published state. */
	spinlock_t lock;
	struct mintmon_kmod_status st;

	struct kobject *kobj;
	bool dev_added;			/* /dev/mint/nodeN served (devnode.h) */
};

struct mintmon_kmod {
	unsigned int node;		/* this node */
	u64 hash;			/* the layout's mint_memmap_hash() */
	bool from_handover;		/* else from the layout= parameter */
	struct mint_memmap *layout;
	char *text;			/* canonical layout text */
	int text_len;
	unsigned int nr_peers;
	struct mintmon_kmod_peer *peers[MINT_MEMMAP_MAX_NODES];
	struct kset *kset;		/* /sys/kernel/mint */
};

extern struct mintmon_kmod mintmon_kmod;
extern unsigned int mintmon_kmod_period_ms;
extern unsigned int mintmon_kmod_hung_periods;
extern unsigned int mintmon_kmod_look_budget_ppm;
extern unsigned int mintmon_kmod_text_cycle_ms;

/* handover.c */
int mintmon_kmod_handover(struct mint_memmap *m, unsigned int *node_ret, u64 *hash_ret);
int mintmon_kmod_layout_file(const char *path, struct mint_memmap *m);

/* window.c */
int mintmon_kmod_windows_init(struct mintmon_kmod_peer *p, const struct mint_memmap *m,
			      unsigned int self);
void mintmon_kmod_windows_deinit(struct mintmon_kmod_peer *p);
/* The mapped window holding [phys, phys + 1), or NULL. */
const struct mintmon_kmod_window *mintmon_kmod_window_at(const struct mintmon_kmod_peer *p,
							 u64 phys);

/* dev.c */
int mintmon_kmod_dev_init(struct mintmon_kmod_peer *p);
void mintmon_kmod_dev_deinit(struct mintmon_kmod_peer *p);

/* watchdog.c */
int mintmon_kmod_sysfs_init(struct mintmon_kmod *km);
void mintmon_kmod_sysfs_deinit(struct mintmon_kmod *km);
int mintmon_kmod_watchdog_init(struct mintmon_kmod_peer *p, struct kset *kset);
void mintmon_kmod_watchdog_start(struct mintmon_kmod_peer *p);
/* Poll now (a new period_ms takes effect at once, not after the old one). */
void mintmon_kmod_watchdog_kick(struct mintmon_kmod_peer *p);
void mintmon_kmod_watchdog_deinit(struct mintmon_kmod_peer *p);

#endif /* MINTMON_KMOD_H */
