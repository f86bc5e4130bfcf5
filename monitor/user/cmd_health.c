// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon health: one verdict on the target, with its evidence, from two
 * samples --hung-after MS apart (default 1000): running, tainted, oopsed,
 * hung (which CPUs stopped, and what they run), panicked (the panic
 * message and the oops lines from the target's log), rebooted (another
 * boot than at the last look, kept per target in the attach cache's
 * directory), unreachable. Plus uptime, load, threads, free memory and the
 * last log line. Exit status 0 whenever a verdict was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mintmon/health.h"
#include "mintmon/printk.h"

#define PANIC_LINES 48		/* log lines kept around a panic */
#define LINE_MAX_LEN 256

struct log_scan {
	struct mintmon_log_record last;
	char last_text[LINE_MAX_LEN];
	/* The most recent oops or panic report, from its first line. */
	char lines[PANIC_LINES][LINE_MAX_LEN];
	u64 line_ts[PANIC_LINES];
	unsigned int nr_lines;
	bool collecting;
	char panic_msg[LINE_MAX_LEN];
};

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

/* Where an oops report starts (the kernel's own first lines of one). */
static bool oops_start(const char *s, size_t n)
{
	static const char *const marks[] = {
		"Oops:", "BUG:", "WARNING:", "general protection fault", "sysrq: Trigger a crash",
		"Kernel panic - not syncing", "watchdog: BUG:", "kernel BUG at", "Unable to handle",
	};
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(marks); i++) {
		if (starts(s, n, marks[i]))
			return true;
	}
	return false;
}

static void copy_line(char *dst, const char *s, size_t n)
{
	if (n >= LINE_MAX_LEN)
		n = LINE_MAX_LEN - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int scan_record(void *arg, const struct mintmon_log_record *r)
{
	struct log_scan *ls = arg;

	ls->last = *r;
	copy_line(ls->last_text, r->text, r->text_len);
	ls->last.text = ls->last_text;
	if (oops_start(r->text, r->text_len) && !ls->collecting) {
		ls->collecting = true;	/* a new report: keep it from here */
		ls->nr_lines = 0;
	}
	if (starts(r->text, r->text_len, "Kernel panic - not syncing"))
		copy_line(ls->panic_msg, r->text, r->text_len);
	if (ls->collecting) {
		/* The report's first PANIC_LINES lines: what it is, where, the trace. */
		if (ls->nr_lines < PANIC_LINES) {
			copy_line(ls->lines[ls->nr_lines], r->text, r->text_len);
			ls->line_ts[ls->nr_lines++] = r->ts_nsec;
		}
		if (starts(r->text, r->text_len, "---[ end "))
			ls->collecting = false;	/* the report ended */
	}
	return 0;
}

/* The last look's boot id for this target (0 if none), and keep this one. */
static u64 last_look(struct cli *c, u64 boot_id)
{
	char path[4200], buf[32] = {0};
	u64 h = 0xcbf29ce484222325ull, prev = 0;
	const char *p;
	int fd;

	if (!c->state_dir)
		return 0;
	for (p = c->o.target; *p; p++)
		h = (h ^ (u8)*p) * 0x100000001b3ull;
	snprintf(path, sizeof(path), "%s/last-look-%016" PRIx64, c->state_dir, h);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			prev = strtoull(buf, NULL, 16);
		close(fd);
	}
	if (boot_id) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			snprintf(buf, sizeof(buf), "%016" PRIx64 "\n", boot_id);
			/* best effort: without it the next look cannot say rebooted */
			(void)!write(fd, buf, strlen(buf));
			close(fd);
		}
	}
	return prev;
}

static void load_str(const u64 *avenrun, char *buf, size_t size)
{
	unsigned long v[3];
	unsigned int i;

	for (i = 0; i < 3; i++)
		v[i] = (unsigned long)(avenrun[i] + 2048 / 200);	/* /proc/loadavg rounds */
	snprintf(buf, size, "%lu.%02lu %lu.%02lu %lu.%02lu", v[0] >> 11, ((v[0] & 2047) * 100) >> 11,
		 v[1] >> 11, ((v[1] & 2047) * 100) >> 11, v[2] >> 11, ((v[2] & 2047) * 100) >> 11);
}

