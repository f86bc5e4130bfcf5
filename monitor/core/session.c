// SPDX-License-Identifier: GPL-2.0
/* Sessions: attach once, poll many times (see session.h). */
#include "mintmon/session.h"

const char *mintmon_poll_state_name(enum mintmon_poll_state state)
{
	switch (state) {
	case MINTMON_POLL_ATTACHED: return "attached";
	case MINTMON_POLL_SAME: return "same";
	case MINTMON_POLL_REBOOTED: return "rebooted";
	case MINTMON_POLL_GONE: return "gone";
	}
	return "?";
}

/*
 * The same boot: top_entry is left out on purpose. It detects change (a new
 * kernel rebuilds the trampoline), but a kernel kexec'd a moment ago
 * rebuilds its own trampoline later in its boot (do_init_real_mode(), an
 * early initcall): re-attaching then finds the same boot, not a new one.
 */
static bool same_id(const struct mintmon_boot_id *a, const struct mintmon_boot_id *b)
{
	return a->text_phys == b->text_phys && a->kaslr_offset == b->kaslr_offset &&
	       a->page_offset_base == b->page_offset_base && a->canary == b->canary;
}

static void heartbeat_moved(struct mintmon_session *s, u64 heartbeat)
{
	s->last_heartbeat = heartbeat;
	s->stalled = 0;
	s->have_candidate = false;
	s->verify_step = MINTMON_VERIFY_STALLED;
	s->verify_at = MINTMON_VERIFY_STALLED;
}

/*
 * Has a kernel image appeared (or gone) since the last look from scratch?
 * Listed as the look would search: when the last one found its kernel
 * through the first MiB, only the first MiB (a few hundred pages, where
 * every boot, reset or kexec, rebuilds its trampoline); else all of it.
 */
static bool images_changed(struct mintmon_session *s)
{
	u64 now[MINTMON_KERNEL_MAX_IMAGES];
	bool first_only = s->look_first;
	unsigned int nr, i, j;
	bool same;

	if (mintmon_kernel_images(s->mem, &s->opts, first_only, now, MINTMON_ARRAY_SIZE(now),
				  &nr))
		return true;
	same = s->nr_seen && nr == s->nr_seen && first_only == s->seen_first;
	for (i = 0; same && i < nr; i++) {
		bool found = false;

		for (j = 0; j < nr; j++)
			found |= now[i] == s->seen[j];
		same = found;
	}
	memcpy(s->seen, now, nr * sizeof(now[0]));
	s->nr_seen = nr;
	s->seen_first = first_only;
	return !same;
}

/* Is a listing budget set (session.h: look_budget_ppm)? */
static bool budgeted(const struct mintmon_session *s)
{
	return s->clock_ns && s->look_budget_ppm && s->look_budget_ppm < 1000000;
}

/* May a look list the images now? */
static bool look_allowed(struct mintmon_session *s)
{
	if (!budgeted(s) || s->clock_ns() >= s->next_look_ns)
		return true;
	s->budget_skips++;
	return false;
}

/*
 * images_changed(), and when the next listing may start: after
 * spent * (10^6 / ppm - 1) ns, at most MINTMON_LOOK_WAIT_MAX_NS.
 */
static bool timed_images_changed(struct mintmon_session *s)
{
	u64 t0, t1, spent, wait;
	bool changed;

	if (!budgeted(s))
		return images_changed(s);
	t0 = s->clock_ns();
	changed = images_changed(s);
	t1 = s->clock_ns();
	spent = t1 > t0 ? t1 - t0 : 0;
	if (mintmon_mul_overflow(spent, (u64)(1000000 / s->look_budget_ppm - 1), &wait) ||
	    wait > MINTMON_LOOK_WAIT_MAX_NS)
		wait = MINTMON_LOOK_WAIT_MAX_NS;
	s->next_look_ns = t1 + wait;
	return changed;
}

static int attach(struct mintmon_session *s)
{
	u64 listed[MINTMON_KERNEL_MAX_IMAGES];
	unsigned int nr_listed;
	bool have_list;
	int err;

	/*
	 * Listed first, so an image that appears during the attach is new to
	 * the first look. A kernel found through the first MiB had all of its
	 * images tried: what a first look would do, so it need not (on a Mint
	 * node under TCG a discovery takes the watchdog a second).
	 */
	have_list = !mintmon_kernel_images(s->mem, &s->opts, true, listed,
					   MINTMON_ARRAY_SIZE(listed), &nr_listed);
	s->searches++;
	err = mintmon_kernel_create(s->mem, &s->opts, &s->err, &s->k);
	s->nr_seen = 0;
	if (err) {
		s->k = NULL;
		if (!s->err.code)
			s->err.code = err;
		return err;
	}
	s->generation++;
	s->look_first = s->k->found_first;
	if (have_list && s->k->found_first) {
		memcpy(s->seen, listed, nr_listed * sizeof(listed[0]));
		s->nr_seen = nr_listed;
		s->seen_first = true;
		s->seen_all_attached = !s->k->images_failed;
		s->seen_settled = false;
	}
	return 0;
}

int mintmon_session_create(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			   int verbose, struct mintmon_session **session_ret)
{
	struct mintmon_session *s = mintmon_calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->mem = mem;
	if (opts)
		s->opts = *opts;
	mintmon_error_init(&s->err, verbose);
	err = attach(s);
	if (err == -ENOMEM) {
		mintmon_free(s);
		return err;
	}
	if (!err) {
		u64 hb = 0;

		s->id = s->k->id;
		s->attached_once = true;
		mintmon_kernel_check(s->k, &hb);
		heartbeat_moved(s, hb);
	}
	*session_ret = s;
	return err;
}

