/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of a plain file: target, learnt from the target itself.
 *
 * A raw image is assumed to hold physical address X at file offset X
 * ("identity"). QEMU's memory-backend-file does not: past the PCI hole below
 * 4 GiB, QEMU puts guest RAM [0, L) at file offsets [0, L) and the rest at
 * physical 4 GiB and up, file offset L (pc: L = 3 GiB when RAM exceeds
 * 3.5 GiB; q35: L = 2 GiB from 2.75 GiB of RAM; max-ram-below-4g moves it).
 * The attached kernel's e820 table says where its RAM is: the layout is the
 * one that puts all of it inside the file, the whole file used.
 */
#ifndef MINTMON_USER_LAYOUT_H
#define MINTMON_USER_LAYOUT_H

#include "mintmon/reader.h"
#include "mintmon/session.h"

#define MINTMON_LAYOUT_4G (1ull << 32)
#define MINTMON_LAYOUT_MAX_GUESSES 4

/*
 * The RAM-below-4G ends QEMU picks, most likely first (pc's 3 GiB, q35's
 * 2 GiB, old pc's 3.5 GiB, old q35's 2.75 GiB), that split a file of
 * file_size bytes (below its size). Returns how many went to low_ends.
 */
unsigned int mintmon_layout_guesses(u64 file_size, u64 low_ends[MINTMON_LAYOUT_MAX_GUESSES]);

/*
 * The segments of a QEMU split at low_end (0 < low_end < file_size,
 * low_end <= 4 GiB): file [0, low_end) -> physical [0, low_end), file
 * [low_end, file_size) -> physical [4 GiB, 4 GiB + file_size - low_end).
 * Returns 2.
 */
unsigned int mintmon_layout_split(u64 file_size, u64 low_end, struct mintmon_reader_segment segs[2]);

/*
 * Choose the layout of a file of file_size bytes for a kernel whose RAM is
 * ram[0..nr) (its e820 table, any order). Returns 0 with *low_end_ret = 0
 * for identity (all RAM below the file's end), or the low end L of the only
 * QEMU split that holds all of it with the file's last byte at the RAM's
 * top. Else -ENOENT (-ENODATA if nr is 0) with why (may be NULL) saying
 * what does not fit.
 */
int mintmon_layout_choose(u64 file_size, const struct mintmon_phys_range *ram, unsigned int nr,
			  u64 *low_end_ret, char *why, size_t why_size);

/*
 * mintmon_session_create() for any target; for a plain file: target, also
 * choose its layout: attach with the identity layout, and if that fails or
 * the kernel's RAM does not fit it, re-map mem as a QEMU split (learnt from
 * e820, or guessed when identity found no kernel) and attach again. If no
 * layout works, mem is identity again and the identity attach's error is
 * returned (with the session, as mintmon_session_create() does), the split
 * layouts tried named in it. mintmon_reader_layout(mem) says the outcome.
 */
int mintmon_layout_attach(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  int verbose, struct mintmon_session **session_ret);

#endif /* MINTMON_USER_LAYOUT_H */
