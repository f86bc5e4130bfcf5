// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon text: kernel text integrity (docs/text.md).
 *
 *   text baseline -o FILE     hash every page of text and rodata, keep the pages
 *                             (compressed) and every run-time patch site's state
 *   text verify --baseline F  re-hash; explain each changed byte by a patch site
 *                             that holds what its state says, or report it tampered
 *   text sites                every run-time patch site, its state and its bytes
 *
 * verify exits 0 when every change is explained, 3 when something is
 * tampered, 1 on errors. A page that hashes differently is read again until
 * two reads agree, and a change that no site explains is looked at again,
 * with the sites decoded afresh, before it is reported: a site caught in the
 * middle of text_poke_bp() (an INT3 over its first byte) settles within
 * milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "image.h"
#include "text_image.h"

#define CHUNK 256u		/* pages read and hashed at once */
#define MARGIN 8u		/* bytes around a changed run: a site may straddle its edge */
#define SETTLE_TRIES 4
#define SETTLE_MS 100
#define SHOW_BYTES 16
#define EXIT_TAMPERED 3

static const char *kind_word(const struct mintmon_text_site *s)
{
	if (s->kind == MINTMON_SITE_STATIC_CALL && (s->flags & MINTMON_SITE_TRAMP))
		return "static_call";
	return mintmon_text_site_kind_name(s->kind);
}

/* The text regions of the command in progress: module addresses are named [MODULE]+0xOFF. */
static struct mintmon_text *cur_text;

static void sym_of(struct mintmon_kernel *k, u64 addr, char *buf, size_t size)
{
	const struct mintmon_text_region *r;
	unsigned int nr, i;

	if (!mintmon_kernel_symbolize(k, addr, buf, size))
		return;
	r = cur_text ? mintmon_text_regions(cur_text, &nr) : NULL;
	for (i = 0; r && i < nr; i++) {
		if (r[i].kind == MINTMON_TEXT_REGION_MODULE && addr >= r[i].start && addr < r[i].end) {
			snprintf(buf, size, "[%s]+0x%llx", r[i].name,
				 (unsigned long long)(addr - r[i].start));
			return;
		}
	}
	snprintf(buf, size, "?");
}

/* Kernel text and rodata, and with modules the core text of every live module. */
static struct mintmon_text *text_open(struct cli *c, bool modules)
{
	struct mintmon_text *t;

	if ((modules ? mintmon_text_create_modules : mintmon_text_create)(cli_kernel(c), &t))
		cli_die(c, -ENOENT, "text");
	cur_text = t;
	return t;
}

static unsigned int nr_modules(const struct mintmon_text *t)
{
	const struct mintmon_text_region *r;
	unsigned int nr, i, n = 0;

	r = mintmon_text_regions(t, &nr);
	for (i = 0; i < nr; i++)
		n += r[i].kind == MINTMON_TEXT_REGION_MODULE;
	return n;
}

static struct mintmon_text_sites *sites_open(struct cli *c, struct mintmon_text *t)
{
	struct mintmon_text_sites *s;

	if (mintmon_text_sites_create(t, &s))
		cli_die(c, -ENOMEM, "text: patch sites");
	return s;
}

/* Every page of every region, in one buffer (nr_pages * MINTMON_TEXT_PAGE). */
static u8 *read_all(struct cli *c, struct mintmon_text *t, u8 *map)
{
	u64 n = mintmon_text_nr_pages(t), i;
	u8 *buf = malloc(n * MINTMON_TEXT_PAGE);

	if (!buf)
		cli_die(c, -ENOMEM, "text");
	for (i = 0; i < n; i += CHUNK) {
		u32 m = n - i < CHUNK ? (u32)(n - i) : CHUNK;

		if (mintmon_text_read_pages(t, i, m, buf + i * MINTMON_TEXT_PAGE, map + i))
			cli_die(c, -EIO, "text");
	}
	return buf;
}

/* Bytes at addr in a copy of every page (read_all()), or NULL outside it. */
static const u8 *bytes_at(const struct mintmon_text *t, const u8 *all, u64 addr, u32 *avail_ret)
{
	const struct mintmon_text_region *r;
	unsigned int nr, i;

	r = mintmon_text_regions(t, &nr);
	for (i = 0; i < nr; i++) {
		if (addr >= r[i].start && addr < r[i].end) {
			*avail_ret = (u32)(r[i].end - addr < 16 ? r[i].end - addr : 16);
			return all + (r[i].first_page * MINTMON_TEXT_PAGE + (addr - r[i].start));
		}
	}
	return NULL;
}

