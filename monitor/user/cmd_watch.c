// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon watch: keep a session on each target and judge its health every
 * period (--interval, default 100 ms), as mintmon health does, and
 *   - print each state change as one JSON line (time, target, old state,
 *     new state, evidence);
 *   - serve Prometheus metrics on --metrics ADDR:PORT (HTTP, GET /metrics);
 *   - run --on-change CMD on each change (sh -c, not waited for; the change
 *     in MINTMON_TARGET, MINTMON_OLD_STATE, MINTMON_NEW_STATE,
 *     MINTMON_TIME, MINTMON_EVIDENCE).
 * Targets: the arguments, -t, the lines of --config FILE ("TARGET
 * [NAME]", # comments), and with --mint LAYOUT --memory SPEC every peer of
 * node 0 in a Mint layout, each searched for in its own kernel window. A target that cannot be opened or read is
 * unreachable and tried again every period; one target never holds up the
 * others: each poll is bounded, the metrics socket is non-blocking. Memory
 * is allocated when a target (re)attaches, not per poll.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "layout.h"
#include "mintmon/memmap.h"
#include "mintmon/health.h"
#include "mintmon/printk.h"
#include "mintmon/text.h"

#define MAX_TARGETS 64
#define RING 64			/* samples kept per target (hung_after / interval at most) */

struct target {
	char spec[512], name[128];
	u64 window_start, window_end;	/* look for the kernel only here (a Mint node); 0, 0: anywhere */
	struct mintmon_memory mem;
	bool mem_open;
	struct mintmon_session *s;
	struct mintmon_health *h;
	struct mintmon_log *log;
	struct mintmon_log_cursor cur;
	struct mintmon_text_watch *tw;	/* NULL: --text-cycle 0, or the kernel's text unknown */
	struct mintmon_text_watch_state tws;
	u64 text_jiffies;		/* the heartbeat at the last text step */
	double text_ms;			/* and when it was taken */
	u64 gen;
	struct mintmon_health_sample ring[RING];
	unsigned int nr, head;
	enum mintmon_health_state state;
	bool have_state;
	double since_ms, last_move_ms;
	char panic_msg[256];
	/* Metrics. */
	struct mintmon_health_sample last;
	bool have_last;
	u64 polls, poll_errors, reboots, changes, log_records, uptime_ns, boot_id;
	char release[65];
	char error[256];
};

struct watch {
	struct cli *c;
	struct target *t;
	unsigned int nr;
	int listen_fd;
	unsigned int ring_len;
};

static int count_record(void *arg, const struct mintmon_log_record *r)
{
	struct target *t = arg;

	t->log_records = r->seq + 1;
	if (r->text_len >= 26 && !memcmp(r->text, "Kernel panic - not syncing", 26)) {
		size_t n = r->text_len < sizeof(t->panic_msg) - 1 ? r->text_len :
								     sizeof(t->panic_msg) - 1;

		memcpy(t->panic_msg, r->text, n);
		t->panic_msg[n] = '\0';
	}
	return 0;
}

static void iso_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* The evidence of a state, as one JSON object (in buf). */
static void evidence(struct watch *w, struct target *t, const struct mintmon_health_verdict *v,
		     char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

#define ADD(...) do { if (n < size) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); } while (0)
	ADD("{");
	if (t->state == MINTMON_HEALTH_UNREACHABLE) {
		ADD("\"error\": \"");
		for (i = 0; t->error[i] && n + 2 < size; i++)
			buf[n++] = t->error[i] == '"' || t->error[i] == '\\' ? '\'' : t->error[i];
		ADD("\"");
	} else {
		ADD("\"release\": \"%s\", \"boot_id\": \"%016" PRIx64 "\", \"heartbeat_age_ms\": %.0f",
		    t->release, t->boot_id, cli_now_ms() - t->last_move_ms);
		if (t->have_last) {
			char taint[MINTMON_HEALTH_MAX_TAINTS + 1];

			mintmon_health_taint_letters(t->h, t->last.tainted, taint, sizeof(taint));
			ADD(", \"jiffies\": %" PRIu64 ", \"taint\": %" PRIu64 ", \"taint_letters\": \"%s\"",
			    t->last.jiffies, t->last.tainted, taint);
			if (t->last.panic_cpu >= 0)
				ADD(", \"panic_cpu\": %d", t->last.panic_cpu);
		}
		if (v && v->nr_stuck) {
			ADD(", \"stopped_cpus\": [");
			for (i = 0; i < v->nr_stuck; i++) {
				char comm[32];
				s32 pid;

				mintmon_health_task(t->h, v->stuck_task[i], &pid, comm, sizeof(comm));
				for (char *p = comm; *p; p++) {
					if (*p < ' ' || *p == '"' || *p == '\\' || *p > '~')
						*p = '?';	/* the target's bytes: keep the JSON plain */
				}
				ADD("%s{\"cpu\": %u, \"pid\": %d, \"comm\": \"%s\"}", i ? ", " : "",
				    v->stuck_cpu[i], pid, comm);
			}
			ADD("]");
		}
		if (t->tw)
			ADD(", \"text_cycles\": %" PRIu64, t->tws.cycles);
		if (t->tws.tampered_pages) {
			char sym[160];

			if (mintmon_kernel_symbolize(t->s->k, t->tws.first_tampered, sym, sizeof(sym)))
				snprintf(sym, sizeof(sym), "?");
			ADD(", \"tampered_pages\": %u, \"tampered_at\": \"0x%" PRIx64 "\", "
			    "\"tampered_symbol\": \"%s\"", t->tws.tampered_pages, t->tws.first_tampered,
			    sym);
		}
		if (t->state == MINTMON_HEALTH_PANICKED && t->panic_msg[0]) {
			for (char *p = t->panic_msg; *p; p++) {
				if (*p < ' ' || *p == '"' || *p == '\\' || *p > '~')
					*p = '?';
			}
			ADD(", \"panic_message\": \"%s\"", t->panic_msg);
		}
	}
	ADD("}");
#undef ADD
	if (n >= size)
		snprintf(buf, size, "{}");
}

static void changed(struct watch *w, struct target *t, enum mintmon_health_state next,
		    const struct mintmon_health_verdict *v)
{
	char when[64], ev[2048], *old;
	enum mintmon_health_state prev = t->state;
	bool had = t->have_state;

	if (had && prev == next)
		return;
	t->state = next;
	t->have_state = true;
	t->since_ms = cli_now_ms();
	t->changes++;
	iso_time(when, sizeof(when));
	evidence(w, t, v, ev, sizeof(ev));
	old = had ? (char *)mintmon_health_state_name(prev) : "none";
	printf("{\"time\": \"%s\", \"target\": ", when);
	cli_json_string(stdout, t->name, strlen(t->name));
	printf(", \"old\": \"%s\", \"new\": \"%s\", \"evidence\": %s}\n", old,
	       mintmon_health_state_name(next), ev);
	fflush(stdout);
	if (w->c->o.on_change) {
		pid_t pid = fork();

		if (pid == 0) {
			setenv("MINTMON_TARGET", t->name, 1);
			setenv("MINTMON_OLD_STATE", old, 1);
			setenv("MINTMON_NEW_STATE", mintmon_health_state_name(next), 1);
			setenv("MINTMON_TIME", when, 1);
			setenv("MINTMON_EVIDENCE", ev, 1);
			execl("/bin/sh", "sh", "-c", w->c->o.on_change, (char *)NULL);
			_exit(127);
		}
	}
}

static void drop_kernel_state(struct target *t)
{
	mintmon_log_destroy(t->log);
	mintmon_health_destroy(t->h);
	mintmon_text_watch_destroy(t->tw);
	t->log = NULL;
	t->h = NULL;
	t->tw = NULL;
	memset(&t->tws, 0, sizeof(t->tws));
	t->nr = t->head = 0;
	t->have_last = false;
	memset(&t->cur, 0, sizeof(t->cur));
}

/* (Re)open and attach; false while the target is unreachable. */
static bool ensure_session(struct watch *w, struct target *t)
{
	struct mintmon_error e;
	int err;

	if (t->s)
		return true;
	mintmon_error_init(&e, 0);
	if (!t->mem_open) {
		if (mintmon_reader_open(t->spec, &t->mem, &e)) {
			mintmon_error_format(&e, t->error, sizeof(t->error));
			return false;
		}
		t->mem_open = true;
	}
	struct mintmon_kernel_options opts = w->c->kopts;

	if (t->window_end) {
		opts.search_start = t->window_start;
		opts.search_end = t->window_end;
	} else if (!opts.search_end) {
		mintmon_reader_search_window(&t->mem, &opts);
	}
	err = mintmon_layout_attach(&t->mem, &opts, 0, &t->s);
	if (!t->s) {
		snprintf(t->error, sizeof(t->error), "cannot attach: %s", strerror(-err));
		return false;
	}
	return true;
}

static struct mintmon_health_sample *ref_sample(struct watch *w, struct target *t, double now)
{
	unsigned int i;

	/* The newest sample at least hung_after old, else the oldest kept. */
	for (i = 0; i < t->nr; i++) {
		unsigned int at = (t->head + RING - 1 - i) % RING;

		if (now - (double)t->ring[at].when_ms >= (double)w->c->o.hung_after_ms)
			return &t->ring[at];
	}
	return t->nr ? &t->ring[(t->head + RING - t->nr) % RING] : NULL;
}

static void poll_target(struct watch *w, struct target *t)
{
	struct mintmon_health_verdict v;
	struct mintmon_health_sample *ref, *cur;
	struct mintmon_poll p;
	double now = cli_now_ms();
	enum mintmon_health_state next;

	t->polls++;
	if (!ensure_session(w, t)) {
		t->poll_errors++;
		changed(w, t, MINTMON_HEALTH_UNREACHABLE, NULL);
		return;
	}
	if (mintmon_session_poll(t->s, &p) || p.state == MINTMON_POLL_GONE || !t->s->k) {
		t->poll_errors++;
		mintmon_error_format(&t->s->err, t->error, sizeof(t->error));
		drop_kernel_state(t);
		changed(w, t, MINTMON_HEALTH_UNREACHABLE, NULL);
		return;
	}
	if (t->h && t->gen != t->s->generation)
		drop_kernel_state(t);	/* re-attached: start over on what it found */
	if (!t->h) {
		u64 id = mintmon_boot_id_hash(&t->s->k->id);

		t->gen = t->s->generation;
		snprintf(t->release, sizeof(t->release), "%s", t->s->k->release);
		t->last_move_ms = now;
		/* Another boot than the last one seen, even across an unreachable spell. */
		if (t->boot_id && id != t->boot_id) {
			t->reboots++;
			t->boot_id = id;
			changed(w, t, MINTMON_HEALTH_REBOOTED, NULL);
		}
		t->boot_id = id;
		if (mintmon_health_create(t->s->k, &t->h)) {
			mintmon_error_format(&t->s->err, t->error, sizeof(t->error));
			t->poll_errors++;
			changed(w, t, MINTMON_HEALTH_UNREACHABLE, NULL);
			return;
		}
		mintmon_log_create(t->s->k, &t->log);
		/* A cycle of text_cycle / interval polls; no text check if its layout is unknown. */
		if (w->c->o.text_cycle_ms > 0) {
			long steps = w->c->o.text_cycle_ms / w->c->o.interval_ms;

			mintmon_text_watch_create(t->s->k, steps > 0 ? (u32)steps : 1, &t->tw);
			t->text_jiffies = 0;
			t->text_ms = now;
		}
	}
	cur = &t->ring[t->head];
	if (mintmon_health_sample(t->h, (u64)now, cur)) {
		mintmon_error_format(&t->s->err, t->error, sizeof(t->error));
		t->poll_errors++;
		changed(w, t, MINTMON_HEALTH_UNREACHABLE, NULL);
		return;
	}
	t->head = (t->head + 1) % RING;
	if (t->nr < RING)
		t->nr++;
	if (t->have_last && (cur->jiffies != t->last.jiffies))
		t->last_move_ms = now;
	/*
	 * Text only once the kernel ran since the last step: not memory a
	 * reboot or kexec is rewriting. An idle tickless kernel moves its
	 * heartbeat now and then, so a step checks the pages its time is due.
	 */
	if (t->tw && cur->jiffies != t->text_jiffies) {
		double due = (double)mintmon_text_watch_pages(t->tw) * (now - t->text_ms) /
			     (double)w->c->o.text_cycle_ms;

		mintmon_text_watch_step(t->tw, t->text_jiffies != 0, (u32)due + 1, &t->tws);
		t->text_jiffies = cur->jiffies;
		t->text_ms = now;
	}
	t->last = *cur;
	t->have_last = true;
	if (t->log)
		mintmon_log_read(t->log, &t->cur, count_record, t, NULL);
	mintmon_kernel_uptime_ns(t->s->k, &t->uptime_ns);
	ref = ref_sample(w, t, now);
	if (!ref || ref == cur || now - (double)ref->when_ms < (double)w->c->o.hung_after_ms)
		return;		/* not hung_after of samples yet: no verdict */
	mintmon_health_judge(ref, cur, (u64)w->c->o.hung_after_ms, &v);
	next = v.state;
	if (t->tws.tampered_pages && (next == MINTMON_HEALTH_RUNNING ||
				      next == MINTMON_HEALTH_TAINTED || next == MINTMON_HEALTH_OOPSED))
		next = MINTMON_HEALTH_TAMPERED;
	/* "rebooted" stands until the new kernel has a verdict of its own. */
	changed(w, t, next, &v);
}

/* ---- Prometheus text exposition ---- */

static double m_age(const struct target *t, double now)
{
	return (now - t->last_move_ms) / 1000.0;
}

static double m_uptime(const struct target *t, double now)
{
	return (double)t->uptime_ns / 1e9;
}

static double m_threads(const struct target *t, double now)
{
	return (double)t->last.nr_threads;
}

static double m_taint(const struct target *t, double now)
{
	return (double)t->last.tainted;
}

static double m_records(const struct target *t, double now)
{
	return (double)t->log_records;
}

static double m_polls(const struct target *t, double now)
{
	return (double)t->polls;
}

static double m_errors(const struct target *t, double now)
{
	return (double)t->poll_errors;
}

static double m_reads(const struct target *t, double now)
{
	return t->mem_open ? (double)t->mem.reads : 0;
}

static double m_bytes(const struct target *t, double now)
{
	return t->mem_open ? (double)t->mem.bytes_read : 0;
}

static double m_tampered(const struct target *t, double now)
{
	return (double)t->tws.tampered_pages;
}

static double m_text_cycles(const struct target *t, double now)
{
	return (double)t->tws.cycles;
}

static double m_reboots(const struct target *t, double now)
{
	return (double)t->reboots;
}

/* Gauges are shown once the target has been sampled; counters always. */
struct metric {
	const char *name, *help;
	bool counter, window;
	double (*value)(const struct target *t, double now);
};

static const char *const load_windows[3] = {"1m", "5m", "15m"};

static const struct metric metric_table[] = {
	{"mintmon_heartbeat_age_seconds", "Time since the kernel's jiffies last moved.", false,
	 false, m_age},
	{"mintmon_uptime_seconds", "Time since the watched kernel booted.", false, false,
	 m_uptime},
	{"mintmon_threads", "Threads of the watched kernel (nr_threads).", false, false,
	 m_threads},
	{"mintmon_load_average", "Load average of the watched kernel.", false, true, NULL},
	{"mintmon_taint_flags", "The kernel's taint mask (/proc/sys/kernel/tainted).", false,
	 false, m_taint},
	{"mintmon_log_records_total", "Records the kernel has written to its log.", true, false,
	 m_records},
	{"mintmon_polls_total", "Polls of the target.", true, false, m_polls},
	{"mintmon_poll_errors_total", "Polls that could not read the target.", true, false,
	 m_errors},
	{"mintmon_read_requests_total", "Memory requests made to the target.", true, false,
	 m_reads},
	{"mintmon_read_bytes_total", "Bytes read from the target.", true, false, m_bytes},
	{"mintmon_reboots_total", "Reboots and kexecs seen.", true, false, m_reboots},
	{"mintmon_text_tampered_pages", "Pages of kernel text and rodata changed unexplained.",
	 false, false, m_tampered},
	{"mintmon_text_cycles_total", "Full integrity checks of the kernel's text and rodata.",
	 true, false, m_text_cycles},
};

static size_t metrics_text(struct watch *w, char *buf, size_t size)
{
	static const enum mintmon_health_state states[] = {
		MINTMON_HEALTH_RUNNING, MINTMON_HEALTH_TAINTED, MINTMON_HEALTH_OOPSED,
		MINTMON_HEALTH_HUNG, MINTMON_HEALTH_PANICKED, MINTMON_HEALTH_REBOOTED,
		MINTMON_HEALTH_UNREACHABLE, MINTMON_HEALTH_TAMPERED,
	};
	double now = cli_now_ms();
	size_t n = 0;
	unsigned int i, j, k;

#define ADD(...) do { if (n < size) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); } while (0)
	ADD("# HELP mintmon_state Whether the watched kernel is in this state (1) or not (0).\n"
	    "# TYPE mintmon_state gauge\n");
	for (i = 0; i < w->nr; i++) {
		for (j = 0; j < MINTMON_ARRAY_SIZE(states); j++)
			ADD("mintmon_state{target=\"%s\",state=\"%s\"} %d\n", w->t[i].name,
			    mintmon_health_state_name(states[j]),
			    w->t[i].have_state && w->t[i].state == states[j]);
	}
	for (k = 0; k < MINTMON_ARRAY_SIZE(metric_table); k++) {
		const struct metric *m = &metric_table[k];

		ADD("# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
		    m->counter ? "counter" : "gauge");
		for (i = 0; i < w->nr; i++) {
			const struct target *t = &w->t[i];

			if (m->window) {	/* load averages: one line per window */
				for (j = 0; j < 3 && t->have_last; j++)
					ADD("%s{target=\"%s\",window=\"%s\"} %.2f\n", m->name,
					    t->name, load_windows[j], (double)t->last.avenrun[j] / 2048.0);
			} else if (t->have_last || m->counter) {
				ADD("%s{target=\"%s\"} %.15g\n", m->name, t->name, m->value(t, now));
			}
		}
	}
#undef ADD
	return n < size ? n : size;
}

static int listen_on(const char *spec)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd, one = 1;
	long port;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host))
		cli_usage_error("--metrics takes ADDR:PORT (for example 127.0.0.1:9464)");
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		cli_usage_error("--metrics takes an IPv4 ADDR:PORT (for example 127.0.0.1:9464)");
	sa.sin_port = htons((u16)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Answer one client, bounded in time: a slow client never holds up the polls. */
static void serve_one(struct watch *w, int fd, char *body, size_t cap)
{
	char req[2048], head[256];
	size_t got = 0, n;
	struct pollfd pfd = {fd, POLLIN, 0};
	double deadline = cli_now_ms() + 200;
	bool metrics;

	while (got < sizeof(req) - 1 && !memmem(req, got, "\r\n\r\n", 4)) {
		ssize_t r;

		if (poll(&pfd, 1, 50) <= 0) {
			if (cli_now_ms() > deadline)
				return;
			continue;
		}
		r = read(fd, req + got, sizeof(req) - 1 - got);
		if (r <= 0)
			return;
		got += (size_t)r;
		req[got] = '\0';
	}
	metrics = !strncmp(req, "GET /metrics", 12);
	n = metrics ? metrics_text(w, body, cap) : 0;
	snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", metrics ? "200 OK" : "404 Not Found",
		 "text/plain; version=0.0.4", n);
	if (write(fd, head, strlen(head)) > 0 && n)
		(void)!write(fd, body, n);
}

