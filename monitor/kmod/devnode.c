// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon_dev.ko: /dev/mint/nodeN, revocable (devnode.h).
 *
 * Each node id has a slot: a misc device while a provider serves it, and
 * the provider's registration, published under SRCU. Every file operation
 * calls into the provider inside an SRCU read section; mintmon_dev_remove()
 * unpublishes the registration and waits for those sections to end, so the
 * provider may free its windows as soon as it returns. A file keeps the
 * registration it was opened under: after a remove, and after a later add
 * for the same node, it stays revoked (-ENODEV), so a reader never finds
 * itself reading a different layout's windows without reopening.
 *
 * Nothing here writes: no write, no ioctl, no writable mapping.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/version.h>

#include "devnode.h"

struct mintmon_dev_reg {
	const struct mintmon_dev_ops *ops;
	void *priv;
	u64 gen;
};

struct mintmon_dev_slot {
	struct miscdevice misc;
	char name[24];			/* misc name: "mint_node1" */
	char nodename[24];		/* under /dev: "mint/node1" */
	struct mintmon_dev_reg __rcu *reg;
	u64 gen;			/* of the last registration */
	bool registered;		/* misc device present */
};

/* An open file: its slot and the registration it was opened under. */
struct mintmon_dev_file {
	struct mintmon_dev_slot *slot;
	u64 gen;
};

static struct mintmon_dev_slot slots[MINTMON_DEV_MAX_NODES];
static DEFINE_MUTEX(slots_lock);	/* add and remove */
DEFINE_STATIC_SRCU(reg_srcu);		/* calls into a provider */

/* The file's registration, inside an SRCU read section, or NULL (revoked). */
static struct mintmon_dev_reg *reg_enter(const struct mintmon_dev_file *df, int *idx)
{
	struct mintmon_dev_reg *r;

	*idx = srcu_read_lock(&reg_srcu);
	r = srcu_dereference(df->slot->reg, &reg_srcu);
	if (r && r->gen == df->gen)
		return r;
	srcu_read_unlock(&reg_srcu, *idx);
	return NULL;
}

static void reg_leave(int idx)
{
	srcu_read_unlock(&reg_srcu, idx);
}

static int dev_open(struct inode *inode, struct file *f)
{
	/* misc_open() leaves our miscdevice here, under misc_mtx. */
	struct mintmon_dev_slot *slot = container_of(f->private_data, struct mintmon_dev_slot,
						     misc);
	struct mintmon_dev_file *df;
	struct mintmon_dev_reg *r;
	int idx;

	/* Root only, and never for writing, whatever the node's mode says. */
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (f->f_mode & FMODE_WRITE)
		return -EPERM;
	df = kzalloc(sizeof(*df), GFP_KERNEL);
	if (!df)
		return -ENOMEM;
	idx = srcu_read_lock(&reg_srcu);
	r = srcu_dereference(slot->reg, &reg_srcu);
	if (r) {
		df->slot = slot;
		df->gen = r->gen;
	}
	srcu_read_unlock(&reg_srcu, idx);
	if (!r) {
		kfree(df);
		return -ENODEV;
	}
	f->private_data = df;
	return 0;
}

static int dev_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static ssize_t dev_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	struct mintmon_dev_reg *r;
	ssize_t n;
	int idx;

	if (*ppos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	r = reg_enter(f->private_data, &idx);
	if (!r)
		return -ENODEV;
	n = r->ops->read(r->priv, buf, len, *ppos);
	reg_leave(idx);
	if (n > 0)
		*ppos += n;
	return n;
}

/* A mapping pins its provider: fork and split take a reference, unmap drops it. */
static void vm_open(struct vm_area_struct *vma)
{
	__module_get(vma->vm_private_data);
}

static void vm_close(struct vm_area_struct *vma)
{
	module_put(vma->vm_private_data);
}

static const struct vm_operations_struct dev_vm_ops = {
	.open = vm_open,
	.close = vm_close,
};

