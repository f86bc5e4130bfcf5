// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel text integrity: regions, pages, run-time patch sites (text.h).
 *
 * Every table is read into a private copy and decoded from it; every count
 * is bounded before it sizes an allocation or a loop, every linked list has
 * a step limit, and a site must lie in the kernel's text to count.
 */
#include "mintmon/text.h"

#include "mintmon/modules.h"

enum tsym {
	T_STEXT, T_ETEXT, T_SRODATA, T_ERODATA,
	T_JUMP_START, T_JUMP_STOP, T_SC_START, T_SC_STOP,
	T_SC_RETURN0, T_RETURN_THUNK, T_RETURN_THUNK_VAR,
	T_FTRACE_PAGES, T_FTRACE_CALLER, T_FTRACE_REGS_CALLER, T_FTRACE_CALL, T_FTRACE_REGS_CALL,
	T_FTRACE_GRAPH_CALL, T_FTRACE_STUB, T_FTRACE_GRAPH_CALLER, T_FTRACE_STUB_GRAPH,
	T_FTRACE_TRACE_FUNCTION, T_FTRACE_OPS_LIST, T_FTRACE_LIST_END, T_FTRACE_OPS_LIST_FUNC,
	T_ARCH_FTRACE_OPS_LIST_FUNC, T_DIRECT_FUNCTIONS, T_KPROBE_TABLE,
	NR_TSYM
};

static const char *const tsym_names[NR_TSYM] = {
	"_stext", "_etext", "__start_rodata", "__end_rodata",
	"__start___jump_table", "__stop___jump_table", "__start_static_call_sites",
	"__stop_static_call_sites",
	"__static_call_return0", "__x86_return_thunk", "x86_return_thunk",
	"ftrace_pages_start", "ftrace_caller", "ftrace_regs_caller", "ftrace_call",
	"ftrace_regs_call",
	"ftrace_graph_call", "ftrace_stub", "ftrace_graph_caller", "ftrace_stub_graph",
	"ftrace_trace_function", "ftrace_ops_list", "ftrace_list_end", "ftrace_ops_list_func",
	"arch_ftrace_ops_list_func", "direct_functions", "kprobe_table",
};

/* Bounds on what the target's metadata may claim. */
#define MAX_REGION (256ull << 20)
#define MAX_TABLE (16u << 20)		/* a jump or static call table */
#define MAX_FTRACE_PAGES 65536u
#define MAX_FTRACE_RECORDS (1u << 21)
#define MAX_FTRACE_OPS 256u
#define MAX_DIRECT 4096u
#define MAX_DIRECT_BUCKETS (1u << 16)
#define MAX_KPROBES 8192u
#define KPROBE_TABLE_SIZE 64		/* KPROBE_HASH_BITS 6, kernel/kprobes.c */
#define BATCH 256u
/* kprobe flags, include/linux/kprobes.h (unchanged since v4.x). */
#define KPROBE_FLAG_GONE 1u
#define KPROBE_FLAG_DISABLED 2u
#define KPROBE_FLAG_OPTIMIZED 4u
#define KPROBE_FLAG_FTRACE 8u

struct mintmon_text {
	struct mintmon_kernel *k;
	struct mintmon_text_region region[MINTMON_TEXT_MAX_REGIONS];
	unsigned int nr_regions;
	u64 nr_pages, nr_bytes;
	u64 sym[NR_TSYM];
	bool have[NR_TSYM];
	struct mintmon_field key_enabled, sck_func;
	struct mintmon_field fp_next, fp_records, fp_index, fp_order, rec_ip, rec_flags;
	u64 rec_size;
	struct mintmon_field ops_next, ops_trampoline;
	struct mintmon_field hash_bits, hash_buckets, fe_ip, fe_direct;
	struct mintmon_field kp_addr, kp_opcode, kp_flags, opt_insn, opt_copied;
	/* FTRACE_FL_* of the target (BTF enumerators; the v6.1 values otherwise). */
	u64 fl_enabled, fl_direct_en;
	/* struct module's tables of module regions (v5.x+ names). */
	struct mintmon_field mod_jump, mod_njump, mod_sc, mod_nsc;
};

static const char *const region_names[] = {"text", "rodata", "module"};

const char *mintmon_text_region_name(u32 kind)
{
	return kind < MINTMON_ARRAY_SIZE(region_names) ? region_names[kind] : "?";
}

static const char *const kind_names[MINTMON_SITE_NR_KINDS] = {
	"jump_label", "static_call", "ftrace", "kprobe",
};

const char *mintmon_text_site_kind_name(u32 kind)
{
	return kind < MINTMON_SITE_NR_KINDS ? kind_names[kind] : "?";
}

/* In the kernel's text or a module's (the regions that hold code). */
static bool in_text(const struct mintmon_text *t, u64 addr, u64 len)
{
	unsigned int i;

	for (i = 0; i < t->nr_regions; i++) {
		const struct mintmon_text_region *r = &t->region[i];

		if (r->kind == MINTMON_TEXT_REGION_RODATA)
			continue;
		if (addr >= r->start && addr < r->end && r->end - addr >= len)
			return true;
	}
	return false;
}

static s64 enum_or(const struct mintmon_btf *btf, const char *name, s64 dflt)
{
	s64 v;

	return mintmon_btf_enum_value(btf, NULL, name, &v) ? dflt : v;
}

static int add_region(struct mintmon_text *t, u32 kind, enum tsym s, enum tsym e)
{
	struct mintmon_kernel *k = t->k;
	struct mintmon_text_region *r = &t->region[t->nr_regions];
	u64 start = t->sym[s], end = t->sym[e];

	if (!t->have[s] || !t->have[e])
		return mintmon_fail(k->err, -ENOENT, "text", "kallsyms has no %s or %s",
				    tsym_names[s], tsym_names[e]);
	if (end <= start || end - start > MAX_REGION || start % MINTMON_TEXT_PAGE ||
	    start < k->text_virt || end - k->text_virt > k->image.mapped_size)
		return mintmon_fail(k->err, -EINVAL, "text",
				    "%s 0x%llx..0x%llx is not a page-aligned range of the image",
				    region_names[kind], (unsigned long long)start,
				    (unsigned long long)end);
	r->start = start;
	r->end = end;
	r->kind = kind;
	r->first_page = t->nr_pages;
	t->nr_pages += (end - start + MINTMON_TEXT_PAGE - 1) / MINTMON_TEXT_PAGE;
	t->nr_bytes += end - start;
	t->nr_regions++;
	return 0;
}

