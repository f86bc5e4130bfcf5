// SPDX-License-Identifier: GPL-2.0
/*
 * mint-memmap: print what the layout engine computes for a Mint machine.
 *
 *   mint-memmap (--preset kexec-mint --nodes N | --layout FILE) [--node K]
 *               (--table | --json | --cmdline | --e820 | --svg FILE |
 *                --canonical | --hash)
 *
 * Every failure is one line on stderr and a non-zero exit: 2 for a bad
 * command line, 1 for a bad layout or an I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_LAYOUT_SIZE (1 << 20)

typedef unsigned long long ull;

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mint-memmap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *f)
{
	fputs("usage: mint-memmap (--preset kexec-mint --nodes N | --layout FILE) [--node K]\n"
	      "                   (--table | --json | --cmdline | --e820 | --svg FILE |\n"
	      "                    --canonical | --hash)\n"
	      "\n"
	      "  --preset NAME   built-in layout (kexec-mint: Kexec-Mint's arithmetic)\n"
	      "  --nodes N       number of nodes for the preset (kexec-mint: 1 to 3)\n"
	      "  --layout FILE   layout file (docs/memmap.md)\n"
	      "  --node K        show node K only\n"
	      "  --table         human-readable layout\n"
	      "  --json          the layout and every node's outputs as JSON\n"
	      "  --cmdline       kernel arguments (memmap=exactmap ...) a node boots with\n"
	      "  --e820          the e820 map a node boots with, as the kernel prints it\n"
	      "  --svg FILE      picture of the machine's memory ('-' for stdout)\n"
	      "  --canonical     the layout as canonical text (what kexec-mint hands a node)\n"
	      "  --hash          the layout's identity: 16 hex digits, as in mint_layout=\n",
	      f);
}

const char *mint_memmap_cli_size(char *buf, size_t size, u64 bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	u64 scale = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= scale * 1024)
		scale *= 1024, u++;
	if (bytes % scale == 0)
		snprintf(buf, size, "%llu %s", (ull)(bytes / scale), units[u]);
	else
		snprintf(buf, size, "%.1f %s", (double)bytes / (double)scale, units[u]);
	return buf;
}

/* Strict decimal: the whole string, no sign, no overflow. */
static unsigned int parse_uint(const char *opt, const char *s, unsigned int max)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		die(2, "%s: '%s' is not a number", opt, s);
	v = strtoul(s, &end, 10);
	if (*end)
		die(2, "%s: '%s' is not a number", opt, s);
	if (errno || v > max)
		die(2, "%s: %s is out of range (at most %u)", opt, s, max);
	return (unsigned int)v;
}

static char *read_file(const char *path, size_t *len_ret)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;

	if (!f)
		die(1, "%s: %s", path, strerror(errno));
	buf = malloc(MAX_LAYOUT_SIZE + 1);
	if (!buf)
		die(1, "out of memory");
	len = fread(buf, 1, MAX_LAYOUT_SIZE + 1, f);
	if (ferror(f))
		die(1, "%s: read error", path);
	fclose(f);
	if (len > MAX_LAYOUT_SIZE)
		die(1, "%s: larger than %d bytes, not a layout file", path, MAX_LAYOUT_SIZE);
	*len_ret = len;
	return buf;
}

/* "0-3,8", cut short (never mid-number) if buf is too small. */
const char *mint_memmap_cli_cpus(char *buf, size_t size, const struct mint_memmap_node *node)
{
	unsigned int c = 0, n = 0;
	size_t len = 0;

	buf[0] = '\0';
	while (c < MINT_MEMMAP_MAX_CPUS && len + 16 < size) {
		unsigned int end;

		if (!(node->cpus[c / 64] & (1ULL << (c % 64)))) {
			c++;
			continue;
		}
		end = c;
		while (end + 1 < MINT_MEMMAP_MAX_CPUS &&
		       (node->cpus[(end + 1) / 64] & (1ULL << ((end + 1) % 64))))
			end++;
		len += (size_t)snprintf(buf + len, size - len, n++ ? ",%u" : "%u", c);
		if (end > c && len + 8 < size)
			len += (size_t)snprintf(buf + len, size - len, "-%u", end);
		c = end + 1;
	}
	return buf;
}

