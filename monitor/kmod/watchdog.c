// SPDX-License-Identifier: GPL-2.0
/*
 * The per-peer watchdog and /sys/kernel/mint/.
 *
 * Each peer has a delayed work item that runs every period_ms: it keeps a
 * core session on the peer (attach once, then a few reads a poll), samples
 * its health and judges it as `mintmon watch` does (docs/health.md). A state
 * change is published under the peer's lock, logged in one line and raised
 * as a KOBJ_CHANGE uevent on /sys/kernel/mint/nodeN.
 *
 * Bounded work per period: a poll is a fixed number of reads out of the
 * mapping, which cannot block whatever the peer does; only an attach (after
 * a boot of the peer) walks its tables, and those walks are bounded and
 * yield (mintmon_yield()). A hung, dead or garbage peer costs one failed
 * attach attempt per period.
 */
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "kmod.h"

static u64 clock_ns(void)
{
	return ktime_get_ns();
}

static u64 now_ms(void)
{
	return ktime_get_ns() / NSEC_PER_MSEC;
}

static const char *state_name(const struct mintmon_kmod_status *st)
{
	return st->judged ? mintmon_health_state_name(st->state) : "unknown";
}

static void publish(struct mintmon_kmod_peer *p, enum mintmon_health_state next,
		    const char *why)
{
	struct mintmon_kmod_status *st = &p->st;
	char env_node[24], env_state[32];
	char *envp[] = { env_node, env_state, NULL };
	const char *before;
	bool change;

	spin_lock(&p->lock);
	before = state_name(st);
	change = !st->judged || st->state != next;
	if (change) {
		st->judged = true;
		st->state = next;
		st->since = ktime_get_real_seconds();
	}
	spin_unlock(&p->lock);
	if (!change)
		return;
	pr_info("mintmon: %s: %s -> %s%s%s\n", p->name, before, mintmon_health_state_name(next),
		why && *why ? ": " : "", why ? why : "");
	snprintf(env_node, sizeof(env_node), "MINT_NODE=%u", p->id);
	snprintf(env_state, sizeof(env_state), "MINT_STATE=%s", mintmon_health_state_name(next));
	if (kobject_uevent_env(p->kobj, KOBJ_CHANGE, envp))
		pr_warn_ratelimited("mintmon: %s: cannot raise the uevent\n", p->name);
}

static void drop_text(struct mintmon_kmod_peer *p)
{
	mintmon_text_watch_destroy(p->tw);
	p->tw = NULL;
	spin_lock(&p->lock);
	p->st.tampered_pages = 0;
	p->st.tampered_at = 0;
	spin_unlock(&p->lock);
}

static void drop_kernel_state(struct mintmon_kmod_peer *p)
{
	mintmon_health_destroy(p->h);
	p->h = NULL;
	p->nr = p->head = 0;
	drop_text(p);
}

/*
 * A slice of the peer's text and rodata, once its heartbeat moved since the
 * last slice: the pages due since then at text_cycle_ms (text_watch.c).
 */
static void text_step(struct mintmon_kmod_peer *p, const struct mintmon_health_sample *cur,
		      u64 now, u64 period)
{
	u32 cycle = READ_ONCE(mintmon_kmod_text_cycle_ms);
	struct mintmon_text_watch_state ts;
	u64 due;

	if (p->tw && cycle != p->text_cycle_ms)
		drop_text(p);		/* the parameter changed: a new baseline */
	if (!cycle)
		return;
	if (!p->tw) {
		u64 steps = cycle / (period ? period : 1);

		if (mintmon_text_watch_create(p->s->k, steps ? (u32)min_t(u64, steps, U32_MAX) : 1,
					      &p->tw))
			return;
		p->text_cycle_ms = cycle;
		p->text_jiffies = 0;
		p->text_ms = now;
	}
	if (cur->jiffies == p->text_jiffies)
		return;
	due = div64_u64(mintmon_text_watch_pages(p->tw) * (now - p->text_ms), cycle) + 1;
	mintmon_text_watch_step(p->tw, p->text_jiffies != 0, (u32)min_t(u64, due, U32_MAX), &ts);
	p->text_jiffies = cur->jiffies;
	p->text_ms = now;
	spin_lock(&p->lock);
	p->st.text_cycles = ts.cycles;
	p->st.tampered_pages = ts.tampered_pages;
	p->st.tampered_at = ts.first_tampered;
	spin_unlock(&p->lock);
}

