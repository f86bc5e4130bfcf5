// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon poll: keep one session on the target and poll it, one JSON line
 * per poll: same kernel, rebooted (re-attached to the new one) or gone.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

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

int cmd_poll(struct cli *c, int argc, char **argv)
{
	struct mintmon_poll p = {c->s->k ? MINTMON_POLL_ATTACHED : MINTMON_POLL_GONE, 0, 0, 0, 0};
	double t0 = cli_now_ms(), next = t0;
	long n = 0;
	int err;

	cli_catch_stop();
	if (c->s->k && mintmon_kernel_check(c->s->k, &p.heartbeat))
		p.heartbeat = 0;
	print_line(c, n++, t0, &p);
	while (!cli_stop && (c->o.count == 0 || n < c->o.count)) {
		next += (double)c->o.interval_ms;
		cli_sleep_ms(next - cli_now_ms());
		if (cli_stop)
			break;
		err = mintmon_session_poll(c->s, &p);
		if (err)
			cli_die(c, err, "poll");
		print_line(c, n++, t0, &p);
	}
	return 0;
}
