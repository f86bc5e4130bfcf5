/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log of a watched kernel: its printk ring buffer, read from
 * outside (the lockless ring of Linux 5.10+, kernel/printk/printk_ringbuffer.c,
 * which 6.1 through 7.x share; every layout comes from BTF).
 *
 * The ring is two arrays indexed by descriptor id (struct prb_desc: state
 * and the text block's logical positions; struct printk_info: sequence
 * number, timestamp, level...) and a text data ring. The writer is lock-free
 * and keeps running while we read, so a read copies the descriptors, the
 * infos and the text blocks it needs, then reads the descriptors again and
 * keeps only records whose descriptor did not change in between (the
 * kernel's own readers do the same). Only finalized records are returned:
 * what the target's own dmesg would show.
 *
 * Everything read is untrusted: the ring's geometry is bounded, every
 * position is checked against the ring, every block must carry its
 * descriptor's id, sequence numbers must map to their descriptor's slot. A
 * broken record is skipped and counted, never followed.
 */
#ifndef MINTMON_PRINTK_H
#define MINTMON_PRINTK_H

#include "kernel.h"

/* printk_info.flags (kernel/printk/printk.c) */
#define MINTMON_LOG_NEWLINE	2	/* the text ended with a newline */
#define MINTMON_LOG_CONT	8	/* a continuation that could not be merged */

/* Bounds on the ring's geometry: descriptors and text data. */
#define MINTMON_LOG_MAX_COUNT_BITS	20
#define MINTMON_LOG_MAX_SIZE_BITS	26

struct mintmon_log_record {
	u64 seq;
	u64 ts_nsec;		/* local_clock() at printk time */
	u32 caller_id;		/* CONFIG_PRINTK_CALLER: 0x80000000 | CPU, or a pid */
	u8 level;		/* 0 (KERN_EMERG) to 7 (KERN_DEBUG) */
	u8 facility;		/* 0 for the kernel, 1 for user (/dev/kmsg writes) */
	u8 flags;		/* MINTMON_LOG_* */
	u16 text_len;
	const char *text;	/* text_len bytes, no NUL; valid during the callback only */
};

/* Where a reader stands: records before next_id have been returned. */
struct mintmon_log_cursor {
	bool valid;		/* false: start at the oldest record */
	u64 next_id;
	u64 next_seq;		/* the sequence number expected next (gaps are drops) */
};

struct mintmon_log_stats {
	u64 records;		/* returned */
	u64 dropped;		/* sequence numbers missing: overwritten before we read them */
	u64 skipped;		/* broken, or changed while read: not returned */
	u64 fail;		/* the ring's own count of records it could not store */
	u64 next_seq;		/* the sequence number of the next record the target writes */
};

struct mintmon_log;

/*
 * Learn the ring's layout from k's BTF and find it (the prb pointer).
 * -ENOENT (recorded) if the kernel has no such ring.
 */
int mintmon_log_create(struct mintmon_kernel *k, struct mintmon_log **log_ret);
void mintmon_log_destroy(struct mintmon_log *log);

/*
 * Return every finalized record from the cursor on (cur NULL or not valid:
 * from the oldest), in order, through fn (a nonzero return stops the read
 * and is returned). Then cur (if not NULL) stands after the last record
 * returned, so the next call returns only new ones. The work is bounded by
 * the ring's size. Buffers grow with the ring (only if its geometry changed
 * since the last read); otherwise nothing is allocated.
 */
int mintmon_log_read(struct mintmon_log *log, struct mintmon_log_cursor *cur,
		     int (*fn)(void *arg, const struct mintmon_log_record *r), void *arg,
		     struct mintmon_log_stats *stats_ret);

/*
 * A record's text as the kernel's syslog interface prints it (busybox
 * dmesg): each line of it "[%5lu.%06lu] line\n". Returns the length that
 * the whole would need (like snprintf); writes at most size bytes, NUL-
 * terminated if size > 0.
 */
size_t mintmon_log_format(const struct mintmon_log_record *r, char *buf, size_t size);

#endif /* MINTMON_PRINTK_H */
