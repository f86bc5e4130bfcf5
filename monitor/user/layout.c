// SPDX-License-Identifier: GPL-2.0
/* The layout of a plain file: target, learnt from its kernel's e820 table (layout.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"

unsigned int mintmon_layout_guesses(u64 file_size, u64 low_ends[MINTMON_LAYOUT_MAX_GUESSES])
{
	static const u64 qemu[MINTMON_LAYOUT_MAX_GUESSES] = {
		0xc0000000,	/* pc, more than 3.5 GiB of RAM */
		0x80000000,	/* q35, 2.75 GiB or more */
		0xe0000000,	/* pc machine types before 1.7 */
		0xb0000000,	/* q35 machine types before 1.7 */
	};
	unsigned int i, n = 0;

	for (i = 0; i < MINTMON_LAYOUT_MAX_GUESSES; i++) {
		if (qemu[i] < file_size)
			low_ends[n++] = qemu[i];
	}
	return n;
}

unsigned int mintmon_layout_split(u64 file_size, u64 low_end, struct mintmon_reader_segment segs[2])
{
	segs[0].phys = 0;
	segs[0].size = low_end;
	segs[0].offset = 0;
	segs[1].phys = MINTMON_LAYOUT_4G;
	segs[1].size = file_size - low_end;
	segs[1].offset = low_end;
	return 2;
}

