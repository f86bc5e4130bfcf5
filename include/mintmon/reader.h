/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space memory sources for the core: raw images and ELF cores, both
 * mapped read-only; a target is named "file:PATH[:map=MAP]" or "elf:PATH".
 */
#ifndef MINTMON_READER_H
#define MINTMON_READER_H

#include "error.h"
#include "kernel.h"
#include "memory.h"

/*
 * Open the target named by spec into m (see mintmon-target(7) in
 * docs/architecture.md):
 *   file:PATH                   byte offset = physical address ("identity");
 *                               mintmon_layout_attach() (monitor/user/layout.h)
 *                               may re-map it as QEMU's split around the PCI
 *                               hole once the kernel's e820 table is known
 *   file:PATH:map=PHYS+SIZE@OFF[,PHYS+SIZE@OFF...]
 *                               explicit map for images whose offsets are not
 *                               physical addresses (numbers in C notation)
 *   elf:PATH                    ELF core: PT_LOAD p_paddr/p_offset/p_filesz
 *   node:N                      peer N of this Mint node, through the mintmon
 *                               module (/dev/mint/nodeN; docs/module.md)
 * Returns 0 or a negative errno, with the reason recorded in e.
 */
int mintmon_reader_open(const char *spec, struct mintmon_memory *m, struct mintmon_error *e);

/* Longest layout description (mintmon_reader_layout()), with its NUL. */
#define MINTMON_LAYOUT_DESC_LEN 64

/* One piece of a file's layout: size bytes at file offset offset hold physical phys. */
struct mintmon_reader_segment {
	u64 phys;
	u64 size;
	u64 offset;
};

/*
 * True if m is a plain file: target (no map=), whose layout may be chosen
 * after opening (monitor/user/layout.h); *file_size_ret (may be NULL) gets
 * its size.
 */
bool mintmon_reader_plain_file(const struct mintmon_memory *m, u64 *file_size_ret);

/*
 * Serve a plain file: target with these segments from now on: m's ranges
 * are rebuilt and its RAM restriction lifted (a kernel attached on the old
 * layout must be destroyed first and attached again). layout names it for
 * mintmon_reader_layout() ("qemu split at 0x80000000"). On error (segments
 * past the file's end, overlapping) m is unchanged.
 */
int mintmon_reader_remap(struct mintmon_memory *m, const struct mintmon_reader_segment *segs,
			 unsigned int nr, const char *layout, struct mintmon_error *e);

/*
 * How file offsets map to physical addresses: "identity" (file:PATH),
 * "map" (file:PATH:map=...), "elf", or what mintmon_reader_remap() set.
 */
const char *mintmon_reader_layout(const struct mintmon_memory *m);

/*
 * Where the target's kernel must be (node:N: the peer's kernel window, from
 * the module) and where its first MiB is (node:N: its window below 1 MiB,
 * if served): sets opts' search_start/end and first_start/end. False, and
 * opts untouched, if the target does not say.
 */
bool mintmon_reader_search_window(const struct mintmon_memory *m,
				  struct mintmon_kernel_options *opts);

#endif /* MINTMON_READER_H */
