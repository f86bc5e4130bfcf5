/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the mint-memmap CLI's sources (user space). */
#ifndef MINT_MEMMAP_CLI_H
#define MINT_MEMMAP_CLI_H

#include <stdio.h>

#include "mintmon/memmap.h"

/* "128 KiB", "384 MiB", "1.5 GiB" into buf. */
const char *mint_memmap_cli_size(char *buf, size_t size, u64 bytes);

/* A node's CPU list as "0-3,8" in buf. */
const char *mint_memmap_cli_cpus(char *buf, size_t size, const struct mint_memmap_node *node);

/*
 * Draw the machine's memory and the e820 every node boots with (or only node
 * `only` if >= 0) as SVG.
 */
void mint_memmap_cli_svg(FILE *f, const struct mint_memmap *m, const char *title, int only);

#endif /* MINT_MEMMAP_CLI_H */