static void went_unreachable(struct mintmon_kmod_peer *p)
{
	char why[sizeof(p->st.error)];

	if (p->s)
		mintmon_error_format(&p->s->err, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "no session");
	spin_lock(&p->lock);
	p->st.errors++;
	memcpy(p->st.error, why, sizeof(why));
	spin_unlock(&p->lock);
	publish(p, MINTMON_HEALTH_UNREACHABLE, why);
}

/* The newest sample at least hung_ms old, else the oldest kept. */
static const struct mintmon_health_sample *ref_sample(const struct mintmon_kmod_peer *p, u64 now,
						      u64 hung_ms)
{
	unsigned int i;

	for (i = 0; i < p->nr; i++) {
		unsigned int at = (p->head + MINTMON_KMOD_RING - 1 - i) % MINTMON_KMOD_RING;

		if (now - p->ring[at].when_ms >= hung_ms)
			return &p->ring[at];
	}
	return p->nr ? &p->ring[(p->head + MINTMON_KMOD_RING - p->nr) % MINTMON_KMOD_RING] : NULL;
}

static void poll_peer(struct mintmon_kmod_peer *p)
{
	u64 period = READ_ONCE(mintmon_kmod_period_ms);
	u64 hung_ms = period * READ_ONCE(mintmon_kmod_hung_periods);
	const struct mintmon_health_sample *ref;
	struct mintmon_health_sample *cur;
	struct mintmon_health_verdict v;
	struct mintmon_poll poll;
	u64 now = now_ms(), bytes0 = p->mem.bytes_read;
	bool moved;

	if (!p->s) {
		struct mintmon_kernel_options opts = {
			.search_start = p->kernel_window.start,
			.search_end = p->kernel_window.start + p->kernel_window.size,
		};
		unsigned int i;

		/* The peer's first MiB: its trampoline names the running kernel. */
		for (i = 0; i < p->nr_windows && !opts.first_end; i++) {
			if (p->windows[i].map && p->windows[i].start < MINTMON_FIRST_MIB) {
				opts.first_start = p->windows[i].start;
				opts.first_end = min_t(u64, MINTMON_FIRST_MIB, p->windows[i].start +
						       p->windows[i].size);
			}
		}
		if (mintmon_session_create(&p->mem, &opts, 0, &p->s)) {
			if (!p->s) {
				went_unreachable(p);
				return;
			}
		}
	}
	p->s->clock_ns = clock_ns;
	p->s->look_budget_ppm = READ_ONCE(mintmon_kmod_look_budget_ppm);
	if (mintmon_session_poll(p->s, &poll) || poll.state == MINTMON_POLL_GONE || !p->s->k) {
		drop_kernel_state(p);
		went_unreachable(p);
		return;
	}
	if (p->h && p->gen != p->s->generation)
		drop_kernel_state(p);	/* re-attached: start over on the new kernel */
	if (!p->h) {
		u64 id = mintmon_boot_id_hash(&p->s->k->id);
		bool rebooted = p->boot_id && id != p->boot_id;

		p->gen = p->s->generation;
		p->boot_id = id;
		spin_lock(&p->lock);
		strscpy(p->st.release, p->s->k->release, sizeof(p->st.release));
		p->st.last_move_ms = now;
		if (rebooted)
			p->st.reboots++;
		spin_unlock(&p->lock);
		if (rebooted)
			publish(p, MINTMON_HEALTH_REBOOTED, p->s->k->release);
		if (mintmon_health_create(p->s->k, &p->h)) {
			went_unreachable(p);
			return;
		}
	}
	cur = &p->ring[p->head];
	if (mintmon_health_sample(p->h, now, cur)) {
		went_unreachable(p);
		return;
	}
	moved = p->nr && cur->jiffies != p->ring[(p->head + MINTMON_KMOD_RING - 1) %
						 MINTMON_KMOD_RING].jiffies;
	p->head = (p->head + 1) % MINTMON_KMOD_RING;
	if (p->nr < MINTMON_KMOD_RING)
		p->nr++;
	spin_lock(&p->lock);
	if (moved)
		p->st.last_move_ms = now;
	p->st.bytes = p->mem.bytes_read - bytes0;
	p->st.looks = p->s->looks;
	p->st.searches = p->s->searches;
	spin_unlock(&p->lock);
	text_step(p, cur, now, period);

	ref = ref_sample(p, now, hung_ms);
	if (!ref || ref == cur || now - ref->when_ms < hung_ms)
		return;		/* not hung_ms of samples yet: no verdict */
	mintmon_health_judge(ref, cur, hung_ms, &v);
	if (p->tw && p->st.tampered_pages && (v.state == MINTMON_HEALTH_RUNNING ||
					       v.state == MINTMON_HEALTH_TAINTED ||
					       v.state == MINTMON_HEALTH_OOPSED))
		v.state = MINTMON_HEALTH_TAMPERED;
	publish(p, v.state, NULL);
}

