// SPDX-License-Identifier: GPL-2.0
/*
 * The node id and the layout kexec-mint handed over.
 *
 * kexec-mint puts a setup_data entry of type MINT_MEMMAP_SETUP_DATA_TYPE in
 * the boot parameters of every node it loads (kexec-patches/0006). x86 keeps
 * setup_data memory reserved and exports each entry as
 * /sys/kernel/boot_params/setup_data/N/{type,data}; boot_params itself is
 * not exported to modules, so that sysfs view is how a module reaches it.
 * The blob is untrusted input like any other: mint_memmap_handover_parse()
 * checks it in stages (header, hash, layout text, validation).
 */
#include <linux/fs.h>
#include <linux/kernel_read_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmod.h"

/* The kernel numbers setup_data entries from 0; more than this is not a boot. */
#define SETUP_DATA_MAX_ENTRIES 64
#define HANDOVER_MAX (sizeof(struct mint_memmap_handover) + MINT_MEMMAP_TEXT_MAX)

/* Read at most size bytes of a file; returns the length or a negative errno. */
static ssize_t read_small_file(const char *path, void *buf, size_t size)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	size_t got = 0;
	ssize_t n = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while (got < size) {
		n = kernel_read(f, (char *)buf + got, size - got, &pos);
		if (n <= 0)
			break;
		got += n;
	}
	filp_close(f, NULL);
	return n < 0 ? n : (ssize_t)got;
}

int mintmon_kmod_handover(struct mint_memmap *m, unsigned int *node_ret, u64 *hash_ret)
{
	char path[64], type[24];
	unsigned int i;
	void *blob;
	int err = -ENOENT;

	blob = kvmalloc(HANDOVER_MAX + 1, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;
	for (i = 0; i < SETUP_DATA_MAX_ENTRIES; i++) {
		ssize_t n;
		u64 t;

		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%u/type", i);
		n = read_small_file(path, type, sizeof(type) - 1);
		if (n == -ENOENT)
			break;		/* entries are numbered without gaps */
		if (n < 0)
			continue;
		type[n] = '\0';
		if (kstrtou64(strim(type), 0, &t) || t != MINT_MEMMAP_SETUP_DATA_TYPE)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%u/data", i);
		/* One byte more than allowed, to tell a full buffer from a long blob. */
		n = read_small_file(path, blob, HANDOVER_MAX + 1);
		if (n < 0) {
			pr_err("mintmon: cannot read kexec-mint's hand-over (%s): %zd\n", path, n);
			err = n;
			break;
		}
		err = mint_memmap_handover_parse(m, blob, n, node_ret, hash_ret);
		if (err)
			pr_err("mintmon: kexec-mint's hand-over (%s) is invalid: %s\n", path,
			       mint_memmap_strerror(m));
		break;
	}
	kvfree(blob);
	return err;
}

/* layout=PATH: a layout file instead of the hand-over (a machine kexec-mint did not boot). */
int mintmon_kmod_layout_file(const char *path, struct mint_memmap *m)
{
	void *text = NULL;
	size_t size = 0;
	ssize_t n;
	int err;

	n = kernel_read_file_from_path(path, 0, &text, MINT_MEMMAP_TEXT_MAX, &size,
				       READING_UNKNOWN);
	if (n < 0) {
		pr_err("mintmon: layout=%s: cannot read it: %zd\n", path, n);
		return n;
	}
	mint_memmap_init(m);
	err = mint_memmap_parse(m, path, text, n);
	if (!err)
		err = mint_memmap_validate(m);
	if (err)
		pr_err("mintmon: layout=%s: %s\n", path, mint_memmap_strerror(m));
	vfree(text);
	return err;
}
