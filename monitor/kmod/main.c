// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon.ko: load and unload.
 *
 * At load the module learns which node it runs on and the machine's layout
 * (kexec-mint's hand-over, or layout=/node= for a machine kexec-mint did not
 * boot), then for every node this node monitors: checks, claims and maps
 * the peer's windows (window.c), creates /sys/kernel/mint/nodeN and
 * /dev/mint/nodeN, and starts the peer's watchdog. Any refusal unwinds
 * everything done so far: the module loads whole or not at all.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "kmod.h"

struct mintmon_kmod mintmon_kmod;

unsigned int mintmon_kmod_period_ms = 100;
/*
 * One period: a busy CPU of the peer whose clock and context switches stood
 * still from one poll to the next (at least period_ms apart) is hung. A
 * pause is then seen within two periods, the third is margin.
 */
unsigned int mintmon_kmod_hung_periods = 1;
unsigned int mintmon_kmod_look_budget_ppm = 5000;	/* 0.5% */
unsigned int mintmon_kmod_text_cycle_ms = 5000;
static int node = -1;
static char *layout;

static int set_bounded(const char *val, unsigned int *to, unsigned int min, unsigned int max)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < min || v > max)
		return -ERANGE;
	WRITE_ONCE(*to, v);
	return 0;
}

/*
 * Module parameters are writable while init and exit run (their sysfs
 * files outlive both): peers are created, started and destroyed under
 * this lock, and a new period kicks them under it.
 */
static DEFINE_MUTEX(peers_lock);

static int set_period(const char *val, const struct kernel_param *kp)
{
	int err = set_bounded(val, &mintmon_kmod_period_ms, 10, 60000);	/* 10 ms .. 1 min */
	unsigned int i;

	if (err)
		return err;
	/* The work is queued with the old period: a minute at most. Poll now. */
	mutex_lock(&peers_lock);
	for (i = 0; i < mintmon_kmod.nr_peers; i++)
		mintmon_kmod_watchdog_kick(mintmon_kmod.peers[i]);
	mutex_unlock(&peers_lock);
	return 0;
}

/* The watchdog keeps MINTMON_KMOD_RING samples: the reference must be among them. */
static int set_hung_periods(const char *val, const struct kernel_param *kp)
{
	return set_bounded(val, &mintmon_kmod_hung_periods, 1, MINTMON_KMOD_RING / 2);
}

static const struct kernel_param_ops period_ops = {
	.set = set_period,
	.get = param_get_uint,
};
module_param_cb(period_ms, &period_ops, &mintmon_kmod_period_ms, 0644);
MODULE_PARM_DESC(period_ms, "watchdog period per peer in ms (10-60000, default 100)");

static const struct kernel_param_ops hung_periods_ops = {
	.set = set_hung_periods,
	.get = param_get_uint,
};
module_param_cb(hung_periods, &hung_periods_ops, &mintmon_kmod_hung_periods, 0644);
MODULE_PARM_DESC(hung_periods, "periods a busy peer CPU may stand still before the peer is hung "
		 "(1-32, default 1)");
/*
 * The share of the watchdog's time that listing a peer's kernel images at a
 * stalled heartbeat may take (session.h). Where node 0 cannot see a peer's
 * first MiB, a listing reads one entry per page of its kernel window.
 */
static int set_look_budget(const char *val, const struct kernel_param *kp)
{
	return set_bounded(val, &mintmon_kmod_look_budget_ppm, 0, 1000000);
}

static const struct kernel_param_ops look_budget_ops = {
	.set = set_look_budget,
	.get = param_get_uint,
};
module_param_cb(look_budget_ppm, &look_budget_ops, &mintmon_kmod_look_budget_ppm, 0644);
MODULE_PARM_DESC(look_budget_ppm, "share of time, in parts per million, that a peer's listings "
		 "of kernel images at a stalled heartbeat may take (0: no limit; default 5000)");
/* Every page of a peer's text and rodata checked once per cycle, a slice per period (text.h). */
static int set_text_cycle(const char *val, const struct kernel_param *kp)
{
	return set_bounded(val, &mintmon_kmod_text_cycle_ms, 0, 86400000);
}

static const struct kernel_param_ops text_cycle_ops = {
	.set = set_text_cycle,
	.get = param_get_uint,
};
module_param_cb(text_cycle_ms, &text_cycle_ops, &mintmon_kmod_text_cycle_ms, 0644);
MODULE_PARM_DESC(text_cycle_ms, "check all of each peer's kernel text and rodata once every this "
		 "many ms; a change no patch site explains makes it tampered (0: never; default "
		 "5000)");
module_param(node, int, 0444);
MODULE_PARM_DESC(node, "this node's id, with layout= (default: kexec-mint's hand-over)");
module_param(layout, charp, 0444);
MODULE_PARM_DESC(layout, "layout file to use instead of kexec-mint's hand-over (needs node=)");

