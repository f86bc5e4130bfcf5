/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mintmon command line: options and dispatch in main.c, one file per
 * command (cmd_*.c) behind the table in main.c, shared helpers in cli.c.
 *
 * Every failure ends in one line on stderr ("mintmon: WHAT: WHY") and exit
 * status 1; usage errors exit 2.
 */
#ifndef MINTMON_CLI_H
#define MINTMON_CLI_H

#include <signal.h>
#include <stdio.h>

#include "mintmon/reader.h"
#include "mintmon/session.h"
#include "mintmon/tasks.h"

struct cli_options {
	const char *target;
	const char *btf_path;
	bool json;
	bool raw;
	bool threads;
	bool have_pid;
	long pid;
	u64 window_start, window_end;
	int verbose;
	long interval_ms;	/* poll */
	long count;		/* poll; 0: forever */
	bool follow;		/* dmesg */
	long hung_after_ms;	/* health: the sampling window, and no heartbeat for this long is hung */
	bool hung_after_set;
	const char *metrics;	/* watch: ADDR:PORT */
	const char *on_change;	/* watch: a shell command */
	const char *config;	/* watch: a file of targets */
	const char *mint;	/* watch: a Mint layout whose peers to watch */
	const char *memory;	/* watch: the memory the Mint nodes are read through */
	const char *output;	/* text baseline: -o FILE */
	const char *baseline;	/* text verify: --baseline FILE */
	const char *image;	/* text verify: --image PATH (the vmlinuz or vmlinux booted) */
	long text_cycle_ms;	/* watch: check all kernel text every this long (0: never) */
};

struct cli {
	struct cli_options o;
	struct mintmon_error err;	/* before a session exists (opening the target) */
	struct mintmon_memory mem;
	struct mintmon_session *s;
	struct mintmon_tasks *tasks;	/* made on first use */
	u64 tasks_generation;
	const char *state_dir;	/* private directory for what a command keeps (the attach cache's) */
	struct mintmon_kernel_options kopts;	/* how to attach (commands that open targets themselves) */
};

struct cli_command {
	const char *name;
	const char *args;	/* for usage text */
	const char *help;
	int min_args, max_args;
	/* false: runs with or without an attached kernel (poll) */
	bool needs_kernel;
	int (*run)(struct cli *c, int argc, char **argv);
	/* true: opens its own targets (watch): no -t needed, nothing attached */
	bool own_targets;
};

int cmd_info(struct cli *c, int argc, char **argv);
int cmd_syms(struct cli *c, int argc, char **argv);
int cmd_ps(struct cli *c, int argc, char **argv);
int cmd_vtop(struct cli *c, int argc, char **argv);
int cmd_vread(struct cli *c, int argc, char **argv);
int cmd_symbolize(struct cli *c, int argc, char **argv);
int cmd_poll(struct cli *c, int argc, char **argv);
int cmd_dmesg(struct cli *c, int argc, char **argv);
int cmd_health(struct cli *c, int argc, char **argv);
int cmd_watch(struct cli *c, int argc, char **argv);
int cmd_nodes(struct cli *c, int argc, char **argv);
int cmd_text(struct cli *c, int argc, char **argv);
int cmd_lsmod(struct cli *c, int argc, char **argv);

/* The attached kernel (commands with needs_kernel always have one). */
static inline struct mintmon_kernel *cli_kernel(struct cli *c)
{
	return c->s->k;
}

/* Print "mintmon: what: <recorded error>" and exit 1. */
void cli_die(struct cli *c, int err, const char *what) __attribute__((noreturn));
void cli_usage_error(const char *msg) __attribute__((noreturn));
u64 cli_parse_number(const char *s, const char *what);
/* ADDR as a number or SYMBOL[+OFFSET] (exits 2 if it is neither). */
u64 cli_parse_address(struct cli *c, const char *s);
/* The task walker of the current kernel (exits 1 if its layout is unusable). */
struct mintmon_tasks *cli_tasks(struct cli *c);
void cli_json_string(FILE *out, const char *s, size_t len);
double cli_now_ms(void);

/* Set by SIGINT and SIGTERM once cli_catch_stop() ran: long-running commands end cleanly. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_stop(void);
/* Sleep ms milliseconds; a signal cuts it short (the caller looks at cli_stop). */
void cli_sleep_ms(double ms);

#endif /* MINTMON_CLI_H */
