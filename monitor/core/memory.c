// SPDX-License-Identifier: GPL-2.0
/* Physical memory sources: the common front end of every reader. */
#include "mintmon/memory.h"

int mintmon_memory_read(struct mintmon_memory *m, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	u64 fault = phys;
	int err;

	if (len == 0)
		return 0;
	if (phys + len < phys) {
		if (fault_ret)
			*fault_ret = phys;
		return -EFAULT;
	}
	err = m->ops->read(m->ctx, phys, buf, len, &fault);
	if (err) {
		if (fault_ret)
			*fault_ret = fault;
		return err;
	}
	m->bytes_read += len;
	m->reads++;
	return 0;
}

const void *mintmon_memory_map(struct mintmon_memory *m, u64 phys, size_t len)
{
	const void *p;

	if (!m->ops->map || !len || phys + len < phys)
		return NULL;
	p = m->ops->map(m->ctx, phys, len);
	if (p) {
		m->bytes_read += len;
		m->reads++;
	}
	return p;
}

int mintmon_memory_add_range(struct mintmon_memory *m, u64 start, u64 size)
{
	unsigned int i, pos;
	u64 end;

	if (size == 0 || mintmon_add_overflow(start, size, &end))
		return -EINVAL;
	if (m->nr_ranges >= MINTMON_MAX_PHYS_RANGES)
		return -E2BIG;
	for (pos = 0; pos < m->nr_ranges && m->ranges[pos].start < start; pos++)
		;
	if (pos > 0 && m->ranges[pos - 1].start + m->ranges[pos - 1].size > start)
		return -EEXIST;
	if (pos < m->nr_ranges && m->ranges[pos].start < end)
		return -EEXIST;
	for (i = m->nr_ranges; i > pos; i--)
		m->ranges[i] = m->ranges[i - 1];
	m->ranges[pos].start = start;
	m->ranges[pos].size = size;
	m->nr_ranges++;
	return 0;
}

bool mintmon_memory_contains(const struct mintmon_memory *m, u64 phys, u64 len)
{
	unsigned int i;

	for (i = 0; i < m->nr_ranges; i++) {
		const struct mintmon_phys_range *r = &m->ranges[i];

		if (phys >= r->start && mintmon_in_bounds(r->size, phys - r->start, len))
			return true;
	}
	return false;
}

u64 mintmon_memory_end(const struct mintmon_memory *m)
{
	if (!m->nr_ranges)
		return 0;
	return m->ranges[m->nr_ranges - 1].start + m->ranges[m->nr_ranges - 1].size;
}

void mintmon_memory_deinit(struct mintmon_memory *m)
{
	if (m->ops && m->ops->destroy)
		m->ops->destroy(m->ctx);
	m->ops = NULL;
	m->ctx = NULL;
	m->nr_ranges = 0;
}