static void serve(struct watch *w, double until_ms, char *body, size_t cap)
{
	for (;;) {
		double left = until_ms - cli_now_ms();
		struct pollfd pfd = {w->listen_fd, POLLIN, 0};
		int fd;

		if (left <= 0 || cli_stop)
			return;
		if (w->listen_fd < 0) {
			cli_sleep_ms(left);
			continue;
		}
		if (poll(&pfd, 1, (int)left + 1) <= 0)
			continue;
		fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(w, fd, body, cap);
		close(fd);
	}
}

static struct target *add_target(struct watch *w, const char *spec, const char *name)
{
	struct target *t;

	if (w->nr == MAX_TARGETS)
		cli_usage_error("watch takes at most 64 targets");
	t = &w->t[w->nr++];
	memset(t, 0, sizeof(*t));
	if (snprintf(t->spec, sizeof(t->spec), "%s", spec) >= (int)sizeof(t->spec))
		cli_usage_error("watch: a target is too long");
	snprintf(t->name, sizeof(t->name), "%s", name && *name ? name : spec);
	for (char *p = t->name; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '\n')
			*p = '_';	/* label values and JSON strings stay plain */
	}
	return t;
}

/*
 * --mint LAYOUT: every peer of node 0 (the nodes it monitors; all other
 * nodes if it monitors none), each read through --memory SPEC and searched
 * for only in its kernel window. LAYOUT: "preset:NAME:NODES" or a layout
 * file (docs/memmap.md).
 */