static int cmp_window(const void *a, const void *b)
{
	const struct mint_memmap_window *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void print_table_node(const struct mint_memmap *m, unsigned int id)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	struct mint_memmap_window foreign[MINT_MEMMAP_MAX_NODES * MINT_MEMMAP_MAX_REGIONS];
	struct mint_memmap_windows win;
	char sz[32], cpus[MINT_MEMMAP_MAX_CPUS * 4 + 16];
	unsigned int i, peer, nr_foreign = 0;
	u64 ram = 0;

	mint_memmap_node_ram(m, id, &ram);
	mint_memmap_node_windows(m, id, &win);
	printf("node %u: cpus %s, %s RAM", id, mint_memmap_cli_cpus(cpus, sizeof(cpus), node),
	       mint_memmap_cli_size(sz, sizeof(sz), ram));
	if (node->monitors) {
		printf(", monitors node");
		for (peer = 0; peer < m->nr_nodes; peer++) {
			if (node->monitors & (1U << peer))
				printf(" %u", peer);
		}
	}
	printf("\n");
	for (i = 0; i < node->nr_regions; i++) {
		const struct mint_memmap_region *r = &node->regions[i];

		printf("  ram     0x%010llx-0x%010llx %10s  %s%s\n", (ull)r->start,
		       (ull)(r->start + r->size - 1), mint_memmap_cli_size(sz, sizeof(sz), r->size),
		       r->name[0] ? r->name : "-", r->kernel ? ", kernel window" : "");
	}
	for (i = 0; i < win.nr; i++) {
		const struct mint_memmap_window *w = &win.w[i];

		printf("  window  0x%010llx-0x%010llx %10s  ", (ull)w->start,
		       (ull)(w->start + w->size - 1),
		       mint_memmap_cli_size(sz, sizeof(sz), w->size));
		if (w->owner == MINT_MEMMAP_NO_OWNER)
			printf("reserved\n");
		else
			printf("node %u %s, reserved\n", w->owner,
			       m->nodes[w->owner].regions[w->region].name);
	}
	/* The other nodes' memory it does not monitor: reserved in its e820 all the same. */
	for (peer = 0; peer < m->nr_nodes; peer++) {
		if (peer == id || (node->monitors & (1U << peer)))
			continue;
		for (i = 0; i < m->nodes[peer].nr_regions; i++) {
			foreign[nr_foreign].start = m->nodes[peer].regions[i].start;
			foreign[nr_foreign].size = m->nodes[peer].regions[i].size;
			foreign[nr_foreign].owner = peer;
			foreign[nr_foreign++].region = i;
		}
	}
	qsort(foreign, nr_foreign, sizeof(foreign[0]), cmp_window);
	for (i = 0; i < nr_foreign; i++) {
		const struct mint_memmap_window *w = &foreign[i];
		const char *name = m->nodes[w->owner].regions[w->region].name;

		printf("  foreign 0x%010llx-0x%010llx %10s  node %u%s%s, reserved\n",
		       (ull)w->start, (ull)(w->start + w->size - 1),
		       mint_memmap_cli_size(sz, sizeof(sz), w->size), w->owner,
		       name[0] ? " " : "", name);
	}
}

static void print_table(const struct mint_memmap *m, const char *title, int only)
{
	char sz[32];
	unsigned int id, i;

	printf("%s: %u node%s, installed memory 0x0-0x%llx (%s)\n", title, m->nr_nodes,
	       m->nr_nodes == 1 ? "" : "s", (ull)(m->memory - 1),
	       mint_memmap_cli_size(sz, sizeof(sz), m->memory));
	if (m->nr_firmware)
		printf("firmware (every node sees it):\n");
	for (i = 0; i < m->nr_firmware; i++) {
		const struct mint_memmap_firmware *fw = &m->firmware[i];

		printf("  %-8s 0x%010llx-0x%010llx %10s\n", mint_memmap_e820_type_name(fw->type),
		       (ull)fw->start, (ull)(fw->start + fw->size - 1),
		       mint_memmap_cli_size(sz, sizeof(sz), fw->size));
	}
	for (id = 0; id < m->nr_nodes; id++) {
		if (only >= 0 && id != (unsigned int)only)
			continue;
		printf("\n");
		print_table_node(m, id);
	}
}

