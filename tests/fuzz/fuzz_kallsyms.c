// SPDX-License-Identifier: GPL-2.0
/* libFuzzer entry point: kallsyms recovery from arbitrary "read-only data". */
#include "mintmon/kallsyms.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mintmon_kallsyms *ks;
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	u64 addr;

	if (mintmon_kallsyms_create(data, size, 0xffffffff82000000ull, 0xffffffff81000000ull,
				    0xffffffffc0000000ull, NULL, &ks))
		return 0;
	mintmon_kallsyms_iter_init(&it, ks);
	while (mintmon_kallsyms_iter_next(&it, &sym) > 0)
		;
	mintmon_kallsyms_lookup(ks, "init_task", &addr);
	mintmon_kallsyms_destroy(ks);
	return 0;
}
