/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors as values, one object per target (in the manner of drgn's struct
 * drgn_error, but caller-owned so the core never allocates to report).
 *
 * Every core function returns 0 or a negative errno. When it fails it also
 * records, in the error object of the target it worked on, what failed: a
 * message, the step (a static string such as "kallsyms" or "tasks") and the
 * failing physical and virtual addresses when there are any. Callers that
 * add context keep the addresses (mintmon_error_context()). Two targets,
 * two error objects: they can be watched from two threads.
 *
 * Warnings that do not fail an operation (a record skipped, a fallback
 * taken) go through mintmon_error_warn(): counted, and printed (in the
 * module: to the kernel log) at most MINTMON_WARN_BURST times until the
 * next mintmon_error_clear(), so a corrupt target cannot flood a log.
 */
#ifndef MINTMON_ERROR_H
#define MINTMON_ERROR_H

#include "platform.h"

#define MINTMON_NO_ADDR (~0ull)
#define MINTMON_ERROR_MSG_LEN 256
/* Warnings printed between two clears; the rest are only counted. */
#define MINTMON_WARN_BURST 10

struct mintmon_error {
	int code;		/* negative errno; 0 while only a message is set */
	const char *step;	/* static string; NULL if nothing failed */
	u64 phys;		/* failing physical address, or MINTMON_NO_ADDR */
	u64 vaddr;		/* failing virtual address, or MINTMON_NO_ADDR */
	char msg[MINTMON_ERROR_MSG_LEN];
	u32 nr_warnings;	/* warnings since the last clear */
	u32 nr_suppressed;	/* of which not printed */
	int verbose;		/* print warnings and failures as they happen */
};

void mintmon_error_init(struct mintmon_error *e, int verbose);
/* Forget the last failure and restart the warning budget. */
void mintmon_error_clear(struct mintmon_error *e);

/*
 * Record a failure (replacing any earlier one): message, step, no address.
 * e may be NULL (nothing is recorded). Returns code, so that
 * `return mintmon_fail(e, -EINVAL, "btf", "...")` reads naturally.
 */
int mintmon_fail(struct mintmon_error *e, int code, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with the failing physical and virtual address (MINTMON_NO_ADDR if unknown). */
int mintmon_fail_at(struct mintmon_error *e, int code, const char *step, u64 phys, u64 vaddr,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/*
 * Put context in front of the recorded message ("cannot read task_struct at
 * X: <message>"), set the step, keep the code and addresses. Returns code,
 * which is also recorded if none was. With no earlier failure it records the
 * context alone.
 */
int mintmon_error_context(struct mintmon_error *e, int code, const char *step, const char *fmt,
			  ...) __attribute__((format(printf, 4, 5)));
/* A warning: counted, printed within the burst when verbose. */
void mintmon_error_warn(struct mintmon_error *e, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True if a failure is recorded. */
static inline bool mintmon_error_is_set(const struct mintmon_error *e)
{
	return e && e->step;
}

/*
 * Format the recorded failure as one line: the message, then the addresses
 * not already part of it. Returns buf.
 */
const char *mintmon_error_format(const struct mintmon_error *e, char *buf, size_t size);

#endif /* MINTMON_ERROR_H */
