// SPDX-License-Identifier: GPL-2.0
/*
 * mint_memmap: the layout model, the kexec-mint preset, the layout-file
 * parser, validation, every per-node output (e820, kernel arguments,
 * kernel window, monitor windows) and the identity hand-over (canonical
 * text, hash, the blob kexec-mint gives a node kernel).
 *
 * One translation unit on purpose: a consumer (kexec, the node-0 module)
 * adds one file, and no symbol crosses files, so the freestanding check sees
 * nothing but memcpy/memset/strlen. Messages are formatted by a small
 * printf subset below because platform.h offers no stdio.
 */
#include "mintmon/memmap.h"

#define U64_MAX_ ((u64)~0ULL)

/* ------------------------------------------------------------------------ */
/* Bounded string output                                                     */
/* ------------------------------------------------------------------------ */

struct mm_out {
	char *buf;
	size_t size;	/* capacity including the NUL; may be 0 */
	size_t len;	/* characters produced so far, possibly more than fit */
	bool raw;	/* bytes may fill all of size: NUL only where there is room */
};

static void out_init(struct mm_out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->raw = false;
	if (size)
		buf[0] = '\0';
}

static void out_char(struct mm_out *o, char c)
{
	if (o->raw) {
		if (o->len < o->size)
			o->buf[o->len] = c;
		if (o->len + 1 < o->size)
			o->buf[o->len + 1] = '\0';
	} else if (o->size && o->len < o->size - 1) {
		o->buf[o->len] = c;
		o->buf[o->len + 1] = '\0';
	}
	o->len++;
}

static void out_strn(struct mm_out *o, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		out_char(o, s[i]);
}

/* v in base, zero-padded to at least width digits (at most 20). */
static void out_u64(struct mm_out *o, u64 v, unsigned int base, unsigned int width)
{
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width && n < 20)
		tmp[n++] = '0';
	while (n)
		out_char(o, tmp[--n]);
}

/*
 * printf subset for messages: %s %.*s %u %d %llu %llx %016llx %c %%.
 * Formats are always literals of this file; untrusted text goes through %s
 * only after token_quote() made it printable.
 */
static void out_vformat(struct mm_out *o, const char *fmt, __builtin_va_list ap)
{
	const char *p;

	for (p = fmt; *p; p++) {
		size_t prec = (size_t)-1;
		unsigned int width = 0;
		bool ll = false;
		u64 v;

		if (*p != '%') {
			out_char(o, *p);
			continue;
		}
		p++;
		if (p[0] == '0')	/* zero padding is the only flag */
			p++;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (unsigned int)(*p++ - '0');
		if (p[0] == '.' && p[1] == '*') {
			int n = __builtin_va_arg(ap, int);

			prec = n < 0 ? 0 : (size_t)n;
			p += 2;
		}
		if (p[0] == 'l' && p[1] == 'l') {
			ll = true;
			p += 2;
		}
		switch (*p) {
		case 's':
			out_strn(o, __builtin_va_arg(ap, const char *), prec);
			break;
		case 'c':
			out_char(o, (char)__builtin_va_arg(ap, int));
			break;
		case 'd': {
			int d = __builtin_va_arg(ap, int);

			if (d < 0) {
				out_char(o, '-');
				v = (u64)(-(s64)d);
			} else {
				v = (u64)d;
			}
			out_u64(o, v, 10, 0);
			break;
		}
		case 'u':
		case 'x':
			if (ll)
				v = __builtin_va_arg(ap, unsigned long long);
			else
				v = __builtin_va_arg(ap, unsigned int);
			out_u64(o, v, *p == 'u' ? 10 : 16, width);
			break;
		case '%':
			out_char(o, '%');
			break;
		default:	/* unreachable with this file's formats */
			return;
		}
	}
}

