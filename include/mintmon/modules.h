/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loaded modules of a watched kernel, from its module list (the
 * `modules` list_head of kernel/module/main.c), as /proc/modules shows them.
 * Layouts come from BTF: struct module's core_layout/init_layout up to
 * v6.3, its mem[MOD_MEM_NUM_TYPES] array since v6.4 (commit ac3b43283923,
 * "module: replace module_layout with module_memory").
 */
#ifndef MINTMON_MODULES_H
#define MINTMON_MODULES_H

#include "kernel.h"

#define MINTMON_MODULE_NAME_LEN 56	/* MODULE_NAME_LEN on 64-bit */
#define MINTMON_MODULES_MAX 4096

enum mintmon_module_state {	/* enum module_state */
	MINTMON_MODULE_LIVE,
	MINTMON_MODULE_COMING,
	MINTMON_MODULE_GOING,
	MINTMON_MODULE_UNFORMED,
};

struct mintmon_module {
	u64 addr;		/* struct module */
	char name[MINTMON_MODULE_NAME_LEN + 1];
	u32 state;
	u64 size;		/* as /proc/modules: every part's size */
	u64 text_base, text_size;	/* its core text */
	u64 taints;		/* TAINT_* bits */
	s64 refcnt;		/* module_refcount(): the atomic minus MODULE_REF_BASE; -1 unknown */
};

/* "Live", "Loading", "Unloading" as /proc/modules says; "Unformed" for the rest. */
const char *mintmon_module_state_name(u32 state);

/*
 * The modules in list order (newest first, as /proc/modules), at most max:
 * *nr_ret of them. The walk is bounded (MINTMON_MODULES_MAX) and stops at
 * a loop or an unreadable node (counted in *broken_ret: the list is not
 * whole). -ENOENT if the kernel has no module list or its layout is unknown.
 */
int mintmon_modules_list(struct mintmon_kernel *k, struct mintmon_module *mods, u32 max,
			 u32 *nr_ret, u32 *broken_ret);

#endif /* MINTMON_MODULES_H */