int mintmon_text_create(struct mintmon_kernel *k, struct mintmon_text **text_ret)
{
	struct mintmon_text *t = mintmon_calloc(1, sizeof(*t));
	const struct mintmon_btf *btf = k->btf;
	u32 id;
	int err;

	if (!t)
		return mintmon_fail(k->err, -ENOMEM, "text", "out of memory");
	t->k = k;
	err = mintmon_kallsyms_lookup_many(k->kallsyms, tsym_names, NR_TSYM, t->sym, t->have);
	if (err < 0)
		goto fail;
	err = add_region(t, MINTMON_TEXT_REGION_TEXT, T_STEXT, T_ETEXT);
	if (!err)
		err = add_region(t, MINTMON_TEXT_REGION_RODATA, T_SRODATA, T_ERODATA);
	if (!err && t->region[1].start < t->region[0].end)
		err = mintmon_fail(k->err, -EINVAL, "text", "rodata overlaps text");
	if (err)
		goto fail;
	/* Layouts of what site decoding reads: all optional (a kind goes missing). */
	mintmon_field_init(btf, "static_key", "enabled", false, &t->key_enabled);
	mintmon_field_init(btf, "static_call_key", "func", false, &t->sck_func);
	mintmon_field_init(btf, "ftrace_page", "next", false, &t->fp_next);
	mintmon_field_init(btf, "ftrace_page", "records", false, &t->fp_records);
	mintmon_field_init(btf, "ftrace_page", "index", false, &t->fp_index);
	mintmon_field_init(btf, "ftrace_page", "order", false, &t->fp_order);
	mintmon_field_init(btf, "dyn_ftrace", "ip", false, &t->rec_ip);
	mintmon_field_init(btf, "dyn_ftrace", "flags", false, &t->rec_flags);
	if (mintmon_btf_find(btf, "dyn_ftrace", MINTMON_BTF_KIND_STRUCT, &id) ||
	    mintmon_btf_type_size(btf, id, &t->rec_size) || t->rec_size < 16 || t->rec_size > 64)
		t->rec_size = 0;
	mintmon_field_init(btf, "ftrace_ops", "next", false, &t->ops_next);
	mintmon_field_init(btf, "ftrace_ops", "trampoline", false, &t->ops_trampoline);
	mintmon_field_init(btf, "ftrace_hash", "size_bits", false, &t->hash_bits);
	mintmon_field_init(btf, "ftrace_hash", "buckets", false, &t->hash_buckets);
	mintmon_field_init(btf, "ftrace_func_entry", "ip", false, &t->fe_ip);
	mintmon_field_init(btf, "ftrace_func_entry", "direct", false, &t->fe_direct);
	mintmon_field_init(btf, "kprobe", "addr", false, &t->kp_addr);
	mintmon_field_init(btf, "kprobe", "opcode", false, &t->kp_opcode);
	mintmon_field_init(btf, "kprobe", "flags", false, &t->kp_flags);
	mintmon_field_init(btf, "optimized_kprobe", "optinsn.insn", false, &t->opt_insn);
	mintmon_field_init(btf, "optimized_kprobe", "optinsn.copied_insn", false, &t->opt_copied);
	/* include/linux/ftrace.h: FTRACE_FL_ENABLED (1 << 31) and DIRECT_EN (1 << 23) since v5.5. */
	t->fl_enabled = (u64)enum_or(btf, "FTRACE_FL_ENABLED", 1ll << 31) & 0xffffffffull;
	t->fl_direct_en = (u64)enum_or(btf, "FTRACE_FL_DIRECT_EN", 1ll << 23) & 0xffffffffull;
	*text_ret = t;
	return 0;
fail:
	mintmon_free(t);
	return err;
}

int mintmon_text_create_modules(struct mintmon_kernel *k, struct mintmon_text **text_ret)
{
	struct mintmon_module *mods;
	struct mintmon_text *t;
	u32 nr = 0, broken = 0, i, j;
	int err = mintmon_text_create(k, &t);

	if (err)
		return err;
	mintmon_field_init(k->btf, "module", "jump_entries", false, &t->mod_jump);
	mintmon_field_init(k->btf, "module", "num_jump_entries", false, &t->mod_njump);
	mintmon_field_init(k->btf, "module", "static_call_sites", false, &t->mod_sc);
	mintmon_field_init(k->btf, "module", "num_static_call_sites", false, &t->mod_nsc);
	mods = mintmon_calloc(MINTMON_TEXT_MAX_MODULES, sizeof(*mods));
	if (!mods) {
		mintmon_text_destroy(t);
		return mintmon_fail(k->err, -ENOMEM, "text", "out of memory");
	}
	if (mintmon_modules_list(k, mods, MINTMON_TEXT_MAX_MODULES, &nr, &broken))
		nr = 0;		/* no module list: the kernel's regions alone */
	/* In address order (insertion: a few dozen), live, page-aligned, above the kernel. */
	for (i = 1; i < nr; i++) {
		struct mintmon_module m = mods[i];

		for (j = i; j > 0 && mods[j - 1].text_base > m.text_base; j--)
			mods[j] = mods[j - 1];
		mods[j] = m;
	}
	for (i = 0; i < nr; i++) {
		const struct mintmon_module *m = &mods[i];
		struct mintmon_text_region *r = &t->region[t->nr_regions];
		const struct mintmon_text_region *prev = &t->region[t->nr_regions - 1];

		if (m->state != MINTMON_MODULE_LIVE || !m->text_size || m->text_size > (64u << 20) ||
		    m->text_base % MINTMON_TEXT_PAGE || m->text_base < prev->end ||
		    m->text_base + m->text_size < m->text_base ||
		    t->nr_regions == MINTMON_TEXT_MAX_REGIONS)
			continue;
		r->start = m->text_base;
		r->end = m->text_base + m->text_size;
		r->kind = MINTMON_TEXT_REGION_MODULE;
		r->first_page = t->nr_pages;
		r->module = m->addr;
		memcpy(r->name, m->name, sizeof(r->name));
		r->name[sizeof(r->name) - 1] = '\0';
		t->nr_pages += (r->end - r->start + MINTMON_TEXT_PAGE - 1) / MINTMON_TEXT_PAGE;
		t->nr_bytes += r->end - r->start;
		t->nr_regions++;
	}
	mintmon_free(mods);
	*text_ret = t;
	return 0;
}

void mintmon_text_destroy(struct mintmon_text *t)
{
	mintmon_free(t);
}

const struct mintmon_text_region *mintmon_text_regions(const struct mintmon_text *t,
						       unsigned int *nr_ret)
{
	*nr_ret = t->nr_regions;
	return t->region;
}

u64 mintmon_text_nr_pages(const struct mintmon_text *t)
{
	return t->nr_pages;
}

u64 mintmon_text_nr_bytes(const struct mintmon_text *t)
{
	return t->nr_bytes;
}