static const char *kernel_e820_name(u32 type)
{
	/* As the kernel's e820_print_type() prints them. */
	switch (type) {
	case MINT_MEMMAP_E820_RAM:
		return "usable";
	case MINT_MEMMAP_E820_ACPI:
		return "ACPI data";
	case MINT_MEMMAP_E820_NVS:
		return "ACPI NVS";
	case MINT_MEMMAP_E820_UNUSABLE:
		return "unusable";
	default:
		return "reserved";
	}
}

static void print_e820(const struct mint_memmap *m, int only)
{
	unsigned int id, i;

	for (id = 0; id < m->nr_nodes; id++) {
		struct mint_memmap_e820 e820;

		if (only >= 0 && id != (unsigned int)only)
			continue;
		if (mint_memmap_node_e820(m, id, &e820))
			die(1, "node %u: cannot build its e820", id);
		if (only < 0)
			printf("%snode %u:\n", id ? "\n" : "", id);
		for (i = 0; i < e820.nr; i++) {
			const struct mint_memmap_e820_entry *e = &e820.entries[i];

			printf("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n", (ull)e->addr,
			       (ull)(e->addr + e->size - 1), kernel_e820_name(e->type));
		}
	}
}

static void print_cmdline(const struct mint_memmap *m, int only)
{
	static char buf[MINT_MEMMAP_MAX_E820 * 48 + 32];
	unsigned int id;

	for (id = 0; id < m->nr_nodes; id++) {
		if (only >= 0 && id != (unsigned int)only)
			continue;
		if (mint_memmap_node_cmdline(m, id, buf, sizeof(buf)) < 0)
			die(1, "node %u: cannot build its kernel arguments", id);
		if (only < 0)
			printf("node %u: ", id);
		printf("%s\n", buf);
	}
}

static void json_range(const char *key, u64 start, u64 size)
{
	printf("\"%s\": {\"start\": %llu, \"size\": %llu}", key, (ull)start, (ull)size);
}