static const char *map_words(u8 map, char *buf, size_t size)
{
	static const char *const words[] = {"remapped", "writable", "executable", "not-executable",
					    "unmapped"};
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < MINTMON_ARRAY_SIZE(words); i++) {
		if (map & (1u << i))
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
					      words[i]);
	}
	return buf;
}

static int text_baseline(struct cli *c, struct mintmon_text *t)
{
	struct mintmon_kernel *k = cli_kernel(c);
	struct mintmon_baseline hdr = {0};
	struct mintmon_baseline_writer *w;
	struct mintmon_text_sites *s;
	const struct mintmon_text_region *r;
	u64 n = mintmon_text_nr_pages(t), i, odd_maps = 0;
	u8 (*hash)[MINTMON_SHA256_LEN] = calloc(n, MINTMON_SHA256_LEN);
	u8 *map = calloc(n, 1), *all;
	unsigned int nr, j;
	char tmp[4096];
	struct stat st;
	FILE *f;
	int err;

	if (!c->o.output)
		cli_usage_error("text baseline needs -o FILE");
	if (!hash || !map)
		cli_die(c, -ENOMEM, "text");
	all = read_all(c, t, map);
	s = sites_open(c, t);
	r = mintmon_text_regions(t, &nr);
	hdr.nr_pages = n;
	hdr.nr_regions = nr;
	for (j = 0; j < nr; j++)
		hdr.region[j] = r[j];
	hdr.kaslr_offset = k->kaslr_offset;
	hdr.boot_id = mintmon_boot_id_hash(&k->id);
	hdr.text_virt = k->text_virt;
	snprintf(hdr.release, sizeof(hdr.release), "%s", k->release);
	if (mintmon_baseline_writer_create(&hdr, &w))
		cli_die(c, -ENOMEM, "text");
	mintmon_text_hash_pages(t, 0, (u32)n, all, hash);
	for (i = 0; i < n; i++) {
		u64 va;
		u32 len;

		mintmon_text_page(t, i, &va, &len, NULL);
		odd_maps += map[i] != 0;
		if (mintmon_baseline_writer_page(w, all + i * MINTMON_TEXT_PAGE, len, hash[i], map[i]))
			cli_die(c, -ENOMEM, "text baseline");
	}
	for (i = 0; i < s->nr; i++) {
		const struct mintmon_text_site *site = &s->site[i];
		struct mintmon_baseline_site bs = {.addr = site->addr, .state = site->state,
						   .forms = site->forms, .kind = site->kind,
						   .flags = site->flags};
		const u8 *b;
		u32 avail, len = 0;

		if ((b = bytes_at(t, all, site->addr, &avail))) {
			bs.form = mintmon_text_form_of(b, avail, site->addr, &bs.target, &len);
			bs.len = (u8)len;
		}
		if (mintmon_baseline_writer_site(w, &bs))
			cli_die(c, -ENOMEM, "text baseline");
	}
	/* A temporary name in the same directory, renamed: never half a baseline. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", c->o.output, (long)getpid());
	f = fopen(tmp, "wbx");
	if (!f) {
		fprintf(stderr, "mintmon: text baseline: cannot create %s: %s\n", tmp,
			strerror(errno));
		exit(1);
	}
	err = mintmon_baseline_writer_finish(w, f);
	if (fclose(f) || err || rename(tmp, c->o.output)) {
		fprintf(stderr, "mintmon: text baseline: cannot write %s: %s\n", c->o.output,
			strerror(err ? -err : errno));
		unlink(tmp);
		exit(1);
	}
	stat(c->o.output, &st);
	if (c->o.json) {
		printf("{\"pages\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"sites\": %u, "
		       "\"jump_label\": %u, \"static_call\": %u, \"ftrace\": %u, \"kprobe\": %u, "
		       "\"odd_mappings\": %" PRIu64 ", \"file_bytes\": %lld, \"modules\": %u}\n",
		       n, mintmon_text_nr_bytes(t), s->nr, s->count[MINTMON_SITE_JUMP_LABEL],
		       s->count[MINTMON_SITE_STATIC_CALL], s->count[MINTMON_SITE_FTRACE],
		       s->count[MINTMON_SITE_KPROBE], odd_maps, (long long)st.st_size, nr_modules(t));
	} else {
		printf("baseline of %s: %" PRIu64 " pages (%.1f MiB of text, rodata and %u modules' "
		       "text), %u patch "
		       "sites (%u jump_label, %u static_call, %u ftrace, %u kprobe) -> %s (%.1f MiB)\n",
		       k->release, n, mintmon_text_nr_bytes(t) / 1048576.0, nr_modules(t), s->nr,
		       s->count[MINTMON_SITE_JUMP_LABEL], s->count[MINTMON_SITE_STATIC_CALL],
		       s->count[MINTMON_SITE_FTRACE], s->count[MINTMON_SITE_KPROBE], c->o.output,
		       st.st_size / 1048576.0);
		if (odd_maps)
			printf("warning: %" PRIu64 " pages are mapped unlike the image's layout or "
			       "permissions (see text verify)\n", odd_maps);
	}
	for (j = 0; j < MINTMON_SITE_NR_KINDS; j++) {
		if (s->missing & (1u << j))
			fprintf(stderr, "mintmon: text: no %s table in this kernel: such changes "
				"would show as tampered\n", mintmon_text_site_kind_name(j));
	}
	mintmon_text_sites_destroy(s);
	free(all);
	free(hash);
	free(map);
	return 0;
}

static u8 *load_file(const char *path, size_t *size_ret)
{
	char why[512];
	u8 *buf = mintmon_file_read(path, 1u << 30, size_ret, why, sizeof(why));

	if (!buf) {
		fprintf(stderr, "mintmon: text verify: %s\n", why);
		exit(1);
	}
	return buf;
}

/* One reported change, with the bytes it is about. */
struct finding {
	struct mintmon_text_change c;
	struct mintmon_text_site site;	/* copy (the sites are decoded again) */
	u8 old[SHOW_BYTES], cur[SHOW_BYTES];
	u32 shown;
	u16 old_form;
	u8 map;				/* a mapping finding: its MINTMON_TEXT_MAP_* */
	u8 old_map;
};

struct verify {
	struct cli *c;
	struct mintmon_text *t;
	const struct mintmon_baseline *b;
	struct mintmon_text_sites *s;
	struct finding *f;
	u32 nr_f, cap_f;
	u64 changed_pages, rereads, settles;
	u32 explained[MINTMON_SITE_NR_KINDS];
	u32 tampered;
};

static struct finding *finding_new(struct verify *v)
{
	if (v->nr_f == v->cap_f) {
		u32 cap = v->cap_f ? v->cap_f * 2 : 256;
		struct finding *nf = realloc(v->f, (size_t)cap * sizeof(*nf));

		if (!nf)
			cli_die(v->c, -ENOMEM, "text verify");
		v->f = nf;
		v->cap_f = cap;
	}
	memset(&v->f[v->nr_f], 0, sizeof(v->f[0]));
	return &v->f[v->nr_f++];
}

/*
 * Pages [p0, p1] of one region, as the baseline had them (old) and as they
 * are (cur), with MARGIN bytes of the neighbouring pages on each side (read
 * now, into both: they hashed unchanged). Reads cur until two reads agree.
 */
static u32 span_bytes(struct verify *v, u64 p0, u64 p1, u64 first, u64 last, u8 *old, u8 *cur,
		      u8 *cur2, u64 *va_ret)
{
	u64 va0, va1, n = p1 - p0 + 1, i;
	u32 len0, len1, lm = 0, rm = 0, total, tries;
	u8 nb[MINTMON_TEXT_PAGE], map[CHUNK];

	mintmon_text_page(v->t, p0, &va0, &len0, NULL);
	mintmon_text_page(v->t, p1, &va1, &len1, NULL);
	for (i = 0; i < n; i++) {
		u64 va;
		u32 len;

		mintmon_text_page(v->t, p0 + i, &va, &len, NULL);
		if (mintmon_baseline_page(v->b, p0 + i, len, old + MARGIN + i * MINTMON_TEXT_PAGE)) {
			fprintf(stderr, "mintmon: text verify: baseline page %" PRIu64
				" does not inflate to its page\n", p0 + i);
			exit(1);
		}
	}
	total = (u32)((n - 1) * MINTMON_TEXT_PAGE + len1);
	for (tries = 0; tries < SETTLE_TRIES; tries++) {
		u8 *dst = tries ? cur2 : cur;

		if (mintmon_text_read_pages(v->t, p0, (u32)n, dst + MARGIN, map))
			cli_die(v->c, -EIO, "text verify");
		if (tries && !memcmp(cur + MARGIN, cur2 + MARGIN, total))
			break;
		if (tries) {
			memcpy(cur + MARGIN, cur2 + MARGIN, total);
			v->rereads++;
		}
	}
	if (p0 > first) {
		mintmon_text_read_pages(v->t, p0 - 1, 1, nb, map);
		lm = MARGIN;
		memcpy(cur, nb + MINTMON_TEXT_PAGE - MARGIN, MARGIN);
		memcpy(old, cur, MARGIN);
	} else {
		memmove(old, old + MARGIN, total);
		memmove(cur, cur + MARGIN, total);
	}
	if (p1 < last) {
		mintmon_text_read_pages(v->t, p1 + 1, 1, nb, map);
		rm = MARGIN;
		memcpy(cur + lm + total, nb, MARGIN);
		memcpy(old + lm + total, nb, MARGIN);
	}
	*va_ret = va0 - lm;
	return lm + total + rm;
}

static void record_changes(struct verify *v, u64 va, const u8 *old, const u8 *cur,
			   const struct mintmon_text_change *ch, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		struct finding *f = finding_new(v);
		u64 off = ch[i].addr - va, tgt;
		u32 flen;

		f->c = ch[i];
		if (ch[i].site)
			f->site = *ch[i].site;
		f->c.site = NULL;
		f->shown = ch[i].len < SHOW_BYTES ? ch[i].len : SHOW_BYTES;
		memcpy(f->old, old + off, f->shown);
		memcpy(f->cur, cur + off, f->shown);
		f->old_form = mintmon_text_form_of(old + off, ch[i].len, ch[i].addr, &tgt, &flen);
		if (ch[i].explained && ch[i].site)
			v->explained[f->site.kind]++;
		else
			v->tampered++;
	}
}

