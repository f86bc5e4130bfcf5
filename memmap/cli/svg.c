// SPDX-License-Identifier: GPL-2.0
/*
 * The layout as a picture: one column for the machine (who owns what), then
 * one column per node showing the e820 it boots with (its RAM solid, the
 * windows it may read hatched in the owner's colour, the other nodes' memory
 * it does not monitor pale in the owner's colour, firmware grey, the rest
 * absent). Addresses run downwards; block heights grow with log2 of
 * the size, so a 128 KiB trampoline region and a 384 MiB kernel region are
 * both readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef unsigned long long ull;

#define TOP		96.0	/* title, subtitle, column headers */
#define AXIS_W		112.0	/* address labels */
#define COL_W		200.0
#define COL_GAP		28.0
#define MIN_H		24.0	/* one line of text */
#define LOG_H		7.0	/* extra height per doubling above 64 KiB */
#define LEGEND_H	144.0

static const struct {
	const char *fill;
	const char *text;
} palette[] = {
	{ "#4e79a7", "#ffffff" }, { "#f28e2b", "#ffffff" }, { "#59a14f", "#ffffff" },
	{ "#e15759", "#ffffff" }, { "#76b7b2", "#1b1b1b" }, { "#edc948", "#1b1b1b" },
	{ "#b07aa1", "#ffffff" }, { "#ff9da7", "#1b1b1b" }, { "#9c755f", "#ffffff" },
	{ "#bab0ac", "#1b1b1b" },
};

#define NR_COLOURS (sizeof(palette) / sizeof(palette[0]))
#define FIRMWARE_FILL "#c9c9c9"

struct axis {
	u64 *bounds;		/* sorted, distinct */
	double *y;		/* y of each bound */
	unsigned int nr;
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void axis_add(u64 *b, unsigned int *n, u64 start, u64 size)
{
	b[(*n)++] = start;
	b[(*n)++] = start + size;
}

/* log2(x) for x >= 1, close enough for drawing (no libm). */
static double approx_log2(double x)
{
	double e = 0;

	while (x >= 2.0) {
		x /= 2.0;
		e += 1.0;
	}
	return e + (x - 1.0);
}

static void axis_build(struct axis *ax, const struct mint_memmap *m)
{
	unsigned int cap = 4 + 2 * m->nr_firmware, n = 0, id, i, out;

	for (id = 0; id < m->nr_nodes; id++)
		cap += 2 * (m->nodes[id].nr_regions + m->nodes[id].nr_windows);
	ax->bounds = calloc(cap, sizeof(*ax->bounds));
	ax->y = calloc(cap, sizeof(*ax->y));
	if (!ax->bounds || !ax->y) {
		fputs("mint-memmap: out of memory\n", stderr);
		exit(1);
	}
	axis_add(ax->bounds, &n, 0, m->memory);
	for (i = 0; i < m->nr_firmware; i++)
		axis_add(ax->bounds, &n, m->firmware[i].start, m->firmware[i].size);
	for (id = 0; id < m->nr_nodes; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];

		for (i = 0; i < node->nr_regions; i++)
			axis_add(ax->bounds, &n, node->regions[i].start, node->regions[i].size);
		for (i = 0; i < node->nr_windows; i++)
			axis_add(ax->bounds, &n, node->windows[i].start, node->windows[i].size);
	}
	qsort(ax->bounds, n, sizeof(*ax->bounds), cmp_u64);
	for (i = 0, out = 0; i < n; i++) {
		if (!out || ax->bounds[i] != ax->bounds[out - 1])
			ax->bounds[out++] = ax->bounds[i];
	}
	ax->nr = out;
	ax->y[0] = TOP;
	for (i = 1; i < ax->nr; i++) {
		double size = (double)(ax->bounds[i] - ax->bounds[i - 1]);
		double h = MIN_H;

		if (size > 65536.0)
			h += LOG_H * approx_log2(size / 65536.0);
		ax->y[i] = ax->y[i - 1] + h;
	}
}

