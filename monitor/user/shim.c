// SPDX-License-Identifier: GPL-2.0
/* User-space implementation of the platform.h shim. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mintmon/platform.h"

static char last_warning[512];
static int verbose;

void *mintmon_malloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *mintmon_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void mintmon_free(void *p)
{
	free(p);
}

void mintmon_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "mintmon: %s\n", last_warning);
}

void mintmon_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbose < 2)
		return;
	va_start(ap, fmt);
	fputs("mintmon: debug: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
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

const char *mintmon_last_warning(void)
{
	return last_warning;
}

void mintmon_set_verbose(int v)
{
	verbose = v;
	last_warning[0] = '\0';
}
