// SPDX-License-Identifier: GPL-2.0
/*
 * threads NAME N: a process with N extra threads, each named NAME-i, all
 * sleeping forever. Gives the test bed multi-threaded processes whose thread
 * names differ from the process name.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	int i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: threads NAME N\n");
		return 2;
	}
	n = atoi(argv[2]);
	if (n < 0 || n > 64) {
		fprintf(stderr, "threads: N out of range\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		pthread_t t;
		char name[16];

		if (pthread_create(&t, NULL, worker, NULL)) {
			perror("pthread_create");
			return 1;
		}
		snprintf(name, sizeof(name), "%.8s-%d", argv[1], i & 63);
		pthread_setname_np(t, name);
	}
	for (;;)
		pause();
}
