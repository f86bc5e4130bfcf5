// SPDX-License-Identifier: GPL-2.0
/*
 * memstress: fill most of this node's free RAM with a node-specific pattern
 * and verify it, pass after pass, for a given time. Runs inside an OS node of
 * the emulated Mint machine (tests/mint/); built static.
 *
 *	memstress NODE SECONDS [MIB]
 *
 * MIB defaults to MemAvailable minus a margin, so that the node's kernel
 * hands out nearly all of its RAM. Every 64-bit word carries a tag:
 *
 *	bits 63..32  0x4d494e54 ("MINT")
 *	bits 31..24  node id
 *	bits 23..0   (word index + pass * 0x9e3779) & 0xffffff
 *
 * so the host can also find which node wrote a word it finds in the shared
 * memory file, and a word written by another node is told apart from a
 * random bit flip. Any mismatch is printed (at most 16) and counted; the exit
 * status is 1 if there was one. A line "memstress: progress ..." after every
 * pass lets the harness see that the node is alive.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TAG_MAGIC	0x4d494e54ULL
#define MARGIN_MIB	40
#define MAX_REPORTS	16

static uint64_t pattern(unsigned int node, uint64_t pass, uint64_t i)
{
	return TAG_MAGIC << 32 | (uint64_t)(node & 0xff) << 24 |
	       ((i + pass * 0x9e3779) & 0xffffff);
}

static long mem_available_mib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long node, seconds, mib;
	unsigned long long errors = 0, pass;
	uint64_t *buf, words, i;
	double start, t;
	char *end;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: memstress NODE SECONDS [MIB]\n");
		return 2;
	}
	node = strtoul(argv[1], &end, 0);
	if (*end || node > 255) {
		fprintf(stderr, "memstress: bad node '%s'\n", argv[1]);
		return 2;
	}
	seconds = strtoul(argv[2], &end, 0);
	if (*end || seconds > 86400) {
		fprintf(stderr, "memstress: bad duration '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 4) {
		mib = strtoul(argv[3], &end, 0);
		if (*end || mib == 0 || mib > (1UL << 20)) {
			fprintf(stderr, "memstress: bad size '%s'\n", argv[3]);
			return 2;
		}
	} else {
		long avail = mem_available_mib();

		if (avail <= MARGIN_MIB + 16) {
			fprintf(stderr, "memstress: MemAvailable too small (%ld MiB)\n", avail);
			return 2;
		}
		mib = avail - MARGIN_MIB;
	}

	words = (uint64_t)mib << 20 >> 3;
	buf = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "memstress: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 2;
	}
	printf("memstress: node %lu, %lu MiB, %lu s\n", node, mib, seconds);
	fflush(stdout);

	start = now();
	for (pass = 0;; pass++) {
		for (i = 0; i < words; i++)
			buf[i] = pattern(node, pass, i);
		for (i = 0; i < words; i++) {
			uint64_t want = pattern(node, pass, i), got = buf[i];

			if (got == want)
				continue;
			if (errors++ < MAX_REPORTS) {
				if (got >> 32 == TAG_MAGIC)
					printf("memstress: CORRUPT word %llu: want %016llx got %016llx (written by node %llu)\n",
					       (unsigned long long)i, (unsigned long long)want,
					       (unsigned long long)got,
					       (unsigned long long)(got >> 24 & 0xff));
				else
					printf("memstress: CORRUPT word %llu: want %016llx got %016llx\n",
					       (unsigned long long)i, (unsigned long long)want,
					       (unsigned long long)got);
			}
		}
		t = now() - start;
		printf("memstress: progress pass %llu %.1f s errors %llu\n", pass + 1, t, errors);
		fflush(stdout);
		if (t >= seconds)
			break;
	}
	printf("memstress: done node %lu passes %llu MiB %lu errors %llu\n", node, pass + 1,
	       mib, errors);
	return errors ? 1 : 0;
}
