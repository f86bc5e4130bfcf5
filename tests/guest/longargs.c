// SPDX-License-Identifier: GPL-2.0
/*
 * longargs: re-exec itself with a long argument vector (about 12 KiB in
 * ~900 arguments of varying length), so the args area spans several pages
 * of the process's stack, then sleep forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NARGS 900

int main(int argc, char **argv)
{
	static char *nargv[NARGS + 3];
	static char buf[NARGS * 24];
	static char self[4096];
	char *p = buf;
	ssize_t n;
	int i;

	if (argc > 1 && strcmp(argv[1], "--child") == 0) {
		for (;;)
			pause();
	}
	nargv[0] = "longargs";
	nargv[1] = "--child";
	for (i = 0; i < NARGS; i++) {
		/* Lengths 5..17 so argument boundaries fall at varied offsets. */
		int len = snprintf(p, 24, "a%d-%.*s", i, i % 13, "xyzxyzxyzxyzx");

		nargv[i + 2] = p;
		p += len + 1;
	}
	nargv[NARGS + 2] = NULL;
	/* Exec by real path, not /proc/self/exe, so that comm stays "longargs". */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	execv(self, nargv);
	perror("longargs: exec");
	return 127;
}
