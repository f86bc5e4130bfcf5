// SPDX-License-Identifier: GPL-2.0
/*
 * ttyrun DEV|pty PROG [ARGS...]: run PROG in a new session whose controlling
 * terminal is DEV (e.g. /dev/ttyS0) or the slave of a new pseudo-terminal
 * (/dev/pts/N; devpts must be mounted), with stdin/stdout/stderr on it. The
 * parent stays (holding the pty master, so the terminal lives on) and reaps
 * the child. Gives the test bed tasks with tty_nr != 0.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dev;
	int master = -1;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: ttyrun DEV|pty PROG [ARGS...]\n");
		return 2;
	}
	dev = argv[1];
	if (!strcmp(dev, "pty")) {
		master = posix_openpt(O_RDWR | O_NOCTTY);
		if (master < 0 || grantpt(master) || unlockpt(master) || !(dev = ptsname(master))) {
			perror("ttyrun: pty");
			return 1;
		}
	}
	pid = fork();
	if (pid < 0) {
		perror("ttyrun: fork");
		return 1;
	}
	if (pid == 0) {
		int fd;

		if (setsid() < 0) {
			perror("ttyrun: setsid");
			_exit(1);
		}
		fd = open(dev, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0) {
			perror("ttyrun: controlling terminal");
			_exit(1);
		}
		if (master >= 0)
			close(master);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	for (;;)
		if (waitpid(pid, NULL, 0) == pid)
			break;
	/* The child is gone (it should not be): keep the parent as a witness. */
	for (;;)
		pause();
}