/* Compare one run of changed pages; look again while anything is unexplained. */
static void verify_span(struct verify *v, u64 p0, u64 p1, u64 first, u64 last)
{
	u64 n = p1 - p0 + 1, va;
	size_t size = n * MINTMON_TEXT_PAGE + 2 * MARGIN;
	u8 *old = malloc(size), *cur = malloc(size), *cur2 = malloc(size);
	struct mintmon_text_change *ch = calloc(MINTMON_TEXT_MAX_CHANGES * n, sizeof(*ch));
	u32 len, nr = 0, tampered = 0, tries;

	if (!old || !cur || !cur2 || !ch)
		cli_die(v->c, -ENOMEM, "text verify");
	for (tries = 0; tries < SETTLE_TRIES; tries++) {
		if (tries) {
			/* Mid-patch? Decode the sites afresh and read again. */
			cli_sleep_ms(SETTLE_MS);
			mintmon_text_sites_destroy(v->s);
			v->s = sites_open(v->c, v->t);
			v->settles++;
		}
		len = span_bytes(v, p0, p1, first, last, old, cur, cur2, &va);
		tampered = mintmon_text_compare(v->s, va, old, cur, len, ch,
						(u32)(MINTMON_TEXT_MAX_CHANGES * n), &nr);
		if (!tampered)
			break;
	}
	if (nr > MINTMON_TEXT_MAX_CHANGES * n) {
		v->tampered += nr - (u32)(MINTMON_TEXT_MAX_CHANGES * n);
		nr = (u32)(MINTMON_TEXT_MAX_CHANGES * n);
	}
	record_changes(v, va, old, cur, ch, nr);
	free(old);
	free(cur);
	free(cur2);
	free(ch);
}

