/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space memory sources for the core: raw images and ELF cores, both
 * mapped read-only; a target is named "file:PATH[:map=MAP]" or "elf:PATH".
 */
#ifndef MINTMON_READER_H
#define MINTMON_READER_H

#include "error.h"
#include "memory.h"

/*
 * Open the target named by spec into m (see mintmon-target(7) in
 * docs/architecture.md):
 *   file:PATH                   byte offset = physical address
 *   file:PATH:map=PHYS+SIZE@OFF[,PHYS+SIZE@OFF...]
 *                               explicit map for images whose offsets are not
 *                               physical addresses (numbers in C notation)
 *   elf:PATH                    ELF core: PT_LOAD p_paddr/p_offset/p_filesz
 * Returns 0 or a negative errno, with the reason recorded in e.
 */
int mintmon_reader_open(const char *spec, struct mintmon_memory *m, struct mintmon_error *e);

#endif /* MINTMON_READER_H */
