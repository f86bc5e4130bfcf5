// SPDX-License-Identifier: GPL-2.0
/* Incremental text integrity for watchers (text.h, "Incremental integrity checking"). */
#include "mintmon/text.h"

#define PAGE_HAVE 0x1		/* baseline hash taken */
#define PAGE_SUSPECT 0x2	/* differed once: checked again at the next step */
#define PAGE_TAMPERED 0x4	/* differed twice in a row */
#define MAX_RECHECKS 16		/* suspects checked again per step */
#define CHECK_BATCH 16		/* pages hashed per read (kernel stack: 16 hashes) */
#define CHECK_BATCH_PAGES (CHECK_BATCH + 2)	/* with a page of margin each side */

struct mintmon_text_watch {
	struct mintmon_kernel *k;
	struct mintmon_text *t;
	struct mintmon_text_sites *s;
	u8 (*hash)[MINTMON_SHA256_LEN];
	u8 *flags;
	u64 nr_pages, next;
	u32 per_step, nr_suspects;
	u8 *buf, *map;
	struct mintmon_text_watch_state st;
};

int mintmon_text_watch_create(struct mintmon_kernel *k, u32 steps_per_cycle,
			      struct mintmon_text_watch **w_ret)
{
	struct mintmon_text_watch *w = mintmon_calloc(1, sizeof(*w));
	int err;

	if (!w)
		return mintmon_fail(k->err, -ENOMEM, "text", "out of memory");
	w->k = k;
	err = mintmon_text_create(k, &w->t);
	if (err) {
		mintmon_free(w);
		return err;
	}
	w->nr_pages = mintmon_text_nr_pages(w->t);
	if (!steps_per_cycle)
		steps_per_cycle = 1;
	/* Regions end a step early, so a cycle may take a step more than asked. */
	w->per_step = (u32)((w->nr_pages + steps_per_cycle - 1) / steps_per_cycle);
	w->hash = mintmon_calloc(w->nr_pages, MINTMON_SHA256_LEN);
	w->flags = mintmon_calloc(w->nr_pages, 1);
	w->buf = mintmon_malloc((size_t)CHECK_BATCH_PAGES * MINTMON_TEXT_PAGE);
	w->map = mintmon_calloc(CHECK_BATCH_PAGES, 1);
	if (!w->hash || !w->flags || !w->buf || !w->map) {
		mintmon_text_watch_destroy(w);
		return mintmon_fail(k->err, -ENOMEM, "text", "out of memory");
	}
	*w_ret = w;
	return 0;
}

void mintmon_text_watch_destroy(struct mintmon_text_watch *w)
{
	if (!w)
		return;
	mintmon_text_sites_destroy(w->s);
	mintmon_text_destroy(w->t);
	mintmon_free(w->hash);
	mintmon_free(w->flags);
	mintmon_free(w->buf);
	mintmon_free(w->map);
	mintmon_free(w);
}

u64 mintmon_text_watch_pages(const struct mintmon_text_watch *w)
{
	return w->nr_pages;
}

static int decode(struct mintmon_text_watch *w)
{
	mintmon_text_sites_destroy(w->s);
	w->s = NULL;
	w->st.site_decodes++;
	return mintmon_text_sites_create(w->t, &w->s);
}

/* The region holding page i: its first page and one past its last. */
static void region_of(const struct mintmon_text_watch *w, u64 i, u64 *first_ret, u64 *end_ret)
{
	const struct mintmon_text_region *r;
	unsigned int nr, j;

	r = mintmon_text_regions(w->t, &nr);
	for (j = 0; j < nr; j++) {
		u64 end = r[j].first_page + (r[j].end - r[j].start + MINTMON_TEXT_PAGE - 1) /
						    MINTMON_TEXT_PAGE;

		if (i >= r[j].first_page && i < end) {
			*first_ret = r[j].first_page;
			*end_ret = end;
			return;
		}
	}
	*first_ret = 0;
	*end_ret = w->nr_pages;
}

/*
 * Masked hashes of pages [first, first + n) (one region), read with a page
 * of margin on each side so that sites across a page boundary are seen
 * whole. bad[i]: a site in page first + i holds what its state forbids.
 */