static void watchdog_work(struct work_struct *work)
{
	struct mintmon_kmod_peer *p = container_of(to_delayed_work(work),
						   struct mintmon_kmod_peer, work);
	u64 t0 = ktime_get_ns();

	poll_peer(p);
	spin_lock(&p->lock);
	p->st.polls++;
	p->st.poll_ns = ktime_get_ns() - t0;
	p->st.poll_ns_total += p->st.poll_ns;
	spin_unlock(&p->lock);
	if (!READ_ONCE(p->stopping))
		queue_delayed_work(system_unbound_wq, &p->work,
				   msecs_to_jiffies(READ_ONCE(mintmon_kmod_period_ms)));
}

/* ---- /sys/kernel/mint/nodeN/ ---- */

static struct mintmon_kmod_peer *kobj_peer(struct kobject *kobj)
{
	unsigned int i;

	for (i = 0; i < mintmon_kmod.nr_peers; i++)
		if (mintmon_kmod.peers[i]->kobj == kobj)
			return mintmon_kmod.peers[i];
	return NULL;
}

static void snapshot(struct mintmon_kmod_peer *p, struct mintmon_kmod_status *st)
{
	spin_lock(&p->lock);
	*st = p->st;
	spin_unlock(&p->lock);
}

#define PEER_ATTR(field, fmt, ...)						\
static ssize_t field##_show(struct kobject *kobj, struct kobj_attribute *a, char *buf) \
{										\
	struct mintmon_kmod_peer *p = kobj_peer(kobj);				\
	struct mintmon_kmod_status st;						\
										\
	if (!p)									\
		return -ENODEV;							\
	snapshot(p, &st);							\
	return sysfs_emit(buf, fmt "\n", __VA_ARGS__);				\
}										\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

PEER_ATTR(state, "%s", state_name(&st));
PEER_ATTR(since, "%lld", (long long)st.since);
PEER_ATTR(release, "%s", st.release);
PEER_ATTR(heartbeat_age_ms, "%llu", st.last_move_ms ? now_ms() - st.last_move_ms : 0ULL);
PEER_ATTR(reboots, "%llu", st.reboots);
PEER_ATTR(polls, "%llu", st.polls);
PEER_ATTR(errors, "%llu", st.errors);
PEER_ATTR(last_error, "%s", st.error);
PEER_ATTR(poll_bytes, "%llu", st.bytes);
PEER_ATTR(poll_ns, "%llu", st.poll_ns);
PEER_ATTR(poll_ns_total, "%llu", st.poll_ns_total);
PEER_ATTR(looks, "%llu", st.looks);
PEER_ATTR(searches, "%llu", st.searches);
PEER_ATTR(text_cycles, "%llu", st.text_cycles);
PEER_ATTR(tampered_pages, "%u", st.tampered_pages);
PEER_ATTR(tampered_at, "0x%llx", st.tampered_at);

/* "START SIZE" per served window (hex): what /dev/mint/nodeN holds. */
static ssize_t windows_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct mintmon_kmod_peer *p = kobj_peer(kobj);
	unsigned int i;
	int len = 0;

	if (!p)
		return -ENODEV;
	for (i = 0; i < p->nr_windows; i++)
		if (p->windows[i].map)
			len += sysfs_emit_at(buf, len, "0x%llx 0x%llx\n", p->windows[i].start,
					     p->windows[i].size);
	return len;
}
static struct kobj_attribute windows_attr = __ATTR_RO(windows);

static ssize_t kernel_window_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct mintmon_kmod_peer *p = kobj_peer(kobj);

	if (!p)
		return -ENODEV;
	return sysfs_emit(buf, "0x%llx 0x%llx\n", p->kernel_window.start, p->kernel_window.size);
}
static struct kobj_attribute kernel_window_attr = __ATTR_RO(kernel_window);

