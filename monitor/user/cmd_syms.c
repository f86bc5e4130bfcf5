// SPDX-License-Identifier: GPL-2.0
/* mintmon syms: every symbol, as /proc/kallsyms lists them. */
#include <inttypes.h>

#include "cli.h"

int cmd_syms(struct cli *c, int argc, char **argv)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	int ret;

	mintmon_kallsyms_iter_init(&it, cli_kernel(c)->kallsyms);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0)
		printf("%016" PRIx64 " %c %s\n", sym.addr, sym.type, sym.name);
	if (ret < 0)
		cli_die(c, ret, "kallsyms");
	return 0;
}
