// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon poll: keep one session on the target and poll it, one JSON line
 * per poll: same kernel, rebooted (re-attached to the new one) or gone.
 */
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void print_line(struct cli *c, long n, double t0, const struct mintmon_poll *p)
{
	const struct mintmon_kernel *k = c->s->k;
	char err[2 * MINTMON_ERROR_MSG_LEN];

	printf("{\"poll\": %ld, \"time_ms\": %.1f, \"state\": \"%s\"", n, cli_now_ms() - t0,
	       mintmon_poll_state_name(p->state));
	if (k) {
		printf(", \"boot_id\": \"%016" PRIx64 "\", \"release\": ",
		       mintmon_boot_id_hash(&k->id));
		cli_json_string(stdout, k->release, strlen(k->release));
		printf(", \"kaslr_offset\": \"0x%" PRIx64 "\", \"heartbeat\": %" PRIu64,
		       k->kaslr_offset, p->heartbeat);
	} else {
		mintmon_error_format(&c->s->err, err, sizeof(err));
		printf(", \"error\": ");
		cli_json_string(stdout, err, strlen(err));
	}
	printf(", \"reads\": %" PRIu64 ", \"round_trips\": %" PRIu64 ", \"bytes\": %" PRIu64 "}\n",
	       p->reads, p->round_trips, p->bytes);
	fflush(stdout);
}

static void sleep_until(double deadline_ms)
{
	double left = deadline_ms - cli_now_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)((left - ts.tv_sec * 1000.0) * 1e6);
	nanosleep(&ts, NULL);	/* EINTR on a signal: the loop sees stop */
}

int cmd_poll(struct cli *c, int argc, char **argv)
{
	struct sigaction sa;
	struct mintmon_poll p = {c->s->k ? MINTMON_POLL_ATTACHED : MINTMON_POLL_GONE, 0, 0, 0, 0};
	double t0 = cli_now_ms(), next = t0;
	long n = 0;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c->s->k && mintmon_kernel_check(c->s->k, &p.heartbeat))
		p.heartbeat = 0;
	print_line(c, n++, t0, &p);
	while (!stop && (c->o.count == 0 || n < c->o.count)) {
		next += (double)c->o.interval_ms;
		sleep_until(next);
		if (stop)
			break;
		err = mintmon_session_poll(c->s, &p);
		if (err)
			cli_die(c, err, "poll");
		print_line(c, n++, t0, &p);
	}
	return 0;
}