static int no_fit(char *why, size_t why_size, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int no_fit(char *why, size_t why_size, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

int mintmon_layout_choose(u64 file_size, const struct mintmon_phys_range *ram, unsigned int nr,
			  u64 *low_end_ret, char *why, size_t why_size)
{
	unsigned long long size = file_size, top = 0, high, low_end;
	unsigned int i;

	if (!nr)
		return no_fit(why, why_size, -ENODATA, "the kernel's RAM is unknown");
	for (i = 0; i < nr; i++) {
		u64 end;

		if (mintmon_add_overflow(ram[i].start, ram[i].size, &end))
			return no_fit(why, why_size, -ENOENT, "RAM at %#llx wraps around",
				      (unsigned long long)ram[i].start);
		if (end > top)
			top = end;
	}
	if (top <= size) {
		*low_end_ret = 0;
		return 0;
	}
	if (top <= MINTMON_LAYOUT_4G)
		return no_fit(why, why_size, -ENOENT,
			      "RAM reaches %#llx, the %#llx-byte file ends below it (truncated?)",
			      top, size);
	high = top - MINTMON_LAYOUT_4G;
	if (high >= size)
		return no_fit(why, why_size, -ENOENT,
			      "RAM reaches %#llx: its %#llx bytes above 4 GiB alone exceed the "
			      "%#llx-byte file", top, high, size);
	/* The file's last byte is the RAM's top: the low part is the rest. */
	low_end = size - high;
	if (low_end & 0xfff)
		return no_fit(why, why_size, -ENOENT,
			      "RAM reaches %#llx: a split of the %#llx-byte file there would end "
			      "low RAM at %#llx, not on a page boundary", top, size, low_end);
	for (i = 0; i < nr; i++) {
		unsigned long long start = ram[i].start, end = start + ram[i].size;

		if (start < MINTMON_LAYOUT_4G && end > low_end)
			return no_fit(why, why_size, -ENOENT,
				      "RAM %#llx-%#llx lies above %#llx, where a split of the "
				      "%#llx-byte file ending at RAM's top %#llx must put the hole",
				      start, end, low_end, size, top);
	}
	*low_end_ret = low_end;
	return 0;
}

static void note(int verbose, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(int verbose, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("mintmon: layout: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int remap_identity(struct mintmon_memory *mem, u64 size, const char *desc)
{
	struct mintmon_reader_segment seg = {0, size, 0};

	return mintmon_reader_remap(mem, &seg, 1, desc, NULL);
}

/*
 * Attach on a QEMU split at low_end. 0 with the session if the kernel's RAM
 * fits it (or is unknown); -EAGAIN with *want_ret if the RAM says another
 * split; else an error (no session).
 */
static int attach_split(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			int verbose, u64 size, u64 low_end, struct mintmon_session **s_ret,
			u64 *want_ret)
{
	struct mintmon_reader_segment segs[2];
	struct mintmon_session *s = NULL;
	char desc[MINTMON_LAYOUT_DESC_LEN], why[160];
	u64 want;
	int err;

	snprintf(desc, sizeof(desc), "qemu split at %#llx", (unsigned long long)low_end);
	err = mintmon_reader_remap(mem, segs, mintmon_layout_split(size, low_end, segs), desc,
				   NULL);
	if (err)
		return err;
	err = mintmon_session_create(mem, opts, verbose, &s);
	if (err) {
		note(verbose, "%s: no kernel (%s)", desc, s ? s->err.msg : strerror(-err));
		mintmon_session_destroy(s);
		return err;
	}
	if (!s->k->ram_known) {
		snprintf(desc, sizeof(desc), "qemu split at %#llx (RAM unknown)",
			 (unsigned long long)low_end);
		mintmon_reader_remap(mem, segs, 2, desc, NULL);	/* the same, renamed */
		note(verbose, "%s: the kernel's RAM is unknown, layout not checked", desc);
		*s_ret = s;
		return 0;
	}
	err = mintmon_layout_choose(size, s->k->ram, s->k->nr_ram, &want, why, sizeof(why));
	if (!err && want == low_end) {
		note(verbose, "%s: the kernel's e820 RAM fits", desc);
		*s_ret = s;
		return 0;
	}
	mintmon_session_destroy(s);
	if (!err && want) {
		note(verbose, "%s: the kernel's e820 RAM says a split at %#llx", desc,
		     (unsigned long long)want);
		*want_ret = want;
		return -EAGAIN;
	}
	note(verbose, "%s: the kernel's e820 RAM does not fit: %s", desc,
	     err ? why : "it lies below the file's end");
	return -ENOENT;
}

/* A split from a guess or from e820, following e820's word once. */
static int try_split(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
		     int verbose, u64 size, u64 low_end, struct mintmon_session **s_ret)
{
	u64 want = 0;
	int err = attach_split(mem, opts, verbose, size, low_end, s_ret, &want);

	if (err == -EAGAIN)
		err = attach_split(mem, opts, verbose, size, want, s_ret, &want);
	return err == -EAGAIN ? -ENOENT : err;
}

int mintmon_layout_attach(struct mintmon_memory *mem, const struct mintmon_kernel_options *opts,
			  int verbose, struct mintmon_session **session_ret)
{
	struct mintmon_session *s = NULL, *ns = NULL;
	u64 size, low_end, guesses[MINTMON_LAYOUT_MAX_GUESSES];
	char why[160], tried[96] = "";
	unsigned int i, n;
	int err, err2;

	if (!mintmon_reader_plain_file(mem, &size))
		return mintmon_session_create(mem, opts, verbose, session_ret);
	err = mintmon_session_create(mem, opts, verbose, &s);
	if (err == -ENOMEM)
		return err;
	if (!err) {
		if (!s->k->ram_known) {
			note(verbose, "identity: the kernel's RAM is unknown, layout not checked");
			*session_ret = s;
			return 0;
		}
		err2 = mintmon_layout_choose(size, s->k->ram, s->k->nr_ram, &low_end, why,
					     sizeof(why));
		if (!err2 && !low_end) {
			note(verbose, "identity: the kernel's e820 RAM lies inside the file");
			*session_ret = s;
			return 0;
		}
		if (err2) {
			/* Nothing fits better: keep identity, and say what is wrong with it. */
			note(verbose, "identity, though %s", why);
			mintmon_error_warn(&s->err, "layout", "no layout fits the kernel's RAM: %s",
					   why);
			remap_identity(mem, size, "identity (the kernel's RAM lies beyond the file)");
			mintmon_kernel_use_ram(s->k);
			*session_ret = s;
			return 0;
		}
		note(verbose, "identity: the kernel's e820 RAM says a QEMU split at %#llx",
		     (unsigned long long)low_end);
		mintmon_session_destroy(s);
		s = NULL;
		err = try_split(mem, opts, verbose, size, low_end, &ns);
		if (!err) {
			*session_ret = ns;
			return 0;
		}
		if (err == -ENOMEM)
			return err;
		/* The split failed where identity worked: identity it is. */
		remap_identity(mem, size, "identity");
		return mintmon_session_create(mem, opts, verbose, session_ret);
	}
	/* No kernel with the identity layout: QEMU's usual splits. */
	note(verbose, "identity: no kernel (%s)", s->err.msg);
	n = mintmon_layout_guesses(size, guesses);
	for (i = 0; i < n; i++) {
		err2 = try_split(mem, opts, verbose, size, guesses[i], &ns);
		if (!err2) {
			mintmon_session_destroy(s);
			*session_ret = ns;
			return 0;
		}
		if (err2 == -ENOMEM) {
			mintmon_session_destroy(s);
			return err2;
		}
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%#llx",
			 i ? ", " : "", (unsigned long long)guesses[i]);
	}
	remap_identity(mem, size, "identity");
	if (n)
		mintmon_error_context(&s->err, err, s->err.step,
				      "no kernel as identity nor as a QEMU split at %s", tried);
	*session_ret = s;
	return err;
}
