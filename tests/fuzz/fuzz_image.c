// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the kernel image reader (monitor/user/image.c):
 * bzImage setup headers, gzip/xz/zstd payloads, the ELF (libelf) and the
 * KASLR relocation tables after it. Each input is opened; if it loads, it is
 * relocated by a fixed offset and every section is looked up.
 *
 * Seeds: MINTMON_SEED_DIR=tests/fuzz/seeds/fuzz_image build/fuzz/fuzz_image -runs=0
 * writes the hand-built image of tests/unit/image_fixture.h in each form.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../monitor/user/image.h"
#include "../unit/image_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = {"gzip", "xz", "zstd", "vmlinux"};
	const char *dir = getenv("MINTMON_SEED_DIR");
	unsigned int i;

	for (i = 0; dir && i < 4; i++) {
		char path[512];
		size_t len;
		unsigned char *b = fix_image((enum fix_comp)i, &len);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "wb");
		if (!f || fwrite(b, 1, len, f) != len || fclose(f))
			abort();
		free(b);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mintmon_image img;
	char why[256];
	const char *name;
	u64 addr, sz;
	unsigned int i;

	if (mintmon_image_open_mem(data, size, &img, why, sizeof(why)))
		return 0;
	mintmon_image_relocate(&img, 0x2a400000, why, sizeof(why));
	for (i = 0; !mintmon_image_section_at(&img, i, &name, &addr, &sz) && i < 4096; i++)
		mintmon_image_at(&img, addr, sz);
	mintmon_image_close(&img);
	return 0;
}