/* Linear inside the segment holding addr; addr lies within the axis. */
static double axis_y(const struct axis *ax, u64 addr)
{
	unsigned int i;

	for (i = 1; i < ax->nr; i++) {
		if (addr <= ax->bounds[i]) {
			double span = (double)(ax->bounds[i] - ax->bounds[i - 1]);
			double part = (double)(addr - ax->bounds[i - 1]);

			return ax->y[i - 1] + (ax->y[i] - ax->y[i - 1]) * part / span;
		}
	}
	return ax->y[ax->nr - 1];
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

/*
 * A block with up to two centred lines of text; the second line is dropped
 * when the block is too short for it.
 */
static void block(FILE *f, double x, double y0, double y1, const char *fill, const char *stroke,
		  double stroke_w, const char *text_colour, const char *line1, const char *line2,
		  bool bold)
{
	double h = y1 - y0, cx = x + COL_W / 2;

	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		"stroke=\"%s\" stroke-width=\"%.1f\"/>\n", x, y0, COL_W, h, fill, stroke, stroke_w);
	if (!line1 || h < 12)
		return;
	if (line2 && h >= 36) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" fill=\"%s\">%s</text>\n", cx,
			y0 + h / 2 - 3, bold ? "b" : "t", text_colour, line1);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"s\" fill=\"%s\">%s</text>\n", cx,
			y0 + h / 2 + 12, text_colour, line2);
	} else {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" fill=\"%s\">%s%s%s</text>\n",
			cx, y0 + h / 2 + 4, bold ? "b" : "t", text_colour, line1,
			line2 ? " · " : "", line2 ? line2 : "");
	}
}

static void defs(FILE *f)
{
	unsigned int c;

	fputs("<defs>\n", f);
	for (c = 0; c < NR_COLOURS; c++)
		fprintf(f, "<pattern id=\"hatch%u\" width=\"8\" height=\"8\" "
			"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
			"<rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
			"<rect width=\"3.5\" height=\"8\" fill=\"%s\" fill-opacity=\"0.55\"/>"
			"</pattern>\n", c, palette[c].fill);
	fputs("<pattern id=\"hatchfw\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
	      "<rect width=\"3.5\" height=\"8\" fill=\"#9a9a9a\"/></pattern>\n", f);
	fputs("</defs>\n<style>\n"
	      "text { font-family: 'DejaVu Sans', Verdana, sans-serif; text-anchor: middle; }\n"
	      ".t { font-size: 11.5px; }\n"
	      ".b { font-size: 11.5px; font-weight: bold; }\n"
	      ".s { font-size: 10.5px; }\n"
	      ".h { font-size: 13px; font-weight: bold; }\n"
	      ".title { font-size: 17px; font-weight: bold; text-anchor: start; }\n"
	      ".note { font-size: 11.5px; fill: #555555; text-anchor: start; }\n"
	      ".addr { font-family: 'DejaVu Sans Mono', monospace; font-size: 10.5px; "
	      "text-anchor: end; fill: #333333; }\n"
	      ".leg { font-size: 12px; text-anchor: start; }\n"
	      "</style>\n", f);
}

static bool in_firmware(const struct mint_memmap *m, u64 addr)
{
	unsigned int i;

	for (i = 0; i < m->nr_firmware; i++) {
		const struct mint_memmap_firmware *fw = &m->firmware[i];

		if (addr >= fw->start && addr - fw->start < fw->size)
			return true;
	}
	return false;
}