int mintmon_text_page(const struct mintmon_text *t, u64 index, u64 *vaddr_ret, u32 *len_ret,
		      u32 *region_kind_ret)
{
	unsigned int i;

	for (i = 0; i < t->nr_regions; i++) {
		const struct mintmon_text_region *r = &t->region[i];
		u64 va, left;

		if (index < r->first_page)
			break;
		va = r->start + (index - r->first_page) * MINTMON_TEXT_PAGE;
		if (va >= r->end)
			continue;
		left = r->end - va;
		*vaddr_ret = va;
		*len_ret = left < MINTMON_TEXT_PAGE ? (u32)left : MINTMON_TEXT_PAGE;
		if (region_kind_ret)
			*region_kind_ret = r->kind;
		return 0;
	}
	return -ERANGE;
}

/* Where the CPU finds page va, and what is wrong with that mapping. */
static int map_page(struct mintmon_text *t, u64 va, u32 kind, u64 *phys_ret, u8 *map_ret)
{
	struct mintmon_kernel *k = t->k;
	struct mintmon_translation tr;
	u64 lin, fault;
	u8 map = 0;
	int err;

	if (kind == MINTMON_TEXT_REGION_MODULE) {
		/* vmalloc'ed: only the page table says where (no linear address to compare). */
		err = k->arch->translate(k->mem, k->paging_levels, k->pgtable, va, &tr, &fault);
		if (err)
			return mintmon_fail_at(k->err, err == -EFAULT ? err : -ENXIO, "text",
					       err == -EFAULT ? fault : MINTMON_NO_ADDR, va,
					       "module text page 0x%llx is not mapped",
					       (unsigned long long)va);
		*phys_ret = tr.phys;
		*map_ret = (u8)((tr.writable ? MINTMON_TEXT_MAP_WRITABLE : 0) |
				(tr.executable ? 0 : MINTMON_TEXT_MAP_NOEXEC));
		return 0;
	}
	if (mintmon_kernel_linear_pa(k, va, &lin))
		return mintmon_fail_at(k->err, -EFAULT, "text", MINTMON_NO_ADDR, va,
				       "0x%llx is outside the kernel image", (unsigned long long)va);
	err = k->arch->translate(k->mem, k->paging_levels, k->pgtable, va, &tr, &fault);
	if (err == -EFAULT)
		return mintmon_fail_at(k->err, err, "text", fault, va,
				       "cannot read the page table for 0x%llx",
				       (unsigned long long)va);
	if (err) {
		*phys_ret = lin;
		*map_ret = MINTMON_TEXT_MAP_UNMAPPED;
		return 0;
	}
	if (tr.phys != lin)
		map |= MINTMON_TEXT_MAP_REMAPPED;
	if (tr.writable)
		map |= MINTMON_TEXT_MAP_WRITABLE;
	if (kind == MINTMON_TEXT_REGION_TEXT && !tr.executable)
		map |= MINTMON_TEXT_MAP_NOEXEC;
	if (kind != MINTMON_TEXT_REGION_TEXT && tr.executable)
		map |= MINTMON_TEXT_MAP_EXEC;
	*phys_ret = tr.phys;
	*map_ret = map;
	return 0;
}

int mintmon_text_read_pages(struct mintmon_text *t, u64 first, u32 n, u8 *buf, u8 *map_ret)
{
	struct mintmon_kernel *k = t->k;
	u64 run_phys = 0, run_first = 0;
	u32 run_len = 0, i;
	int err;

	/* Pages the CPU sees contiguously are read in one request. */
	for (i = 0; i <= n; i++) {
		u64 va = 0, phys = 0, fault;
		u32 len = 0, kind = 0;

		if (i < n) {
			err = mintmon_text_page(t, first + i, &va, &len, &kind);
			if (err)
				return mintmon_fail(k->err, err, "text", "page %llu is past the end",
						    (unsigned long long)(first + i));
			err = map_page(t, va, kind, &phys, &map_ret[i]);
			if (err)
				return err;
			if (len < MINTMON_TEXT_PAGE)
				memset(buf + (u64)i * MINTMON_TEXT_PAGE + len, 0,
				       MINTMON_TEXT_PAGE - len);
			if (run_len && phys == run_phys + run_len &&
			    run_len % MINTMON_TEXT_PAGE == 0 && run_len < (1u << 20)) {
				run_len += len;
				continue;
			}
		}
		if (run_len) {
			err = mintmon_memory_read(k->mem, run_phys,
						  buf + (run_first - first) * MINTMON_TEXT_PAGE,
						  run_len, &fault);
			if (err)
				return mintmon_fail_at(k->err, err, "text", fault, MINTMON_NO_ADDR,
						       "cannot read kernel text page %llu",
						       (unsigned long long)run_first);
		}
		run_phys = phys;
		run_first = first + i;
		run_len = len;
	}
	return 0;
}

int mintmon_text_hash_pages(const struct mintmon_text *t, u64 first, u32 n, const u8 *buf,
			    u8 (*hash_ret)[MINTMON_SHA256_LEN])
{
	u32 i;

	for (i = 0; i < n; i++) {
		u64 va;
		u32 len;
		int err = mintmon_text_page(t, first + i, &va, &len, NULL);

		if (err)
			return err;
		mintmon_sha256(buf + (u64)i * MINTMON_TEXT_PAGE, len, hash_ret[i]);
	}
	return 0;
}

/* --- Sites --------------------------------------------------------------- */

/*
 * Brent's cycle detection for a walk of a target's linked list: seen()
 * turns true within twice the list's length once a node repeats, so a
 * looping list ends early instead of at the step bound.
 */
struct cycle {
	u64 saved;
	u32 power, steps;
};

static void cycle_init(struct cycle *c)
{
	c->saved = 0;
	c->power = 1;
	c->steps = 0;
}

static bool cycle_seen(struct cycle *c, u64 node)
{
	if (c->saved && node == c->saved)
		return true;
	if (++c->steps == c->power) {
		c->saved = node;
		c->power *= 2;
		c->steps = 0;
	}
	return false;
}

struct site_vec {
	struct mintmon_text_site *v;
	u32 nr, cap;
};

static struct mintmon_text_site *site_new(struct site_vec *sv)
{
	struct mintmon_text_site *s;

	if (sv->nr == sv->cap) {
		u32 cap = sv->cap ? sv->cap * 2 : 4096;
		struct mintmon_text_site *nv;

		if (cap > (1u << 24))
			return NULL;
		nv = mintmon_malloc((size_t)cap * sizeof(*nv));
		if (!nv)
			return NULL;
		if (sv->nr)
			memcpy(nv, sv->v, (size_t)sv->nr * sizeof(*nv));
		mintmon_free(sv->v);
		sv->v = nv;
		sv->cap = cap;
	}
	s = &sv->v[sv->nr++];
	memset(s, 0, sizeof(*s));
	return s;
}

