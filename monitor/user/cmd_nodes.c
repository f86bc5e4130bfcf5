// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon nodes: the Mint machine as this node's mintmon module sees it --
 * every node of the layout and, for each peer it watches, the watchdog's
 * state (/sys/kernel/mint/; docs/module.md). $MINTMON_MINT_ROOT is put
 * before /sys, as for node:N targets.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mintmon/memmap.h"

struct peer_view {
	bool watched;
	char state[32], release[72], since[24], age[24], reboots[24];
};

/* One line of a sysfs file, trailing newline dropped; "" if missing. */
static void sysfs_line(const char *dir, const char *name, char *buf, size_t size)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void iso(const char *secs, char *buf, size_t size)
{
	time_t t = (time_t)strtoll(secs, NULL, 10);
	struct tm tm;

	if (t <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "-");
}

static void json_field(const char *key, const char *val, bool number)
{
	printf(", \"%s\": ", key);
	if (number && *val)
		printf("%s", val);
	else if (number)
		printf("null");
	else
		cli_json_string(stdout, val, strlen(val));
}

int cmd_nodes(struct cli *c, int argc, char **argv)
{
	char top[512], dir[600], self[16], hash[32], source[32], period[16];
	static char text[MINT_MEMMAP_TEXT_MAX];
	struct mint_memmap *m = calloc(1, sizeof(*m));
	unsigned int k, me;
	size_t len;
	FILE *f;

	(void)argc;
	(void)argv;
	if (!m)
		cli_die(c, -ENOMEM, "nodes");
	const char *root = getenv("MINTMON_MINT_ROOT");

	snprintf(top, sizeof(top), "%s/sys/kernel/mint", root ? root : "");
	if (access(top, F_OK)) {
		fprintf(stderr, "mintmon: nodes: the mintmon module is not loaded (no %s)\n", top);
		exit(1);
	}
	sysfs_line(top, "node", self, sizeof(self));
	sysfs_line(top, "layout_hash", hash, sizeof(hash));
	sysfs_line(top, "layout_source", source, sizeof(source));
	sysfs_line(top, "period_ms", period, sizeof(period));
	snprintf(dir, sizeof(dir), "%s/layout", top);
	f = fopen(dir, "r");
	len = f ? fread(text, 1, sizeof(text), f) : 0;
	if (f)
		fclose(f);
	mint_memmap_init(m);
	if (!len || mint_memmap_parse(m, dir, text, len) || mint_memmap_validate(m)) {
		fprintf(stderr, "mintmon: nodes: %s: %s\n", dir,
			len ? mint_memmap_strerror(m) : "cannot read it");
		exit(1);
	}
	me = (unsigned int)strtoul(self, NULL, 10);
	if (c->o.json)
		printf("{\"node\": %u, \"layout_hash\": \"%s\", \"layout_source\": \"%s\", "
		       "\"period_ms\": %s, \"nodes\": [", me, hash, source, *period ? period : "null");
	else
		printf("%-5s %-8s %-12s %-21s %-28s %-10s %s\n", "NODE", "ROLE", "STATE", "SINCE",
		       "RELEASE", "HEARTBEAT", "REBOOTS");
	for (k = 0; k < m->nr_nodes; k++) {
		struct peer_view v = { 0 };
		char secs[24];
		const char *role;

		if (!m->nodes[k].present)
			continue;
		snprintf(dir, sizeof(dir), "%s/node%u", top, k);
		v.watched = k != me && !access(dir, F_OK);
		role = k == me ? "self" : v.watched ? "peer" : "other";
		if (v.watched) {
			sysfs_line(dir, "state", v.state, sizeof(v.state));
			sysfs_line(dir, "release", v.release, sizeof(v.release));
			sysfs_line(dir, "since", secs, sizeof(secs));
			sysfs_line(dir, "heartbeat_age_ms", v.age, sizeof(v.age));
			sysfs_line(dir, "reboots", v.reboots, sizeof(v.reboots));
			iso(secs, v.since, sizeof(v.since));
		}
		if (c->o.json) {
			printf("%s{\"node\": %u, \"role\": \"%s\"", k ? ", " : "", k, role);
			if (v.watched) {
				json_field("state", v.state, false);
				json_field("since", secs, true);
				json_field("release", v.release, false);
				json_field("heartbeat_age_ms", v.age, true);
				json_field("reboots", v.reboots, true);
			}
			printf("}");
		} else if (v.watched) {
			char age[32];

			snprintf(age, sizeof(age), "%s ms", v.age);
			printf("%-5u %-8s %-12s %-21s %-28s %-10s %s\n", k, role, v.state, v.since,
			       *v.release ? v.release : "-", age, v.reboots);
		} else {
			printf("%-5u %-8s %-12s %-21s %-28s %-10s %s\n", k, role, "-", "-", "-", "-",
			       "-");
		}
	}
	if (c->o.json)
		printf("]}\n");
	free(m);
	return 0;
}