static void peers_destroy(struct mintmon_kmod *km)
{
	unsigned int i;

	/*
	 * Revoke /dev/mint/nodeN first: files still open fail from here on, and
	 * no read or mmap is left in the windows (mappings pin this module).
	 */
	for (i = 0; i < km->nr_peers; i++)
		mintmon_kmod_dev_deinit(km->peers[i]);
	for (i = 0; i < km->nr_peers; i++)
		mintmon_kmod_watchdog_deinit(km->peers[i]);
	for (i = 0; i < km->nr_peers; i++) {
		mintmon_kmod_windows_deinit(km->peers[i]);
		kfree(km->peers[i]);
		km->peers[i] = NULL;
	}
	km->nr_peers = 0;
}

static int peer_create(struct mintmon_kmod *km, unsigned int id)
{
	struct mintmon_kmod_peer *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int err;

	if (!p)
		return -ENOMEM;
	p->id = id;
	snprintf(p->name, sizeof(p->name), "node%u", id);
	err = mintmon_kmod_windows_init(p, km->layout, km->node);
	if (err) {
		kfree(p);
		return err;
	}
	/* From here on peers_destroy() undoes whatever was done. */
	km->peers[km->nr_peers++] = p;
	return mintmon_kmod_watchdog_init(p, km->kset) ?: mintmon_kmod_dev_init(p);
}

static int learn_layout(struct mintmon_kmod *km)
{
	int err;

	if (layout) {
		if (node < 0) {
			pr_err("mintmon: layout=%s needs node=N: which node this is\n", layout);
			return -EINVAL;
		}
		err = mintmon_kmod_layout_file(layout, km->layout);
		if (err)
			return err;
		if (node >= km->layout->nr_nodes || !km->layout->nodes[node].present) {
			pr_err("mintmon: node=%d: no such node in %s\n", node, layout);
			return -EINVAL;
		}
		km->node = node;
		km->from_handover = false;
	} else {
		if (node >= 0) {
			pr_err("mintmon: node= needs layout=FILE (kexec-mint's hand-over names "
			       "the node itself)\n");
			return -EINVAL;
		}
		err = mintmon_kmod_handover(km->layout, &km->node, &km->hash);
		if (err == -ENOENT)
			pr_err("mintmon: no Mint hand-over in /sys/kernel/boot_params/setup_data: "
			       "this kernel was not booted by kexec-mint (give layout=FILE node=N)\n");
		if (err)
			return err;
		km->from_handover = true;
	}
	km->text = kvmalloc(MINT_MEMMAP_TEXT_MAX, GFP_KERNEL);
	if (!km->text)
		return -ENOMEM;
	km->text_len = mint_memmap_format(km->layout, km->text, MINT_MEMMAP_TEXT_MAX);
	if (km->text_len < 0) {
		pr_err("mintmon: cannot format the layout: %d\n", km->text_len);
		return km->text_len;
	}
	if (!km->from_handover)
		km->hash = mint_memmap_hash(km->text, km->text_len);
	return 0;
}

static void layout_free(struct mintmon_kmod *km)
{
	kvfree(km->text);
	kvfree(km->layout);
	km->text = NULL;
	km->layout = NULL;
}

static int __init mintmon_kmod_init(void)
{
	struct mintmon_kmod *km = &mintmon_kmod;
	unsigned int id, monitors;
	int err;

	km->layout = kvzalloc(sizeof(*km->layout), GFP_KERNEL);
	if (!km->layout)
		return -ENOMEM;
	err = learn_layout(km);
	if (err)
		goto out_layout;
	monitors = km->layout->nodes[km->node].monitors;
	if (!monitors) {
		pr_err("mintmon: node %u monitors no node in the layout: nothing to watch\n",
		       km->node);
		err = -EINVAL;
		goto out_layout;
	}
	err = mintmon_kmod_sysfs_init(km);
	if (err)
		goto out_layout;
	mutex_lock(&peers_lock);
	for (id = 0; id < km->layout->nr_nodes; id++) {
		if (!(monitors & (1U << id)))
			continue;
		err = peer_create(km, id);
		if (err)
			goto out_peers;
	}
	for (id = 0; id < km->nr_peers; id++)
		mintmon_kmod_watchdog_start(km->peers[id]);
	mutex_unlock(&peers_lock);
	pr_info("mintmon: node %u watches %u peer(s), layout %016llx from %s, period %u ms\n",
		km->node, km->nr_peers, km->hash, km->from_handover ? "kexec-mint" : layout,
		READ_ONCE(mintmon_kmod_period_ms));
	return 0;

out_peers:
	peers_destroy(km);
	mutex_unlock(&peers_lock);
	mintmon_kmod_sysfs_deinit(km);
out_layout:
	layout_free(km);
	return err;
}

static void __exit mintmon_kmod_exit(void)
{
	struct mintmon_kmod *km = &mintmon_kmod;

	mutex_lock(&peers_lock);
	peers_destroy(km);
	mutex_unlock(&peers_lock);
	mintmon_kmod_sysfs_deinit(km);
	layout_free(km);
	pr_info("mintmon: unloaded, windows released\n");
}

module_init(mintmon_kmod_init);
module_exit(mintmon_kmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mintmon: watch the other OS nodes of a Mint machine through their memory");
MODULE_VERSION("0.1");
