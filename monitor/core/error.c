// SPDX-License-Identifier: GPL-2.0
/* Per-target error objects (see error.h). */
#include "mintmon/error.h"

void mintmon_error_init(struct mintmon_error *e, int verbose)
{
	memset(e, 0, sizeof(*e));
	e->phys = e->vaddr = MINTMON_NO_ADDR;
	e->verbose = verbose;
}

void mintmon_error_clear(struct mintmon_error *e)
{
	if (!e)
		return;
	e->code = 0;
	e->step = NULL;
	e->phys = e->vaddr = MINTMON_NO_ADDR;
	e->msg[0] = '\0';
	e->nr_warnings = 0;
	e->nr_suppressed = 0;
}

/* Print within the burst; count the rest. */
static void emit(struct mintmon_error *e, const char *step, const char *msg)
{
	e->nr_warnings++;
	if (!e->verbose)
		return;
	if (e->nr_warnings > MINTMON_WARN_BURST) {
		e->nr_suppressed++;
		return;
	}
	mintmon_log(step, msg);
	if (e->nr_warnings == MINTMON_WARN_BURST)
		mintmon_log(step, "further messages suppressed");
}

static int record(struct mintmon_error *e, int code, const char *step, u64 phys, u64 vaddr,
		  const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->step = step;
	e->phys = phys;
	e->vaddr = vaddr;
	mintmon_vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	emit(e, step, e->msg);
	return code;
}

int mintmon_fail(struct mintmon_error *e, int code, const char *step, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = record(e, code, step, MINTMON_NO_ADDR, MINTMON_NO_ADDR, fmt, ap);
	va_end(ap);
	return code;
}

int mintmon_fail_at(struct mintmon_error *e, int code, const char *step, u64 phys, u64 vaddr,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = record(e, code, step, phys, vaddr, fmt, ap);
	va_end(ap);
	return code;
}

int mintmon_error_context(struct mintmon_error *e, int code, const char *step, const char *fmt,
			  ...)
{
	char ctx[MINTMON_ERROR_MSG_LEN], old[MINTMON_ERROR_MSG_LEN];
	va_list ap;

	if (!e)
		return code;
	va_start(ap, fmt);
	mintmon_vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (!e->step) {
		e->phys = e->vaddr = MINTMON_NO_ADDR;
		e->msg[0] = '\0';
	}
	memcpy(old, e->msg, sizeof(old));
	if (old[0])
		mintmon_snprintf(e->msg, sizeof(e->msg), "%s: %s", ctx, old);
	else
		memcpy(e->msg, ctx, sizeof(ctx));
	if (!e->code)
		e->code = code;
	e->step = step;
	return code;
}

void mintmon_error_warn(struct mintmon_error *e, const char *step, const char *fmt, ...)
{
	char msg[MINTMON_ERROR_MSG_LEN];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	mintmon_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(e, step, msg);
}

/* True if the hex form of addr ("0x...") already appears in msg. */
static bool mentions(const char *msg, u64 addr)
{
	char hex[24];
	size_t n = (size_t)mintmon_snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)addr);
	size_t len = strlen(msg), i;

	for (i = 0; n <= len && i <= len - n; i++) {
		if (!memcmp(msg + i, hex, n) && !memchr("0123456789abcdefABCDEF", msg[i + n], 22))
			return true;
	}
	return false;
}

const char *mintmon_error_format(const struct mintmon_error *e, char *buf, size_t size)
{
	size_t n;

	if (!size)
		return buf;
	n = (size_t)mintmon_snprintf(buf, size, "%s", e->msg[0] ? e->msg : "unknown error");
	if (n < size && e->vaddr != MINTMON_NO_ADDR && !mentions(e->msg, e->vaddr))
		n += (size_t)mintmon_snprintf(buf + n, size - n, " (at 0x%llx)",
					      (unsigned long long)e->vaddr);
	if (n < size && e->phys != MINTMON_NO_ADDR && !mentions(e->msg, e->phys))
		mintmon_snprintf(buf + n, size - n, " (physical 0x%llx)",
				 (unsigned long long)e->phys);
	return buf;
}
