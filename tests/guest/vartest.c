// SPDX-License-Identifier: GPL-2.0
/*
 * vartest: store random values in a global variable, in a heap block and in
 * a 2 MiB-aligned anonymous mapping (a transparent huge page when the kernel
 * grants one), print "pid N" and one "VAR name 0xADDR 0xVALUE" line for each,
 * then sleep forever. The host reads the values back through the process's
 * page tables.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

/* Initialised so that it lives in .data, not .bss. */
volatile uint64_t vartest_global = 1;

static uint64_t random_u64(void)
{
	uint64_t v = 0;

	while (v == 0 || v == ~0ULL) {
		if (getrandom(&v, sizeof(v), 0) != sizeof(v)) {
			perror("getrandom");
			exit(1);
		}
	}
	return v;
}

int main(void)
{
	const size_t huge = 2UL << 20;
	volatile uint64_t *heap, *thp;
	char *map;

	vartest_global = random_u64();

	heap = malloc(4096 * 3);
	if (!heap)
		return 1;
	memset((void *)heap, 0x5a, 4096 * 3);
	heap[700] = random_u64();	/* not at the start of a page */

	/* Two huge pages' worth, so one 2 MiB-aligned huge page fits inside. */
	map = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return 1;
	map = (char *)(((uintptr_t)map + huge - 1) & ~(huge - 1));
	madvise(map, huge, MADV_HUGEPAGE);
	memset(map, 0xa5, huge);
	thp = (volatile uint64_t *)(map + 0x12348);
	*thp = random_u64();

	printf("pid %d\n", (int)getpid());
	/* Whether the kernel backed the mapping with a huge page (informational). */
	{
		FILE *f = fopen("/proc/self/smaps_rollup", "r");
		char line[256];

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "AnonHugePages:", 14))
				printf("anon_huge_kb %ld\n", strtol(line + 14, NULL, 10));
		if (f)
			fclose(f);
	}
	printf("VAR global 0x%lx 0x%016lx\n", (unsigned long)&vartest_global,
	       (unsigned long)vartest_global);
	printf("VAR heap 0x%lx 0x%016lx\n", (unsigned long)&heap[700], (unsigned long)heap[700]);
	printf("VAR thp 0x%lx 0x%016lx\n", (unsigned long)thp, (unsigned long)*thp);
	fflush(stdout);
	for (;;)
		pause();
}