static void print_json(const struct mint_memmap *m, const char *title, int only)
{
	static char cmdline[MINT_MEMMAP_MAX_E820 * 48 + 32];
	unsigned int id, i, peer;
	bool first_node = true;

	/* title is "preset kexec-mint" or a file name: escape it. */
	printf("{\n  \"layout\": \"");
	for (i = 0; title[i]; i++) {
		unsigned char c = (unsigned char)title[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	printf("\",\n  \"memory\": %llu,\n  \"firmware\": [", (ull)m->memory);
	for (i = 0; i < m->nr_firmware; i++)
		printf("%s\n    {\"start\": %llu, \"size\": %llu, \"type\": \"%s\"}", i ? "," : "",
		       (ull)m->firmware[i].start, (ull)m->firmware[i].size,
		       mint_memmap_e820_type_name(m->firmware[i].type));
	printf("%s],\n  \"nodes\": [", m->nr_firmware ? "\n  " : "");
	for (id = 0; id < m->nr_nodes; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];
		struct mint_memmap_windows win;
		struct mint_memmap_range kw;
		struct mint_memmap_e820 e820;
		bool first = true;
		unsigned int c;
		u64 ram;

		if (only >= 0 && id != (unsigned int)only)
			continue;
		if (mint_memmap_node_windows(m, id, &win) || mint_memmap_node_e820(m, id, &e820) ||
		    mint_memmap_node_kernel_window(m, id, &kw) ||
		    mint_memmap_node_ram(m, id, &ram) ||
		    mint_memmap_node_cmdline(m, id, cmdline, sizeof(cmdline)) < 0)
			die(1, "node %u: cannot compute its outputs", id);
		printf("%s\n    {\n      \"id\": %u,\n      \"cpus\": [", first_node ? "" : ",",
		       id);
		first_node = false;
		for (c = 0; c < MINT_MEMMAP_MAX_CPUS; c++) {
			if (node->cpus[c / 64] & (1ULL << (c % 64))) {
				printf("%s%u", first ? "" : ", ", c);
				first = false;
			}
		}
		printf("],\n      \"ram\": %llu,\n      \"regions\": [", (ull)ram);
		for (i = 0; i < node->nr_regions; i++)
			printf("%s\n        {\"name\": \"%s\", \"start\": %llu, \"size\": %llu, \"kernel\": %s}",
			       i ? "," : "", node->regions[i].name, (ull)node->regions[i].start,
			       (ull)node->regions[i].size,
			       node->regions[i].kernel ? "true" : "false");
		printf("\n      ],\n      ");
		json_range("kernel_window", kw.start, kw.size);
		printf(",\n      \"monitors\": [");
		first = true;
		for (peer = 0; peer < m->nr_nodes; peer++) {
			if (node->monitors & (1U << peer)) {
				printf("%s%u", first ? "" : ", ", peer);
				first = false;
			}
		}
		printf("],\n      \"windows\": [");
		for (i = 0; i < win.nr; i++) {
			printf("%s\n        {\"start\": %llu, \"size\": %llu, \"owner\": ",
			       i ? "," : "", (ull)win.w[i].start, (ull)win.w[i].size);
			if (win.w[i].owner == MINT_MEMMAP_NO_OWNER)
				printf("null, \"region\": null}");
			else
				printf("%u, \"region\": \"%s\"}", win.w[i].owner,
				       m->nodes[win.w[i].owner].regions[win.w[i].region].name);
		}
		printf("%s],\n      \"e820\": [", win.nr ? "\n      " : "");
		for (i = 0; i < e820.nr; i++)
			printf("%s\n        {\"addr\": %llu, \"size\": %llu, \"type\": %u, \"name\": \"%s\"}",
			       i ? "," : "", (ull)e820.entries[i].addr, (ull)e820.entries[i].size,
			       e820.entries[i].type,
			       mint_memmap_e820_type_name(e820.entries[i].type));
		/* The cmdline holds only [0-9a-zA-Z=@$#x ]: nothing to escape. */
		printf("\n      ],\n      \"cmdline\": \"%s\"\n    }", cmdline);
	}
	printf("\n  ]\n}\n");
}

/* The whole layout's canonical text: the same for every node (--node only checks K). */
static void print_canonical(const struct mint_memmap *m, bool hash)
{
	static char text[MINT_MEMMAP_TEXT_MAX + 1];
	int len = mint_memmap_format(m, text, sizeof(text));

	if (len < 0)
		die(1, "cannot format the layout: %s", strerror(-len));
	if (hash)
		printf("%016llx\n", (ull)mint_memmap_hash(text, (size_t)len));
	else
		fwrite(text, 1, (size_t)len, stdout);
}

enum mode { MODE_NONE, MODE_TABLE, MODE_JSON, MODE_CMDLINE, MODE_E820, MODE_SVG,
	    MODE_CANONICAL, MODE_HASH };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "preset", required_argument, NULL, 'p' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "layout", required_argument, NULL, 'l' },
		{ "node", required_argument, NULL, 'k' },
		{ "table", no_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "cmdline", no_argument, NULL, 'c' },
		{ "e820", no_argument, NULL, 'e' },
		{ "svg", required_argument, NULL, 's' },
		{ "canonical", no_argument, NULL, 'C' },
		{ "hash", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *preset = NULL, *layout = NULL, *svg = NULL;
	static struct mint_memmap m;
	enum mode mode = MODE_NONE;
	int nodes = -1, only = -1;
	char title[300];
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		enum mode want = MODE_NONE;

		switch (c) {
		case 'p':
			preset = optarg;
			break;
		case 'n':
			nodes = (int)parse_uint("--nodes", optarg, MINT_MEMMAP_MAX_NODES);
			break;
		case 'l':
			layout = optarg;
			break;
		case 'k':
			only = (int)parse_uint("--node", optarg, MINT_MEMMAP_MAX_NODES - 1);
			break;
		case 't':
			want = MODE_TABLE;
			break;
		case 'j':
			want = MODE_JSON;
			break;
		case 'c':
			want = MODE_CMDLINE;
			break;
		case 'e':
			want = MODE_E820;
			break;
		case 's':
			want = MODE_SVG;
			svg = optarg;
			break;
		case 'C':
			want = MODE_CANONICAL;
			break;
		case 'H':
			want = MODE_HASH;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default: {
			/*
			 * optopt is 0 for an unknown long option, else the
			 * option's character; a long option's word is then
			 * just before optind (a short one may be mid-cluster).
			 */
			const char *word = argv[optind - 1];
			const struct option *o;

			if (!optopt)
				die(2, "unknown option '%s' (see --help)", word);
			for (o = opts; o->name && !strncmp(word, "--", 2); o++) {
				size_t n = strlen(o->name);

				if (o->val != optopt || strncmp(word + 2, o->name, n))
					continue;
				if (word[2 + n] == '=')
					die(2, "option --%s takes no value (see --help)", o->name);
				die(2, "option --%s needs a value (see --help)", o->name);
			}
			die(2, "unknown option '-%c' (see --help)", optopt);
		}
		}
		if (want != MODE_NONE) {
			if (mode != MODE_NONE)
				die(2, "give only one of --table, --json, --cmdline, --e820, --svg, "
				    "--canonical, --hash");
			mode = want;
		}
	}
	if (optind < argc)
		die(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!preset == !layout)
		die(2, "give either --preset NAME --nodes N or --layout FILE (see --help)");
	if (preset && nodes < 0)
		die(2, "--preset needs --nodes N");
	if (layout && nodes >= 0)
		die(2, "--nodes goes with --preset, not --layout");
	if (mode == MODE_NONE)
		die(2, "give one of --table, --json, --cmdline, --e820, --svg FILE, --canonical, "
		    "--hash");

	if (preset) {
		err = mint_memmap_preset(&m, preset, (unsigned int)nodes);
		snprintf(title, sizeof(title), "preset %s", preset);
	} else {
		const char *base;
		size_t len;
		char *text = read_file(layout, &len);

		err = mint_memmap_parse(&m, layout, text, len);
		free(text);
		if (err)	/* the message starts with "FILE:LINE:" */
			die(1, "%s", mint_memmap_strerror(&m));
		base = strrchr(layout, '/');
		snprintf(title, sizeof(title), "%s", base && base[1] ? base + 1 : layout);
	}
	if (err)
		die(1, "%s", mint_memmap_strerror(&m));
	err = mint_memmap_validate(&m);
	if (err)
		die(1, "%s: %s", layout ? layout : title, mint_memmap_strerror(&m));
	if (only >= (int)m.nr_nodes)
		die(2, "--node %d: the layout has nodes 0 to %u", only, m.nr_nodes - 1);

	switch (mode) {
	case MODE_TABLE:
		print_table(&m, title, only);
		break;
	case MODE_JSON:
		print_json(&m, title, only);
		break;
	case MODE_CMDLINE:
		print_cmdline(&m, only);
		break;
	case MODE_E820:
		print_e820(&m, only);
		break;
	case MODE_SVG: {
		FILE *f = strcmp(svg, "-") ? fopen(svg, "w") : stdout;

		if (!f)
			die(1, "%s: %s", svg, strerror(errno));
		mint_memmap_cli_svg(f, &m, title, only);
		if (ferror(f) || (f != stdout && fclose(f)))
			die(1, "%s: write error", svg);
		break;
	}
	case MODE_CANONICAL:
	case MODE_HASH:
		print_canonical(&m, mode == MODE_HASH);
		break;
	case MODE_NONE:
		break;
	}
	if (fflush(stdout) || ferror(stdout))
		die(1, "write error on stdout");
	return 0;
}
