// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only probe: the freestanding core linked into a kernel module, to
 * prove the same .c files build under Kbuild (make check-kbuild). Never
 * loaded anywhere; the node-0 module proper comes later.
 */
#include <linux/module.h>

#include "mintmon/kernel.h"
#include "mintmon/memmap.h"
#include "mintmon/tasks.h"

/* Referencing the entry points keeps every core object in the link. */
static void *const mintmon_probe_refs[] __used = {
	mintmon_kernel_create, mintmon_tasks_create, mintmon_tasks_for_each,
	mintmon_kallsyms_create, mintmon_btf_create, mint_memmap_validate,
};

static int __init mintmon_probe_init(void)
{
	return -ENODEV;
}
module_init(mintmon_probe_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mintmon core, compile check");
