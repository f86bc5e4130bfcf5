// SPDX-License-Identifier: GPL-2.0
/* mintmon ps: the target's processes, as its own `ps aux` would show them. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

#define ARGS_MAX (256u << 10)

struct ps_ctx {
	struct cli *c;
	char *args;
	size_t width;		/* terminal columns, 0 when not writing to one */
	u64 uptime_ns;		/* 0 if unknown: %CPU shows 0.0 */
	u64 mem_total_kb;	/* 0 if unknown: %MEM shows 0.0 */
	double args_ms;		/* time spent reading arguments from user memory */
	/* Arguments read ahead for the next tasks to print. */
	char *cache;
	size_t cache_len[MINTMON_ARGS_BATCH];
	const struct mintmon_task *cached_for[MINTMON_ARGS_BATCH];
	unsigned int nr_cached;
};

/* procps's pr_pcpu(): CPU time over whole seconds of life, in tenths of a percent. */
static u64 pcpu_permille(const struct ps_ctx *p, u64 cpu_ns, u64 start_ns)
{
	u64 seconds = p->uptime_ns > start_ns ? (p->uptime_ns - start_ns) / 1000000000ull : 0;

	return seconds ? cpu_ns / 1000000ull / seconds : 0;
}

/* procps's pr_pmem(): RSS over MemTotal, in tenths of a percent. */
static u64 pmem_permille(const struct ps_ctx *p, u64 rss_kb)
{
	return p->mem_total_kb ? rss_kb * 1000ull / p->mem_total_kb : 0;
}