static void add_target(struct mintmon_text_site *s, u64 target)
{
	if (target && s->nr_targets < MINTMON_SITE_MAX_TARGETS)
		s->targets[s->nr_targets++] = target;
}

/* Iterative heap sort (no recursion): n is bounded but target-sized. */
typedef bool (*less_fn)(const void *a, const void *b);

static void swap_bytes(u8 *a, u8 *b, size_t size)
{
	while (size--) {
		u8 t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void sift(u8 *base, size_t start, size_t n, size_t size, less_fn less)
{
	size_t root = start;

	while (2 * root + 1 < n) {
		size_t child = 2 * root + 1;

		if (child + 1 < n && less(base + child * size, base + (child + 1) * size))
			child++;
		if (!less(base + root * size, base + child * size))
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

static void heap_sort(void *base, size_t n, size_t size, less_fn less)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift(base, i, n, size, less);
	for (i = n; i-- > 1;) {
		swap_bytes(base, (u8 *)base + i * size, size);
		sift(base, 0, i, size, less);
	}
}

static bool u64_less(const void *a, const void *b)
{
	return *(const u64 *)a < *(const u64 *)b;
}

static bool site_less(const void *a, const void *b)
{
	return ((const struct mintmon_text_site *)a)->addr <
	       ((const struct mintmon_text_site *)b)->addr;
}

static void sort_u64(u64 *a, size_t n)
{
	heap_sort(a, n, sizeof(*a), u64_less);
}

static size_t unique_u64(u64 *a, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (!m || a[m - 1] != a[i])
			a[m++] = a[i];
	}
	return m;
}

static size_t find_u64(const u64 *a, size_t n, u64 x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x ? lo : n;
}

/*
 * Read a field of each of n distinct objects (sorted addresses) in batches:
 * vals[i] = the field of addrs[i], ok[i] whether it could be read.
 */
static int read_fields(struct mintmon_kernel *k, const u64 *addrs, size_t n,
		       const struct mintmon_field *f, u64 *vals, bool *ok)
{
	struct mintmon_vreq *req = mintmon_calloc(BATCH, sizeof(*req));
	u8 (*raw)[8] = mintmon_calloc(BATCH, 8);
	size_t done;

	if (f->size > 8) {
		memset(ok, 0, n * sizeof(*ok));
		n = 0;
	}
	if (!req || !raw) {
		mintmon_free(req);
		mintmon_free(raw);
		return -ENOMEM;
	}
	for (done = 0; done < n; done += BATCH) {
		unsigned int m = n - done < BATCH ? (unsigned int)(n - done) : BATCH, i;

		for (i = 0; i < m; i++) {
			memset(raw[i], 0, 8);
			req[i] = (struct mintmon_vreq){.vaddr = addrs[done + i] + f->off,
						      .buf = raw[i], .len = f->size};
		}
		mintmon_kernel_read_batch(k, req, m);
		for (i = 0; i < m; i++) {
			ok[done + i] = !req[i].err;
			vals[done + i] = mintmon_field_value(f, mintmon_le64(raw[i]));
		}
		mintmon_yield();
	}
	mintmon_free(req);
	mintmon_free(raw);
	return 0;
}

/* A table [start, stop) of entries of size esize, copied (NULL: absent or unreadable). */
static u8 *read_span(struct mintmon_text *t, u64 start, u64 stop, u32 esize, u32 *n_ret)
{
	u8 *buf;

	if (stop < start || stop - start > MAX_TABLE || (stop - start) % esize || stop == start)
		return NULL;
	buf = mintmon_malloc(stop - start);
	if (buf && mintmon_kernel_read(t->k, 0, start, buf, stop - start, NULL)) {
		mintmon_free(buf);
		return NULL;
	}
	*n_ret = (u32)((stop - start) / esize);
	return buf;
}

/*
 * Keys of a table: each entry's self-relative key at key_off, flags in its
 * low two bits. Returns the sorted distinct keys and reads field f of each.
 */
struct keyset {
	u64 *key;
	u64 *val;
	bool *ok;
	size_t nr;
};

static void keyset_free(struct keyset *ks)
{
	mintmon_free(ks->key);
	mintmon_free(ks->val);
	mintmon_free(ks->ok);
	memset(ks, 0, sizeof(*ks));
}

static int keyset_read(struct mintmon_text *t, const u8 *tab, u32 n, u32 esize, u32 key_off,
		       u32 key_size, u64 base, const struct mintmon_field *f, struct keyset *ks)
{
	u32 i;

	memset(ks, 0, sizeof(*ks));
	ks->key = mintmon_calloc(n, sizeof(u64));
	ks->val = mintmon_calloc(n, sizeof(u64));
	ks->ok = mintmon_calloc(n, sizeof(bool));
	if (!ks->key || !ks->val || !ks->ok)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const u8 *e = tab + (u64)i * esize + key_off;
		u64 ea = base + (u64)i * esize + key_off;
		s64 rel = key_size == 8 ? (s64)mintmon_le64(e) : (s32)mintmon_le32(e);

		ks->key[i] = (ea + (u64)rel) & ~3ull;
	}
	sort_u64(ks->key, n);
	ks->nr = unique_u64(ks->key, n);
	return read_fields(t->k, ks->key, ks->nr, f, ks->val, ks->ok);
}

static bool keyset_get(const struct keyset *ks, u64 key, u64 *val_ret)
{
	size_t i = find_u64(ks->key, ks->nr, key);

	if (i == ks->nr || !ks->ok[i])
		return false;
	*val_ret = ks->val[i];
	return true;
}

/*
 * A table of struct jump_entry { s32 code; s32 target; long key; } at
 * [base, stop) (include/linux/jump_label.h): the kernel's, or a module's.
 * Returns 1 if it could not be read.
 */
static int jump_table(struct mintmon_text *t, u64 base, u64 stop, struct site_vec *sv,
		      struct mintmon_text_sites *s)
{
	struct keyset ks;
	u32 n = 0, i;
	u8 *tab;
	int err;

	if (!t->key_enabled.present || !(tab = read_span(t, base, stop, 16, &n)))
		return 1;
	err = keyset_read(t, tab, n, 16, 8, 8, base, &t->key_enabled, &ks);
	for (i = 0; !err && i < n; i++) {
		const u8 *e = tab + (u64)i * 16;
		u64 ea = base + (u64)i * 16;
		u64 code = ea + (u64)(s64)(s32)mintmon_le32(e);
		u64 target = ea + 4 + (u64)(s64)(s32)mintmon_le32(e + 4);
		u64 kraw = ea + 8 + mintmon_le64(e + 8), enabled;
		struct mintmon_text_site *site;
		s32 en;

		/* Bit 1: an entry in init text (freed after boot). */
		if (kraw & 2)
			continue;
		if (!in_text(t, code, 2) || !keyset_get(&ks, kraw & ~3ull, &enabled)) {
			s->skipped++;
			continue;
		}
		site = site_new(sv);
		if (!site) {
			err = -ENOMEM;
			break;
		}
		en = (s32)(u32)enabled;
		site->addr = code;
		site->ref = kraw & ~3ull;
		site->state = (u64)(s64)en;
		site->kind = MINTMON_SITE_JUMP_LABEL;
		add_target(site, target);
		if (en < 0) {
			/* static_key_enable() sets -1 while it patches: either may be there. */
			site->flags |= MINTMON_SITE_TRANSITION;
			site->forms = MINTMON_FORM_NOP2 | MINTMON_FORM_NOP5 | MINTMON_FORM_JMP8 |
				      MINTMON_FORM_JMP32;
		} else if ((en > 0) ^ (bool)(kraw & 1)) {
			site->forms = MINTMON_FORM_JMP8 | MINTMON_FORM_JMP32;
		} else {
			site->forms = MINTMON_FORM_NOP2 | MINTMON_FORM_NOP5;
		}
		s->count[MINTMON_SITE_JUMP_LABEL]++;
	}
	keyset_free(&ks);
	mintmon_free(tab);
	return err;
}

/* What a static call to func may be, at a call site or a tail-call site (text_x86_64.c). */
static void static_call_forms(struct mintmon_text *t, struct mintmon_text_site *site, u64 func,
			      bool tail)
{
	site->state = func;
	if (!tail) {
		if (!func) {
			site->forms = MINTMON_FORM_NOP5;
		} else if (t->have[T_SC_RETURN0] && func == t->sym[T_SC_RETURN0]) {
			/* xor5rax since v5.17; a plain call before. */
			site->forms = MINTMON_FORM_XOR5 | MINTMON_FORM_CALL32;
			add_target(site, func);
		} else {
			site->forms = MINTMON_FORM_CALL32;
			add_target(site, func);
		}
		return;
	}
	site->flags |= MINTMON_SITE_TAIL;
	if (!func) {
		u64 thunk = 0;

		/* "ret; int3" or, with return thunks, a jmp to x86_return_thunk. */
		site->forms = MINTMON_FORM_RET | MINTMON_FORM_JMP32 | MINTMON_FORM_JCC32;
		if (t->have[T_RETURN_THUNK])
			add_target(site, t->sym[T_RETURN_THUNK]);
		if (t->have[T_RETURN_THUNK_VAR] &&
		    !mintmon_kernel_read_u64(t->k, t->sym[T_RETURN_THUNK_VAR], &thunk) &&
		    thunk != t->sym[T_RETURN_THUNK] && in_text(t, thunk, 1))
			add_target(site, thunk);
		return;
	}
	site->forms = MINTMON_FORM_JMP32 | MINTMON_FORM_JCC32;
	add_target(site, func);
}

/*
 * A table of struct static_call_site { s32 addr; s32 key; } at [base, stop)
 * (include/linux/static_call_types.h). Returns 1 if it could not be read.
 */
static int static_call_table(struct mintmon_text *t, u64 base, u64 stop, struct site_vec *sv,
			     struct mintmon_text_sites *s)
{
	struct keyset ks;
	u32 n = 0, i;
	u8 *tab;
	int err;

	if (!t->sck_func.present || !(tab = read_span(t, base, stop, 8, &n)))
		return 1;
	err = keyset_read(t, tab, n, 8, 4, 4, base, &t->sck_func, &ks);
	for (i = 0; !err && i < n; i++) {
		const u8 *e = tab + (u64)i * 8;
		u64 ea = base + (u64)i * 8;
		u64 addr = ea + (u64)(s64)(s32)mintmon_le32(e);
		u64 kraw = ea + 4 + (u64)(s64)(s32)mintmon_le32(e + 4), func;
		struct mintmon_text_site *site;

		if (kraw & 2)		/* STATIC_CALL_SITE_INIT */
			continue;
		if (!in_text(t, addr, 5) || !keyset_get(&ks, kraw & ~3ull, &func)) {
			s->skipped++;
			continue;
		}
		site = site_new(sv);
		if (!site) {
			err = -ENOMEM;
			break;
		}
		site->addr = addr;
		site->ref = kraw & ~3ull;
		site->kind = MINTMON_SITE_STATIC_CALL;
		static_call_forms(t, site, func, kraw & 1);
		s->count[MINTMON_SITE_STATIC_CALL]++;
	}
	keyset_free(&ks);
	mintmon_free(tab);
	return err;
}

/* A 64-bit FNV-1a of a name: trampolines and keys are paired by their suffix. */
static u64 name_hash(const char *s)
{
	u64 h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (u8)*s++) * 0x100000001b3ull;
	return h;
}

