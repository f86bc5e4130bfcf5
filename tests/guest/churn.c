// SPDX-License-Identifier: GPL-2.0
/*
 * churn: load for the test bed's live checks, and two quiet markers.
 *
 *   churn storm         fork/exec storm, forever: keeps up to 6 children alive,
 *                       each an exec of "churn child N PAD" that starts 2
 *                       threads, lives 0-20 ms and exits (then a zombie until
 *                       reaped). The task list changes all the time.
 *   churn mem MB        memory churn, forever: map MB of anonymous memory,
 *                       touch every page, shuffle with mremap/madvise, unmap.
 *   churn hold MB       map and touch MB once (a large RSS: %MEM is tested
 *                       with it), then sleep forever.
 *   churn burn MS FILE  use MS milliseconds of CPU time, create FILE, sleep
 *                       forever (a fixed, non-zero %CPU for the ps checks).
 *   churn child N       what storm execs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *thread_fn(void *arg)
{
	sleep_ms((long)(size_t)arg);
	return NULL;
}

static int child(long n)
{
	pthread_t t[2];
	long ms = n % 21;
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, thread_fn, (void *)(size_t)(ms / 2)))
			return 1;
	sleep_ms(ms);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int storm(void)
{
	long n = 0;
	int live = 0;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		char num[32], pad[200];
		pid_t pid;

		while (live >= 6) {
			if (waitpid(-1, NULL, 0) > 0)
				live--;
			else
				live = 0;
		}
		snprintf(num, sizeof(num), "%ld", n);
		memset(pad, 'a' + n % 26, sizeof(pad) - 1);
		pad[n % (sizeof(pad) - 1)] = '\0';	/* argument lengths vary */
		pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", "churn", "child", num, pad, (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			live++;
		else
			sleep_ms(10);
		if (n % 16 == 0)
			sleep_ms(5);
		n++;
	}
}

static int mem(long mb)
{
	size_t size = (size_t)mb << 20;
	long round = 0;

	for (;;) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		size_t off;

		if (p == MAP_FAILED) {
			sleep_ms(50);
			continue;
		}
		for (off = 0; off < size; off += 4096)
			p[off] = (char)(off >> 12) + round;
		/* Move half of it, drop a quarter, then unmap everything. */
		if (round & 1) {
			char *q = mremap(p, size, size / 2, MREMAP_MAYMOVE);

			if (q != MAP_FAILED) {
				p = q;
				size /= 2;
			}
		}
		madvise(p, size / 4, MADV_DONTNEED);
		munmap(p, size);
		size = (size_t)mb << 20;
		round++;
		sleep_ms(2);
	}
	return 0;
}

static int hold(long mb)
{
	size_t size = (size_t)mb << 20, off;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("churn hold: mmap");
		return 1;
	}
	/* Small pages only: the RSS is exactly what was touched. */
	madvise(p, size, MADV_NOHUGEPAGE);
	for (off = 0; off < size; off += 4096)
		p[off] = 1;
	for (;;)
		pause();
	return 0;
}

static int burn(long ms, const char *file)
{
	struct timespec ts;
	volatile unsigned long x = 0;
	int fd;

	for (;;) {
		int i;

		for (i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		if (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L >= ms)
			break;
	}
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "storm"))
		return storm();
	if (argc >= 3 && !strcmp(argv[1], "mem"))
		return mem(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return hold(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "burn"))
		return burn(atol(argv[2]), argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "child"))
		return child(atol(argv[2]));
	fprintf(stderr, "usage: churn storm | mem MB | hold MB | burn MS FILE | child N\n");
	return 2;
}
