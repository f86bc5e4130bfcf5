// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log from outside (see printk.h). What the kernel's ring looks
 * like (kernel/printk/printk_ringbuffer.h, since v5.10: 896fbe20b4e2; the
 * infos in their own array since v5.11: cfe2790b163a):
 *
 *   prb -> struct printk_ringbuffer {
 *            desc_ring { count_bits, descs[], infos[], head_id, tail_id, ... }
 *            text_data_ring { size_bits, data[], head_lpos, tail_lpos }
 *            fail }
 *   descs[id % count].state_var = state << 62 | id   (state 2: finalized)
 *   descs[id % count].text_blk_lpos = { begin, next }: logical positions in
 *       the data ring; a block that would wrap starts at index 0 instead;
 *       bit 0 set: no data. A block is { unsigned long id; char text[]; }.
 *   infos[id % count] = { seq, ts_nsec, text_len, facility, flags:5,
 *       level:3, caller_id, ... }, and seq % count == id % count.
 */
#include "mintmon/printk.h"

#include "mintmon/field.h"
#include "mintmon/kallsyms.h"

#define LOG_SV_BITS		64
#define LOG_SV_STATE_SHIFT	(LOG_SV_BITS - 2)
#define LOG_SV_ID_MASK	((1ull << LOG_SV_STATE_SHIFT) - 1)
#define LOG_DESC_FINALIZED	2
#define LOG_DESC_REUSABLE	3
#define LOG_BLK_NO_DATA	1ull	/* bit 0 of begin: FAILED_LPOS or NO_LPOS */
#define LOG_BLK_ID_LEN	8	/* the block's id before its text */
/* A block holds one record's text: LOG_LINE_MAX (1024 - 32) at most, with slack. */
#define LOG_MAX_BLOCK	4096

enum ring_field {
	LOG_R_COUNT_BITS, LOG_R_DESCS, LOG_R_INFOS, LOG_R_HEAD_ID, LOG_R_TAIL_ID, LOG_R_SIZE_BITS, LOG_R_DATA, LOG_R_FAIL,
	LOG_NR_RING
};
enum desc_field { LOG_D_STATE, LOG_D_BEGIN, LOG_D_NEXT, LOG_NR_DESC };
enum info_field { LOG_I_SEQ, LOG_I_TS, LOG_I_TEXT_LEN, LOG_I_FACILITY, LOG_I_FLAGS, LOG_I_LEVEL, LOG_I_CALLER, LOG_NR_INFO };

static const char *const ring_paths[LOG_NR_RING] = {
	"desc_ring.count_bits", "desc_ring.descs", "desc_ring.infos", "desc_ring.head_id",
	"desc_ring.tail_id", "text_data_ring.size_bits", "text_data_ring.data", "fail",
};
static const char *const desc_paths[LOG_NR_DESC] = {
	"state_var", "text_blk_lpos.begin", "text_blk_lpos.next",
};
static const char *const info_paths[LOG_NR_INFO] = {
	"seq", "ts_nsec", "text_len", "facility", "flags", "level", "caller_id",
};

struct mintmon_log {
	struct mintmon_kernel *k;
	u64 prb_vaddr;		/* &prb: the pointer to the ring */
	struct mintmon_field ring[LOG_NR_RING], desc[LOG_NR_DESC], info[LOG_NR_INFO];
	u64 ring_size, desc_size, info_size;
	/* The last read's geometry, and what is allocated for it. */
	u32 count_bits, size_bits;
	u8 *descs, *descs2, *infos;	/* count entries each */
	u8 *text;		/* the data ring's mirror: blocks at their own offsets */
	struct mintmon_vreq *reqs;	/* count + 4 */
	u32 *order;		/* per slot: where its block lies, see read() */
	u8 *ring_buf;
};