static void machine_column(FILE *f, const struct mint_memmap *m, const struct axis *ax, double x)
{
	char l1[64], l2[64], sz[32];
	double top = ax->y[0], bottom = ax->y[ax->nr - 1];
	unsigned int id, i;

	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"h\">machine</text>\n", x + COL_W / 2,
		TOP - 26);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"s\" fill=\"#555555\">who owns what</text>\n",
		x + COL_W / 2, TOP - 10);
	/* Installed memory nobody owns, then what lies above it. */
	block(f, x, top, axis_y(ax, m->memory), "#ffffff", "#888888", 1, "#888888", NULL, NULL,
	      false);
	if (bottom > axis_y(ax, m->memory) + 0.5)
		block(f, x, axis_y(ax, m->memory), bottom, "#eeeeee", "#888888", 1, "#777777",
		      "not installed", NULL, false);
	/* Name the installed memory no node owns. */
	for (i = 1; i < ax->nr && ax->bounds[i] <= m->memory; i++) {
		u64 a = ax->bounds[i - 1];

		if (mint_memmap_owner(m, a) >= 0 || in_firmware(m, a) ||
		    ax->y[i] - ax->y[i - 1] < 14)
			continue;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"s\" fill=\"#888888\">unused</text>\n",
			x + COL_W / 2, (ax->y[i - 1] + ax->y[i]) / 2 + 4);
	}
	for (i = 0; i < m->nr_firmware; i++) {
		const struct mint_memmap_firmware *fw = &m->firmware[i];

		snprintf(l1, sizeof(l1), "firmware %s", mint_memmap_e820_type_name(fw->type));
		block(f, x, axis_y(ax, fw->start), axis_y(ax, fw->start + fw->size), FIRMWARE_FILL,
		      "#666666", 1, "#1b1b1b", l1, mint_memmap_cli_size(sz, sizeof(sz), fw->size),
		      false);
	}
	for (id = 0; id < m->nr_nodes; id++) {
		const struct mint_memmap_node *node = &m->nodes[id];
		unsigned int c = id % NR_COLOURS;

		for (i = 0; i < node->nr_regions; i++) {
			const struct mint_memmap_region *r = &node->regions[i];

			snprintf(l1, sizeof(l1), "node %u%s%s", id, r->name[0] ? " " : "", r->name);
			mint_memmap_cli_size(l2, sizeof(l2), r->size);
			block(f, x, axis_y(ax, r->start), axis_y(ax, r->start + r->size),
			      palette[c].fill, "#ffffff", 1, palette[c].text, l1, l2, true);
		}
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#333333\" stroke-width=\"1.2\"/>\n", x, top, COL_W, bottom - top);
}