static void out_format(struct mm_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out_format(struct mm_out *o, const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	out_vformat(o, fmt, ap);
	__builtin_va_end(ap);
}

static int fail(struct mint_memmap *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct mint_memmap *m, int err, const char *fmt, ...)
{
	struct mm_out o;
	__builtin_va_list ap;

	out_init(&o, m->errmsg, sizeof(m->errmsg));
	__builtin_va_start(ap, fmt);
	out_vformat(&o, fmt, ap);
	__builtin_va_end(ap);
	return err;
}

typedef unsigned long long ull;

/* Descriptions used in messages: "node 1 ram 0x38000000-0x4fffffff (region3)". */
struct mm_desc {
	char s[96];
};

static const char *desc_range(struct mm_desc *d, const char *what, u64 start, u64 size,
			      const char *name)
{
	struct mm_out o;

	out_init(&o, d->s, sizeof(d->s));
	out_format(&o, "%s 0x%llx-0x%llx", what, (ull)start, (ull)(start + size - 1));
	if (name && name[0])
		out_format(&o, " (%s)", name);
	return d->s;
}

static const char *desc_region(struct mm_desc *d, const struct mint_memmap *m, unsigned int n,
			       unsigned int i)
{
	const struct mint_memmap_region *r = &m->nodes[n].regions[i];
	char what[24];
	struct mm_out o;

	out_init(&o, what, sizeof(what));
	out_format(&o, "node %u ram", n);
	return desc_range(d, what, r->start, r->size, r->name);
}

static const char *desc_firmware(struct mm_desc *d, const struct mint_memmap *m, unsigned int i)
{
	const struct mint_memmap_firmware *f = &m->firmware[i];

	return desc_range(d, "firmware", f->start, f->size, mint_memmap_e820_type_name(f->type));
}

/* ------------------------------------------------------------------------ */
/* Model                                                                     */
/* ------------------------------------------------------------------------ */

static bool ranges_overlap(u64 a, u64 asize, u64 b, u64 bsize)
{
	/* Both ranges are known not to wrap (check_range()). */
	return a < b + bsize && b < a + asize;
}

static bool is_aligned(u64 v, u64 align)
{
	return (v & (align - 1)) == 0;
}

/* A range must be non-empty and end inside the physical address space. */
static int check_range(struct mint_memmap *m, const char *what, u64 start, u64 size)
{
	if (!size)
		return fail(m, -EINVAL, "%s at 0x%llx: size must not be zero", what, (ull)start);
	if (start >= MINT_MEMMAP_PHYS_LIMIT || MINT_MEMMAP_PHYS_LIMIT - start < size)
		return fail(m, -ERANGE,
			    "%s 0x%llx + 0x%llx ends beyond the 52-bit physical address space",
			    what, (ull)start, (ull)size);
	return 0;
}

void mint_memmap_init(struct mint_memmap *m)
{
	memset(m, 0, sizeof(*m));
}

const char *mint_memmap_strerror(const struct mint_memmap *m)
{
	return m->errmsg;
}

const char *mint_memmap_e820_type_name(u32 type)
{
	switch (type) {
	case MINT_MEMMAP_E820_RAM:
		return "RAM";
	case MINT_MEMMAP_E820_RESERVED:
		return "reserved";
	case MINT_MEMMAP_E820_ACPI:
		return "ACPI";
	case MINT_MEMMAP_E820_NVS:
		return "NVS";
	case MINT_MEMMAP_E820_UNUSABLE:
		return "unusable";
	default:
		return "unknown";
	}
}

static int add_node(struct mint_memmap *m, unsigned int id)
{
	if (id >= MINT_MEMMAP_MAX_NODES)
		return fail(m, -ERANGE, "node %u: node ids are 0 to %u", id,
			    MINT_MEMMAP_MAX_NODES - 1);
	if (m->nodes[id].present)
		return fail(m, -EEXIST, "node %u is declared twice", id);
	m->nodes[id].present = true;
	if (m->nr_nodes <= id)
		m->nr_nodes = id + 1;
	m->validated = false;
	return 0;
}

static int add_region(struct mint_memmap *m, unsigned int id, u64 start, u64 size, bool kernel,
		      const char *name, size_t name_len)
{
	struct mint_memmap_node *node = &m->nodes[id];
	struct mint_memmap_region *r;
	int err;

	err = check_range(m, "ram", start, size);
	if (err)
		return err;
	if (node->nr_regions >= MINT_MEMMAP_MAX_REGIONS)
		return fail(m, -E2BIG, "node %u has more than %u ram regions", id,
			    MINT_MEMMAP_MAX_REGIONS);
	if (name_len >= MINT_MEMMAP_NAME_SIZE)
		return fail(m, -ENAMETOOLONG, "region name longer than %u characters",
			    MINT_MEMMAP_NAME_SIZE - 1);
	r = &node->regions[node->nr_regions++];
	r->start = start;
	r->size = size;
	r->kernel = kernel;
	memset(r->name, 0, sizeof(r->name));
	if (name_len)
		memcpy(r->name, name, name_len);
	m->validated = false;
	return 0;
}

static int add_window(struct mint_memmap *m, unsigned int id, u64 start, u64 size)
{
	struct mint_memmap_node *node = &m->nodes[id];
	int err;

	err = check_range(m, "window", start, size);
	if (err)
		return err;
	if (node->nr_windows >= MINT_MEMMAP_MAX_WINDOWS)
		return fail(m, -E2BIG, "node %u has more than %u windows", id,
			    MINT_MEMMAP_MAX_WINDOWS);
	node->windows[node->nr_windows].start = start;
	node->windows[node->nr_windows].size = size;
	node->nr_windows++;
	m->validated = false;
	return 0;
}

int mint_memmap_add_firmware(struct mint_memmap *m, u64 start, u64 size, u32 type)
{
	unsigned int i;
	u64 end;
	int err;

	if (type != MINT_MEMMAP_E820_RESERVED && type != MINT_MEMMAP_E820_ACPI &&
	    type != MINT_MEMMAP_E820_NVS && type != MINT_MEMMAP_E820_UNUSABLE)
		return fail(m, -EINVAL, "firmware at 0x%llx: e820 type %u cannot be passed through",
			    (ull)start, type);
	err = check_range(m, "firmware", start, size);
	if (err)
		return err;
	/*
	 * Fold in every range of this type that overlaps or touches it, so the
	 * running machine's map can be added on top of a preset that already
	 * lists some of it. Each fold removes an entry: at most nr + 1 scans.
	 */
	end = start + size;
	for (i = 0; i < m->nr_firmware && m->nr_firmware <= MINT_MEMMAP_MAX_FIRMWARE;) {
		struct mint_memmap_firmware *f = &m->firmware[i];

		if (f->type != type || start > f->start + f->size || f->start > end) {
			i++;
			continue;
		}
		if (f->start < start)
			start = f->start;
		if (f->start + f->size > end)
			end = f->start + f->size;
		*f = m->firmware[--m->nr_firmware];
		i = 0;
	}
	size = end - start;
	if (m->nr_firmware >= MINT_MEMMAP_MAX_FIRMWARE)
		return fail(m, -E2BIG, "more than %u firmware ranges", MINT_MEMMAP_MAX_FIRMWARE);
	m->firmware[m->nr_firmware].start = start;
	m->firmware[m->nr_firmware].size = size;
	m->firmware[m->nr_firmware].type = type;
	m->nr_firmware++;
	m->validated = false;
	return 0;
}

static void set_cpu(struct mint_memmap_node *node, unsigned int cpu)
{
	node->cpus[cpu / 64] |= 1ULL << (cpu % 64);
}

/* ------------------------------------------------------------------------ */
/* Preset                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Kexec-Mint's kexec/firmware_memmap.c, for node k:
 *   region1 (k % 5) * 0x20000,               size 0x20000  (real-mode trampoline)
 *   region2 0x8000000 + 0x8000000 * (k % 5), size 0x8000000
 *   region3 0x20000000 + k * 0x18000000,     size 0x18000000 (kernel, most RAM)
 * k % 5 suggests five nodes, but node 3's region2 (0x20000000) is node 0's
 * region3: the arithmetic holds for three nodes only.
 */
static int preset_kexec_mint(struct mint_memmap *m, unsigned int nr_nodes)
{
	unsigned int k;
	int err;

	if (nr_nodes < 1 || nr_nodes > MINT_MEMMAP_PRESET_KEXEC_MINT_MAX_NODES)
		return fail(m, -ERANGE, "preset kexec-mint supports 1 to %u nodes, not %u%s",
			    MINT_MEMMAP_PRESET_KEXEC_MINT_MAX_NODES, nr_nodes,
			    nr_nodes ? " (node 3's region2 would overlap node 0's region3)" : "");
	/* Installed memory ends where the last node's region3 does. */
	m->memory = 0x20000000ULL + (u64)nr_nodes * 0x18000000ULL;
	/* The system BIOS ROM, reserved in every PC's e820. */
	err = mint_memmap_add_firmware(m, 0xf0000, 0x10000, MINT_MEMMAP_E820_RESERVED);
	for (k = 0; !err && k < nr_nodes; k++) {
		u64 slot = k % 5;

		err = add_node(m, k);
		err = err ?: add_region(m, k, slot * 0x20000ULL, 0x20000, false, "region1", 7);
		err = err ?: add_region(m, k, 0x8000000ULL + 0x8000000ULL * slot, 0x8000000, false,
					"region2", 7);
		err = err ?: add_region(m, k, 0x20000000ULL + (u64)k * 0x18000000ULL, 0x18000000,
					true, "region3", 7);
		if (err)
			break;
		set_cpu(&m->nodes[k], k);
		if (k)
			m->nodes[0].monitors |= 1U << k;
	}
	return err;
}

int mint_memmap_preset(struct mint_memmap *m, const char *preset, unsigned int nr_nodes)
{
	mint_memmap_init(m);
	if (!strcmp(preset, MINT_MEMMAP_PRESET_KEXEC_MINT))
		return preset_kexec_mint(m, nr_nodes);
	return fail(m, -ENOENT, "unknown preset '%.*s' (known: kexec-mint)", 32, preset);
}

/* ------------------------------------------------------------------------ */
/* Layout-file parser                                                        */
/* ------------------------------------------------------------------------ */

#define MM_MAX_FIELDS	40

struct mm_token {
	const char *s;
	size_t len;
};

struct mm_parser {
	struct mint_memmap *m;
	const char *name;
	unsigned long line;
	int node;		/* current 'node' section, -1 before the first */
	bool have_memory;
	u32 monitors_all;	/* nodes that said 'monitors all' */
};

static bool tok_is(const struct mm_token *t, const char *s)
{
	size_t n = strlen(s);

	return t->len == n && !memcmp(t->s, s, n);
}

/* A printable, bounded copy of an untrusted token for messages. */
struct mm_quoted {
	char s[40];
};

static const char *token_quote(struct mm_quoted *q, const struct mm_token *t)
{
	size_t i, n = t->len < 32 ? t->len : 32;

	for (i = 0; i < n; i++) {
		char c = t->s[i];

		q->s[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	if (t->len > n) {
		memcpy(q->s + n, "...", 3);
		n += 3;
	}
	q->s[n] = '\0';
	return q->s;
}

/* Prefix the message a helper left in m->errmsg with "name:line: ". */
static int parse_fail_prefix(struct mm_parser *p, int err)
{
	char msg[MINT_MEMMAP_ERRMSG_SIZE];
	struct mm_out o;

	memcpy(msg, p->m->errmsg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	out_init(&o, p->m->errmsg, sizeof(p->m->errmsg));
	out_format(&o, "%s:%llu: %s", p->name, (ull)p->line, msg);
	return err;
}

static int parse_fail(struct mm_parser *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parse_fail(struct mm_parser *p, int err, const char *fmt, ...)
{
	struct mm_out o;
	__builtin_va_list ap;

	out_init(&o, p->m->errmsg, sizeof(p->m->errmsg));
	out_format(&o, "%s:%llu: ", p->name, (ull)p->line);
	__builtin_va_start(ap, fmt);
	out_vformat(&o, fmt, ap);
	__builtin_va_end(ap);
	return err;
}

/* Decimal or 0x-hex, optionally followed by K, M, G or T (powers of 1024). */
static int parse_number(struct mm_parser *p, const struct mm_token *t, bool suffix, u64 *v_ret)
{
	const char *s = t->s, *end = t->s + t->len;
	unsigned int base = 10, shift = 0;
	struct mm_quoted q;
	bool digits = false;
	u64 v = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (mintmon_mul_overflow(v, (u64)base, &v) || mintmon_add_overflow(v, (u64)d, &v))
			return parse_fail(p, -ERANGE, "number '%s' is out of range",
					  token_quote(&q, t));
		digits = true;
	}
	if (suffix && s < end && end - s == 1) {
		switch (*s) {
		case 'K': case 'k': shift = 10; s++; break;
		case 'M': case 'm': shift = 20; s++; break;
		case 'G': case 'g': shift = 30; s++; break;
		case 'T': case 't': shift = 40; s++; break;
		}
	}
	if (!digits || s != end)
		return parse_fail(p, -EINVAL, "invalid number '%s'", token_quote(&q, t));
	if (shift && v > (U64_MAX_ >> shift))
		return parse_fail(p, -ERANGE, "number '%s' is out of range", token_quote(&q, t));
	*v_ret = v << shift;
	return 0;
}

static int parse_id(struct mm_parser *p, const struct mm_token *t, u64 limit, const char *what,
		    unsigned int *id_ret)
{
	struct mm_quoted q;
	u64 v;
	int err;

	err = parse_number(p, t, false, &v);
	if (err)
		return err;
	if (v >= limit)
		return parse_fail(p, -ERANGE, "%s '%s' is out of range (0 to %llu)", what,
				  token_quote(&q, t), (ull)(limit - 1));
	*id_ret = (unsigned int)v;
	return 0;
}

static int parse_usage(struct mm_parser *p, const char *usage)
{
	return parse_fail(p, -EINVAL, "expected '%s'", usage);
}

static int need_node(struct mm_parser *p, const struct mm_token *key)
{
	if (p->node >= 0)
		return 0;
	return parse_fail(p, -EINVAL, "'%.*s' before any 'node' line", (int)key->len, key->s);
}

static int parse_range_args(struct mm_parser *p, const struct mm_token *f, u64 *start_ret,
			    u64 *size_ret)
{
	int err;

	err = parse_number(p, &f[0], true, start_ret);
	return err ?: parse_number(p, &f[1], true, size_ret);
}

static int parse_cpus(struct mm_parser *p, const struct mm_token *t)
{
	struct mint_memmap_node *node = &p->m->nodes[p->node];
	const char *s = t->s, *end = t->s + t->len;
	struct mm_quoted q;

	/* Comma-separated items: CPU or FIRST-LAST. */
	while (s < end) {
		const char *item = s, *dash = NULL;
		struct mm_token a, b;
		unsigned int first, last, c;
		int err;

		while (s < end && *s != ',') {
			if (*s == '-' && !dash)
				dash = s;
			s++;
		}
		a.s = item;
		a.len = (size_t)((dash ? dash : s) - item);
		b.s = dash ? dash + 1 : item;
		b.len = (size_t)(s - b.s);
		if (!a.len || !b.len)
			return parse_fail(p, -EINVAL, "invalid CPU list '%s'", token_quote(&q, t));
		err = parse_id(p, &a, MINT_MEMMAP_MAX_CPUS, "CPU", &first);
		err = err ?: parse_id(p, &b, MINT_MEMMAP_MAX_CPUS, "CPU", &last);
		if (err)
			return err;
		if (first > last)
			return parse_fail(p, -EINVAL, "invalid CPU range '%s'", token_quote(&q, t));
		for (c = first; c <= last; c++)
			set_cpu(node, c);
		if (s < end && ++s == end)	/* a trailing comma */
			return parse_fail(p, -EINVAL, "invalid CPU list '%s'", token_quote(&q, t));
	}
	return 0;
}

static int parse_firmware_type(struct mm_parser *p, const struct mm_token *t, u32 *type_ret)
{
	struct mm_quoted q;

	if (tok_is(t, "reserved"))
		*type_ret = MINT_MEMMAP_E820_RESERVED;
	else if (tok_is(t, "acpi"))
		*type_ret = MINT_MEMMAP_E820_ACPI;
	else if (tok_is(t, "nvs"))
		*type_ret = MINT_MEMMAP_E820_NVS;
	else if (tok_is(t, "unusable"))
		*type_ret = MINT_MEMMAP_E820_UNUSABLE;
	else
		return parse_fail(p, -EINVAL,
				  "unknown firmware type '%s' (reserved, acpi, nvs or unusable)",
				  token_quote(&q, t));
	return 0;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* A region name as the parser makes them: NUL-terminated in its array, "" allowed. */
static bool name_ok(const char *name)
{
	unsigned int i;

	for (i = 0; i < MINT_MEMMAP_NAME_SIZE && name[i]; i++) {
		if (!name_char_ok(name[i]))
			return false;
	}
	return i < MINT_MEMMAP_NAME_SIZE;
}

static int parse_ram(struct mm_parser *p, const struct mm_token *f, unsigned int nf)
{
	static const char usage[] = "ram START SIZE [kernel] [name=NAME]";
	const char *name = NULL;
	size_t name_len = 0, i;
	bool kernel = false;
	struct mm_quoted q;
	u64 start, size;
	unsigned int j;
	int err;

	if (nf < 3 || nf > 5)
		return parse_usage(p, usage);
	err = parse_range_args(p, &f[1], &start, &size);
	if (err)
		return err;
	for (j = 3; j < nf; j++) {
		if (tok_is(&f[j], "kernel") && !kernel) {
			kernel = true;
		} else if (f[j].len > 5 && !memcmp(f[j].s, "name=", 5) && !name) {
			name = f[j].s + 5;
			name_len = f[j].len - 5;
			for (i = 0; i < name_len; i++) {
				if (!name_char_ok(name[i]))
					return parse_fail(p, -EINVAL,
							  "invalid region name '%s' (letters, digits, '_', '-', '.')",
							  token_quote(&q, &f[j]));
			}
		} else {
			return parse_fail(p, -EINVAL, "unexpected '%s' in '%s'",
					  token_quote(&q, &f[j]), usage);
		}
	}
	err = add_region(p->m, (unsigned int)p->node, start, size, kernel, name, name_len);
	return err ? parse_fail_prefix(p, err) : 0;
}

static int parse_monitors(struct mm_parser *p, const struct mm_token *f, unsigned int nf)
{
	struct mint_memmap_node *node = &p->m->nodes[p->node];
	unsigned int j, id = 0;
	int err;

	if (nf < 2)
		return parse_usage(p, "monitors NODE... | monitors all");
	if (nf == 2 && tok_is(&f[1], "all")) {
		p->monitors_all |= 1U << p->node;
		return 0;
	}
	for (j = 1; j < nf; j++) {
		err = parse_id(p, &f[j], MINT_MEMMAP_MAX_NODES, "node", &id);
		if (err)
			return err;
		if (id == (unsigned int)p->node)
			return parse_fail(p, -EINVAL, "node %u cannot monitor itself", id);
		node->monitors |= 1U << id;
	}
	return 0;
}

static int parse_line(struct mm_parser *p, const struct mm_token *f, unsigned int nf)
{
	const struct mm_token *key = &f[0];
	struct mint_memmap *m = p->m;
	struct mm_quoted q;
	u64 start, size;
	unsigned int id;
	u32 type = 0;
	int err;

	if (tok_is(key, "memory")) {
		if (nf != 2)
			return parse_usage(p, "memory SIZE");
		if (p->have_memory)
			return parse_fail(p, -EINVAL, "'memory' given twice");
		err = parse_number(p, &f[1], true, &size);
		if (err)
			return err;
		if (!size || size > MINT_MEMMAP_PHYS_LIMIT)
			return parse_fail(p, -ERANGE,
					  "memory size must be between 1 and 0x%llx bytes",
					  (ull)MINT_MEMMAP_PHYS_LIMIT);
		m->memory = size;
		p->have_memory = true;
		return 0;
	}
	if (tok_is(key, "firmware")) {
		if (nf != 4)
			return parse_usage(p, "firmware START SIZE reserved|acpi|nvs|unusable");
		err = parse_range_args(p, &f[1], &start, &size);
		err = err ?: parse_firmware_type(p, &f[3], &type);
		if (err)
			return err;
		err = mint_memmap_add_firmware(m, start, size, type);
		return err ? parse_fail_prefix(p, err) : 0;
	}
	if (tok_is(key, "node")) {
		if (nf != 2)
			return parse_usage(p, "node ID");
		err = parse_id(p, &f[1], MINT_MEMMAP_MAX_NODES, "node", &id);
		if (err)
			return err;
		err = add_node(m, id);
		if (err)
			return parse_fail_prefix(p, err);
		p->node = (int)id;
		return 0;
	}
	if (tok_is(key, "cpus")) {
		unsigned int j;

		if (nf < 2)
			return parse_usage(p, "cpus LIST (e.g. 0-3,8)");
		err = need_node(p, key);
		for (j = 1; !err && j < nf; j++)
			err = parse_cpus(p, &f[j]);
		return err;
	}
	if (tok_is(key, "ram"))
		return need_node(p, key) ?: parse_ram(p, f, nf);
	if (tok_is(key, "monitors"))
		return need_node(p, key) ?: parse_monitors(p, f, nf);
	if (tok_is(key, "window")) {
		if (nf != 3)
			return parse_usage(p, "window START SIZE");
		err = need_node(p, key) ?: parse_range_args(p, &f[1], &start, &size);
		if (err)
			return err;
		err = add_window(m, (unsigned int)p->node, start, size);
		return err ? parse_fail_prefix(p, err) : 0;
	}
	return parse_fail(p, -EINVAL, "unknown key '%s'", token_quote(&q, key));
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int mint_memmap_parse(struct mint_memmap *m, const char *name, const char *text, size_t len)
{
	struct mm_parser p = { .m = m, .name = name, .node = -1 };
	const char *pos = text, *end = text + len;
	unsigned int id;
	int err;

	mint_memmap_init(m);
	if (!p.name)
		p.name = "layout";
	while (pos < end) {
		struct mm_token f[MM_MAX_FIELDS];
		const char *eol = memchr(pos, '\n', (size_t)(end - pos));
		const char *s;
		unsigned int nf = 0;

		if (!eol)
			eol = end;
		p.line++;
		/* Split on blanks up to a '#' comment. */
		for (s = pos; s < eol && *s != '#';) {
			const char *tok;

			if (is_space(*s)) {
				s++;
				continue;
			}
			tok = s;
			while (s < eol && *s != '#' && !is_space(*s))
				s++;
			if (nf == MM_MAX_FIELDS)
				return parse_fail(&p, -E2BIG, "more than %u fields on one line",
						  MM_MAX_FIELDS);
			f[nf].s = tok;
			f[nf].len = (size_t)(s - tok);
			nf++;
		}
		if (nf) {
			err = parse_line(&p, f, nf);
			if (err)
				return err;
		}
		pos = eol < end ? eol + 1 : end;
	}
	/* 'monitors all' means every other node of the finished file. */
	for (id = 0; id < m->nr_nodes; id++) {
		unsigned int peer;

		if (!(p.monitors_all & (1U << id)))
			continue;
		for (peer = 0; peer < m->nr_nodes; peer++) {
			if (peer != id && m->nodes[peer].present)
				m->nodes[id].monitors |= 1U << peer;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Windows and e820 items                                                    */
/* ------------------------------------------------------------------------ */

/* The idx-th window of node id, unsorted: monitored nodes' regions, then explicit ones. */
static bool window_at(const struct mint_memmap *m, unsigned int id, unsigned int idx,
		      struct mint_memmap_window *w)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	unsigned int peer;

	for (peer = 0; peer < m->nr_nodes; peer++) {
		const struct mint_memmap_node *pn = &m->nodes[peer];

		if (!(node->monitors & (1U << peer)) || peer == id)
			continue;
		if (idx < pn->nr_regions) {
			w->start = pn->regions[idx].start;
			w->size = pn->regions[idx].size;
			w->owner = peer;
			w->region = idx;
			return true;
		}
		idx -= pn->nr_regions;
	}
	if (idx < node->nr_windows) {
		w->start = node->windows[idx].start;
		w->size = node->windows[idx].size;
		w->owner = MINT_MEMMAP_NO_OWNER;
		w->region = 0;
		return true;
	}
	return false;
}

/*
 * The idx-th region of a node other than id, unsorted, as a window with its
 * owner. Bounded by the array sizes, so a layout that has not been validated
 * (mint_memmap_subtract_foreign()) cannot make it read past them.
 */
static bool foreign_at(const struct mint_memmap *m, unsigned int id, unsigned int idx,
		       struct mint_memmap_window *w)
{
	unsigned int peer;

	for (peer = 0; peer < m->nr_nodes && peer < MINT_MEMMAP_MAX_NODES; peer++) {
		const struct mint_memmap_node *pn = &m->nodes[peer];
		unsigned int nr = pn->nr_regions < MINT_MEMMAP_MAX_REGIONS ?
				  pn->nr_regions : MINT_MEMMAP_MAX_REGIONS;

		if (peer == id || !pn->present)
			continue;
		if (idx < nr) {
			w->start = pn->regions[idx].start;
			w->size = pn->regions[idx].size;
			w->owner = peer;
			w->region = idx;
			return true;
		}
		idx -= nr;
	}
	return false;
}

static unsigned int nr_foreign(const struct mint_memmap *m, unsigned int id)
{
	unsigned int peer, n = 0;

	for (peer = 0; peer < m->nr_nodes && peer < MINT_MEMMAP_MAX_NODES; peer++) {
		const struct mint_memmap_node *pn = &m->nodes[peer];

		if (peer != id && pn->present)
			n += pn->nr_regions < MINT_MEMMAP_MAX_REGIONS ? pn->nr_regions :
			     MINT_MEMMAP_MAX_REGIONS;
	}
	return n;
}

/*
 * The idx-th item of node id's e820, unsorted: its RAM, firmware, every
 * other node's RAM as reserved (whether it monitors that node or not: the
 * kernel must neither use it nor take it for free address space), its
 * explicit windows. Monitored peers' windows are among the other nodes'
 * RAM, so they are not listed twice.
 */
static bool e820_item_at(const struct mint_memmap *m, unsigned int id, unsigned int idx,
			 struct mint_memmap_e820_entry *e)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	struct mint_memmap_window w;
	unsigned int nf;

	if (idx < node->nr_regions) {
		e->addr = node->regions[idx].start;
		e->size = node->regions[idx].size;
		e->type = MINT_MEMMAP_E820_RAM;
		return true;
	}
	idx -= node->nr_regions;
	if (idx < m->nr_firmware) {
		e->addr = m->firmware[idx].start;
		e->size = m->firmware[idx].size;
		e->type = m->firmware[idx].type;
		return true;
	}
	idx -= m->nr_firmware;
	nf = nr_foreign(m, id);
	if (idx < nf) {
		if (!foreign_at(m, id, idx, &w))
			return false;	/* unreachable: nf counts what foreign_at() finds */
		e->addr = w.start;
		e->size = w.size;
	} else if (idx - nf < node->nr_windows) {
		e->addr = node->windows[idx - nf].start;
		e->size = node->windows[idx - nf].size;
	} else {
		return false;
	}
	e->type = MINT_MEMMAP_E820_RESERVED;
	return true;
}

/* Upper bound on the items of one node: bounds every loop below. */
#define MM_MAX_ITEMS (MINT_MEMMAP_MAX_REGIONS + MINT_MEMMAP_MAX_FIRMWARE + \
		      MINT_MEMMAP_MAX_NODES * MINT_MEMMAP_MAX_REGIONS + MINT_MEMMAP_MAX_WINDOWS)

/*
 * Walk node id's e820 in address order, merging touching entries of one
 * type, and hand each finished entry to emit (if not NULL) with its index.
 * Needs pairwise disjoint items (validation), which makes starts distinct:
 * each pass selects the lowest start above the previous one. Returns the
 * number of entries. No array on the stack: this also runs in the kernel.
 */
static unsigned int walk_e820(const struct mint_memmap *m, unsigned int id,
			      void (*emit)(void *arg, unsigned int idx,
					   const struct mint_memmap_e820_entry *e),
			      void *arg)
{
	struct mint_memmap_e820_entry last = { 0 };
	unsigned int n = 0, pass;
	u64 prev_start = 0;

	for (pass = 0; pass < MM_MAX_ITEMS; pass++) {
		struct mint_memmap_e820_entry e, best;
		bool found = false;
		unsigned int i;

		for (i = 0; i < MM_MAX_ITEMS && e820_item_at(m, id, i, &e); i++) {
			if (pass && e.addr <= prev_start)
				continue;
			if (!found || e.addr < best.addr) {
				best = e;
				found = true;
			}
		}
		if (!found)
			break;
		prev_start = best.addr;
		if (n && last.type == best.type && last.addr + last.size == best.addr) {
			last.size += best.size;
			continue;
		}
		if (n && emit)
			emit(arg, n - 1, &last);
		last = best;
		n++;
	}
	if (n && emit)
		emit(arg, n - 1, &last);
	return n;
}

static void emit_into_table(void *arg, unsigned int idx, const struct mint_memmap_e820_entry *e)
{
	struct mint_memmap_e820 *e820 = arg;

	if (idx < MINT_MEMMAP_MAX_E820) {
		e820->entries[idx] = *e;
		e820->nr = idx + 1;
	}
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                */
/* ------------------------------------------------------------------------ */

static int validate_node(struct mint_memmap *m, unsigned int id)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	unsigned int i, kernels = 0, k = 0, c;
	struct mm_desc d;
	bool cpus = false;

	if (!node->present)
		return fail(m, -EINVAL, "node %u is missing (nodes are numbered 0 to %u)", id,
			    m->nr_nodes - 1);
	if (!node->nr_regions)
		return fail(m, -EINVAL, "node %u has no ram", id);
	for (i = 0; i < node->nr_regions; i++) {
		const struct mint_memmap_region *r = &node->regions[i];

		if (!is_aligned(r->start, MINT_MEMMAP_PAGE_SIZE) ||
		    !is_aligned(r->size, MINT_MEMMAP_PAGE_SIZE))
			return fail(m, -EINVAL, "%s is not 4 KiB aligned",
				    desc_region(&d, m, id, i));
		if (r->start + r->size > m->memory)
			return fail(m, -ERANGE, "%s lies outside installed memory 0x0-0x%llx",
				    desc_region(&d, m, id, i), (ull)(m->memory - 1));
		if (r->kernel) {
			kernels++;
			k = i;
		}
	}
	if (kernels != 1)
		return fail(m, -EINVAL, "node %u has %u kernel regions, needs exactly one", id,
			    kernels);
	if (!is_aligned(node->regions[k].start, MINT_MEMMAP_KERNEL_ALIGN) ||
	    !is_aligned(node->regions[k].size, MINT_MEMMAP_KERNEL_ALIGN))
		return fail(m, -EINVAL, "%s: a kernel region must be 2 MiB aligned",
			    desc_region(&d, m, id, k));
	for (c = 0; c < MINTMON_ARRAY_SIZE(node->cpus); c++)
		cpus |= node->cpus[c] != 0;
	if (!cpus)
		return fail(m, -EINVAL, "node %u has no cpus", id);
	return 0;
}

static int validate_overlaps(struct mint_memmap *m)
{
	unsigned int a, i, b, j, f, g;
	struct mm_desc d1, d2;

	for (a = 0; a < m->nr_nodes; a++) {
		for (i = 0; i < m->nodes[a].nr_regions; i++) {
			const struct mint_memmap_region *r = &m->nodes[a].regions[i];

			for (b = a; b < m->nr_nodes; b++) {
				for (j = (b == a ? i + 1 : 0); j < m->nodes[b].nr_regions; j++) {
					const struct mint_memmap_region *s =
						&m->nodes[b].regions[j];

					if (ranges_overlap(r->start, r->size, s->start, s->size))
						return fail(m, -EINVAL, "%s overlaps %s",
							    desc_region(&d1, m, b, j),
							    desc_region(&d2, m, a, i));
				}
			}
			for (f = 0; f < m->nr_firmware; f++) {
				const struct mint_memmap_firmware *fw = &m->firmware[f];

				if (ranges_overlap(r->start, r->size, fw->start, fw->size))
					return fail(m, -EINVAL, "%s overlaps %s",
						    desc_firmware(&d1, m, f),
						    desc_region(&d2, m, a, i));
			}
		}
	}
	for (f = 0; f < m->nr_firmware; f++) {
		for (g = f + 1; g < m->nr_firmware; g++) {
			if (ranges_overlap(m->firmware[f].start, m->firmware[f].size,
					   m->firmware[g].start, m->firmware[g].size))
				return fail(m, -EINVAL, "%s overlaps %s", desc_firmware(&d1, m, g),
					    desc_firmware(&d2, m, f));
		}
	}
	return 0;
}

static int validate_cpus(struct mint_memmap *m)
{
	unsigned int a, b, w;

	for (a = 0; a < m->nr_nodes; a++) {
		for (b = a + 1; b < m->nr_nodes; b++) {
			for (w = 0; w < MINTMON_ARRAY_SIZE(m->nodes[a].cpus); w++) {
				u64 both = m->nodes[a].cpus[w] & m->nodes[b].cpus[w];

				if (both)
					return fail(m, -EINVAL, "node %u and node %u share cpu %u",
						    a, b, w * 64 + __builtin_ctzll(both));
			}
		}
	}
	return 0;
}

static const char *desc_window(struct mm_desc *d, const struct mint_memmap *m, unsigned int id,
			       const struct mint_memmap_window *w)
{
	char what[48];
	struct mm_out o;

	out_init(&o, what, sizeof(what));
	if (w->owner == MINT_MEMMAP_NO_OWNER)
		out_format(&o, "node %u window", id);
	else
		out_format(&o, "node %u window onto node %u ram", id, w->owner);
	return desc_range(d, what, w->start, w->size,
			  w->owner == MINT_MEMMAP_NO_OWNER ? NULL :
			  m->nodes[w->owner].regions[w->region].name);
}

static int validate_monitor(struct mint_memmap *m, unsigned int id)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	struct mint_memmap_window w, v;
	unsigned int peer, i, j;
	struct mm_desc d1, d2;

	/* All 32 bits: a hand-filled struct may set those above the node limit. */
	for (peer = 0; peer < 32; peer++) {
		if (!(node->monitors & (1U << peer)))
			continue;
		if (peer == id)
			return fail(m, -EINVAL, "node %u cannot monitor itself", id);
		if (peer >= m->nr_nodes || !m->nodes[peer].present)
			return fail(m, -EINVAL, "node %u monitors node %u, which does not exist",
				    id, peer);
	}
	for (i = 0; i < node->nr_windows; i++) {
		w.start = node->windows[i].start;
		w.size = node->windows[i].size;
		w.owner = MINT_MEMMAP_NO_OWNER;
		if (!is_aligned(w.start, MINT_MEMMAP_PAGE_SIZE) ||
		    !is_aligned(w.size, MINT_MEMMAP_PAGE_SIZE))
			return fail(m, -EINVAL, "%s is not 4 KiB aligned",
				    desc_window(&d1, m, id, &w));
		/*
		 * Another node's RAM is reserved in every map already, and
		 * reading it is what 'monitors' is for: a window over it would
		 * be a second, unchecked way in (and two e820 items in one).
		 */
		for (j = 0; j < MM_MAX_ITEMS && foreign_at(m, id, j, &v); j++) {
			if (!ranges_overlap(w.start, w.size, v.start, v.size))
				continue;
			if (node->monitors & (1U << v.owner))
				return fail(m, -EINVAL,
					    "%s overlaps %s, which 'monitors %u' already makes a window",
					    desc_window(&d1, m, id, &w),
					    desc_region(&d2, m, v.owner, v.region), v.owner);
			return fail(m, -EINVAL,
				    "%s overlaps %s: to read node %u's memory, say 'monitors %u'",
				    desc_window(&d1, m, id, &w),
				    desc_region(&d2, m, v.owner, v.region), v.owner, v.owner);
		}
	}
	for (i = 0; i < MM_MAX_ITEMS && window_at(m, id, i, &w); i++) {
		for (j = 0; j < node->nr_regions; j++) {
			if (ranges_overlap(w.start, w.size, node->regions[j].start,
					   node->regions[j].size))
				return fail(m, -EINVAL, "%s overlaps the node's own %s",
					    desc_window(&d1, m, id, &w),
					    desc_range(&d2, "ram", node->regions[j].start,
						       node->regions[j].size,
						       node->regions[j].name));
		}
		for (j = 0; j < m->nr_firmware; j++) {
			if (ranges_overlap(w.start, w.size, m->firmware[j].start,
					   m->firmware[j].size))
				return fail(m, -EINVAL, "%s overlaps %s",
					    desc_window(&d1, m, id, &w), desc_firmware(&d2, m, j));
		}
		for (j = i + 1; j < MM_MAX_ITEMS && window_at(m, id, j, &v); j++) {
			if (ranges_overlap(w.start, w.size, v.start, v.size))
				return fail(m, -EINVAL, "%s overlaps %s",
					    desc_window(&d1, m, id, &v),
					    desc_window(&d2, m, id, &w));
		}
	}
	return 0;
}

/* Only the kernel region may hold RAM where the decompressor's KASLR looks. */
static int validate_kaslr(struct mint_memmap *m, unsigned int id)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	u64 floor = MINT_MEMMAP_KASLR_FLOOR;
	unsigned int i;
	struct mm_desc d;

	for (i = 0; i < node->nr_regions; i++) {
		if (node->regions[i].kernel && node->regions[i].start < floor)
			floor = node->regions[i].start;
	}
	for (i = 0; i < node->nr_regions; i++) {
		const struct mint_memmap_region *r = &node->regions[i];

		if (!r->kernel && r->start + r->size > floor)
			return fail(m, -EINVAL,
				    "%s reaches above 0x%llx, where KASLR may put the kernel outside its kernel region",
				    desc_region(&d, m, id, i), (ull)floor);
	}
	return 0;
}

/*
 * The parser and preset keep these invariants, but a caller may fill the
 * struct by hand: recheck what later loops and arithmetic rely on.
 */
static int validate_counts(struct mint_memmap *m)
{
	unsigned int id, i;
	int err;

	if (m->nr_nodes > MINT_MEMMAP_MAX_NODES)
		return fail(m, -ERANGE, "more than %u nodes", MINT_MEMMAP_MAX_NODES);
	if (m->nr_firmware > MINT_MEMMAP_MAX_FIRMWARE)
		return fail(m, -ERANGE, "more than %u firmware ranges", MINT_MEMMAP_MAX_FIRMWARE);
	for (i = 0; i < m->nr_firmware; i++) {
		const struct mint_memmap_firmware *f = &m->firmware[i];

		if (f->type == MINT_MEMMAP_E820_RAM)
			return fail(m, -EINVAL, "firmware at 0x%llx cannot be RAM", (ull)f->start);
		/* Only the types a layout file can name (canonical text). */
		if (f->type != MINT_MEMMAP_E820_RESERVED && f->type != MINT_MEMMAP_E820_ACPI &&
		    f->type != MINT_MEMMAP_E820_NVS && f->type != MINT_MEMMAP_E820_UNUSABLE)
			return fail(m, -EINVAL,
				    "firmware at 0x%llx: e820 type %u cannot be passed through",
				    (ull)f->start, f->type);
		err = check_range(m, "firmware", f->start, f->size);
		if (err)
			return err;
	}
	for (id = 0; id < m->nr_nodes; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];

		if (node->nr_regions > MINT_MEMMAP_MAX_REGIONS ||
		    node->nr_windows > MINT_MEMMAP_MAX_WINDOWS)
			return fail(m, -ERANGE, "node %u has too many regions or windows", id);
		for (i = 0; i < node->nr_regions; i++) {
			err = check_range(m, "ram", node->regions[i].start, node->regions[i].size);
			if (err)
				return err;
			/* Messages print names, and the canonical text must parse back. */
			if (!name_ok(node->regions[i].name))
				return fail(m, -EINVAL,
					    "node %u region %u: a name is at most %u letters, digits, '_', '-' or '.'",
					    id, i, MINT_MEMMAP_NAME_SIZE - 1);
		}
		for (i = 0; i < node->nr_windows; i++) {
			err = check_range(m, "window", node->windows[i].start,
					  node->windows[i].size);
			if (err)
				return err;
		}
	}
	return 0;
}

int mint_memmap_validate(struct mint_memmap *m)
{
	unsigned int id, n;
	int err;

	m->validated = false;
	if (!m->memory)
		return fail(m, -EINVAL, "no installed memory (add 'memory SIZE')");
	if (m->memory > MINT_MEMMAP_PHYS_LIMIT)
		return fail(m, -ERANGE, "installed memory 0x%llx exceeds the 52-bit address space",
			    (ull)m->memory);
	if (!m->nr_nodes)
		return fail(m, -EINVAL, "no nodes (add 'node 0')");
	err = validate_counts(m);
	if (err)
		return err;
	for (id = 0; id < m->nr_nodes; id++) {
		err = validate_node(m, id);
		if (err)
			return err;
	}
	err = validate_overlaps(m);
	err = err ?: validate_cpus(m);
	for (id = 0; !err && id < m->nr_nodes; id++) {
		err = validate_monitor(m, id);
		err = err ?: validate_kaslr(m, id);
	}
	if (err)
		return err;
	for (id = 0; id < m->nr_nodes; id++) {
		n = walk_e820(m, id, NULL, NULL);
		if (n > MINT_MEMMAP_MAX_E820)
			return fail(m, -E2BIG, "node %u needs %u e820 entries, at most %u fit", id,
				    n, MINT_MEMMAP_MAX_E820);
	}
	m->errmsg[0] = '\0';
	m->validated = true;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Per-node outputs                                                          */
/* ------------------------------------------------------------------------ */

static int check_node(const struct mint_memmap *m, unsigned int id)
{
	if (!m->validated)
		return -EINVAL;
	if (id >= m->nr_nodes)
		return -ENOENT;
	return 0;
}

int mint_memmap_node_kernel_window(const struct mint_memmap *m, unsigned int node,
				   struct mint_memmap_range *window_ret)
{
	unsigned int i;
	int err;

	err = check_node(m, node);
	if (err)
		return err;
	for (i = 0; i < m->nodes[node].nr_regions; i++) {
		const struct mint_memmap_region *r = &m->nodes[node].regions[i];

		if (r->kernel) {
			window_ret->start = r->start;
			window_ret->size = r->size;
			return 0;
		}
	}
	return -EINVAL;	/* unreachable once validated */
}

int mint_memmap_node_windows(const struct mint_memmap *m, unsigned int node,
			     struct mint_memmap_windows *windows_ret)
{
	unsigned int n = 0, pass, i;
	u64 last = 0;
	int err;

	err = check_node(m, node);
	if (err)
		return err;
	/* Selection by start; validation made windows disjoint. */
	for (pass = 0; pass < MINTMON_ARRAY_SIZE(windows_ret->w); pass++) {
		struct mint_memmap_window w, best;
		bool found = false;

		for (i = 0; i < MM_MAX_ITEMS && window_at(m, node, i, &w); i++) {
			if (n && w.start <= last)
				continue;
			if (!found || w.start < best.start) {
				best = w;
				found = true;
			}
		}
		if (!found)
			break;
		windows_ret->w[n++] = best;
		last = best.start;
	}
	windows_ret->nr = n;
	return 0;
}

int mint_memmap_node_e820(const struct mint_memmap *m, unsigned int node,
			  struct mint_memmap_e820 *e820_ret)
{
	int err;

	err = check_node(m, node);
	if (err)
		return err;
	/* Count first: *e820_ret is written only on success. */
	if (walk_e820(m, node, NULL, NULL) > MINT_MEMMAP_MAX_E820)
		return -E2BIG;	/* validation rules it out */
	e820_ret->nr = 0;
	walk_e820(m, node, emit_into_table, e820_ret);
	return 0;
}

/* Sizes as the kernel's memparse() reads them: the largest exact K/M/G unit. */
static void out_size(struct mm_out *o, u64 size)
{
	static const struct {
		unsigned int shift;
		char unit;
	} units[] = { { 30, 'G' }, { 20, 'M' }, { 10, 'K' } };
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(units); i++) {
		if (is_aligned(size, 1ULL << units[i].shift)) {
			out_format(o, "%llu%c", (ull)(size >> units[i].shift), units[i].unit);
			return;
		}
	}
	out_format(o, "0x%llx", (ull)size);
}

static void emit_into_cmdline(void *arg, unsigned int idx, const struct mint_memmap_e820_entry *e)
{
	struct mm_out *o = arg;
	char sep = e->type == MINT_MEMMAP_E820_RAM ? '@' :
		   e->type == MINT_MEMMAP_E820_ACPI ? '#' : '$';

	out_format(o, " memmap=");
	out_size(o, e->size);
	out_format(o, "%c0x%llx", sep, (ull)e->addr);
}

int mint_memmap_node_cmdline(const struct mint_memmap *m, unsigned int node, char *buf,
			     size_t size)
{
	struct mm_out o;
	int err;

	err = check_node(m, node);
	if (err)
		return err;
	if (walk_e820(m, node, NULL, NULL) > MINT_MEMMAP_MAX_E820)
		return -E2BIG;
	out_init(&o, buf, size);
	out_format(&o, "memmap=exactmap");
	walk_e820(m, node, emit_into_cmdline, &o);
	if (!size || o.len >= size || o.len > 0x7fffffff)
		return -ENOSPC;
	return (int)o.len;
}

int mint_memmap_node_ram(const struct mint_memmap *m, unsigned int node, u64 *ram_ret)
{
	u64 sum = 0;
	unsigned int i;
	int err;

	err = check_node(m, node);
	if (err)
		return err;
	for (i = 0; i < m->nodes[node].nr_regions; i++)
		sum += m->nodes[node].regions[i].size;	/* each < 2^52, at most 8 */
	*ram_ret = sum;
	return 0;
}

int mint_memmap_owner(const struct mint_memmap *m, u64 addr)
{
	unsigned int id, i;

	for (id = 0; id < m->nr_nodes && id < MINT_MEMMAP_MAX_NODES; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];

		for (i = 0; i < node->nr_regions && i < MINT_MEMMAP_MAX_REGIONS; i++) {
			if (addr >= node->regions[i].start &&
			    addr - node->regions[i].start < node->regions[i].size)
				return (int)id;
		}
	}
	return -ENOENT;
}

int mint_memmap_subtract_foreign(const struct mint_memmap *m, unsigned int node, u64 start,
				 u64 size, struct mint_memmap_ranges *ranges_ret)
{
	const struct mint_memmap_node *self;
	unsigned int n = 0, pass, i, nw, nf;
	u64 pos = start, end;

	if (node >= m->nr_nodes || node >= MINT_MEMMAP_MAX_NODES || !m->nodes[node].present)
		return -ENOENT;
	if (!size || start + size < start)
		return -EINVAL;
	self = &m->nodes[node];
	nw = self->nr_windows < MINT_MEMMAP_MAX_WINDOWS ? self->nr_windows :
	     MINT_MEMMAP_MAX_WINDOWS;
	nf = nr_foreign(m, node);
	end = start + size;
	/*
	 * Each pass finds the lowest cut still overlapping [pos, end), keeps
	 * what lies below it and moves pos past it, so it never overlaps
	 * again: at most one pass per cut, plus one for the tail.
	 */
	for (pass = 0; pass < MINTMON_ARRAY_SIZE(ranges_ret->r) && pos < end; pass++) {
		struct mint_memmap_window w;
		u64 cs = 0, ce = 0, s, e;
		bool found = false;

		for (i = 0; i < nf + nw; i++) {
			if (i < nf) {
				if (!foreign_at(m, node, i, &w))
					break;	/* unreachable: nf counts them */
				s = w.start;
				e = w.size;
			} else {
				s = self->windows[i - nf].start;
				e = self->windows[i - nf].size;
			}
			/* Not validated: an empty cut is none, a wrapping one ends at the top. */
			if (!e)
				continue;
			e = s + e < s ? U64_MAX_ : s + e;
			if (s >= end || e <= pos || (found && s >= cs))
				continue;
			cs = s;
			ce = e;
			found = true;
		}
		if (!found) {
			ranges_ret->r[n].start = pos;
			ranges_ret->r[n++].size = end - pos;
			break;
		}
		if (cs > pos) {
			ranges_ret->r[n].start = pos;
			ranges_ret->r[n++].size = cs - pos;
		}
		pos = ce;
	}
	ranges_ret->nr = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Identity hand-over                                                        */
/* ------------------------------------------------------------------------ */

#define MM_HANDOVER_HDR		24	/* sizeof(struct mint_memmap_handover) */

_Static_assert(sizeof(struct mint_memmap_handover) == MM_HANDOVER_HDR,
	       "the hand-over header is 24 bytes on every ABI");

static const char *firmware_keyword(u32 type)
{
	switch (type) {
	case MINT_MEMMAP_E820_ACPI:
		return "acpi";
	case MINT_MEMMAP_E820_NVS:
		return "nvs";
	case MINT_MEMMAP_E820_UNUSABLE:
		return "unusable";
	default:	/* validation allows nothing else */
		return "reserved";
	}
}

/* A node's CPUs as "0-3,8": one field, whatever the count. */
static void out_cpus(struct mm_out *o, const struct mint_memmap_node *node)
{
	unsigned int c = 0, last, n = 0;

	while (c < MINT_MEMMAP_MAX_CPUS) {
		if (!(node->cpus[c / 64] & (1ULL << (c % 64)))) {
			c++;
			continue;
		}
		for (last = c; last + 1 < MINT_MEMMAP_MAX_CPUS &&
		     (node->cpus[(last + 1) / 64] & (1ULL << ((last + 1) % 64))); last++)
			;
		out_format(o, n++ ? ",%u" : "%u", c);
		if (last > c)
			out_format(o, "-%u", last);
		c = last + 1;
	}
}

/*
 * Firmware in address order, touching ranges of one type merged: what the
 * parser's mint_memmap_add_firmware() makes of the lines again, so that
 * format -> parse -> format is stable. Validation made the ranges disjoint,
 * hence their starts distinct.
 */
static void out_firmware(struct mm_out *o, const struct mint_memmap *m)
{
	struct mint_memmap_firmware cur = { 0 };
	unsigned int pass, i;
	bool have = false;
	u64 prev = 0;

	for (pass = 0; pass < m->nr_firmware; pass++) {
		const struct mint_memmap_firmware *best = NULL;

		for (i = 0; i < m->nr_firmware; i++) {
			const struct mint_memmap_firmware *f = &m->firmware[i];

			if (pass && f->start <= prev)
				continue;
			if (!best || f->start < best->start)
				best = f;
		}
		if (!best)
			break;
		prev = best->start;
		if (have && cur.type == best->type && cur.start + cur.size == best->start) {
			cur.size += best->size;
			continue;
		}
		if (have)
			out_format(o, "firmware 0x%llx 0x%llx %s\n", (ull)cur.start,
				   (ull)cur.size, firmware_keyword(cur.type));
		cur = *best;
		have = true;
	}
	if (have)
		out_format(o, "firmware 0x%llx 0x%llx %s\n", (ull)cur.start, (ull)cur.size,
			   firmware_keyword(cur.type));
}

/*
 * Every number in hex, the statements of docs/memmap.md in a fixed order,
 * regions and windows in the layout's own order (a region's index names it
 * in windows), monitors as a list (not 'all'). The largest layout the limits
 * allow comes to about 17 KiB: 32 firmware lines of at most 50 bytes, 128
 * ram lines of at most 66, 128 window lines of at most 41, 16 monitors
 * lines of at most 56, CPU lists of at most 4 bytes per CPU, node lines.
 */
int mint_memmap_format(const struct mint_memmap *m, char *buf, size_t size)
{
	unsigned int id, i, peer;
	struct mm_out o;

	if (!m->validated)
		return -EINVAL;
	out_init(&o, buf, size);
	o.raw = true;
	out_format(&o, "memory 0x%llx\n", (ull)m->memory);
	out_firmware(&o, m);
	for (id = 0; id < m->nr_nodes; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];

		out_format(&o, "node %u\n  cpus ", id);
		out_cpus(&o, node);
		out_char(&o, '\n');
		for (i = 0; i < node->nr_regions; i++) {
			const struct mint_memmap_region *r = &node->regions[i];

			out_format(&o, "  ram 0x%llx 0x%llx%s", (ull)r->start, (ull)r->size,
				   r->kernel ? " kernel" : "");
			if (r->name[0])
				out_format(&o, " name=%.*s", MINT_MEMMAP_NAME_SIZE - 1, r->name);
			out_char(&o, '\n');
		}
		if (node->monitors) {
			out_format(&o, "  monitors");
			for (peer = 0; peer < m->nr_nodes; peer++) {
				if (node->monitors & (1U << peer))
					out_format(&o, " %u", peer);
			}
			out_char(&o, '\n');
		}
		for (i = 0; i < node->nr_windows; i++)
			out_format(&o, "  window 0x%llx 0x%llx\n", (ull)node->windows[i].start,
				   (ull)node->windows[i].size);
	}
	if (o.len > size || o.len > MINT_MEMMAP_TEXT_MAX)
		return -ENOSPC;
	return (int)o.len;
}

u64 mint_memmap_hash(const void *data, size_t len)
{
	const u8 *p = data;
	u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;	/* FNV 64 prime */
	}
	return h;
}

/* Byte by byte: the blob is little-endian whatever the host, and unaligned. */
static void put_le(u8 *p, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static u64 get_le(const u8 *p, unsigned int bytes)
{
	unsigned int i;
	u64 v = 0;

	for (i = 0; i < bytes; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

int mint_memmap_handover_build(const struct mint_memmap *m, unsigned int node, void *buf,
			       size_t size)
{
	u8 *b = buf;
	int err, len;

	err = check_node(m, node);
	if (err)
		return err;
	if (size < MM_HANDOVER_HDR)
		return -ENOSPC;
	len = mint_memmap_format(m, (char *)b + MM_HANDOVER_HDR, size - MM_HANDOVER_HDR);
	if (len < 0)
		return len;
	put_le(b + 0, MINT_MEMMAP_HANDOVER_MAGIC, 4);
	put_le(b + 4, MINT_MEMMAP_HANDOVER_VERSION, 2);
	put_le(b + 6, MM_HANDOVER_HDR, 2);
	put_le(b + 8, node, 4);
	put_le(b + 12, (u64)len, 4);
	put_le(b + 16, mint_memmap_hash(b + MM_HANDOVER_HDR, (size_t)len), 8);
	return MM_HANDOVER_HDR + len;
}

/* Prefix the message a stage left in m->errmsg with "hand-over: ". */
static int handover_fail_prefix(struct mint_memmap *m, int err)
{
	char msg[MINT_MEMMAP_ERRMSG_SIZE];
	struct mm_out o;

	memcpy(msg, m->errmsg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	out_init(&o, m->errmsg, sizeof(m->errmsg));
	out_format(&o, "hand-over: %s", msg);
	m->validated = false;
	return err;
}

int mint_memmap_handover_parse(struct mint_memmap *m, const void *blob, size_t len,
			       unsigned int *node_ret, u64 *hash_ret)
{
	const u8 *b = blob;
	u32 magic, node, text_len;
	unsigned int version, hdr_size;
	u64 hash, got;
	int err;

	mint_memmap_init(m);
	if (len < MM_HANDOVER_HDR)
		return fail(m, -EINVAL, "hand-over: %llu bytes, shorter than its %u-byte header",
			    (ull)len, MM_HANDOVER_HDR);
	magic = (u32)get_le(b + 0, 4);
	version = (unsigned int)get_le(b + 4, 2);
	hdr_size = (unsigned int)get_le(b + 6, 2);
	node = (u32)get_le(b + 8, 4);
	text_len = (u32)get_le(b + 12, 4);
	hash = get_le(b + 16, 8);
	if (magic != MINT_MEMMAP_HANDOVER_MAGIC)
		return fail(m, -EINVAL, "hand-over: magic 0x%x, not 0x%x", magic,
			    MINT_MEMMAP_HANDOVER_MAGIC);
	if (version != MINT_MEMMAP_HANDOVER_VERSION)
		return fail(m, -EINVAL, "hand-over: version %u, only %u is known", version,
			    MINT_MEMMAP_HANDOVER_VERSION);
	if (hdr_size < MM_HANDOVER_HDR || hdr_size > len)
		return fail(m, -EINVAL,
			    "hand-over: header size %u is not between %u and the blob's %llu bytes",
			    hdr_size, MM_HANDOVER_HDR, (ull)len);
	if (text_len > MINT_MEMMAP_TEXT_MAX)
		return fail(m, -EINVAL, "hand-over: %u bytes of text, more than the %u allowed",
			    text_len, MINT_MEMMAP_TEXT_MAX);
	if (len - hdr_size < text_len)
		return fail(m, -EINVAL,
			    "hand-over: %u bytes of text do not fit in the %llu after the header",
			    text_len, (ull)(len - hdr_size));
	got = mint_memmap_hash(b + hdr_size, text_len);
	if (got != hash)
		return fail(m, -EBADMSG, "hand-over: the text hashes to %016llx, the header says %016llx",
			    (ull)got, (ull)hash);
	err = mint_memmap_parse(m, "hand-over", (const char *)b + hdr_size, text_len);
	if (err)
		return err;	/* "hand-over:LINE: ..." already */
	err = mint_memmap_validate(m);
	if (err)
		return handover_fail_prefix(m, err);
	if (node >= m->nr_nodes) {
		m->validated = false;
		return fail(m, -ENOENT, "hand-over: node %u is not in the layout (nodes 0 to %u)",
			    node, m->nr_nodes - 1);
	}
	*node_ret = node;
	*hash_ret = hash;
	return 0;
}