static void format_time(char *buf, size_t size, u64 ns)
{
	u64 s = ns / 1000000000ull;

	snprintf(buf, size, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

#define STRIDE (16u << 10)

/*
 * The arguments of list[from, to) that will be printed, read together
 * (mintmon_tasks_args_many()); those longer than STRIDE are read alone.
 */
static void prefetch_args(struct ps_ctx *p, const struct mintmon_task *list, u32 from, u32 to)
{
	const struct mintmon_task *want[MINTMON_ARGS_BATCH];
	double t0 = cli_now_ms();
	unsigned int n = 0, i;
	u32 j;

	p->nr_cached = 0;
	for (j = from; j < to && n < MINTMON_ARGS_BATCH; j++) {
		if (!p->c->o.json && !p->c->o.threads && list[j].pid != list[j].tgid)
			continue;
		want[n] = &list[j];
		p->cached_for[n++] = &list[j];
	}
	if (mintmon_tasks_args_many(cli_tasks(p->c), want, n, p->cache, STRIDE, p->cache_len))
		for (i = 0; i < n; i++)
			p->cache_len[i] = 0;
	p->nr_cached = n;
	p->args_ms += cli_now_ms() - t0;
}

/* The process's arguments with NULs as spaces; 0 bytes if unreadable (as /proc). */
static size_t read_args(struct ps_ctx *p, const struct mintmon_task *t)
{
	double t0 = cli_now_ms();
	size_t len = 0, i;

	for (i = 0; i < p->nr_cached && p->cached_for[i] != t; i++)
		;
	if (i < p->nr_cached && p->cache_len[i] != MINTMON_ARGS_TOO_LONG) {
		len = p->cache_len[i];
		memcpy(p->args, p->cache + i * STRIDE, len);
	} else if (mintmon_task_args(cli_tasks(p->c), t, p->args, ARGS_MAX, &len)) {
		len = 0;	/* paged out or gone: like /proc, no arguments */
	}
	p->args_ms += cli_now_ms() - t0;
	while (len && p->args[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++) {
		if (p->args[i] == '\0')
			p->args[i] = ' ';
	}
	return len;
}

static void print_json(struct ps_ctx *p, const struct mintmon_task *t, bool first)
{
	u64 pcpu = pcpu_permille(p, t->cpu_time_ns, t->start_time_ns);
	u64 pmem = pmem_permille(p, t->rss_kb);
	size_t len = read_args(p, t);
	char tty[32];

	mintmon_tty_name(t->tty_nr, tty, sizeof(tty));
	printf("%s\n{\"pid\": %d, \"tgid\": %d, \"ppid\": %d, \"uid\": %u, \"euid\": %u, "
	       "\"state\": \"%c\", \"task\": \"0x%" PRIx64 "\", \"comm\": ",
	       first ? "" : ",", t->pid, t->tgid, t->ppid, t->uid, t->euid, t->state, t->addr);
	cli_json_string(stdout, t->comm, strlen(t->comm));
	printf(", \"name\": ");
	cli_json_string(stdout, t->name, strlen(t->name));
	printf(", \"args\": ");
	cli_json_string(stdout, p->args, len);
	printf(", \"kthread\": %s, \"rss_kb\": %" PRIu64 ", \"vsz_kb\": %" PRIu64
	       ", \"start_time_ns\": %" PRIu64 ", \"cpu_time_ns\": %" PRIu64 ", \"tty_nr\": %u"
	       ", \"tty\": \"%s\", \"pcpu\": %" PRIu64 ".%" PRIu64 ", \"pmem\": %" PRIu64 ".%" PRIu64
	       ", \"nr_threads\": %u}",
	       t->kthread ? "true" : "false", t->rss_kb, t->vsz_kb, t->start_time_ns,
	       t->cpu_time_ns, t->tty_nr, tty, pcpu / 10, pcpu % 10, pmem / 10, pmem % 10,
	       t->nr_threads);
}

/* One row: a thread, or a process with its threads' CPU time summed (as /proc/PID/stat). */
static void print_row(struct ps_ctx *p, const struct mintmon_task *t, u64 cpu_ns)
{
	u64 pcpu = pcpu_permille(p, cpu_ns, t->start_time_ns), pmem = pmem_permille(p, t->rss_kb);
	char start[32], cpu[32], tty[32], stat[4] = {t->state, 0, 0, 0}, pc[24], pm[24];
	size_t len = read_args(p, t);
	int n;

	if (t->nr_threads > 1)
		stat[1] = 'l';
	format_time(start, sizeof(start), t->start_time_ns);
	format_time(cpu, sizeof(cpu), cpu_ns);
	mintmon_tty_name(t->tty_nr, tty, sizeof(tty));
	/* procps prints values of 100% and over without the decimal. */
	if (pcpu > 999)
		snprintf(pc, sizeof(pc), "%" PRIu64, pcpu / 10);
	else
		snprintf(pc, sizeof(pc), "%" PRIu64 ".%" PRIu64, pcpu / 10, pcpu % 10);
	snprintf(pm, sizeof(pm), "%" PRIu64 ".%" PRIu64, pmem / 10, pmem % 10);
	n = printf("%-8u %7d %4s %4s %8" PRIu64 " %7" PRIu64 " %-8s %-4s %7s %7s ", t->euid,
		   p->c->o.threads ? t->pid : t->tgid, pc, pm, t->vsz_kb, t->rss_kb, tty, stat,
		   start, cpu);
	if (!len)
		len = (size_t)snprintf(p->args, ARGS_MAX, "[%s]", t->name);
	/* Like ps aux on a terminal: one line per process, cut at its width. */
	if (p->width && n > 0) {
		size_t room = (size_t)n < p->width ? p->width - (size_t)n : 0;

		if (len > room)
			len = room;
	}
	fwrite(p->args, 1, len, stdout);
	putchar('\n');
}

int cmd_ps(struct cli *c, int argc, char **argv)
{
	struct ps_ctx p = {.c = c, .args = malloc(ARGS_MAX),
			   .cache = malloc((size_t)MINTMON_ARGS_BATCH * STRIDE)};
	struct mintmon_tasks *tasks = cli_tasks(c);
	struct mintmon_kernel *k = cli_kernel(c);
	const struct mintmon_task *list;
	struct mintmon_tasks_stats st;
	struct winsize ws;
	double t0 = cli_now_ms(), walk_ms;
	u64 pages;
	u32 nr, i;
	int err;

	if (!p.args || !p.cache)
		cli_die(c, -ENOMEM, "ps");
	if (!c->o.json && isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		p.width = ws.ws_col;
	err = mintmon_tasks_list(tasks, &list, &nr);
	if (err)
		cli_die(c, err, "ps");
	walk_ms = cli_now_ms() - t0;
	if (mintmon_kernel_uptime_ns(k, &p.uptime_ns))
		p.uptime_ns = 0;
	if (!mintmon_kernel_totalram_pages(k, &pages))
		p.mem_total_kb = pages * 4;
	if (c->o.json) {
		printf("[");
		for (i = 0; i < nr; i++) {
			if (i % MINTMON_ARGS_BATCH == 0)
				prefetch_args(&p, list, i, nr);
			print_json(&p, &list[i], i == 0);
		}
		printf("\n]\n");
	} else {
		printf("%-8s %7s %4s %4s %8s %7s %-8s %-4s %7s %7s %s\n", "UID",
		       c->o.threads ? "TID" : "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT",
		       "START", "TIME", "COMMAND");
		for (i = 0; i < nr; i++) {
			/* As /proc/PID/stat: live threads' time plus the exited ones'. */
			u64 cpu = list[i].cpu_time_ns + (c->o.threads ? 0 : list[i].group_exited_cpu_ns);
			u32 j;

			if (!c->o.threads && list[i].pid != list[i].tgid)
				continue;
			if (!p.nr_cached || p.cached_for[p.nr_cached - 1] < &list[i]) {
				/* Enough of the tasks ahead to fill one batch of processes. */
				prefetch_args(&p, list, i, nr);
			}
			/* Threads follow their leader in the list. */
			for (j = i + 1; !c->o.threads && j < nr && list[j].tgid == list[i].tgid; j++)
				cpu += list[j].cpu_time_ns;
			print_row(&p, &list[i], cpu);
		}
	}
	free(p.args);
	free(p.cache);
	if (c->o.verbose) {
		mintmon_tasks_stats(tasks, &st);
		fprintf(stderr, "mintmon: ps: %u tasks walked in %.2f ms: %" PRIu64 " round trips, "
			"%" PRIu64 " of them dependent list reads, %u restarts; %.2f ms reading "
			"arguments\n", st.tasks, walk_ms, st.round_trips, st.chain_reads, st.restarts,
			p.args_ms);
	}
	return 0;
}