static int need_struct(struct mintmon_log *log, const char *name, const char *const *paths,
		       unsigned int n, struct mintmon_field *f, u64 *size_ret)
{
	struct mintmon_btf *btf = log->k->btf;
	unsigned int i;
	u32 id;
	int err;

	err = mintmon_btf_find(btf, name, MINTMON_BTF_KIND_STRUCT, &id);
	if (!err)
		err = mintmon_btf_type_size(btf, id, size_ret);
	if (err)
		return mintmon_fail(log->k->err, -ENOENT, "log",
				    "no struct %s in BTF: not a lockless printk ring (v5.10+)",
				    name);
	for (i = 0; i < n; i++) {
		err = mintmon_field_init(btf, name, paths[i], true, &f[i]);
		if (err)
			return err;
	}
	return 0;
}

int mintmon_log_create(struct mintmon_kernel *k, struct mintmon_log **log_ret)
{
	struct mintmon_log *log = mintmon_calloc(1, sizeof(*log));
	int err;

	if (!log)
		return mintmon_fail(k->err, -ENOMEM, "log", "out of memory");
	log->k = k;
	err = mintmon_kallsyms_lookup(k->kallsyms, "prb", &log->prb_vaddr);
	if (err) {
		err = mintmon_fail(k->err, -ENOENT, "log", "no prb symbol: no printk ring buffer");
		goto fail;
	}
	err = need_struct(log, "printk_ringbuffer", ring_paths, LOG_NR_RING, log->ring,
			  &log->ring_size);
	if (!err)
		err = need_struct(log, "prb_desc", desc_paths, LOG_NR_DESC, log->desc, &log->desc_size);
	if (!err)
		err = need_struct(log, "printk_info", info_paths, LOG_NR_INFO, log->info,
				  &log->info_size);
	if (err)
		goto fail;
	if (log->ring_size > 4096 || !log->desc_size || log->desc_size > 4096 ||
	    !log->info_size || log->info_size > 4096) {
		err = mintmon_fail(k->err, -EINVAL, "log", "printk structures of odd sizes");
		goto fail;
	}
	log->ring_buf = mintmon_malloc(log->ring_size);
	if (!log->ring_buf) {
		err = mintmon_fail(k->err, -ENOMEM, "log", "out of memory");
		goto fail;
	}
	*log_ret = log;
	return 0;
fail:
	mintmon_log_destroy(log);
	return err;
}

static void free_geometry(struct mintmon_log *log)
{
	mintmon_free(log->descs);
	mintmon_free(log->descs2);
	mintmon_free(log->infos);
	mintmon_free(log->text);
	mintmon_free(log->reqs);
	mintmon_free(log->order);
	log->descs = log->descs2 = log->infos = log->text = NULL;
	log->reqs = NULL;
	log->order = NULL;
	log->count_bits = log->size_bits = 0;
}

void mintmon_log_destroy(struct mintmon_log *log)
{
	if (!log)
		return;
	free_geometry(log);
	mintmon_free(log->ring_buf);
	mintmon_free(log);
}

/* Buffers for a ring of 2^count_bits descriptors and 2^size_bits bytes of text. */
static int set_geometry(struct mintmon_log *log, u32 count_bits, u32 size_bits)
{
	u64 count = 1ull << count_bits;

	if (log->descs && log->count_bits == count_bits && log->size_bits == size_bits)
		return 0;
	free_geometry(log);
	log->descs = mintmon_malloc(count * log->desc_size);
	log->descs2 = mintmon_malloc(count * log->desc_size);
	log->infos = mintmon_malloc(count * log->info_size);
	log->text = mintmon_malloc(1ull << size_bits);
	log->reqs = mintmon_calloc(count + 4, sizeof(*log->reqs));
	log->order = mintmon_calloc(count, sizeof(*log->order));
	if (!log->descs || !log->descs2 || !log->infos || !log->text || !log->reqs ||
	    !log->order) {
		free_geometry(log);
		return mintmon_fail(log->k->err, -ENOMEM, "log", "out of memory");
	}
	log->count_bits = count_bits;
	log->size_bits = size_bits;
	return 0;
}

/* Requests for slots [first, first + n) of an array of count entries (two if it wraps). */
static unsigned int slot_reqs(struct mintmon_vreq *r, u64 base, u8 *buf, u64 esize, u64 count,
			      u64 first, u64 n)
{
	u64 idx = first & (count - 1), run = n < count - idx ? n : count - idx;

	r[0] = (struct mintmon_vreq){.vaddr = base + idx * esize, .buf = buf + idx * esize,
				     .len = (u32)(run * esize)};
	if (run == n)
		return 1;
	r[1] = (struct mintmon_vreq){.vaddr = base, .buf = buf, .len = (u32)((n - run) * esize)};
	return 2;
}

