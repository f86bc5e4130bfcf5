// SPDX-License-Identifier: GPL-2.0
/* libFuzzer entry point: the vmcoreinfo note text parser. */
#include "mintmon/kernel.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mintmon_vmcoreinfo info;

	mintmon_vmcoreinfo_parse((const char *)data, size, &info);
	return 0;
}
