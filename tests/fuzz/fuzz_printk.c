// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the kernel-log reader (monitor/core/printk.c):
 * the synthetic kernel of tests/unit/synth_kernel.c, attached once, with
 * the input's patches laid over its printk ring (the ring structure, the
 * descriptor and info arrays and the text data: tests/unit/synth_kernel.h
 * log_region).
 *
 * Input: a list of patches, each u16 offset (little-endian, modulo the
 * region), u8 length (modulo SYNTH_PATCH_MAX + 1), that many bytes. Each
 * input is read twice, from the oldest record and through a cursor that
 * stands where the clean ring ends, as `dmesg --follow` would.
 *
 * Besides "no crash, no hang, no leak": every record returned has a text
 * that fits its length, sequence numbers only go up, at most one ring's
 * worth (the largest ring it accepts) comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mintmon/printk.h"
#include "../unit/synth_kernel.h"

#define MAX_PATCHES 64

static struct synth_kernel *sk;
static struct synth_memory sm;
static struct mintmon_memory mem;
static struct mintmon_error err;
static struct mintmon_kernel *k;
static struct mintmon_log *log_;
static struct mintmon_log_cursor clean_end;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

struct check {
	u64 last_seq;
	unsigned int n;
};

static int check_record(void *arg, const struct mintmon_log_record *r)
{
	struct check *c = arg;
	volatile char sink = 0;
	u16 i;

	if ((c->n && r->seq <= c->last_seq) || r->level > 7 || ++c->n > 1u << MINTMON_LOG_MAX_COUNT_BITS)
		__builtin_trap();
	for (i = 0; i < r->text_len; i++)	/* ASan: the text is where it says */
		sink ^= r->text[i];
	(void)sink;
	c->last_seq = r->seq;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct synth_params p;

	synth_fuzz_params(&p);
	sk = synth_new(&p);
	if (!sk)
		abort();
	synth_memory_init(&sm, &mem, sk->mem, p.mem_size);
	mintmon_error_init(&err, 0);
	if (mintmon_kernel_create(&mem, NULL, &err, &k) || mintmon_log_create(k, &log_))
		abort();
	/* The clean ring reads whole: the fuzzer starts from something that works. */
	{
		struct check c = {0};

		if (mintmon_log_read(log_, &clean_end, check_record, &c, NULL) || !c.n)
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct synth_patch patches[MAX_PATCHES];
	const struct mintmon_phys_range *r = &sk->log_region;
	struct mintmon_log_cursor cur = clean_end;
	struct check c = {0};
	unsigned int n = 0;
	size_t pos = 0;

	while (n < MAX_PATCHES && size - pos >= 3) {
		u32 off = (u32)(data[pos] | data[pos + 1] << 8) % (u32)r->size;
		u32 len = data[pos + 2] % (SYNTH_PATCH_MAX + 1);

		pos += 3;
		if (len > size - pos)
			len = (u32)(size - pos);
		if (len > r->size - off)
			len = (u32)(r->size - off);
		patches[n].phys = r->start + off;
		patches[n].len = len;
		memcpy(patches[n].data, data + pos, len);
		pos += len;
		n++;
	}
	sm.patches = patches;
	sm.nr_patches = n;
	mintmon_error_clear(&err);
	mintmon_log_read(log_, NULL, check_record, &c, NULL);
	c.n = 0;
	mintmon_log_read(log_, &cur, check_record, &c, NULL);
	sm.patches = NULL;
	sm.nr_patches = 0;
	return 0;
}