static u64 desc_get(const struct mintmon_log *log, const u8 *descs, u64 slot, enum desc_field f)
{
	return mintmon_field_get(&log->desc[f], descs + slot * log->desc_size, 0, log->desc_size);
}

static u64 info_get(const struct mintmon_log *log, u64 slot, enum info_field f)
{
	return mintmon_field_get(&log->info[f], log->infos + slot * log->info_size, 0,
				 log->info_size);
}

/*
 * Where the text of the finalized record in slot lies in the data ring:
 * 0 and its offset and length (with the block id), 1 for no data, -EINVAL
 * for positions that do not make a block of this ring.
 */
static int block_of(const struct mintmon_log *log, u64 slot, u64 *off_ret, u64 *len_ret)
{
	u64 size = 1ull << log->size_bits, begin = desc_get(log, log->descs, slot, LOG_D_BEGIN),
	    next = desc_get(log, log->descs, slot, LOG_D_NEXT), len;

	if ((begin & LOG_BLK_NO_DATA) || begin == next)
		return 1;
	if (next - begin > size)	/* a block is never longer than the ring */
		return -EINVAL;
	if ((begin >> log->size_bits) == (next >> log->size_bits)) {
		*off_ret = begin & (size - 1);
		len = next - begin;
	} else {			/* it would have wrapped: it starts the ring */
		*off_ret = 0;
		len = next & (size - 1);
	}
	if (len < LOG_BLK_ID_LEN || len > LOG_MAX_BLOCK || *off_ret > size - len)
		return -EINVAL;
	*len_ret = len;
	return 0;
}

struct id_range {
	u64 count, first_id, n;
};

/*
 * The ring's header, then the geometry check: 0 and the ids to read
 * (from the cursor, or the tail), or an errno (recorded).
 */
static int read_header(struct mintmon_log *log, const struct mintmon_log_cursor *cur,
		       struct id_range *r, u64 *descs_ret, u64 *infos_ret, u64 *data_ret,
		       struct mintmon_log_stats *st)
{
	struct mintmon_kernel *k = log->k;
	u64 prb, head, tail, count_bits, size_bits, span;
	int err;

	err = mintmon_kernel_read_u64(k, log->prb_vaddr, &prb);
	if (!err)
		err = mintmon_kernel_read(k, 0, prb, log->ring_buf, log->ring_size, NULL);
	if (err)
		return mintmon_error_context(k->err, err, "log", "cannot read the printk ring");
	count_bits = mintmon_field_get(&log->ring[LOG_R_COUNT_BITS], log->ring_buf, 0, log->ring_size);
	size_bits = mintmon_field_get(&log->ring[LOG_R_SIZE_BITS], log->ring_buf, 0, log->ring_size);
	*descs_ret = mintmon_field_get(&log->ring[LOG_R_DESCS], log->ring_buf, 0, log->ring_size);
	*infos_ret = mintmon_field_get(&log->ring[LOG_R_INFOS], log->ring_buf, 0, log->ring_size);
	*data_ret = mintmon_field_get(&log->ring[LOG_R_DATA], log->ring_buf, 0, log->ring_size);
	head = mintmon_field_get(&log->ring[LOG_R_HEAD_ID], log->ring_buf, 0, log->ring_size) &
	       LOG_SV_ID_MASK;
	tail = mintmon_field_get(&log->ring[LOG_R_TAIL_ID], log->ring_buf, 0, log->ring_size) &
	       LOG_SV_ID_MASK;
	st->fail = mintmon_field_get(&log->ring[LOG_R_FAIL], log->ring_buf, 0, log->ring_size);
	/* Bounded so that each array is one request of at most 1 GiB (u32 lengths). */
	if (!count_bits || count_bits > MINTMON_LOG_MAX_COUNT_BITS || size_bits < 6 ||
	    size_bits > MINTMON_LOG_MAX_SIZE_BITS || !*descs_ret || !*infos_ret || !*data_ret ||
	    (log->info_size << count_bits) > (1ull << 30) ||
	    (log->desc_size << count_bits) > (1ull << 30))
		return mintmon_fail(k->err, -EINVAL, "log",
				    "printk ring at 0x%llx: %llu descriptor bits, %llu data bits: not a ring",
				    (unsigned long long)prb, (unsigned long long)count_bits,
				    (unsigned long long)size_bits);
	err = set_geometry(log, (u32)count_bits, (u32)size_bits);
	if (err)
		return err;
	r->count = 1ull << count_bits;
	/* tail..head, at most the whole ring (a corrupt tail is clamped). */
	span = ((head - tail) & LOG_SV_ID_MASK) + 1;
	if (span > r->count) {
		mintmon_error_warn(k->err, "log", "descriptor ids %#llx..%#llx span more than the ring",
				   (unsigned long long)tail, (unsigned long long)head);
		span = r->count;
		tail = (head - span + 1) & LOG_SV_ID_MASK;
	}
	r->first_id = tail;
	r->n = span;
	/* From the cursor if it still lies in tail..head + 1. */
	if (cur && cur->valid) {
		u64 ahead = (cur->next_id - tail) & LOG_SV_ID_MASK;

		if (ahead <= span) {
			r->first_id = cur->next_id;
			r->n = span - ahead;
		}
	}
	return 0;
}

