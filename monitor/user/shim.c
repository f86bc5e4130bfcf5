// SPDX-License-Identifier: GPL-2.0
/* User-space implementation of the platform.h shim. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "mintmon/platform.h"

static int debug_level;
static atomic_ulong allocs;

void *mintmon_malloc(size_t size)
{
	atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
	return malloc(size ? size : 1);
}

void *mintmon_calloc(size_t n, size_t size)
{
	atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
	return calloc(n ? n : 1, size ? size : 1);
}

void mintmon_free(void *p)
{
	free(p);
}

void mintmon_sha256(const void *data, size_t len, u8 *out)
{
	/* EVP_Digest() fails only without memory or a provider: then no hash matches. */
	if (!EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

unsigned long mintmon_alloc_count(void)
{
	return atomic_load_explicit(&allocs, memory_order_relaxed);
}

void mintmon_log(const char *step, const char *msg)
{
	fprintf(stderr, "mintmon: %s: %s\n", step, msg);
}

void mintmon_debug(const char *fmt, ...)
{
	va_list ap;

	if (debug_level < 1)
		return;
	va_start(ap, fmt);
	fputs("mintmon: debug: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void mintmon_set_debug(int level)
{
	debug_level = level;
}

int mintmon_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int mintmon_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}