static void add_mint_peers(struct watch *w, const char *layout, const char *memory)
{
	struct mint_memmap *m = calloc(1, sizeof(*m));
	char preset[32], name[16];
	unsigned int nodes, k;
	int err;

	if (!m)
		cli_die(w->c, -ENOMEM, "watch");
	if (!memory)
		cli_usage_error("--mint needs --memory SPEC: the memory the nodes are read through");
	mint_memmap_init(m);
	if (sscanf(layout, "preset:%31[^:]:%u", preset, &nodes) == 2) {
		err = mint_memmap_preset(m, preset, nodes);
	} else {
		FILE *f = fopen(layout, "r");
		static char text[1 << 16];
		size_t n = f ? fread(text, 1, sizeof(text), f) : 0;

		if (!f) {
			fprintf(stderr, "mintmon: watch: cannot open %s: %s\n", layout, strerror(errno));
			exit(1);
		}
		fclose(f);
		err = mint_memmap_parse(m, layout, text, n);
	}
	if (!err)
		err = mint_memmap_validate(m);
	if (err) {
		fprintf(stderr, "mintmon: watch: --mint %s: %s\n", layout, mint_memmap_strerror(m));
		exit(1);
	}
	for (k = 1; k < m->nr_nodes; k++) {
		struct mint_memmap_range win;
		struct target *t;

		if ((m->nodes[0].monitors && !(m->nodes[0].monitors >> k & 1)) ||
		    mint_memmap_node_kernel_window(m, k, &win))
			continue;
		snprintf(name, sizeof(name), "node%u", k);
		t = add_target(w, memory, name);
		t->window_start = win.start;
		t->window_end = win.start + win.size;
	}
	free(m);
}