int mintmon_log_read(struct mintmon_log *log, struct mintmon_log_cursor *cur,
		     int (*fn)(void *arg, const struct mintmon_log_record *r), void *arg,
		     struct mintmon_log_stats *stats_ret)
{
	struct mintmon_kernel *k = log->k;
	struct mintmon_log_stats st = {0};
	struct mintmon_log_record rec;
	u64 descs = 0, infos = 0, data = 0, i, expect, resume;
	struct id_range r = {0};
	unsigned int nreq, nd;
	bool open_tail = false, known = cur && cur->valid;	/* known: expect is a real seq */
	int err, ret = 0;

	err = read_header(log, cur, &r, &descs, &infos, &data, &st);
	if (err)
		return err;
	expect = cur && cur->valid ? cur->next_seq : 0;
	resume = (r.first_id + r.n) & LOG_SV_ID_MASK;
	if (r.n) {
		/* 1. The descriptors and infos of the ids, in one batch. */
		nd = slot_reqs(log->reqs, descs, log->descs, log->desc_size, r.count, r.first_id,
			       r.n);
		nreq = nd + slot_reqs(log->reqs + nd, infos, log->infos, log->info_size, r.count,
				      r.first_id, r.n);
		err = mintmon_kernel_read_batch(k, log->reqs, nreq);
		if (err)
			return mintmon_error_context(k->err, err, "log",
						     "cannot read the printk descriptors");
		/* 2. The text blocks of the finalized ones (adjacent blocks in one request). */
		nreq = 0;
		for (i = 0; i < r.n; i++) {
			u64 id = (r.first_id + i) & LOG_SV_ID_MASK, slot = id & (r.count - 1), off, len;
			u64 sv = desc_get(log, log->descs, slot, LOG_D_STATE);
			struct mintmon_vreq *q = nreq ? &log->reqs[nreq - 1] : NULL;

			log->order[slot] = 0;
			if ((sv & LOG_SV_ID_MASK) != id || sv >> LOG_SV_STATE_SHIFT != LOG_DESC_FINALIZED ||
			    block_of(log, slot, &off, &len))
				continue;
			log->order[slot] = 1;
			if (q && q->vaddr + q->len == data + off && (u64)q->len + len <= 1u << 30) {
				q->len += (u32)len;
				continue;
			}
			log->reqs[nreq++] = (struct mintmon_vreq){.vaddr = data + off,
								  .buf = log->text + off,
								  .len = (u32)len};
		}
		err = nreq ? mintmon_kernel_read_batch(k, log->reqs, nreq) : 0;
		/* 3. The descriptors again: a record that changed meanwhile is not ours. */
		nd = slot_reqs(log->reqs, descs, log->descs2, log->desc_size, r.count, r.first_id,
			       r.n);
		if (!err)
			err = mintmon_kernel_read_batch(k, log->reqs, nd);
		if (err)
			return mintmon_error_context(k->err, err, "log",
						     "cannot read the printk text");
		mintmon_yield();
	}
	/* 4. The records, in id order. */
	for (i = 0; i < r.n && !ret; i++) {
		u64 id = (r.first_id + i) & LOG_SV_ID_MASK, slot = id & (r.count - 1), off = 0, len = 0;
		u64 sv = desc_get(log, log->descs, slot, LOG_D_STATE), text_len;

		if ((sv & LOG_SV_ID_MASK) != id || sv >> LOG_SV_STATE_SHIFT == LOG_DESC_REUSABLE)
			continue;	/* recycled, or never used: its seq shows as a gap */
		if (sv >> LOG_SV_STATE_SHIFT != LOG_DESC_FINALIZED) {
			/* Still being written: the next read looks again from the first such. */
			if (!open_tail) {
				open_tail = true;
				resume = id;
			}
			continue;
		}
		if (open_tail) {	/* one still open before a finalized one: a stuck writer */
			open_tail = false;
			resume = (r.first_id + r.n) & LOG_SV_ID_MASK;
		}
		if (desc_get(log, log->descs2, slot, LOG_D_STATE) != sv ||
		    desc_get(log, log->descs2, slot, LOG_D_BEGIN) != desc_get(log, log->descs, slot, LOG_D_BEGIN)) {
			st.skipped++;	/* recycled while we read it */
			continue;
		}
		rec.seq = info_get(log, slot, LOG_I_SEQ);
		rec.ts_nsec = info_get(log, slot, LOG_I_TS);
		text_len = info_get(log, slot, LOG_I_TEXT_LEN);
		rec.facility = (u8)info_get(log, slot, LOG_I_FACILITY);
		rec.flags = (u8)info_get(log, slot, LOG_I_FLAGS);
		rec.level = (u8)info_get(log, slot, LOG_I_LEVEL);
		rec.caller_id = (u32)info_get(log, slot, LOG_I_CALLER);
		/* The info must belong to this slot, the block to this id, the text to the block. */
		if ((rec.seq & (r.count - 1)) != slot || rec.seq < expect) {
			st.skipped++;
			continue;
		}
		rec.text_len = 0;
		rec.text = "";
		if (log->order[slot] && !block_of(log, slot, &off, &len)) {
			if (mintmon_le64(log->text + off) != id || text_len > len - LOG_BLK_ID_LEN) {
				st.skipped++;
				continue;
			}
			rec.text = (const char *)log->text + off + LOG_BLK_ID_LEN;
			rec.text_len = (u16)text_len;
		} else if (text_len) {
			st.skipped++;	/* text, but no block for it */
			continue;
		}
		if (known && rec.seq > expect)
			st.dropped += rec.seq - expect;
		known = true;
		expect = rec.seq + 1;
		st.records++;
		ret = fn(arg, &rec);
		if (ret)
			resume = (id + 1) & LOG_SV_ID_MASK;
	}
	st.next_seq = expect;
	if (cur) {
		cur->valid = true;
		cur->next_id = resume;
		cur->next_seq = expect;
	}
	if (stats_ret)
		*stats_ret = st;
	return ret;
}

/* Append what fits of s[0, n) at *pos of buf[size); count all of it. */
static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos < size) {
		size_t room = size - *pos;

		memcpy(buf + *pos, s, n < room ? n : room);
	}
	*pos += n;
}

size_t mintmon_log_format(const struct mintmon_log_record *r, char *buf, size_t size)
{
	char prefix[40];
	size_t pos = 0, start = 0, i, plen;

	plen = (size_t)mintmon_snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
					(unsigned long long)(r->ts_nsec / 1000000000ull),
					(unsigned long long)(r->ts_nsec % 1000000000ull / 1000));
	for (i = 0; i <= r->text_len; i++) {
		if (i < r->text_len && r->text[i] != '\n')
			continue;
		put(buf, size, &pos, prefix, plen);
		put(buf, size, &pos, r->text + start, i - start);
		put(buf, size, &pos, "\n", 1);
		start = i + 1;
	}
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
	return pos;
}
