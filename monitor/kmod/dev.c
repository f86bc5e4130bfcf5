// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mint/nodeN: the peer's physical address space, read-only.
 *
 * The file offset is the physical address. read()/pread() copy out of the
 * module's read-only mapping; mmap() maps window pages into the caller
 * without write permission (VM_MAYWRITE cleared, so mprotect cannot add
 * it). There is no write, ioctl or writable mapping: a monitor must never
 * be able to change the kernel it watches (docs/module.md).
 *
 * An access outside every window is -ENXIO; a read that runs past the end
 * of a window returns what lies inside it (a short read). Open files hold a
 * reference on the module, so unloading waits for the last reader to close.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "kmod.h"

static struct mintmon_kmod_peer *file_peer(struct file *f)
{
	struct miscdevice *misc = f->private_data;

	return container_of(misc, struct mintmon_kmod_peer, misc);
}

static int mint_open(struct inode *inode, struct file *f)
{
	/* Root only, and never for writing, whatever the file's mode says. */
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (f->f_mode & FMODE_WRITE)
		return -EPERM;
	return 0;
}

/* Bounded by len and the window; each chunk is copied out of the RO map. */
static ssize_t mint_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	struct mintmon_kmod_peer *p = file_peer(f);
	const struct mintmon_kmod_window *w;
	u64 phys = *ppos, off, n;

	if (*ppos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	w = mintmon_kmod_window_at(p, phys);
	if (!w)
		return -ENXIO;
	off = phys - w->start;
	n = min_t(u64, len, w->size - off);
	if (copy_to_user(buf, (const u8 *)w->map + off, n))
		return -EFAULT;
	*ppos += n;
	return n;
}

static int mint_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct mintmon_kmod_peer *p = file_peer(f);
	u64 size = vma->vm_end - vma->vm_start;
	u64 phys = (u64)vma->vm_pgoff << PAGE_SHIFT;
	const struct mintmon_kmod_window *w;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	w = mintmon_kmod_window_at(p, phys);
	if (!w || size > w->size - (phys - w->start))
		return -ENXIO;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);	/* vm_flags became read-only in 6.3 (bc292ab00f6c) */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	return remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, size, vma->vm_page_prot);
}

static const struct file_operations mint_fops = {
	.owner = THIS_MODULE,
	.open = mint_open,
	.read = mint_read,
	.mmap = mint_mmap,
	.llseek = default_llseek,
};

int mintmon_kmod_dev_init(struct mintmon_kmod_peer *p)
{
	int err;

	snprintf(p->devname, sizeof(p->devname), "mint_%s", p->name);
	snprintf(p->nodename, sizeof(p->nodename), "mint/%s", p->name);
	p->misc.minor = MISC_DYNAMIC_MINOR;
	p->misc.name = p->devname;
	p->misc.nodename = p->nodename;
	p->misc.mode = 0400;
	p->misc.fops = &mint_fops;
	err = misc_register(&p->misc);
	if (err) {
		pr_err("mintmon: cannot register /dev/%s: %d\n", p->nodename, err);
		return err;
	}
	p->misc_registered = true;
	return 0;
}

void mintmon_kmod_dev_deinit(struct mintmon_kmod_peer *p)
{
	if (p->misc_registered)
		misc_deregister(&p->misc);
	p->misc_registered = false;
}