static void node_column(FILE *f, const struct mint_memmap *m, const struct axis *ax, double x,
			unsigned int id)
{
	const struct mint_memmap_node *node = &m->nodes[id];
	unsigned int c = id % NR_COLOURS, i, peer;
	struct mint_memmap_windows win;
	char l1[64], l2[64], sz[32], cpus[64];
	double top = ax->y[0], bottom = ax->y[ax->nr - 1];
	u64 ram = 0;

	mint_memmap_node_windows(m, id, &win);
	mint_memmap_node_ram(m, id, &ram);
	mint_memmap_cli_cpus(cpus, sizeof(cpus), node);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"%s\"/>\n", x,
		TOP - 48, COL_W, palette[c].fill);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"h\">node %u boots with</text>\n",
		x + COL_W / 2, TOP - 26, id);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"s\" fill=\"#555555\">cpus %s · %s RAM%s</text>\n",
		x + COL_W / 2, TOP - 10, cpus, mint_memmap_cli_size(sz, sizeof(sz), ram),
		node->monitors ? " · monitor" : "");
	/* Absent: not in this node's e820 at all. */
	block(f, x, top, bottom, "#f4f4f4", "none", 0, "#999999", NULL, NULL, false);
	for (i = 0; i < m->nr_firmware; i++) {
		const struct mint_memmap_firmware *fw = &m->firmware[i];

		block(f, x, axis_y(ax, fw->start), axis_y(ax, fw->start + fw->size), FIRMWARE_FILL,
		      "#666666", 1, "#1b1b1b", mint_memmap_e820_type_name(fw->type), "firmware",
		      false);
	}
	/* Other nodes' memory it does not monitor: reserved all the same. */
	for (peer = 0; peer < m->nr_nodes; peer++) {
		unsigned int pc = peer % NR_COLOURS;

		if (peer == id || (node->monitors & (1U << peer)))
			continue;
		for (i = 0; i < m->nodes[peer].nr_regions; i++) {
			const struct mint_memmap_region *r = &m->nodes[peer].regions[i];
			double y0 = axis_y(ax, r->start), y1 = axis_y(ax, r->start + r->size);

			snprintf(l1, sizeof(l1), "reserved: node %u%s%s", peer, r->name[0] ? " " : "",
				 r->name);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\" fill-opacity=\"0.18\" stroke=\"%s\" stroke-width=\"1\"/>\n",
				x, y0, COL_W, y1 - y0, palette[pc].fill, palette[pc].fill);
			if (y1 - y0 >= 14)
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" fill=\"#444444\">%s</text>\n",
					x + COL_W / 2, (y0 + y1) / 2 + 4, l1);
		}
	}
	for (i = 0; i < win.nr; i++) {
		const struct mint_memmap_window *w = &win.w[i];

		if (w->owner == MINT_MEMMAP_NO_OWNER) {
			snprintf(l1, sizeof(l1), "reserved window");
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"url(#hatchfw)\" stroke=\"#555555\" stroke-width=\"1.5\" "
				"stroke-dasharray=\"5,3\"/>\n", x, axis_y(ax, w->start), COL_W,
				axis_y(ax, w->start + w->size) - axis_y(ax, w->start));
		} else {
			const char *name = m->nodes[w->owner].regions[w->region].name;

			snprintf(l1, sizeof(l1), "reserved: node %u%s%s", w->owner,
				 name[0] ? " " : "", name);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"url(#hatch%u)\" stroke=\"%s\" stroke-width=\"1.5\" "
				"stroke-dasharray=\"5,3\"/>\n", x, axis_y(ax, w->start), COL_W,
				axis_y(ax, w->start + w->size) - axis_y(ax, w->start),
				(unsigned int)(w->owner % NR_COLOURS),
				palette[w->owner % NR_COLOURS].fill);
		}
		/* Text on a white label so the hatch does not hide it. */
		{
			double y0 = axis_y(ax, w->start), y1 = axis_y(ax, w->start + w->size);
			double cy = (y0 + y1) / 2, lw = 7.0 * (double)strlen(l1) + 12;

			if (y1 - y0 >= 14) {
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
					"rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>\n",
					x + COL_W / 2 - lw / 2, cy - 8, lw);
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"b\" fill=\"#1b1b1b\">%s</text>\n",
					x + COL_W / 2, cy + 4, l1);
			}
		}
	}
	for (i = 0; i < node->nr_regions; i++) {
		const struct mint_memmap_region *r = &node->regions[i];

		snprintf(l1, sizeof(l1), "%s%sRAM", r->name, r->name[0] ? " " : "");
		snprintf(l2, sizeof(l2), "%s%s", mint_memmap_cli_size(sz, sizeof(sz), r->size),
			 r->kernel ? " · kernel window" : "");
		block(f, x, axis_y(ax, r->start), axis_y(ax, r->start + r->size), palette[c].fill,
		      r->kernel ? "#111111" : "#ffffff", r->kernel ? 3 : 1, palette[c].text, l1,
		      l2, true);
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#333333\" stroke-width=\"1.2\"/>\n", x, top, COL_W, bottom - top);
}

