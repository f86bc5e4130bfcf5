/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mintmon_dev.ko: the /dev/mint/nodeN device nodes, revocable.
 *
 * A character device's file operations live in the module that registered
 * them, and every open file pins that module: unloading mintmon.ko with a
 * reader holding /dev/mint/node1 open would be refused. So the device nodes
 * live in this small module, which does nothing else, and mintmon.ko
 * provides each peer's reads through mintmon_dev_add(). mintmon_dev_remove()
 * revokes them: the node leaves /dev, a read in progress finishes, and every
 * later read or mmap on a file still open fails with -ENODEV. The pattern is
 * the kernel's UIO core and its drivers.
 *
 * A mapping cannot be revoked without racing the mmap() that creates it
 * (its pages are in place before the mapping is linked where a revocation
 * could find it), so a live mapping holds a reference on the provider:
 * mintmon.ko unloads with files open, not with the peer's memory mapped.
 */
#ifndef MINTMON_DEVNODE_H
#define MINTMON_DEVNODE_H

#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/types.h>

#define MINTMON_DEV_MAX_NODES 16	/* MINT_MEMMAP_MAX_NODES */

struct mintmon_dev_ops {
	struct module *owner;	/* pinned while a mapping of its memory exists */
	/*
	 * Copy up to len bytes at physical address phys to buf: the bytes up to
	 * the end of the window holding phys (a short read), -ENXIO if no
	 * window holds it, -EFAULT for a bad buffer.
	 */
	ssize_t (*read)(void *priv, char __user *buf, size_t len, u64 phys);
	/* 0 if [phys, phys + size) lies inside one window, else -ENXIO. */
	int (*check_range)(void *priv, u64 phys, u64 size);
};

/* /dev/mint/nodeN served by ops until mintmon_dev_remove(node). */
int mintmon_dev_add(unsigned int node, const struct mintmon_dev_ops *ops, void *priv);
/* Revoke: returns once no call into ops is in progress or can start. */
void mintmon_dev_remove(unsigned int node);

#endif /* MINTMON_DEVNODE_H */