/*
 * The kernel's table (between two symbols) and each module region's
 * (struct module's ptr and count fields); missing only if the kernel's is.
 */
static int tables(struct mintmon_text *t, enum tsym start, enum tsym stop,
		  const struct mintmon_field *ptr, const struct mintmon_field *count, u32 esize,
		  int (*decode)(struct mintmon_text *, u64, u64, struct site_vec *,
				struct mintmon_text_sites *),
		  u32 kind, struct site_vec *sv, struct mintmon_text_sites *s)
{
	unsigned int i;
	int ret;

	ret = t->have[start] && t->have[stop] ? decode(t, t->sym[start], t->sym[stop], sv, s) : 1;
	if (ret < 0)
		return ret;
	if (ret)
		s->missing |= 1u << kind;
	for (i = 0; i < t->nr_regions && ptr->present && count->present; i++) {
		u64 base, n;

		if (t->region[i].kind != MINTMON_TEXT_REGION_MODULE ||
		    mintmon_kernel_read_field(t->k, t->region[i].module, ptr, &base) ||
		    mintmon_kernel_read_field(t->k, t->region[i].module, count, &n) || !n)
			continue;
		if (n > MAX_TABLE / esize) {
			s->skipped++;
			continue;
		}
		ret = decode(t, base, base + n * esize, sv, s);
		if (ret < 0)
			return ret;
		s->skipped += (u32)ret;
	}
	return 0;
}

static int jump_labels(struct mintmon_text *t, struct site_vec *sv, struct mintmon_text_sites *s)
{
	return tables(t, T_JUMP_START, T_JUMP_STOP, &t->mod_jump, &t->mod_njump, 16, jump_table,
		      MINTMON_SITE_JUMP_LABEL, sv, s);
}

static int static_call_sites(struct mintmon_text *t, struct site_vec *sv,
			     struct mintmon_text_sites *s)
{
	return tables(t, T_SC_START, T_SC_STOP, &t->mod_sc, &t->mod_nsc, 8, static_call_table,
		      MINTMON_SITE_STATIC_CALL, sv, s);
}