static void print_hex(const u8 *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		printf("%s%02x", i ? " " : "", b[i]);
}

static void print_findings(struct verify *v, struct mintmon_kernel *k)
{
	u32 i;

	for (i = 0; i < v->nr_f; i++) {
		const struct finding *f = &v->f[i];
		char sym[256], tsym[256], words[96];
		u64 tgt = 0;
		u32 flen;

		sym_of(k, f->c.addr, sym, sizeof(sym));
		if (f->map) {
			printf("tampered    %016" PRIx64 " %s  page mapped %s (baseline: %s)\n",
			       f->c.addr, sym, map_words(f->map, words, sizeof(words)),
			       f->old_map ? map_words(f->old_map, tsym, sizeof(tsym)) : "as the image");
			continue;
		}
		if (f->c.explained) {
			mintmon_text_form_of(f->cur, f->shown, f->c.addr, &tgt, &flen);
			tsym[0] = '\0';
			if (tgt) {
				char s2[240];

				sym_of(k, tgt, s2, sizeof(s2));
				snprintf(tsym, sizeof(tsym), " %s", s2);
			}
			printf("explained   %016" PRIx64 " %s  %s%s: %s -> %s%s\n", f->c.addr, sym,
			       kind_word(&f->site),
			       f->site.flags & MINTMON_SITE_TRAMP ? " trampoline" :
			       f->site.flags & MINTMON_SITE_FTRACE_FUNC ? " caller" : "",
			       f->old_form ? mintmon_text_form_name(f->old_form) : "other",
			       mintmon_text_form_name(f->c.form), tsym);
			continue;
		}
		printf("tampered    %016" PRIx64 " %s  %u byte%s: old ", f->c.addr, sym, f->c.len,
		       f->c.len == 1 ? "" : "s");
		print_hex(f->old, f->shown);
		printf(" new ");
		print_hex(f->cur, f->shown);
		if (f->site.orig_len)
			printf(" (a %s whose saved bytes differ from the text it replaced)",
			       kind_word(&f->site));
		printf("\n");
	}
}

