// SPDX-License-Identifier: GPL-2.0
/* zombie: fork a child that exits at once and never reap it. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(0);
	for (;;)
		pause();
}