static int dev_mmap(struct file *f, struct vm_area_struct *vma)
{
	u64 size = vma->vm_end - vma->vm_start;
	u64 phys = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct mintmon_dev_reg *r;
	struct module *owner;
	int idx, err;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	r = reg_enter(f->private_data, &idx);
	if (!r)
		return -ENODEV;
	owner = r->ops->owner;
	err = r->ops->check_range(r->priv, phys, size);
	/* Fails once the provider is being unloaded. */
	if (!err && !try_module_get(owner))
		err = -ENODEV;
	if (err)
		goto out;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);	/* vm_flags became read-only in 6.3 (bc292ab00f6c) */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags &= ~VM_MAYWRITE;		/* mprotect() cannot add PROT_WRITE */
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	err = remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, size, vma->vm_page_prot);
	if (err) {
		module_put(owner);
		goto out;
	}
	/* Only now: a failed mmap() is torn down without ->close(). */
	vma->vm_private_data = owner;
	vma->vm_ops = &dev_vm_ops;
out:
	reg_leave(idx);
	return err;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.mmap = dev_mmap,
	.llseek = default_llseek,
};

int mintmon_dev_add(unsigned int node, const struct mintmon_dev_ops *ops, void *priv)
{
	struct mintmon_dev_slot *slot;
	struct mintmon_dev_reg *r;
	int err = 0;

	if (node >= MINTMON_DEV_MAX_NODES || !ops || !ops->read || !ops->check_range)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_lock(&slots_lock);
	slot = &slots[node];
	if (slot->registered || rcu_access_pointer(slot->reg)) {
		err = -EBUSY;
		goto out;
	}
	r->ops = ops;
	r->priv = priv;
	r->gen = ++slot->gen;
	rcu_assign_pointer(slot->reg, r);
	memset(&slot->misc, 0, sizeof(slot->misc));
	snprintf(slot->name, sizeof(slot->name), "mint_node%u", node);
	snprintf(slot->nodename, sizeof(slot->nodename), "mint/node%u", node);
	slot->misc.minor = MISC_DYNAMIC_MINOR;
	slot->misc.name = slot->name;
	slot->misc.nodename = slot->nodename;
	slot->misc.mode = 0400;
	slot->misc.fops = &dev_fops;
	err = misc_register(&slot->misc);
	if (err) {
		RCU_INIT_POINTER(slot->reg, NULL);
		pr_err("mintmon_dev: cannot register /dev/%s: %d\n", slot->nodename, err);
	} else {
		slot->registered = true;
	}
out:
	mutex_unlock(&slots_lock);
	if (err) {
		synchronize_srcu(&reg_srcu);	/* old files may have looked at r */
		kfree(r);
	}
	return err;
}
EXPORT_SYMBOL_GPL(mintmon_dev_add);

void mintmon_dev_remove(unsigned int node)
{
	struct mintmon_dev_slot *slot;
	struct mintmon_dev_reg *r;

	if (node >= MINTMON_DEV_MAX_NODES)
		return;
	mutex_lock(&slots_lock);
	slot = &slots[node];
	if (slot->registered)
		misc_deregister(&slot->misc);	/* no new opens (misc_mtx) */
	slot->registered = false;
	r = rcu_dereference_protected(slot->reg, lockdep_is_held(&slots_lock));
	RCU_INIT_POINTER(slot->reg, NULL);
	mutex_unlock(&slots_lock);
	synchronize_srcu(&reg_srcu);		/* no call into the provider is left */
	kfree(r);
}
EXPORT_SYMBOL_GPL(mintmon_dev_remove);

static int __init mintmon_dev_init(void)
{
	return 0;
}

static void __exit mintmon_dev_exit(void)
{
	unsigned int i;

	/* The provider depends on this module: it is gone, and removed its nodes. */
	for (i = 0; i < MINTMON_DEV_MAX_NODES; i++)
		WARN_ON(slots[i].registered || rcu_access_pointer(slots[i].reg));
}

module_init(mintmon_dev_init);
module_exit(mintmon_dev_exit);
MODULE_DESCRIPTION("mintmon: /dev/mint/nodeN, revocable read-only views of Mint peers");
MODULE_LICENSE("GPL");
