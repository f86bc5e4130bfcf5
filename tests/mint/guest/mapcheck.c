// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mint/nodeN's mmap, checked from node 0 (tests/mint/module_checks.py).
 *
 *   mapcheck DEV PHYS OUTSIDE   a read-only mapping of the page at PHYS
 *                               holds what pread() gives (PHYS: a page that
 *                               does not change, such as the peer's kernel
 *                               text); no writable open, mapping or
 *                               mprotect(); a mapping at OUTSIDE (not in a
 *                               window) is refused. Prints "mapcheck: ok".
 *   mapcheck DEV PHYS hold      map the page, print "mapcheck: mapped" and
 *                               wait to be killed.
 *
 * Static: it runs in the node's busybox initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static int bad(const char *what)
{
	printf("mapcheck: FAIL %s (%s)\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[PAGE];
	unsigned long long phys, outside;
	unsigned char *p;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mapcheck DEV PHYS OUTSIDE|hold\n");
		return 2;
	}
	phys = strtoull(argv[2], NULL, 0) & ~(PAGE - 1ULL);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return bad("open O_RDONLY");
	if (!strcmp(argv[3], "hold")) {
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)phys);
		if (p == MAP_FAILED)
			return bad("mmap");
		printf("mapcheck: mapped 0x%llx, first byte %02x\n", phys, p[0]);
		fflush(stdout);
		for (;;)
			pause();
	}
	outside = strtoull(argv[3], NULL, 0) & ~(PAGE - 1ULL);
	errno = 0;
	if (open(argv[1], O_RDWR) >= 0 || errno != EPERM)
		return bad("open O_RDWR not refused with EPERM");
	if (pread(fd, buf, PAGE, (off_t)phys) != PAGE)
		return bad("pread");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)phys);
	if (p != MAP_FAILED)
		return bad("writable shared mapping allowed");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, (off_t)phys);
	if (p != MAP_FAILED)
		return bad("writable private mapping allowed");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)outside);
	errno = 0;
	if (p != MAP_FAILED)
		return bad("mapping outside the windows allowed");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)phys);
	if (p == MAP_FAILED)
		return bad("read-only mmap");
	if (memcmp(p, buf, PAGE)) {
		errno = 0;
		return bad("mapping differs from pread");
	}
	if (!mprotect(p, PAGE, PROT_READ | PROT_WRITE)) {
		errno = 0;
		return bad("mprotect PROT_WRITE allowed");
	}
	printf("mapcheck: ok: page 0x%llx mapped read-only equals pread; O_RDWR, writable "
	       "mappings, mprotect(PROT_WRITE) and a mapping at 0x%llx refused\n", phys, outside);
	return 0;
}
