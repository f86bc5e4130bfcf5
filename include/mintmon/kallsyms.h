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

/*
 * The same search on a copy that grows at its end, so that the caller reads
 * no more of the target than the tables need. Between calls the caller may
 * append bytes (and move the buffer) but never change bytes it gave before.
 * One search step budget covers all calls. Fields are private.
 */
struct mintmon_kallsyms_search {
	u64 buf_vaddr, text_start, text_end;
	struct mintmon_error *err;
	u64 budget;
	size_t next;		/* where to look for the digit tokens next */
	bool saw_tokens;
	/* Names found below a token table whose offsets lie past the copy's end. */
	bool pending;
	size_t tt_off, tt_end, ti_off, num_off, names_end, markers_off;
	u32 nr_syms;
	unsigned int align;	/* of the candidate tables: 8, or 4 since v7.0 */
};

void mintmon_kallsyms_search_init(struct mintmon_kallsyms_search *s, u64 buf_vaddr,
				  u64 text_start, u64 text_end, struct mintmon_error *e);
/*
 * Search buf[0, size). complete: buf holds all of the data (the end of the
 * read-only data), so a table cut by its end is invalid rather than
 * unfinished. Returns 0 and *ks_ret; -EAGAIN if the answer depends on bytes
 * past size (call again with at least *need_ret bytes, or with complete);
 * -ENOENT (recorded in e) or -ENOMEM. With complete set from the first
 * call it is mintmon_kallsyms_create().
 */
int mintmon_kallsyms_search(struct mintmon_kallsyms_search *s, const u8 *buf, size_t size,
			    bool complete, size_t *need_ret, struct mintmon_kallsyms **ks_ret);

/*
 * The tables in a form that can be kept (a cache file) and read back:
 * a 24-byte header (magic "MMKS", version, kallsyms_token_table's address),
 * then kallsyms_num_syms, names, markers, token table, token index, offsets
 * and relative base in the v6.12 order, each 8-aligned. Returns the size;
 * with buf NULL only computes it; -E2BIG (as a negative value) if size is
 * too small.
 */
long mintmon_kallsyms_serialize(const struct mintmon_kallsyms *ks, u8 *buf, size_t size);
/*
 * Read tables back from that form: untrusted bytes, checked as strictly as
 * the search checks target memory (every length and index bounded, the
 * names and markers agree, 256 tokens with a matching index, addresses
 * sorted and inside text_start..text_end, nothing after the relative base).
 * buf is copied (it must be private: it is read more than once).
 */
int mintmon_kallsyms_deserialize(const u8 *buf, size_t size, u64 text_start, u64 text_end,
				 struct mintmon_error *e, struct mintmon_kallsyms **ks_ret);
/*
 * The same checks, but the names and the token table are used where they
 * lie in buf, which must then stay valid and unchanged until
 * mintmon_kallsyms_destroy(): for a kept entry no one else writes (a
 * trusted cache entry, mapped read-only), never for target memory.
 */
int mintmon_kallsyms_deserialize_in_place(const u8 *buf, size_t size, u64 text_start,
					  u64 text_end, struct mintmon_error *e,
					  struct mintmon_kallsyms **ks_ret);

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

/*
 * The same, giving each name's index in kernel order (MINTMON_KALLSYMS_NONE
 * if absent) instead of its address (mintmon_kallsyms_symbol() gives it).
 */
#define MINTMON_KALLSYMS_NONE 0xffffffffu
int mintmon_kallsyms_lookup_index(const struct mintmon_kallsyms *ks, const char *const *names,
				  unsigned int n, u32 *index_ret);

/* Address of symbol number index in kernel order; -ENOENT past the end. */
int mintmon_kallsyms_address(const struct mintmon_kallsyms *ks, u32 index, u64 *addr_ret);

/* Symbol number index in kernel order (decodes at most 256 names); -ENOENT past the end. */
int mintmon_kallsyms_symbol(const struct mintmon_kallsyms *ks, u32 index,
			    struct mintmon_symbol *sym_ret);

/* Look up one name: 0 and *addr_ret, or -ENOENT. */
int mintmon_kallsyms_lookup(const struct mintmon_kallsyms *ks, const char *name, u64 *addr_ret);

#endif /* MINTMON_KALLSYMS_H */
