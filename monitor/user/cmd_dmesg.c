// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon dmesg: the target's kernel log from its printk ring buffer, as
 * its own dmesg prints it ("[seconds.micros] text", each line of a record),
 * or --json (one object per record). --follow keeps a session and prints
 * new records as the target writes them (like dmesg -w); when the target
 * reboots or kexecs, it starts over on the new kernel's log.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mintmon/printk.h"

struct out {
	struct cli *c;
	char *line;
	size_t cap;
	bool first;		/* --json without --follow: the array's first element */
};

static int print_record(void *arg, const struct mintmon_log_record *r)
{
	struct out *o = arg;
	size_t n;

	if (o->c->o.json) {
		printf("%s{\"seq\": %" PRIu64 ", \"ts_nsec\": %" PRIu64 ", \"level\": %u, "
		       "\"facility\": %u, \"flags\": %u, \"caller_id\": %u, \"cont\": %s, "
		       "\"text\": ", o->c->o.follow ? "" : o->first ? "\n  " : ",\n  ", r->seq,
		       r->ts_nsec, r->level, r->facility, r->flags, r->caller_id,
		       r->flags & MINTMON_LOG_CONT ? "true" : "false");
		cli_json_string(stdout, r->text, r->text_len);
		fputs(o->c->o.follow ? "}\n" : "}", stdout);
		o->first = false;
		return 0;
	}
	n = mintmon_log_format(r, o->line, o->cap);
	if (n >= o->cap) {
		char *bigger = realloc(o->line, n + 1);

		if (!bigger)
			return -ENOMEM;
		o->line = bigger;
		o->cap = n + 1;
		mintmon_log_format(r, o->line, o->cap);
	}
	fwrite(o->line, 1, n, stdout);
	return 0;
}

static void report_gaps(struct out *o, const struct mintmon_log_stats *st)
{
	if (st->dropped && !o->c->o.json)
		printf("** %" PRIu64 " printk messages dropped **\n", st->dropped);
	else if (st->dropped && o->c->o.follow)
		printf("{\"dropped\": %" PRIu64 "}\n", st->dropped);
	if (st->skipped && o->c->o.verbose)
		fprintf(stderr, "mintmon: dmesg: %" PRIu64 " records changed or broken, skipped\n",
			st->skipped);
}

static int follow(struct cli *c, struct out *o)
{
	struct mintmon_log *log = NULL;
	struct mintmon_log_cursor cur = {0};
	struct mintmon_log_stats st;
	struct mintmon_poll p;
	u64 gen = 0, boot = 0;
	int err;

	cli_catch_stop();
	while (!cli_stop) {
		/* The log belongs to the kernel object: gone or re-attached, it goes too. */
		if (log && (!c->s->k || gen != c->s->generation)) {
			mintmon_log_destroy(log);
			log = NULL;
		}
		if (c->s->k && !log) {
			u64 id = mintmon_boot_id_hash(&c->s->k->id);

			/* Re-attached to the same boot: its ring goes on where we were. */
			if (boot && id != boot) {	/* a new kernel: its log from the start */
				memset(&cur, 0, sizeof(cur));
				if (c->o.json) {
					printf("{\"rebooted\": true, \"release\": ");
					cli_json_string(stdout, c->s->k->release,
							strlen(c->s->k->release));
					printf("}\n");
				} else {
					printf("-- rebooted: %s --\n", c->s->k->release);
				}
			}
			boot = id;
			gen = c->s->generation;
			if (mintmon_log_create(c->s->k, &log))
				cli_die(c, -ENOENT, "dmesg");
		}
		if (log) {
			err = mintmon_log_read(log, &cur, print_record, o, &st);
			if (err && err != -ENOMEM)
				mintmon_error_clear(&c->s->err);	/* a torn read: next time */
			else if (err)
				cli_die(c, err, "dmesg");
			else
				report_gaps(o, &st);
			fflush(stdout);
		}
		cli_sleep_ms((double)c->o.interval_ms);
		if (cli_stop)
			break;
		err = mintmon_session_poll(c->s, &p);
		if (err)
			cli_die(c, err, "dmesg");
	}
	mintmon_log_destroy(log);
	return 0;
}

int cmd_dmesg(struct cli *c, int argc, char **argv)
{
	struct out o = {c, NULL, 0, true};
	struct mintmon_log_stats st;
	struct mintmon_log *log;
	int err;

	if (c->o.follow) {
		err = follow(c, &o);
		free(o.line);
		return err;
	}
	if (!c->s->k)
		cli_die(c, -ENOENT, "cannot attach");
	if (mintmon_log_create(cli_kernel(c), &log))
		cli_die(c, -ENOENT, "dmesg");
	if (c->o.json)
		putchar('[');
	err = mintmon_log_read(log, NULL, print_record, &o, &st);
	if (err)
		cli_die(c, err, "dmesg");
	if (c->o.json)
		printf("%s]\n", o.first ? "" : "\n");
	else
		report_gaps(&o, &st);
	if (c->o.verbose)
		fprintf(stderr, "mintmon: dmesg: %" PRIu64 " records, %" PRIu64 " dropped, %" PRIu64
			" skipped, next seq %" PRIu64 ", ring failures %" PRIu64 "\n", st.records,
			st.dropped, st.skipped, st.next_seq, st.fail);
	mintmon_log_destroy(log);
	free(o.line);
	return 0;
}
