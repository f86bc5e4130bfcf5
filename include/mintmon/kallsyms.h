/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's symbol table, recovered from the compressed kallsyms tables
 * that scripts/kallsyms.c links into .rodata.
 *
 * Nothing is taken from the target's configuration: the tables are found by
 * the structure of kallsyms_token_table/kallsyms_token_index, then
 * kallsyms_num_syms, kallsyms_names and kallsyms_markers are found and
 * checked against each other, then kallsyms_offsets and
 * kallsyms_relative_base are tried at each place a known layout puts them:
 *
 *   6.1 (Debian 6.1.192):  offsets, relative_base, num_syms, names, markers,
 *                          seqs_of_names, token_table, token_index
 *   6.12:                  num_syms, names, markers, token_table, token_index,
 *                          offsets, relative_base, seqs_of_names
 *
 * Both with base-relative offsets (CONFIG_KALLSYMS_BASE_RELATIVE, always on
 * since v6.11) and with or without absolute per-CPU symbols.
 */
#ifndef MINTMON_KALLSYMS_H
#define MINTMON_KALLSYMS_H

#include "error.h"

/* Longest symbol name the kernel allows (KSYM_NAME_LEN since v6.1). */
#define MINTMON_KSYM_NAME_LEN 512

struct mintmon_kallsyms;

/*
 * Find and parse the kallsyms tables inside buf, a copy of kernel read-only
 * data that starts at kernel virtual address buf_vaddr. text_start/text_end
 * bound the kernel image's virtual range: kallsyms_relative_base must lie in
 * it. The tables are copied; buf may be freed afterwards. buf must be the
 * caller's private copy of target memory: it is read more than once.
 */
int mintmon_kallsyms_create(const u8 *buf, size_t size, u64 buf_vaddr, u64 text_start,
			    u64 text_end, struct mintmon_error *e, struct mintmon_kallsyms **ks_ret);
void mintmon_kallsyms_destroy(struct mintmon_kallsyms *ks);

u32 mintmon_kallsyms_count(const struct mintmon_kallsyms *ks);
/* Virtual address of kallsyms_token_table in the target (for diagnostics). */
u64 mintmon_kallsyms_table_vaddr(const struct mintmon_kallsyms *ks);

/* Walks the symbols in the kernel's order, as /proc/kallsyms lists them. */
struct mintmon_kallsyms_iter {
	const struct mintmon_kallsyms *ks;
	u32 index;
	u32 name_off;
};

struct mintmon_symbol {
	u64 addr;
	char type;
	char name[MINTMON_KSYM_NAME_LEN];
};

void mintmon_kallsyms_iter_init(struct mintmon_kallsyms_iter *it, const struct mintmon_kallsyms *ks);
/* Returns 1 and fills *sym, 0 at the end, or a negative errno. */
int mintmon_kallsyms_iter_next(struct mintmon_kallsyms_iter *it, struct mintmon_symbol *sym);

/*
 * Look up several names in one pass over the table. addrs_ret[i] receives
 * the address of names[i] (first match in kernel order); found_ret[i] says
 * whether it was found. Returns the number found or a negative errno.
 */
int mintmon_kallsyms_lookup_many(const struct mintmon_kallsyms *ks, const char *const *names,
				 unsigned int n, u64 *addrs_ret, bool *found_ret);

/*
 * The symbol that covers addr (the first of its aliases, as %pS names it)
 * and its size (up to the next higher symbol address). -ENOENT if addr is
 * below the first symbol or past the last.
 */
int mintmon_kallsyms_by_addr(const struct mintmon_kallsyms *ks, u64 addr,
			     struct mintmon_symbol *sym_ret, u64 *size_ret);

/* Look up one name: 0 and *addr_ret, or -ENOENT. */
int mintmon_kallsyms_lookup(const struct mintmon_kallsyms *ks, const char *name, u64 *addr_ret);

#endif /* MINTMON_KALLSYMS_H */
