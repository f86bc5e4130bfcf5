// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon lsmod: the loaded modules from the target's module list, in
 * /proc/modules order and format (name, size, references, state, address,
 * taint letters), plus each one's text range; --json: one object each.
 * Dependencies ("-" in /proc/modules' fourth column) are not shown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mintmon/modules.h"

/* kernel/panic.c's taint letters by bit (as health.c's default table). */
static const char taint_letters[] = "PFSRMBUDAWCIOELKXTNJ";

static void taints(u64 mask, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < sizeof(taint_letters) - 1 && n + 3 < size; i++) {
		if (mask >> i & 1)
			buf[n++] = taint_letters[i];
	}
	buf[n] = '\0';
}

int cmd_lsmod(struct cli *c, int argc, char **argv)
{
	struct mintmon_module *mods = calloc(MINTMON_MODULES_MAX, sizeof(*mods));
	u32 nr, broken, i;
	char tl[32];

	if (!mods)
		cli_die(c, -ENOMEM, "lsmod");
	if (mintmon_modules_list(cli_kernel(c), mods, MINTMON_MODULES_MAX, &nr, &broken))
		cli_die(c, -ENOENT, "lsmod");
	if (c->o.json)
		printf("[");
	for (i = 0; i < nr; i++) {
		const struct mintmon_module *m = &mods[i];

		taints(m->taints, tl, sizeof(tl));
		if (c->o.json) {
			printf("%s\n{\"name\": ", i ? "," : "");
			cli_json_string(stdout, m->name, strlen(m->name));
			printf(", \"size\": %" PRIu64 ", \"refcnt\": %" PRId64 ", \"state\": \"%s\", "
			       "\"address\": \"0x%" PRIx64 "\", \"text\": \"0x%" PRIx64 "\", "
			       "\"text_size\": %" PRIu64 ", \"taint\": \"%s\", \"module\": \"0x%" PRIx64
			       "\"}", m->size, m->refcnt, mintmon_module_state_name(m->state),
			       m->text_base, m->text_base, m->text_size, tl, m->addr);
		} else {
			printf("%s %" PRIu64 " %" PRId64 " - %s 0x%016" PRIx64 "%s%s%s  text 0x%"
			       PRIx64 "-0x%" PRIx64 "\n", m->name, m->size, m->refcnt,
			       mintmon_module_state_name(m->state), m->text_base, *tl ? " (" : "", tl,
			       *tl ? ")" : "", m->text_base, m->text_base + m->text_size);
		}
	}
	if (c->o.json)
		printf("%s]\n", nr ? "\n" : "");
	if (broken)
		fprintf(stderr, "mintmon: lsmod: the module list is broken (a loop or an unreadable "
			"entry after %u modules)\n", nr);
	free(mods);
	return broken ? 1 : 0;
}