struct pair {
	u64 a, b;
};

static bool pair_less(const void *x, const void *y)
{
	return ((const struct pair *)x)->a < ((const struct pair *)y)->a;
}

/* Index of the first pair with .a == a in sorted p, or n. */
static size_t find_pair(const struct pair *p, size_t n, u64 a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].a < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo].a == a ? lo : n;
}

/*
 * The trampolines __SCT__NAME (a tail call to NAME's function, patched in
 * place) with their keys __SCK__NAME, paired through kallsyms by a hash of
 * NAME.
 */
static int static_call_tramps(struct mintmon_text *t, struct site_vec *sv,
			      struct mintmon_text_sites *s)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol *sym = mintmon_malloc(sizeof(*sym));
	u32 nsyms = mintmon_kallsyms_count(t->k->kallsyms), nt = 0, nk = 0, i;
	struct pair *tramp = mintmon_calloc((size_t)nsyms + 1, sizeof(*tramp));
	struct pair *key = mintmon_calloc((size_t)nsyms + 1, sizeof(*key));
	u64 *kaddr = mintmon_calloc((size_t)nsyms + 1, sizeof(u64));
	u64 *kfunc = mintmon_calloc((size_t)nsyms + 1, sizeof(u64));
	bool *kok = mintmon_calloc((size_t)nsyms + 1, sizeof(bool));
	int err = -ENOMEM;

	if (!sym || !tramp || !key || !kaddr || !kfunc || !kok)
		goto out;
	mintmon_kallsyms_iter_init(&it, t->k->kallsyms);
	while ((err = mintmon_kallsyms_iter_next(&it, sym)) == 1) {
		if (!strncmp(sym->name, "__SCT__", 7) && nt < nsyms && in_text(t, sym->addr, 5))
			tramp[nt++] = (struct pair){name_hash(sym->name + 7), sym->addr};
		else if (!strncmp(sym->name, "__SCK__", 7) && nk < nsyms)
			key[nk++] = (struct pair){name_hash(sym->name + 7), sym->addr};
	}
	if (err < 0 || !nt)
		goto out;
	heap_sort(key, nk, sizeof(*key), pair_less);
	for (i = 0; i < nk; i++)
		kaddr[i] = key[i].b;
	err = read_fields(t->k, kaddr, nk, &t->sck_func, kfunc, kok);
	for (i = 0; !err && i < nt; i++) {
		size_t j = find_pair(key, nk, tramp[i].a);
		struct mintmon_text_site *site;

		if (j == nk || !kok[j]) {
			s->skipped++;
			continue;
		}
		site = site_new(sv);
		if (!site) {
			err = -ENOMEM;
			break;
		}
		site->addr = tramp[i].b;
		site->ref = key[j].b;
		site->kind = MINTMON_SITE_STATIC_CALL;
		site->flags |= MINTMON_SITE_TRAMP;
		static_call_forms(t, site, kfunc[j], true);
		s->count[MINTMON_SITE_STATIC_CALL]++;
	}
out:
	mintmon_free(sym);
	mintmon_free(tramp);
	mintmon_free(key);
	mintmon_free(kaddr);
	mintmon_free(kfunc);
	mintmon_free(kok);
	return err;
}

/* Trampolines of the registered ftrace_ops (ftrace_ops_list .. &ftrace_list_end). */
static unsigned int ftrace_trampolines(struct mintmon_text *t, u64 *tramp, unsigned int max)
{
	struct mintmon_kernel *k = t->k;
	unsigned int n = 0, steps;
	struct cycle cy;
	u64 ops;

	cycle_init(&cy);
	if (!t->have[T_FTRACE_OPS_LIST] || !t->ops_next.present || !t->ops_trampoline.present ||
	    mintmon_kernel_read_u64(k, t->sym[T_FTRACE_OPS_LIST], &ops))
		return 0;
	for (steps = 0; ops && steps < MAX_FTRACE_OPS && n < max; steps++) {
		u64 tr = 0;

		if ((t->have[T_FTRACE_LIST_END] && ops == t->sym[T_FTRACE_LIST_END]) ||
		    cycle_seen(&cy, ops))
			break;
		if (!mintmon_kernel_read_field(k, ops, &t->ops_trampoline, &tr) && tr)
			tramp[n++] = tr;
		if (mintmon_kernel_read_field(k, ops, &t->ops_next, &ops))
			break;
	}
	return n;
}

/* (ip, direct) pairs of direct_functions, the hash of ftrace direct calls. */
static size_t ftrace_directs(struct mintmon_text *t, u64 *ip, u64 *direct, size_t max)
{
	struct mintmon_kernel *k = t->k;
	u64 hash, bits, buckets;
	size_t n = 0, steps = 0;
	u64 b;

	if (!t->have[T_DIRECT_FUNCTIONS] || !t->hash_bits.present || !t->hash_buckets.present ||
	    !t->fe_ip.present || !t->fe_direct.present ||
	    mintmon_kernel_read_u64(k, t->sym[T_DIRECT_FUNCTIONS], &hash) || !hash ||
	    mintmon_kernel_read_field(k, hash, &t->hash_bits, &bits) ||
	    mintmon_kernel_read_field(k, hash, &t->hash_buckets, &buckets) || !buckets ||
	    bits > 16)
		return 0;
	for (b = 0; b < (1ull << bits) && n < max; b++) {
		struct cycle cy;
		u64 node;

		if (mintmon_kernel_read_u64(k, buckets + 8 * b, &node))
			break;
		cycle_init(&cy);
		/* hlist_node is the entry's first member; next is its first word. */
		while (node && n < max && steps++ < MAX_DIRECT * 4 && !cycle_seen(&cy, node)) {
			u64 e_ip, e_direct;

			if (mintmon_kernel_read_field(k, node, &t->fe_ip, &e_ip) ||
			    mintmon_kernel_read_field(k, node, &t->fe_direct, &e_direct))
				break;
			ip[n] = e_ip;
			direct[n++] = e_direct;
			if (mintmon_kernel_read_u64(k, node, &node))
				break;
		}
	}
	return n;
}

/*
 * The dyn_ftrace records of ftrace_pages_start (kernel/trace/ftrace.c):
 * a list of struct ftrace_page { next, records, index, order }.
 */
static int ftrace_records(struct mintmon_text *t, struct site_vec *sv,
			  struct mintmon_text_sites *s)
{
	struct mintmon_kernel *k = t->k;
	u64 tramp[3], *dip = NULL, *ddirect = NULL;
	unsigned int ntramp;
	size_t ndirect = 0;
	u64 pg, total = 0;
	struct cycle cy;
	u32 pages;
	int err = 0;
	u8 *buf = NULL;

