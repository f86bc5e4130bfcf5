/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical memory of the watched machine.
 *
 * A memory source (a raw image file, an ELF core, later the node-0 module's
 * mapping or a NetTLP adapter) is an ops table plus a list of the physical
 * ranges it can serve. Reads may fail partway: every failing read returns a
 * negative errno and reports the first physical address it could not read.
 */
#ifndef MINTMON_MEMORY_H
#define MINTMON_MEMORY_H

#include "platform.h"

struct mintmon_phys_range {
	u64 start;
	u64 size;
};

struct mintmon_memory_ops {
	/*
	 * Read len bytes at physical address phys into buf. Returns 0, or a
	 * negative errno (-EFAULT for an address the source does not hold,
	 * -EIO or -ETIMEDOUT for a transport failure) with *fault_ret set to
	 * the first address that could not be read.
	 */
	int (*read)(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret);
	/*
	 * Optional: a pointer to len bytes at phys if the source holds them in
	 * its own address space (a mapped file), or NULL. Lets large reads
	 * (the kernel's read-only data) skip a copy.
	 */
	const void *(*map)(void *ctx, u64 phys, size_t len);
	/* Release ctx; may be NULL. */
	void (*destroy)(void *ctx);
};

#define MINTMON_MAX_PHYS_RANGES 64

struct mintmon_memory {
	const struct mintmon_memory_ops *ops;
	void *ctx;
	/* Physical ranges that hold data, sorted, non-overlapping. */
	struct mintmon_phys_range ranges[MINTMON_MAX_PHYS_RANGES];
	unsigned int nr_ranges;
	/* Statistics: bytes successfully read and read calls made. */
	u64 bytes_read;
	u64 reads;
};

/*
 * Read from physical memory through m's ops. On failure returns a negative
 * errno and, if fault_ret is not NULL, stores the failing address there.
 */
int mintmon_memory_read(struct mintmon_memory *m, u64 phys, void *buf, size_t len,
			u64 *fault_ret);

/*
 * Borrow a pointer to len bytes at phys when the source can give one without
 * copying (counted as read); NULL otherwise. Valid until the source goes.
 */
const void *mintmon_memory_map(struct mintmon_memory *m, u64 phys, size_t len);

/* Add a physical range to m (keeps ranges sorted; rejects overlaps). */
int mintmon_memory_add_range(struct mintmon_memory *m, u64 start, u64 size);

/* True if [phys, phys + len) lies inside one of m's ranges. */
bool mintmon_memory_contains(const struct mintmon_memory *m, u64 phys, u64 len);

/* One past the highest physical address m holds (0 if none). */
u64 mintmon_memory_end(const struct mintmon_memory *m);

/* Release the source behind m. */
void mintmon_memory_deinit(struct mintmon_memory *m);

#endif /* MINTMON_MEMORY_H */
