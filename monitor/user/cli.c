// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the mintmon commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_die(struct cli *c, int err, const char *what)
{
	const struct mintmon_error *e = c->s ? &c->s->err : &c->err;
	char line[2 * MINTMON_ERROR_MSG_LEN];

	fflush(stdout);
	if (mintmon_error_is_set(e))
		fprintf(stderr, "mintmon: %s: %s\n", what, mintmon_error_format(e, line, sizeof(line)));
	else
		fprintf(stderr, "mintmon: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

void cli_usage_error(const char *msg)
{
	fprintf(stderr, "mintmon: %s (see mintmon -h)\n", msg);
	exit(2);
}

u64 cli_parse_number(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || errno || *s == '-') {
		fprintf(stderr, "mintmon: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

u64 cli_parse_address(struct cli *c, const char *s)
{
	char name[MINTMON_KSYM_NAME_LEN];
	const char *plus = strchr(s, '+');
	size_t len = plus ? (size_t)(plus - s) : strlen(s);
	u64 addr, off = 0;
	int err;

	if (*s >= '0' && *s <= '9')
		return cli_parse_number(s, "address");
	if (len == 0 || len >= sizeof(name)) {
		fprintf(stderr, "mintmon: bad address '%s'\n", s);
		exit(2);
	}
	memcpy(name, s, len);
	name[len] = '\0';
	if (plus)
		off = cli_parse_number(plus + 1, "offset");
	err = mintmon_kallsyms_lookup(cli_kernel(c)->kallsyms, name, &addr);
	if (err == -ENOENT) {
		fprintf(stderr, "mintmon: no symbol '%s' in the target's kallsyms\n", name);
		exit(1);
	}
	if (err)
		cli_die(c, err, "kallsyms");
	return addr + off;
}

struct mintmon_tasks *cli_tasks(struct cli *c)
{
	int err;

	if (c->tasks && c->tasks_generation == c->s->generation)
		return c->tasks;
	mintmon_tasks_destroy(c->tasks);
	c->tasks = NULL;
	err = mintmon_tasks_create(cli_kernel(c), &c->tasks);
	if (err)
		cli_die(c, err, "task layout");
	c->tasks_generation = c->s->generation;
	return c->tasks;
}

void cli_json_string(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

double cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

volatile sig_atomic_t cli_stop;

static void on_stop(int sig)
{
	cli_stop = 1;
}

void cli_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);	/* EINTR on a signal: the caller sees cli_stop */
}