static int masked_hashes(struct mintmon_text_watch *w, u64 first, u32 n,
			 u8 (*hash)[MINTMON_SHA256_LEN], bool *bad)
{
	u64 rfirst, rend, lo, hi, va0, va, len_total;
	u32 i, len, j;
	int err;

	region_of(w, first, &rfirst, &rend);
	lo = first > rfirst ? first - 1 : first;
	hi = first + n < rend ? first + n : first + n - 1;
	err = mintmon_text_read_pages(w->t, lo, (u32)(hi - lo + 1), w->buf, w->map);
	if (err)
		return err;
	mintmon_text_page(w->t, lo, &va0, &len, NULL);
	mintmon_text_page(w->t, hi, &va, &len, NULL);
	len_total = (hi - lo) * MINTMON_TEXT_PAGE + len;
	for (i = 0; i < n; i++)
		bad[i] = w->map[first - lo + i] != 0;	/* remapped, writable...: a change too */
	if (w->s) {
		for (j = mintmon_text_sites_lower_bound(w->s, va0);
		     j < w->s->nr && w->s->site[j].addr - va0 < len_total; j++) {
			const struct mintmon_text_site *site = &w->s->site[j];
			u64 off = site->addr - va0, page = lo + off / MINTMON_TEXT_PAGE;
			u16 form;
			u32 flen;

			if (mintmon_text_site_match(site, w->buf + off, (u32)(len_total - off), &form,
						    &flen)) {
				if (site->orig_len && flen >= site->orig_len)
					memcpy(w->buf + off, site->orig, site->orig_len);
				else
					memset(w->buf + off, 0, flen);
			} else if (page >= first && page < first + n) {
				bad[page - first] = true;
			}
		}
	}
	for (i = 0; i < n; i++) {
		mintmon_text_page(w->t, first + i, &va, &len, NULL);
		mintmon_sha256(w->buf + (first - lo + i) * MINTMON_TEXT_PAGE, len, hash[i]);
	}
	return 0;
}

/* Check pages [first, first + n) against the baseline (or take it). */
static int check(struct mintmon_text_watch *w, u64 first, u32 n, bool recheck)
{
	u8 h[CHECK_BATCH][MINTMON_SHA256_LEN];
	bool bad[CHECK_BATCH];
	u32 done, i;
	int err;

	for (done = 0; done < n; done += i) {
		u32 m = n - done < CHECK_BATCH ? n - done : CHECK_BATCH;

		err = masked_hashes(w, first + done, m, h, bad);
		if (err)
			return err;
		for (i = 0; i < m; i++) {
			u64 p = first + done + i;
			u8 *f = &w->flags[p];
			bool same = !bad[i] && !memcmp(w->hash[p], h[i], MINTMON_SHA256_LEN);

			w->st.pages_checked++;
			if (!(*f & PAGE_HAVE)) {
				memcpy(w->hash[p], h[i], MINTMON_SHA256_LEN);
				*f |= PAGE_HAVE;
				if (bad[i])
					*f |= PAGE_TAMPERED;	/* a site wrong at the first look already */
				continue;
			}
			if (same) {
				*f &= ~(PAGE_SUSPECT | PAGE_TAMPERED);
			} else if (recheck || (*f & PAGE_TAMPERED)) {
				*f = (u8)((*f & ~PAGE_SUSPECT) | PAGE_TAMPERED);
			} else {
				*f |= PAGE_SUSPECT;
			}
		}
	}
	return 0;
}

static void summarize(struct mintmon_text_watch *w)
{
	u64 i;

	w->st.tampered_pages = 0;
	w->st.first_tampered = 0;
	w->nr_suspects = 0;
	for (i = 0; i < w->nr_pages; i++) {
		if (w->flags[i] & PAGE_SUSPECT)
			w->nr_suspects++;
		if (w->flags[i] & PAGE_TAMPERED) {
			if (!w->st.tampered_pages++) {
				u32 len;

				mintmon_text_page(w->t, i, &w->st.first_tampered, &len, NULL);
			}
		}
	}
}

int mintmon_text_watch_step(struct mintmon_text_watch *w, bool heartbeat_moved, u32 pages,
			    struct mintmon_text_watch_state *state_ret)
{
	u64 rfirst, rend;
	u32 n;
	int err = 0;

	if (!heartbeat_moved)
		goto out;
	/* Suspects of the last step first, with the sites as they are now. */
	if (w->nr_suspects) {
		u32 checked = 0;
		u64 i;

		err = decode(w);
		for (i = 0; !err && i < w->nr_pages && checked < MAX_RECHECKS; i++) {
			if (w->flags[i] & PAGE_SUSPECT) {
				err = check(w, i, 1, true);
				checked++;
			}
		}
		if (err)
			goto out;
	}
	if (w->next == 0 || !w->s) {
		err = decode(w);
		if (err)
			goto out;
	}
	region_of(w, w->next, &rfirst, &rend);
	if (!pages)
		pages = w->per_step;
	if (pages > 4 * w->per_step)
		pages = 4 * w->per_step;
	n = rend - w->next < pages ? (u32)(rend - w->next) : pages;
	err = check(w, w->next, n, false);
	if (err)
		goto out;
	w->next += n;
	if (w->next >= w->nr_pages) {
		w->next = 0;
		w->st.cycles++;
		w->st.baseline_done = true;
	}
out:
	summarize(w);
	*state_ret = w->st;
	return err;
}