static void unreachable(struct cli *c)
{
	char err[2 * MINTMON_ERROR_MSG_LEN];

	mintmon_error_format(&c->s->err, err, sizeof(err));
	if (c->o.json) {
		printf("{\"state\": \"unreachable\", \"error\": ");
		cli_json_string(stdout, err, strlen(err));
		printf("}\n");
	} else {
		printf("state        unreachable\nerror        %s\n", err);
	}
}

int cmd_health(struct cli *c, int argc, char **argv)
{
	struct mintmon_health_sample *s = calloc(2, sizeof(*s));
	struct mintmon_health_verdict v;
	struct mintmon_health *h = NULL;
	struct log_scan *ls = calloc(1, sizeof(*ls));
	struct mintmon_log *log = NULL;
	struct mintmon_kernel *k = c->s->k;
	enum mintmon_health_state state;
	char taint[MINTMON_HEALTH_MAX_TAINTS + 1], load[64];
	u64 boot_id, prev_id, uptime = 0;
	unsigned int i, j;
	bool have_log = false;

	if (!s || !ls)
		cli_die(c, -ENOMEM, "health");
	if (!k || mintmon_health_create(k, &h) ||
	    mintmon_health_sample(h, (u64)cli_now_ms(), &s[0])) {
		unreachable(c);
		goto out;
	}
	cli_sleep_ms((double)c->o.hung_after_ms);
	if (mintmon_health_sample(h, (u64)cli_now_ms(), &s[1])) {
		unreachable(c);
		goto out;
	}
	mintmon_health_judge(&s[0], &s[1], (u64)c->o.hung_after_ms, &v);
	state = v.state;
	boot_id = mintmon_boot_id_hash(&k->id);
	prev_id = last_look(c, boot_id);
	if (prev_id && prev_id != boot_id && state != MINTMON_HEALTH_PANICKED)
		state = MINTMON_HEALTH_REBOOTED;
	if (!mintmon_log_create(k, &log))
		have_log = !mintmon_log_read(log, NULL, scan_record, ls, NULL);
	mintmon_kernel_uptime_ns(k, &uptime);
	mintmon_health_taint_letters(h, s[1].tainted, taint, sizeof(taint));
	load_str(s[1].avenrun, load, sizeof(load));

	if (c->o.json) {
		printf("{\"state\": \"%s\", \"release\": ", mintmon_health_state_name(state));
		cli_json_string(stdout, k->release, strlen(k->release));
		printf(", \"boot_id\": \"%016" PRIx64 "\"", boot_id);
		if (prev_id)
			printf(", \"last_boot_id\": \"%016" PRIx64 "\"", prev_id);
		printf(", \"uptime_ns\": %" PRIu64 ", \"load\": \"%s\", \"threads\": %" PRIu64
		       ", \"free_kb\": %" PRIu64 ", \"taint\": %" PRIu64 ", \"taint_letters\": \"%s\""
		       ", \"oops_count\": %" PRIu64 ", \"warn_count\": %" PRIu64
		       ", \"heartbeat\": {\"jiffies\": %" PRIu64 ", \"moved\": %s, \"window_ms\": %ld"
		       ", \"all_idle\": %s}, \"cpus\": [",
		       uptime, load, s[1].nr_threads, s[1].free_pages * 4, s[1].tainted, taint,
		       s[1].oops_count, s[1].warn_count, s[1].jiffies,
		       v.heartbeat_moved ? "true" : "false", c->o.hung_after_ms,
		       v.all_idle ? "true" : "false");
		for (i = 0; i < s[1].nr_cpus; i++) {
			bool stuck = false;

			for (j = 0; j < v.nr_stuck; j++)
				stuck |= v.stuck_cpu[j] == s[1].cpu_id[i];
			printf("%s{\"cpu\": %u, \"idle\": %s, \"moved\": %s, \"stuck\": %s",
			       i ? ", " : "", s[1].cpu_id[i], s[1].cpu[i].idle ? "true" : "false",
			       s[0].cpu[i].clock != s[1].cpu[i].clock ||
			       s[0].cpu[i].nr_switches != s[1].cpu[i].nr_switches ? "true" : "false",
			       stuck ? "true" : "false");
			if (stuck) {
				char comm[32];
				s32 pid;

				mintmon_health_task(h, s[1].cpu[i].curr, &pid, comm, sizeof(comm));
				printf(", \"task\": {\"pid\": %d, \"comm\": ", pid);
				cli_json_string(stdout, comm, strlen(comm));
				printf("}");
			}
			printf("}");
		}
		printf("]");
		if (have_log && ls->last_text[0]) {
			printf(", \"last_log\": {\"seq\": %" PRIu64 ", \"ts_nsec\": %" PRIu64
			       ", \"text\": ", ls->last.seq, ls->last.ts_nsec);
			cli_json_string(stdout, ls->last_text, strlen(ls->last_text));
			printf("}");
		}
		if (state == MINTMON_HEALTH_PANICKED || state == MINTMON_HEALTH_OOPSED) {
			printf(", \"panic_cpu\": %d, \"panic_message\": ", s[1].panic_cpu);
			cli_json_string(stdout, ls->panic_msg, strlen(ls->panic_msg));
			printf(", \"report\": [");
			for (i = 0; i < ls->nr_lines; i++) {
				const char *ln = ls->lines[i];

				printf("%s", i ? ", " : "");
				cli_json_string(stdout, ln, strlen(ln));
			}
			printf("]");
		}
		printf("}\n");
		goto out;
	}
	printf("state        %s\n", mintmon_health_state_name(state));
	printf("release      %s\n", k->release);
	printf("boot id      %016" PRIx64, boot_id);
	if (prev_id && prev_id != boot_id)
		printf(" (last look: %016" PRIx64 ")", prev_id);
	printf("\nuptime       %" PRIu64 ".%02" PRIu64 " s\n", uptime / 1000000000,
	       uptime % 1000000000 / 10000000);
	printf("load         %s\nthreads      %" PRIu64 "\nfree         %" PRIu64 " MiB\n", load,
	       s[1].nr_threads, s[1].free_pages * 4 / 1024);
	printf("taint        %" PRIu64 "%s%s%s\n", s[1].tainted, taint[0] ? " (" : "", taint,
	       taint[0] ? ")" : "");
	printf("heartbeat    jiffies %" PRIu64 " -> %" PRIu64 " in %ld ms%s\n", s[0].jiffies,
	       s[1].jiffies, c->o.hung_after_ms, v.all_idle ? " (every CPU idle)" : "");
	for (i = 0; i < s[1].nr_cpus; i++) {
		bool stuck = false;

		for (j = 0; j < v.nr_stuck; j++)
			stuck |= v.stuck_cpu[j] == s[1].cpu_id[i];
		printf("cpu %-8u %s", s[1].cpu_id[i], stuck ? "STOPPED" :
		       s[1].cpu[i].idle ? "idle" : "running");
		if (stuck) {
			char comm[32];
			s32 pid;

			mintmon_health_task(h, s[1].cpu[i].curr, &pid, comm, sizeof(comm));
			printf(", running pid %d (%s)", pid, comm);
		}
		putchar('\n');
	}
	if (have_log && ls->last_text[0])
		printf("last log     [%5" PRIu64 ".%06" PRIu64 "] %s\n",
		       ls->last.ts_nsec / 1000000000, ls->last.ts_nsec % 1000000000 / 1000,
		       ls->last_text);
	if (state == MINTMON_HEALTH_PANICKED || state == MINTMON_HEALTH_OOPSED) {
		if (ls->panic_msg[0])
			printf("panic        %s (CPU %d)\n", ls->panic_msg, s[1].panic_cpu);
		for (i = 0; i < ls->nr_lines; i++) {
			printf("  [%5" PRIu64 ".%06" PRIu64 "] %s\n", ls->line_ts[i] / 1000000000,
			       ls->line_ts[i] % 1000000000 / 1000, ls->lines[i]);
		}
	}
out:
	mintmon_log_destroy(log);
	mintmon_health_destroy(h);
	free(s);
	free(ls);
	return 0;
}