/* The sysfs attributes: the peer's state under its lock, snapshotted. */
static struct attribute *peer_attrs[] = {
	&state_attr.attr, &since_attr.attr, &release_attr.attr, &heartbeat_age_ms_attr.attr,
	&reboots_attr.attr, &polls_attr.attr, &errors_attr.attr, &last_error_attr.attr,
	&poll_bytes_attr.attr, &poll_ns_attr.attr, &poll_ns_total_attr.attr, &looks_attr.attr,
	&searches_attr.attr, &text_cycles_attr.attr, &tampered_pages_attr.attr,
	&tampered_at_attr.attr, &windows_attr.attr,
	&kernel_window_attr.attr,
	NULL,
};
static const struct attribute_group peer_group = { .attrs = peer_attrs };

/* ---- /sys/kernel/mint/ ---- */

static ssize_t node_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", mintmon_kmod.node);
}
static struct kobj_attribute node_attr = __ATTR_RO(node);

static ssize_t layout_hash_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%016llx\n", mintmon_kmod.hash);
}
static struct kobj_attribute layout_hash_attr = __ATTR_RO(layout_hash);

static ssize_t layout_source_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", mintmon_kmod.from_handover ? "kexec-mint" : "file");
}
static struct kobj_attribute layout_source_attr = __ATTR_RO(layout_source);

static ssize_t layout_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	/* Canonical text; a sysfs file holds one page, longer layouts are cut. */
	return sysfs_emit(buf, "%.*s", (int)min_t(size_t, mintmon_kmod.text_len, PAGE_SIZE - 1),
			  mintmon_kmod.text);
}
static struct kobj_attribute layout_attr = __ATTR_RO(layout);

static ssize_t period_ms_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mintmon_kmod_period_ms));
}
static struct kobj_attribute period_ms_attr = __ATTR_RO(period_ms);

static struct attribute *top_attrs[] = {
	&node_attr.attr, &layout_hash_attr.attr, &layout_source_attr.attr, &layout_attr.attr,
	&period_ms_attr.attr, NULL,
};
static const struct attribute_group top_group = { .attrs = top_attrs };

/*
 * /sys/kernel/mint is a kset: a kobject raises uevents only from inside one
 * (kobject_uevent_env() is -EINVAL for a kobject with no kset above it, and
 * kernel_kobj is in none).
 */
int mintmon_kmod_sysfs_init(struct mintmon_kmod *km)
{
	int err;

	km->kset = kset_create_and_add("mint", NULL, kernel_kobj);
	if (!km->kset)
		return -ENOMEM;
	err = sysfs_create_group(&km->kset->kobj, &top_group);
	if (err) {
		kset_unregister(km->kset);
		km->kset = NULL;
	}
	return err;
}

void mintmon_kmod_sysfs_deinit(struct mintmon_kmod *km)
{
	if (km->kset) {
		sysfs_remove_group(&km->kset->kobj, &top_group);
		kset_unregister(km->kset);
	}
	km->kset = NULL;
}

static void peer_kobj_release(struct kobject *kobj)
{
	kfree(kobj);
}

static struct kobj_type peer_ktype = {
	.release = peer_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

int mintmon_kmod_watchdog_init(struct mintmon_kmod_peer *p, struct kset *kset)
{
	struct kobject *kobj;
	int err;

	spin_lock_init(&p->lock);
	INIT_DELAYED_WORK(&p->work, watchdog_work);
	kobj = kzalloc(sizeof(*kobj), GFP_KERNEL);
	if (!kobj)
		return -ENOMEM;
	kobj->kset = kset;	/* and, with no parent given, under it */
	err = kobject_init_and_add(kobj, &peer_ktype, NULL, "%s", p->name);
	if (!err)
		err = sysfs_create_group(kobj, &peer_group);
	if (err) {
		kobject_put(kobj);
		return err;
	}
	p->kobj = kobj;
	kobject_uevent(kobj, KOBJ_ADD);
	return 0;
}

void mintmon_kmod_watchdog_start(struct mintmon_kmod_peer *p)
{
	p->started = true;
	queue_delayed_work(system_unbound_wq, &p->work, 0);
}

void mintmon_kmod_watchdog_kick(struct mintmon_kmod_peer *p)
{
	if (p->started && !READ_ONCE(p->stopping))
		mod_delayed_work(system_unbound_wq, &p->work, 0);
}

void mintmon_kmod_watchdog_deinit(struct mintmon_kmod_peer *p)
{
	/* No new round after this one; waits for a poll in progress. */
	WRITE_ONCE(p->stopping, true);
	cancel_delayed_work_sync(&p->work);
	if (p->kobj) {
		sysfs_remove_group(p->kobj, &peer_group);
		kobject_put(p->kobj);
	}
	p->kobj = NULL;
	drop_kernel_state(p);
	mintmon_session_destroy(p->s);
	p->s = NULL;
}