	if (!t->have[T_FTRACE_PAGES] || !t->rec_size || !t->fp_next.present ||
	    !t->fp_records.present || !t->fp_index.present || !t->rec_ip.present ||
	    !t->rec_flags.present || !t->have[T_FTRACE_CALLER] ||
	    mintmon_kernel_read_u64(k, t->sym[T_FTRACE_PAGES], &pg)) {
		s->missing |= 1u << MINTMON_SITE_FTRACE;
		return 0;
	}
	ntramp = ftrace_trampolines(t, tramp, MINTMON_ARRAY_SIZE(tramp));
	dip = mintmon_calloc(MAX_DIRECT, sizeof(u64));
	ddirect = mintmon_calloc(MAX_DIRECT, sizeof(u64));
	if (!dip || !ddirect) {
		err = -ENOMEM;
		goto out;
	}
	ndirect = ftrace_directs(t, dip, ddirect, MAX_DIRECT);
	cycle_init(&cy);
	for (pages = 0; pg && pages < MAX_FTRACE_PAGES; pages++) {
		u64 records, index, next, i;

		if (cycle_seen(&cy, pg)) {
			s->skipped++;
			break;
		}
		if (mintmon_kernel_read_field(k, pg, &t->fp_records, &records) ||
		    mintmon_kernel_read_field(k, pg, &t->fp_index, &index) ||
		    mintmon_kernel_read_field(k, pg, &t->fp_next, &next)) {
			s->skipped++;
			break;
		}
		if (index > MAX_FTRACE_RECORDS - total || index * t->rec_size > MAX_TABLE) {
			s->skipped++;
			break;
		}
		total += index;
		mintmon_free(buf);
		buf = index ? mintmon_malloc(index * t->rec_size) : NULL;
		if (index && !buf) {
			err = -ENOMEM;
			goto out;
		}
		if (index && mintmon_kernel_read(k, 0, records, buf, index * t->rec_size, NULL)) {
			s->skipped += (u32)index;
			pg = next;
			continue;
		}
		for (i = 0; i < index; i++) {
			const u8 *r = buf + i * t->rec_size;
			u64 ip = mintmon_field_get(&t->rec_ip, r, 0, t->rec_size);
			u64 flags = mintmon_field_get(&t->rec_flags, r, 0, t->rec_size);
			struct mintmon_text_site *site;
			unsigned int j;

			if (!in_text(t, ip, 5))
				continue;	/* a module's record */
			site = site_new(sv);
			if (!site) {
				err = -ENOMEM;
				goto out;
			}
			site->addr = ip;
			site->ref = records + i * t->rec_size;
			site->state = flags;
			site->kind = MINTMON_SITE_FTRACE;
			if (!(flags & t->fl_enabled)) {
				site->forms = MINTMON_FORM_NOP5;
			} else {
				/* ftrace_get_addr_curr(): the ops' trampoline, a direct call, or the callers. */
				site->forms = MINTMON_FORM_CALL32;
				add_target(site, t->sym[T_FTRACE_CALLER]);
				if (t->have[T_FTRACE_REGS_CALLER])
					add_target(site, t->sym[T_FTRACE_REGS_CALLER]);
				for (j = 0; j < ntramp; j++)
					add_target(site, tramp[j]);
				if (flags & t->fl_direct_en) {
					size_t d;

					for (d = 0; d < ndirect; d++) {
						if (dip[d] == ip) {
							add_target(site, ddirect[d]);
							break;
						}
					}
				}
			}
			s->count[MINTMON_SITE_FTRACE]++;
		}
		mintmon_yield();
		pg = next;
	}
	/* The calls inside ftrace_caller: to the current ftrace_trace_function. */
	{
		static const enum tsym calls[] = {T_FTRACE_CALL, T_FTRACE_REGS_CALL};
		u64 func = 0;
		unsigned int i;

		if (t->have[T_FTRACE_TRACE_FUNCTION])
			mintmon_kernel_read_u64(k, t->sym[T_FTRACE_TRACE_FUNCTION], &func);
		for (i = 0; i < MINTMON_ARRAY_SIZE(calls); i++) {
			struct mintmon_text_site *site;

			if (!t->have[calls[i]] || !in_text(t, t->sym[calls[i]], 5))
				continue;
			site = site_new(sv);
			if (!site) {
				err = -ENOMEM;
				goto out;
			}
			site->addr = t->sym[calls[i]];
			site->ref = t->sym[T_FTRACE_TRACE_FUNCTION];
			site->state = func;
			site->kind = MINTMON_SITE_FTRACE;
			site->flags = MINTMON_SITE_FTRACE_FUNC;
			site->forms = MINTMON_FORM_CALL32;
			add_target(site, func);
			add_target(site, t->sym[T_FTRACE_STUB]);
			add_target(site, t->sym[T_FTRACE_OPS_LIST_FUNC]);
			add_target(site, t->sym[T_ARCH_FTRACE_OPS_LIST_FUNC]);
			s->count[MINTMON_SITE_FTRACE]++;
		}
		/* v6.1 and older without ftrace args: jmp ftrace_stub or ftrace_graph_caller. */
		if (t->have[T_FTRACE_GRAPH_CALL] && in_text(t, t->sym[T_FTRACE_GRAPH_CALL], 5)) {
			struct mintmon_text_site *site = site_new(sv);

			if (!site) {
				err = -ENOMEM;
				goto out;
			}
			site->addr = t->sym[T_FTRACE_GRAPH_CALL];
			site->kind = MINTMON_SITE_FTRACE;
			site->flags = MINTMON_SITE_FTRACE_FUNC;
			site->forms = MINTMON_FORM_JMP8 | MINTMON_FORM_JMP32;
			add_target(site, t->sym[T_FTRACE_STUB]);
			add_target(site, t->sym[T_FTRACE_GRAPH_CALLER]);
			add_target(site, t->sym[T_FTRACE_STUB_GRAPH]);
			s->count[MINTMON_SITE_FTRACE]++;
		}
	}
out:
	mintmon_free(buf);
	mintmon_free(dip);
	mintmon_free(ddirect);
	return err;
}