static void read_config(struct watch *w, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f) {
		fprintf(stderr, "mintmon: watch: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *spec = strtok(line, " \t\r\n"), *name;

		if (!spec || *spec == '#')
			continue;
		name = strtok(NULL, " \t\r\n");
		add_target(w, spec, name);	/* a Mint node's window: --mint */
	}
	fclose(f);
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
	struct watch w = {c, NULL, 0, -1, 0};
	size_t cap = 1 << 20;
	char *body = malloc(cap);
	double next;
	long n = 0;
	int i;

	w.t = calloc(MAX_TARGETS, sizeof(*w.t));
	if (!w.t || !body)
		cli_die(c, -ENOMEM, "watch");
	if (c->o.target)
		add_target(&w, c->o.target, NULL);
	for (i = 0; i < argc; i++)
		add_target(&w, argv[i], NULL);
	if (c->o.config)
		read_config(&w, c->o.config);
	if (c->o.mint)
		add_mint_peers(&w, c->o.mint, c->o.memory);
	if (!w.nr)
		cli_usage_error("watch: no target (arguments, -t, or --config FILE)");
	if (c->o.metrics) {
		w.listen_fd = listen_on(c->o.metrics);
		if (w.listen_fd < 0) {
			fprintf(stderr, "mintmon: watch: cannot listen on %s: %s\n", c->o.metrics,
				strerror(errno));
			return 1;
		}
	}
	cli_catch_stop();
	signal(SIGPIPE, SIG_IGN);
	next = cli_now_ms();
	while (!cli_stop && (c->o.count == 0 || n < c->o.count)) {
		unsigned int k;

		for (k = 0; k < w.nr && !cli_stop; k++)
			poll_target(&w, &w.t[k]);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* --on-change commands that ended */
		n++;
		next += (double)c->o.interval_ms;
		if (next < cli_now_ms())
			next = cli_now_ms();	/* late: do not try to catch up */
		serve(&w, next, body, cap);
	}
	for (i = 0; i < (int)w.nr; i++) {
		drop_kernel_state(&w.t[i]);
		mintmon_session_destroy(w.t[i].s);
		if (w.t[i].mem_open)
			mintmon_memory_deinit(&w.t[i].mem);
	}
	if (w.listen_fd >= 0)
		close(w.listen_fd);
	free(w.t);
	free(body);
	return 0;
}