static void json_findings(struct verify *v, struct mintmon_kernel *k)
{
	u32 i, j;

	for (i = 0; i < v->nr_f; i++) {
		const struct finding *f = &v->f[i];
		char sym[256], words[96];

		sym_of(k, f->c.addr, sym, sizeof(sym));
		printf("%s{\"addr\": \"0x%" PRIx64 "\", \"symbol\": ", i ? ", " : "", f->c.addr);
		cli_json_string(stdout, sym, strlen(sym));
		if (f->map) {
			printf(", \"verdict\": \"tampered\", \"what\": \"mapping\", \"mapping\": \"%s\"}",
			       map_words(f->map, words, sizeof(words)));
			continue;
		}
		printf(", \"len\": %u, \"verdict\": \"%s\"", f->c.len,
		       f->c.explained ? "explained" : "tampered");
		if (f->c.explained || f->site.orig_len)
			printf(", \"kind\": \"%s\", \"trampoline\": %s, \"state\": \"0x%" PRIx64 "\"",
			       kind_word(&f->site), f->site.flags & MINTMON_SITE_TRAMP ? "true" : "false",
			       f->site.state);
		if (f->c.explained)
			printf(", \"old_form\": \"%s\", \"form\": \"%s\"",
			       f->old_form ? mintmon_text_form_name(f->old_form) : "other",
			       mintmon_text_form_name(f->c.form));
		printf(", \"old\": \"");
		for (j = 0; j < f->shown; j++)
			printf("%02x", f->old[j]);
		printf("\", \"new\": \"");
		for (j = 0; j < f->shown; j++)
			printf("%02x", f->cur[j]);
		printf("\"}");
	}
}