/* The probes of kprobe_table[] (kernel/kprobes.c), each an hlist of struct kprobe. */
static int kprobes(struct mintmon_text *t, struct site_vec *sv, struct mintmon_text_sites *s)
{
	struct mintmon_kernel *k = t->k;
	u64 heads[KPROBE_TABLE_SIZE];
	unsigned int b, steps = 0;

	if (!t->have[T_KPROBE_TABLE] || !t->kp_addr.present || !t->kp_opcode.present ||
	    !t->kp_flags.present ||
	    mintmon_kernel_read(k, 0, t->sym[T_KPROBE_TABLE], heads, sizeof(heads), NULL)) {
		s->missing |= 1u << MINTMON_SITE_KPROBE;
		return 0;
	}
	for (b = 0; b < KPROBE_TABLE_SIZE; b++) {
		u64 node = heads[b];
		struct cycle cy;

		cycle_init(&cy);
		/* struct kprobe starts with its hlist_node; next is its first word. */
		while (node && steps++ < MAX_KPROBES) {
			u64 addr, opcode, flags, insn;
			struct mintmon_text_site *site;

			if (cycle_seen(&cy, node)) {
				s->skipped++;
				break;
			}
			if (mintmon_kernel_read_field(k, node, &t->kp_addr, &addr) ||
			    mintmon_kernel_read_field(k, node, &t->kp_opcode, &opcode) ||
			    mintmon_kernel_read_field(k, node, &t->kp_flags, &flags)) {
				s->skipped++;
				break;
			}
			if (!(flags & (KPROBE_FLAG_GONE | KPROBE_FLAG_DISABLED | KPROBE_FLAG_FTRACE)) &&
			    in_text(t, addr, 1)) {
				site = site_new(sv);
				if (!site)
					return -ENOMEM;
				site->addr = addr;
				site->ref = node;
				site->state = flags;
				site->kind = MINTMON_SITE_KPROBE;
				site->forms = MINTMON_FORM_INT3;
				site->orig[0] = (u8)opcode;
				site->orig_len = 1;
				/* Optimized: a jmp to the detour; the 4 bytes after the INT3 saved too. */
				if ((flags & KPROBE_FLAG_OPTIMIZED) && t->opt_insn.present &&
				    t->opt_copied.present && t->opt_copied.size >= 4 &&
				    !mintmon_kernel_read_field(k, node, &t->opt_insn, &insn) &&
				    !mintmon_kernel_read(k, 0, node + t->opt_copied.off,
							 site->orig + 1, 4, NULL)) {
					site->flags |= MINTMON_SITE_OPTIMIZED;
					site->forms |= MINTMON_FORM_JMP32;
					site->orig_len = 5;
					add_target(site, insn);
				}
				s->count[MINTMON_SITE_KPROBE]++;
			}
			if (mintmon_kernel_read_u64(k, node, &node)) {
				s->skipped++;
				break;
			}
		}
	}
	if (steps >= MAX_KPROBES)
		s->skipped++;
	return 0;
}

int mintmon_text_sites_create(struct mintmon_text *t, struct mintmon_text_sites **sites_ret)
{
	struct mintmon_text_sites *s = mintmon_calloc(1, sizeof(*s));
	struct site_vec sv = {0};
	int err;

	if (!s)
		return mintmon_fail(t->k->err, -ENOMEM, "text", "out of memory");
	err = jump_labels(t, &sv, s);
	if (!err)
		err = static_call_sites(t, &sv, s);
	if (!err)
		err = t->sck_func.present ? static_call_tramps(t, &sv, s) : 0;
	if (!err)
		err = ftrace_records(t, &sv, s);
	if (!err)
		err = kprobes(t, &sv, s);
	if (err) {
		mintmon_free(sv.v);
		mintmon_free(s);
		return mintmon_fail(t->k->err, err, "text", "out of memory decoding patch sites");
	}
	heap_sort(sv.v, sv.nr, sizeof(*sv.v), site_less);
	s->site = sv.v;
	s->nr = sv.nr;
	*sites_ret = s;
	return 0;
}

void mintmon_text_sites_destroy(struct mintmon_text_sites *s)
{
	if (!s)
		return;
	mintmon_free(s->site);
	mintmon_free(s);
}

u32 mintmon_text_sites_lower_bound(const struct mintmon_text_sites *s, u64 addr)
{
	u32 lo = 0, hi = s->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->site[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Longest encoding a site may hold (jcc32). */
#define SITE_MAX_LEN 6

/*
 * The site that explains a change at off (its current bytes are an allowed
 * form covering off): its index, or s->nr. *len_ret: the form's length.
 */
static u32 explain(const struct mintmon_text_sites *s, u64 vaddr, const u8 *cur, u32 len,
		   u32 off, u16 *form_ret, u32 *flen_ret)
{
	u64 a = vaddr + off;
	u32 j = mintmon_text_sites_lower_bound(s, a >= SITE_MAX_LEN ? a - (SITE_MAX_LEN - 1) : 0);

	for (; j < s->nr && s->site[j].addr <= a; j++) {
		const struct mintmon_text_site *site = &s->site[j];
		u64 soff = site->addr - vaddr;
		u16 form;
		u32 flen;

		if (site->addr < vaddr || soff >= len)
			continue;
		if (mintmon_text_site_match(site, cur + soff, (u32)(len - soff), &form, &flen) &&
		    a < site->addr + flen) {
			*form_ret = form;
			*flen_ret = flen;
			return j;
		}
	}
	return s->nr;
}

u32 mintmon_text_compare(const struct mintmon_text_sites *s, u64 vaddr, const u8 *old,
			 const u8 *cur, u32 len, struct mintmon_text_change *changes_ret, u32 max,
			 u32 *nr_ret)
{
	u32 i = 0, nr = 0, tampered = 0;

	while (i < len) {
		struct mintmon_text_change c = {0};
		u16 form = 0;
		u32 flen = 0, j;

		if (old[i] == cur[i]) {
			i++;
			continue;
		}
		j = explain(s, vaddr, cur, len, i, &form, &flen);
		if (j < s->nr) {
			const struct mintmon_text_site *site = &s->site[j];
			u32 soff = (u32)(site->addr - vaddr);

			c.addr = site->addr;
			c.len = flen;
			c.form = form;
			c.site = site;
			/* A probe's saved bytes must be what the site held (old). */
			c.explained = !site->orig_len || (soff + site->orig_len <= len &&
					!memcmp(old + soff, site->orig,
						flen < site->orig_len ? flen : site->orig_len));
			i = soff + flen;
		} else {
			u32 e = i + 1;

			/*
			 * A run of changed bytes, bridging gaps of up to 3 unchanged
			 * ones; it ends where a site explains the next changed byte.
			 */
			for (;;) {
				u32 g;

				while (e < len && old[e] != cur[e] &&
				       explain(s, vaddr, cur, len, e, &form, &flen) == s->nr)
					e++;
				if (e < len && old[e] != cur[e])
					break;	/* explained from here on */
				for (g = e; g < len && g - e < 3 && old[g] == cur[g]; g++)
					;
				if (g < len && old[g] != cur[g] && g - e < 3 &&
				    explain(s, vaddr, cur, len, g, &form, &flen) == s->nr) {
					e = g;
					continue;
				}
				break;
			}
			c.addr = vaddr + i;
			c.len = e - i;
			i = e;
		}
		if (!c.explained)
			tampered++;
		if (nr < max)
			changes_ret[nr] = c;
		nr++;
	}
	*nr_ret = nr;
	return tampered;
}
