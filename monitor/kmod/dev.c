// SPDX-License-Identifier: GPL-2.0
/*
 * What /dev/mint/nodeN serves of a peer: its windows, through
 * mintmon_dev.ko (devnode.h), which owns the device nodes so that this
 * module can unload while readers hold them open.
 *
 * The file offset is the physical address. read()/pread() copy out of this
 * module's read-only mapping; mmap() maps window pages into the caller
 * without write permission (mintmon_dev.ko clears VM_MAYWRITE, so mprotect
 * cannot add it). There is no write, ioctl or writable mapping: a monitor
 * must never be able to change the kernel it watches (docs/module.md).
 *
 * An access outside every window is -ENXIO; a read that runs past the end
 * of a window returns what lies inside it (a short read).
 */
#include <linux/module.h>
#include <linux/uaccess.h>

#include "devnode.h"
#include "kmod.h"

static ssize_t peer_read(void *priv, char __user *buf, size_t len, u64 phys)
{
	const struct mintmon_kmod_window *w = mintmon_kmod_window_at(priv, phys);
	u64 off, n;

	if (!w)
		return -ENXIO;
	off = phys - w->start;
	n = min_t(u64, len, w->size - off);
	if (copy_to_user(buf, (const u8 *)w->map + off, n))
		return -EFAULT;
	return n;
}

static int peer_check_range(void *priv, u64 phys, u64 size)
{
	const struct mintmon_kmod_window *w = mintmon_kmod_window_at(priv, phys);

	if (!w || !size || size > w->size - (phys - w->start))
		return -ENXIO;
	return 0;
}

static const struct mintmon_dev_ops peer_dev_ops = {
	.owner = THIS_MODULE,
	.read = peer_read,
	.check_range = peer_check_range,
};

int mintmon_kmod_dev_init(struct mintmon_kmod_peer *p)
{
	int err = mintmon_dev_add(p->id, &peer_dev_ops, p);

	if (err) {
		pr_err("mintmon: cannot serve /dev/mint/%s: %d\n", p->name, err);
		return err;
	}
	p->dev_added = true;
	return 0;
}

void mintmon_kmod_dev_deinit(struct mintmon_kmod_peer *p)
{
	/* Returns once no read or mmap of this peer is in progress. */
	if (p->dev_added)
		mintmon_dev_remove(p->id);
	p->dev_added = false;
}