static int text_verify(struct cli *c, struct mintmon_text *t)
{
	struct mintmon_kernel *k = cli_kernel(c);
	struct verify v = {.c = c, .t = t};
	struct mintmon_baseline b;
	const struct mintmon_text_region *r;
	u64 n = mintmon_text_nr_pages(t), i, boot = mintmon_boot_id_hash(&k->id);
	u8 (*hash)[MINTMON_SHA256_LEN] = calloc(CHUNK, MINTMON_SHA256_LEN);
	u8 *buf = malloc((size_t)CHUNK * MINTMON_TEXT_PAGE), *map = calloc(CHUNK, 1);
	bool *changed = calloc(n, sizeof(bool));
	unsigned int nr, j;
	char why[256];
	size_t size;
	u8 *file;
	u32 total_explained = 0;

	if (!c->o.baseline)
		cli_usage_error("text verify needs --baseline FILE or --image PATH");
	if (!hash || !buf || !map || !changed)
		cli_die(c, -ENOMEM, "text");
	file = load_file(c->o.baseline, &size);
	if (mintmon_baseline_parse(file, size, &b, why, sizeof(why))) {
		fprintf(stderr, "mintmon: text verify: %s: %s\n", c->o.baseline, why);
		exit(1);
	}
	if (strcmp(b.release, k->release)) {
		fprintf(stderr, "mintmon: text verify: the baseline is of another kernel (%s; this "
			"is %s)\n", b.release, k->release);
		exit(1);
	}
	if (b.boot_id != boot || b.kaslr_offset != k->kaslr_offset || b.text_virt != k->text_virt) {
		fprintf(stderr, "mintmon: text verify: the baseline is of another boot (boot id "
			"%016" PRIx64 "; this boot is %016" PRIx64 "): take a new baseline\n",
			b.boot_id, boot);
		exit(1);
	}
	r = mintmon_text_regions(t, &nr);
	if (b.nr_pages != n || b.nr_regions != nr) {
		fprintf(stderr, "mintmon: text verify: the baseline's regions differ from the "
			"kernel's (%u regions, %u of them modules; now %u with %u): modules were "
			"loaded or unloaded since: take a new baseline\n", b.nr_regions,
			b.nr_regions > 2 ? b.nr_regions - 2 : 0, nr, nr_modules(t));
		exit(1);
	}
	for (j = 0; j < nr; j++) {
		if (b.region[j].start != r[j].start || b.region[j].end != r[j].end ||
		    b.region[j].kind != r[j].kind) {
			fprintf(stderr, "mintmon: text verify: the baseline's region %u (%s "
				"0x%" PRIx64 "-0x%" PRIx64 ") is not the kernel's now%s%s: take a new "
				"baseline\n", j, mintmon_text_region_name(b.region[j].kind),
				b.region[j].start, b.region[j].end, *r[j].name ? ", module " : "",
				r[j].name);
			exit(1);
		}
	}
	/* Pass 1: hash every page. */
	for (i = 0; i < n; i += CHUNK) {
		u32 m = n - i < CHUNK ? (u32)(n - i) : CHUNK, p;

		if (mintmon_text_read_pages(t, i, m, buf, map) ||
		    mintmon_text_hash_pages(t, i, m, buf, hash))
			cli_die(c, -EIO, "text verify");
		for (p = 0; p < m; p++) {
			u8 old_map;
			const u8 *h = mintmon_baseline_hash(&b, i + p, &old_map);

			changed[i + p] = memcmp(h, hash[p], MINTMON_SHA256_LEN) != 0;
			v.changed_pages += changed[i + p];
			if (map[p] != old_map) {
				struct finding *f = finding_new(&v);
				u32 len;

				mintmon_text_page(t, i + p, &f->c.addr, &len, NULL);
				f->map = map[p];
				f->old_map = old_map;
				v.tampered++;
			}
		}
	}
	/* Pass 2: explain the changed pages, a run of them at a time. */
	v.b = &b;
	for (j = 0; j < nr && v.changed_pages; j++) {
		u64 first = r[j].first_page;
		u64 last = first + (r[j].end - r[j].start + MINTMON_TEXT_PAGE - 1) /
					   MINTMON_TEXT_PAGE - 1;

		for (i = first; i <= last; i++) {
			u64 e = i;

			if (!changed[i])
				continue;
			if (!v.s)
				v.s = sites_open(c, t);
			while (e < last && changed[e + 1] && e - i + 1 < CHUNK)
				e++;
			verify_span(&v, i, e, first, last);
			i = e;
		}
	}
	for (j = 0; j < MINTMON_SITE_NR_KINDS; j++)
		total_explained += v.explained[j];
	if (c->o.json) {
		printf("{\"release\": ");
		cli_json_string(stdout, k->release, strlen(k->release));
		printf(", \"pages\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"changed_pages\": %" PRIu64
		       ", \"explained\": {\"jump_label\": %u, \"static_call\": %u, \"ftrace\": %u, "
		       "\"kprobe\": %u}, \"tampered\": %u, \"rereads\": %" PRIu64 ", \"settles\": %"
		       PRIu64 ", \"result\": \"%s\", \"changes\": [", n, mintmon_text_nr_bytes(t),
		       v.changed_pages, v.explained[0], v.explained[1], v.explained[2],
		       v.explained[3], v.tampered, v.rereads, v.settles,
		       v.tampered ? "tampered" : total_explained ? "explained" : "clean");
		json_findings(&v, k);
		printf("]}\n");
	} else {
		print_findings(&v, k);
		printf("%s: %" PRIu64 " pages (%.1f MiB), %" PRIu64 " changed; explained: %u "
		       "jump_label, %u static_call, %u ftrace, %u kprobe; tampered: %u\n",
		       v.tampered ? "TAMPERED" : total_explained ? "explained" : "clean", n,
		       mintmon_text_nr_bytes(t) / 1048576.0, v.changed_pages,
		       v.explained[0], v.explained[1], v.explained[2], v.explained[3], v.tampered);
	}
	if (c->o.verbose)
		fprintf(stderr, "mintmon: text verify: %" PRIu64 " pages read again, %" PRIu64
			" looks again after an unexplained change\n", v.rereads, v.settles);
	mintmon_text_sites_destroy(v.s);
	free(v.f);
	free(file);
	free(hash);
	free(buf);
	free(map);
	free(changed);
	return v.tampered ? EXIT_TAMPERED : 0;
}