void mintmon_session_destroy(struct mintmon_session *s)
{
	if (!s)
		return;
	mintmon_kernel_destroy(s->k);
	mintmon_free(s);
}

/*
 * The identity still reads true. If the heartbeat has stopped, look for a
 * kernel from scratch: another boot may be running while the old one's
 * memory is still intact (see session.h).
 */
static int stalled(struct mintmon_session *s, struct mintmon_poll *p)
{
	struct mintmon_kernel *nk;
	int err;

	if (p->heartbeat != s->last_heartbeat) {
		/*
		 * Ours runs, so no other kernel does: an image the last look
		 * could not attach is an old one's, not a boot in progress.
		 */
		s->seen_settled = true;
		heartbeat_moved(s, p->heartbeat);
		return 0;
	}
	if (++s->stalled < s->verify_at)
		return 0;
	/* A reboot stalls the heartbeat for seconds: look often then, rarely after. */
	if (s->stalled >= MINTMON_VERIFY_FAST)
		s->verify_step = s->verify_step * 2 > MINTMON_VERIFY_MAX ? MINTMON_VERIFY_MAX :
									   s->verify_step * 2;
	s->verify_at = s->stalled + s->verify_step;
	s->looks++;
	/*
	 * Nothing new since a look that attached every image there, or since
	 * ours last ran: skip. A candidate is looked at again until its
	 * heartbeat decides. The search tries every image and keeps the one
	 * that booted last: the old kernel's intact image must not hide a new
	 * one behind it.
	 */
	if (!s->have_candidate && !look_allowed(s))
		return 0;
	if (!timed_images_changed(s) && (s->seen_all_attached || s->seen_settled) &&
	    !s->have_candidate)
		return 0;
	s->searches++;
	err = mintmon_kernel_create(s->mem, &s->opts, &s->err, &nk);
	if (err == -ENOMEM)
		return err;
	s->seen_all_attached = !err && !nk->images_failed;
	s->seen_settled = false;
	s->look_first = !err && nk->found_first;
	if (!err && !same_id(&nk->id, &s->k->id)) {
		u64 hb = 0;
		bool alive;

		/*
		 * Another kernel while ours still reads intact: it may be the
		 * new boot, or an older one's image that a reset or kexec left
		 * in RAM (seen: a panicked boot's, found during a later kexec).
		 * Only a heartbeat that moves between two looks proves it runs;
		 * look again at the next poll.
		 */
		if (mintmon_kernel_check(nk, &hb))
			hb = 0;
		alive = s->have_candidate && same_id(&s->candidate, &nk->id) &&
			hb != s->candidate_heartbeat;
		if (!alive) {
			s->have_candidate = true;
			s->candidate = nk->id;
			s->candidate_heartbeat = hb;
			s->verify_at = s->stalled + 1;
			mintmon_kernel_destroy(nk);
			err = 1;	/* not (yet) a reboot */
		}
	}
	if (err || same_id(&nk->id, &s->k->id)) {
		/* Nothing else there (or the same boot): keep reading the old one. */
		if (!err)
			mintmon_kernel_destroy(nk);
		mintmon_kernel_use_ram(s->k);
		mintmon_error_clear(&s->err);
		return 0;
	}
	s->have_candidate = false;
	s->seen_settled = true;		/* the new kernel's heartbeat moved: it runs */
	mintmon_kernel_destroy(s->k);	/* this forgets mem's RAM ranges... */
	s->k = nk;
	mintmon_kernel_use_ram(nk);	/* ...which are the new kernel's */
	s->generation++;
	s->id = nk->id;
	p->state = MINTMON_POLL_REBOOTED;
	if (mintmon_kernel_check(nk, &p->heartbeat))
		p->heartbeat = 0;
	heartbeat_moved(s, p->heartbeat);
	return 0;
}

int mintmon_session_poll(struct mintmon_session *s, struct mintmon_poll *poll_ret)
{
	struct mintmon_memory *m = s->mem;
	u64 reads = m->reads, trips = m->round_trips, bytes = m->bytes_read;
	struct mintmon_poll p = {MINTMON_POLL_GONE, 0, 0, 0, 0};
	int err;

	mintmon_error_clear(&s->err);
	if (s->k) {
		err = mintmon_kernel_check(s->k, &p.heartbeat);
		if (!err) {
			p.state = MINTMON_POLL_SAME;
			err = stalled(s, &p);
			if (err)
				return err;
			goto out;
		}
		/*
		 * The transport failed (a network source timed out): the target
		 * is unreachable, not changed. Re-attaching would only scan
		 * memory through a dead link; keep the kernel and try again.
		 */
		if (err == -EIO || err == -ETIMEDOUT) {
			p.state = MINTMON_POLL_GONE;
			goto out;
		}
		/* Changed or unreadable: never read on with what we knew. */
		mintmon_kernel_destroy(s->k);
		s->k = NULL;
		s->generation++;
	}
	err = attach(s);
	if (err == -ENOMEM)
		return err;
	if (err)
		goto out;
	if (!s->attached_once)
		p.state = MINTMON_POLL_ATTACHED;
	else if (same_id(&s->id, &s->k->id))
		p.state = MINTMON_POLL_SAME;	/* a passing glitch: the same boot */
	else
		p.state = MINTMON_POLL_REBOOTED;
	s->id = s->k->id;
	s->attached_once = true;
	if (mintmon_kernel_check(s->k, &p.heartbeat))
		p.heartbeat = 0;
	heartbeat_moved(s, p.heartbeat);
out:
	p.reads = m->reads - reads;
	p.round_trips = m->round_trips - trips;
	p.bytes = m->bytes_read - bytes;
	*poll_ret = p;
	return 0;
}
