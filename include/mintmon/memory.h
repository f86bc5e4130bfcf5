/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical memory of the watched machine.
 *
 * A memory source (a raw image file, an ELF core, later the node-0 module's
 * mapping or a NetTLP adapter) is an ops table plus a list of the physical
 * ranges it can serve. Reads may fail partway: every failing read returns a
 * negative errno and reports the first physical address it could not read.
 *
 * Nothing is ever parsed in place: every read copies into the caller's
 * buffer, so bytes checked are the bytes used, however the target changes.
 */
#ifndef MINTMON_MEMORY_H
#define MINTMON_MEMORY_H

#include "platform.h"

struct mintmon_phys_range {
	u64 start;
	u64 size;
};

/*
 * One request of a vectored read: len bytes at phys into buf. The result is
 * stored per request: 0, or a negative errno with fault the first address
 * that could not be read.
 */
struct mintmon_iov {
	u64 phys;
	void *buf;
	u32 len;
	int err;
	u64 fault;
};

/* Requests handed to a source's readv() at once (the front end splits larger calls). */
#define MINTMON_READV_BATCH 32

struct mintmon_memory_ops {
	/*
	 * Read len bytes at physical address phys into buf. Returns 0, or a
	 * negative errno (-EFAULT for an address the source does not hold,
	 * -EIO or -ETIMEDOUT for a transport failure) with *fault_ret set to
	 * the first address that could not be read.
	 */
	int (*read)(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret);
	/*
	 * Optional: serve n independent requests at once (a network reader
	 * keeps them all in flight). Fills each iov's err and fault. Returns 0,
	 * or a negative errno if the source itself failed. Without it the
	 * front end calls read() for each.
	 */
	int (*readv)(void *ctx, struct mintmon_iov *iov, unsigned int n);
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
	/*
	 * The target's RAM as the target itself describes it (its e820
	 * table), once known: every read must then lie inside it. Reads of
	 * holes or device memory are refused before they reach the source,
	 * since over PCIe such a read can have side effects.
	 */
	struct mintmon_phys_range ram[MINTMON_MAX_PHYS_RANGES];
	unsigned int nr_ram;
	/* Statistics: bytes read, requests served, calls made (round trips). */
	u64 bytes_read;
	u64 reads;
	u64 round_trips;
};

/*
 * Read from physical memory through m's ops. On failure returns a negative
 * errno and, if fault_ret is not NULL, stores the failing address there.
 */
int mintmon_memory_read(struct mintmon_memory *m, u64 phys, void *buf, size_t len,
			u64 *fault_ret);

/*
 * Serve n independent requests in one round trip (see struct mintmon_iov).
 * Returns 0 if every request succeeded, else the first request's error
 * (each iov says its own).
 */
int mintmon_memory_readv(struct mintmon_memory *m, struct mintmon_iov *iov, unsigned int n);

/*
 * Restrict reads to these RAM ranges (sorted or not; merged here; ram may
 * be m->ram itself). nr == 0 lifts the restriction. -E2BIG if too many.
 */
int mintmon_memory_set_ram(struct mintmon_memory *m, const struct mintmon_phys_range *ram,
			   unsigned int nr);
/*
 * 0 if [phys, phys + len) may be read: inside the RAM ranges once they are
 * known. Else -EFAULT and *fault_ret = the first address outside them.
 */
int mintmon_memory_check_ram(const struct mintmon_memory *m, u64 phys, u64 len, u64 *fault_ret);

/* Add a physical range to m (keeps ranges sorted; rejects overlaps). */
int mintmon_memory_add_range(struct mintmon_memory *m, u64 start, u64 size);

/* True if [phys, phys + len) lies inside one of m's ranges. */
bool mintmon_memory_contains(const struct mintmon_memory *m, u64 phys, u64 len);

/* One past the highest physical address m holds (0 if none). */
u64 mintmon_memory_end(const struct mintmon_memory *m);

/* Release the source behind m. */
void mintmon_memory_deinit(struct mintmon_memory *m);

#endif /* MINTMON_MEMORY_H */
