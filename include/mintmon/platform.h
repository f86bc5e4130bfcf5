/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the kernel-module build and the user-space build of the
 * freestanding core differ (in the manner of xz-embedded's xz_config.h).
 *
 * Core code (monitor/core/, memmap/) may use only:
 *   - the fixed-width kernel types u8..u64, s8..s64, size_t, bool;
 *   - memcpy, memset, memcmp, strlen, strnlen, strcmp, strncmp, memchr
 *     (provided by both libc and the kernel);
 *   - the allocation, logging, yield, hashing and overflow helpers below.
 * Only mintmon_malloc(), mintmon_calloc() and mintmon_yield() may sleep in
 * the module; a poll calls none of them (tests/unit/test_session.c).
 * No floating point, no other libc, no recursion on target-controlled data.
 */
#ifndef MINTMON_PLATFORM_H
#define MINTMON_PLATFORM_H

#ifdef __KERNEL__

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <crypto/sha2.h>

static inline void *mintmon_malloc(size_t size)
{
	return kvmalloc(size, GFP_KERNEL);
}

static inline void *mintmon_calloc(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void mintmon_free(void *p)
{
	kvfree(p);
}

#define mintmon_debug(fmt, ...) pr_debug("mintmon: " fmt "\n", ##__VA_ARGS__)
#define mintmon_snprintf snprintf
#define mintmon_vsnprintf vsnprintf
/* Print one message of an error object (error.c rate-limits them). */
#define mintmon_log(step, msg) pr_warn("mintmon: %s: %s\n", step, msg)
/*
 * Long loops over target data call this between items: it may sleep, so the
 * core never calls it with a lock held. Polls do not call it (they are
 * bounded to a few reads).
 */
#define mintmon_yield() cond_resched()
/* SHA-256 of len bytes into out[32]: the kernel's crypto library (lib/crypto/sha256.c). */
static inline void mintmon_sha256(const void *data, size_t len, u8 *out)
{
	sha256(data, len, out);
}

#else /* user space */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* Implemented in monitor/user/shim.c. */
void *mintmon_malloc(size_t size);
void *mintmon_calloc(size_t n, size_t size);
void mintmon_free(void *p);

#include <stdarg.h>

void mintmon_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mintmon_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mintmon_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Print one message of an error object to stderr (error.c rate-limits them). */
void mintmon_log(const char *step, const char *msg);
/* Nothing to yield to in user space. */
static inline void mintmon_yield(void)
{
}
/* SHA-256 of len bytes into out[32] (shim.c: OpenSSL's libcrypto). */
void mintmon_sha256(const void *data, size_t len, u8 *out);
/* Debug level for mintmon_debug() (0: silent). */
void mintmon_set_debug(int level);
/*
 * Allocations made through mintmon_malloc()/mintmon_calloc() so far: tests
 * use it to show that a poll allocates nothing.
 */
unsigned long mintmon_alloc_count(void);

#endif /* __KERNEL__ */

#define MINTMON_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Overflow-checked arithmetic: true if the result wrapped. */
#define mintmon_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define mintmon_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* Little-endian loads from possibly unaligned target bytes (target is x86-64). */
static inline u16 mintmon_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 mintmon_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 mintmon_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* True if [off, off + len) lies inside a buffer of size total; cannot wrap. */
static inline bool mintmon_in_bounds(u64 total, u64 off, u64 len)
{
	return off <= total && total - off >= len;
}

#endif /* MINTMON_PLATFORM_H */
