// SPDX-License-Identifier: GPL-2.0
/* Physical memory sources: the common front end of every reader. */
#include "mintmon/memory.h"

int mintmon_memory_check_ram(const struct mintmon_memory *m, u64 phys, u64 len, u64 *fault_ret)
{
	unsigned int i;

	if (!m->nr_ram)
		return 0;
	/* Ranges are sorted and merged: one of them must hold it all. */
	for (i = 0; i < m->nr_ram; i++) {
		const struct mintmon_phys_range *r = &m->ram[i];

		if (phys < r->start)
			break;
		if (phys - r->start < r->size) {
			if (r->size - (phys - r->start) >= len)
				return 0;
			*fault_ret = r->start + r->size;
			return -EFAULT;
		}
	}
	*fault_ret = phys;
	return -EFAULT;
}

static int check_request(struct mintmon_memory *m, u64 phys, size_t len, u64 *fault_ret)
{
	if (phys + len < phys) {
		*fault_ret = phys;
		return -EFAULT;
	}
	return mintmon_memory_check_ram(m, phys, len, fault_ret);
}

int mintmon_memory_read(struct mintmon_memory *m, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	u64 fault = phys;
	int err;

	if (len == 0)
		return 0;
	err = check_request(m, phys, len, &fault);
	if (!err) {
		m->round_trips++;
		err = m->ops->read(m->ctx, phys, buf, len, &fault);
	}
	if (err) {
		if (fault_ret)
			*fault_ret = fault;
		return err;
	}
	m->bytes_read += len;
	m->reads++;
	return 0;
}

int mintmon_memory_readv(struct mintmon_memory *m, struct mintmon_iov *iov, unsigned int n)
{
	unsigned int i, pending = 0;
	int err = 0;

	for (i = 0; i < n; i++) {
		iov[i].fault = iov[i].phys;
		iov[i].err = iov[i].len ? check_request(m, iov[i].phys, iov[i].len, &iov[i].fault) : 0;
		pending += iov[i].len && !iov[i].err;
	}
	if (pending) {
		m->round_trips++;
		if (m->ops->readv) {
			/*
			 * Refused requests are passed as empty (the source skips
			 * them) and keep their own error and fault, whatever the
			 * source writes there.
			 */
			struct {
				u32 len;
				int err;
				u64 fault;
			} saved[MINTMON_READV_BATCH];
			unsigned int base;

			for (base = 0; base < n && !err; base += MINTMON_READV_BATCH) {
				unsigned int cnt = n - base < MINTMON_READV_BATCH ?
						   n - base : MINTMON_READV_BATCH, j;

				for (j = 0; j < cnt; j++) {
					saved[j].len = iov[base + j].len;
					saved[j].err = iov[base + j].err;
					saved[j].fault = iov[base + j].fault;
					if (iov[base + j].err)
						iov[base + j].len = 0;
				}
				err = m->ops->readv(m->ctx, iov + base, cnt);
				for (j = 0; j < cnt; j++) {
					iov[base + j].len = saved[j].len;
					if (saved[j].err) {
						iov[base + j].err = saved[j].err;
						iov[base + j].fault = saved[j].fault;
					}
				}
			}
			if (err) {
				for (i = 0; i < n; i++) {
					if (!iov[i].err)
						iov[i].err = err;
				}
			}
		} else {
			for (i = 0; i < n; i++) {
				if (iov[i].len && !iov[i].err)
					iov[i].err = m->ops->read(m->ctx, iov[i].phys, iov[i].buf,
								  iov[i].len, &iov[i].fault);
			}
		}
	}
	err = 0;
	for (i = 0; i < n; i++) {
		if (iov[i].err) {
			if (!err)
				err = iov[i].err;
			continue;
		}
		if (iov[i].len) {
			m->bytes_read += iov[i].len;
			m->reads++;
		}
	}
	return err;
}

int mintmon_memory_set_ram(struct mintmon_memory *m, const struct mintmon_phys_range *ram,
			   unsigned int nr)
{
	unsigned int i, j, out = 0;

	if (nr > MINTMON_MAX_PHYS_RANGES)
		return -E2BIG;
	/* Insertion sort by start into m->ram, dropping empty and wrapping ranges. */
	for (i = 0; i < nr; i++) {
		struct mintmon_phys_range r = ram[i];
		u64 end;

		if (!r.size || mintmon_add_overflow(r.start, r.size, &end))
			continue;
		for (j = out; j > 0 && m->ram[j - 1].start > r.start; j--)
			m->ram[j] = m->ram[j - 1];
		m->ram[j] = r;
		out++;
	}
	/* Merge touching and overlapping ranges, in place. */
	m->nr_ram = 0;
	for (i = 0; i < out; i++) {
		struct mintmon_phys_range r = m->ram[i];
		struct mintmon_phys_range *last = m->nr_ram ? &m->ram[m->nr_ram - 1] : NULL;

		if (last && r.start - last->start <= last->size) {
			if (r.start + r.size > last->start + last->size)
				last->size = r.start + r.size - last->start;
			continue;
		}
		m->ram[m->nr_ram++] = r;
	}
	return 0;
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
	m->nr_ram = 0;
}