static void legend(FILE *f, const struct mint_memmap *m, double y, double width)
{
	double x = 24;
	unsigned int id;

	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"14\" fill=\"%s\"/>"
		"<text x=\"%.1f\" y=\"%.1f\" class=\"leg\">RAM of a node (solid, its colour; "
		"thick border: kernel window, where kexec loads the kernel)</text>\n",
		x, y, palette[0].fill, x + 30, y + 11);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"14\" fill=\"url(#hatch1)\" "
		"stroke=\"%s\" stroke-dasharray=\"5,3\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">"
		"reserved window onto a peer's RAM (hatched, the owner's colour): the monitor "
		"reads it, never allocates it</text>\n", x, y + 22, palette[1].fill, x + 30,
		y + 33);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"14\" fill=\"%s\" "
		"fill-opacity=\"0.18\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">"
		"another node's RAM it does not monitor (pale, the owner's colour): reserved, "
		"neither used nor taken for free address space</text>\n", x, y + 44,
		palette[2].fill, palette[2].fill, x + 30, y + 55);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"14\" fill=\"%s\" "
		"stroke=\"#666666\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">firmware range, "
		"passed through to every node with its e820 type</text>\n", x, y + 66,
		FIRMWARE_FILL, x + 30, y + 77);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"14\" fill=\"#f4f4f4\" "
		"stroke=\"#bbbbbb\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">absent: not in "
		"the node's e820 at all</text>\n", x, y + 88, x + 30, y + 99);
	y += 118;
	for (id = 0; id < m->nr_nodes && x + 120 < width; id++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" class=\"leg\">node %u%s</text>\n", x, y,
			palette[id % NR_COLOURS].fill, x + 20, y + 11, id,
			m->nodes[id].monitors ? " (monitor)" : "");
		x += m->nodes[id].monitors ? 140 : 80;
	}
}

void mint_memmap_cli_svg(FILE *f, const struct mint_memmap *m, const char *title, int only)
{
	unsigned int cols = 1, id, i;
	double width, height, x, bottom;
	char sz[32];
	struct axis ax;

	for (id = 0; id < m->nr_nodes; id++)
		cols += only < 0 || id == (unsigned int)only;
	axis_build(&ax, m);
	bottom = ax.y[ax.nr - 1];
	width = AXIS_W + cols * COL_W + (cols - 1) * COL_GAP + 24;
	if (width < 760)
		width = 760;
	/* Room for the title (about 10 px per character at 17 px bold). */
	if (width < 24 + 10.0 * (double)(strlen(title) + 40))
		width = 24 + 10.0 * (double)(strlen(title) + 40);
	height = bottom + LEGEND_H + 24;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\">\n", width, height, width, height);
	fputs("<title>Mint memory layout: ", f);
	put_escaped(f, title);
	fputs("</title>\n", f);
	defs(f);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", width, height);
	fputs("<text x=\"24\" y=\"26\" class=\"title\">Mint memory layout: ", f);
	put_escaped(f, title);
	fprintf(f, ", %u node%s, %s installed</text>\n", m->nr_nodes, m->nr_nodes == 1 ? "" : "s",
		mint_memmap_cli_size(sz, sizeof(sz), m->memory));
	fputs("<text x=\"24\" y=\"44\" class=\"note\">Physical addresses grow downwards. Block "
	      "heights grow with log2(size): not to scale.</text>\n", f);

	/* Address axis, with guides across every column. */
	for (i = 0; i < ax.nr; i++) {
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\" "
			"stroke-width=\"0.8\"/>\n", AXIS_W - 6, ax.y[i], width - 24, ax.y[i]);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"addr\">0x%0*llx</text>\n",
			AXIS_W - 10, ax.y[i] + 3.5, ax.bounds[ax.nr - 1] > 0xffffffffULL ? 10 : 8,
			(ull)ax.bounds[i]);
	}
	x = AXIS_W;
	machine_column(f, m, &ax, x);
	for (id = 0; id < m->nr_nodes; id++) {
		if (only >= 0 && id != (unsigned int)only)
			continue;
		x += COL_W + COL_GAP;
		node_column(f, m, &ax, x, id);
	}
	legend(f, m, bottom + 24, width);
	fputs("</svg>\n", f);
	free(ax.bounds);
	free(ax.y);
}
