/* SPDX-License-Identifier: GPL-2.0 */
/* A memory source over a byte array, for unit tests of the core. */
#ifndef MINTMON_TEST_FAKE_MEMORY_H
#define MINTMON_TEST_FAKE_MEMORY_H

#include <stdlib.h>
#include <string.h>

#include "mintmon/memory.h"

struct fake_memory {
	u8 *bytes;
	u64 size;
	unsigned int reads;
};

static int fake_read(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	struct fake_memory *f = ctx;

	f->reads++;
	if (phys >= f->size || f->size - phys < len) {
		*fault_ret = phys < f->size ? f->size : phys;
		return -EFAULT;
	}
	memcpy(buf, f->bytes + phys, len);
	return 0;
}

static const struct mintmon_memory_ops fake_ops = {.read = fake_read};

/* Zeroed memory of size bytes at physical 0. */
static inline void fake_memory_init(struct fake_memory *f, struct mintmon_memory *m, u64 size)
{
	f->bytes = calloc(1, size);
	f->size = size;
	f->reads = 0;
	memset(m, 0, sizeof(*m));
	m->ops = &fake_ops;
	m->ctx = f;
	mintmon_memory_add_range(m, 0, size);
}

static inline void fake_put64(struct fake_memory *f, u64 phys, u64 v)
{
	memcpy(f->bytes + phys, &v, 8);
}

static inline void fake_memory_deinit(struct fake_memory *f)
{
	free(f->bytes);
	f->bytes = NULL;
}

#endif
