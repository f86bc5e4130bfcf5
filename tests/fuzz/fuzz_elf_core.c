// SPDX-License-Identifier: GPL-2.0
/* libFuzzer entry point: ELF core headers through the elf: reader (libelf). */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mintmon/reader.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static char spec[64];
	struct mintmon_memory m;
	int fd = memfd_create("fuzz-core", MFD_CLOEXEC);
	u8 buf[64];
	u64 fault;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(spec, sizeof(spec), "elf:/proc/self/fd/%d", fd);
		if (!mintmon_reader_open(spec, &m, NULL)) {
			unsigned int i;

			for (i = 0; i < m.nr_ranges; i++)
				mintmon_memory_read(&m, m.ranges[i].start, buf, sizeof(buf), &fault);
			mintmon_memory_deinit(&m);
		}
	}
	close(fd);
	return 0;
}