static int text_sites(struct cli *c, struct mintmon_text *t)
{
	struct mintmon_kernel *k = cli_kernel(c);
	u64 n = mintmon_text_nr_pages(t), i;
	u8 *map = calloc(n, 1), *all;
	struct mintmon_text_sites *s;
	u32 inconsistent = 0;

	if (!map)
		cli_die(c, -ENOMEM, "text");
	all = read_all(c, t, map);
	s = sites_open(c, t);
	if (c->o.json)
		printf("[");
	for (i = 0; i < s->nr; i++) {
		const struct mintmon_text_site *site = &s->site[i];
		u64 tgt = 0;
		u32 avail = 0, len = 0, mlen;
		const u8 *b = bytes_at(t, all, site->addr, &avail);
		u16 form = b ? mintmon_text_form_of(b, avail, site->addr, &tgt, &len) : 0, mform;
		bool ok = b && mintmon_text_site_match(site, b, avail, &mform, &mlen);
		char sym[256];

		inconsistent += !ok;
		sym_of(k, site->addr, sym, sizeof(sym));
		if (c->o.json) {
			printf("%s\n{\"addr\": \"0x%" PRIx64 "\", \"symbol\": ", i ? "," : "",
			       site->addr);
			cli_json_string(stdout, sym, strlen(sym));
			printf(", \"kind\": \"%s\", \"trampoline\": %s, \"tail\": %s, \"ref\": \"0x%"
			       PRIx64 "\", \"state\": \"0x%" PRIx64 "\", \"form\": \"%s\", \"len\": %u, "
			       "\"target\": \"0x%" PRIx64 "\", \"consistent\": %s}",
			       kind_word(site), site->flags & MINTMON_SITE_TRAMP ? "true" : "false",
			       site->flags & MINTMON_SITE_TAIL ? "true" : "false", site->ref,
			       site->state, form ? mintmon_text_form_name(form) : "other", len, tgt,
			       ok ? "true" : "false");
		} else {
			printf("%016" PRIx64 " %-11s %-5s %-40s state 0x%-16" PRIx64 " %s%s\n",
			       site->addr, kind_word(site),
			       form ? mintmon_text_form_name(form) : "other", sym, site->state,
			       ok ? "ok" : "INCONSISTENT",
			       site->flags & MINTMON_SITE_TRAMP ? " (trampoline)" : "");
		}
	}
	if (c->o.json)
		printf("%s]\n", s->nr ? "\n" : "");
	else
		printf("%u sites (%u jump_label, %u static_call, %u ftrace, %u kprobe), %u "
		       "inconsistent with their state, %u entries skipped\n", s->nr,
		       s->count[0], s->count[1], s->count[2], s->count[3], inconsistent, s->skipped);
	mintmon_text_sites_destroy(s);
	free(all);
	free(map);
	return 0;
}

int cmd_text(struct cli *c, int argc, char **argv)
{
	/* The booted image holds no module: --image checks the kernel's own regions. */
	struct mintmon_text *t = text_open(c, !c->o.image);
	int ret;

	if (!strcmp(argv[0], "baseline"))
		ret = text_baseline(c, t);
	else if (!strcmp(argv[0], "verify") && c->o.image) {
		u8 *map = calloc(mintmon_text_nr_pages(t), 1), *all;

		if (!map)
			cli_die(c, -ENOMEM, "text");
		all = read_all(c, t, map);
		ret = text_verify_image(c, t, all);
		free(all);
		free(map);
	} else if (!strcmp(argv[0], "verify"))
		ret = text_verify(c, t);
	else if (!strcmp(argv[0], "sites"))
		ret = text_sites(c, t);
	else
		cli_usage_error("text takes baseline, verify or sites");
	mintmon_text_destroy(t);
	return ret;
}
