// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon: watch a Linux kernel from its physical memory. Options and
 * dispatch; each command is in its own cmd_*.c (see cli.h).
 */
#include <errno.h>
#include <gelf.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cli.h"
#include "layout.h"

#define MAX_WATCH_ARGS 64

static const struct cli_command commands[] = {
	{"info", "", "release, banner, KASLR offset, layout, RAM, symbols, BTF", 0, 0, true,
	 cmd_info, false},
	{"syms", "", "every symbol, in /proc/kallsyms format", 0, 0, true, cmd_syms, false},
	{"ps", "", "processes, like ps aux (--threads: every thread)", 0, 0, true, cmd_ps, false},
	{"vtop", "ADDR", "translate a virtual address (--pid: user address)", 1, 1, true, cmd_vtop, false},
	{"vread", "ADDR LEN", "hexdump memory (--pid: user memory; --raw: bytes)", 2, 2, true,
	 cmd_vread, false},
	{"symbolize", "ADDR...", "kernel addresses as SYMBOL+0xOFF/0xSIZE", 1, 4096, true,
	 cmd_symbolize, false},
	{"poll", "", "keep a session: one JSON line per poll (same, rebooted, gone)", 0, 0, false,
	 cmd_poll, false},
	{"dmesg", "", "the kernel log (--json; --follow: new records as they come)", 0, 0, false,
	 cmd_dmesg, false},
	{"health", "", "running, hung, panicked, oopsed, tainted, rebooted or unreachable", 0, 0,
	 false, cmd_health, false},
	{"watch", "[TARGET...]", "health of each target every --interval: changes as JSON lines,"
	 " --metrics for Prometheus", 0, MAX_WATCH_ARGS, false, cmd_watch, true},
	{"nodes", "", "on a Mint node: every node of the layout, each peer's state (--json)", 0, 0,
	 false, cmd_nodes, true},
	{"lsmod", "", "loaded modules, as /proc/modules (--json)", 0, 0, true, cmd_lsmod, false},
	{"text", "baseline|verify|sites", "kernel text integrity: baseline -o FILE, verify"
	 " --baseline FILE | --image VMLINUZ (exit 3: tampered), sites", 1, 1, true, cmd_text, false},
};

static void usage(FILE *out)
{
	unsigned int i;

	fputs("usage: mintmon -t TARGET [options] COMMAND [ARGS]\n"
	      "\n"
	      "TARGET:  file:PATH[:map=PHYS+SIZE@OFF,...]   raw physical memory image\n"
	      "         elf:PATH                            ELF core (dump-guest-memory, vmcore)\n"
	      "         node:N                              Mint peer N through mintmon.ko (/dev/mint/nodeN)\n"
	      "COMMAND:\n", out);
	for (i = 0; i < MINTMON_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %-9s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fputs("ADDR:    a number, or SYMBOL[+OFFSET] of the target's kallsyms\n"
	      "options: --json  --pid PID  --raw  --threads  --follow\n"
	      "         --btf PATH           raw BTF or an ELF file with .BTF (for kernels without BTF)\n"
	      "         --window START-END   search for the kernel only in this physical range\n"
	      "         --no-cache           do not keep or use what attaching learnt (symbols,\n"
	      "                              BTF) in ${MINTMON_CACHE_DIR:-~/.cache/mintmon/attach}\n"
	      "         --interval MS        poll period (default 100; dmesg --follow too)\n"
	      "         --count N            polls to make (default 0: until interrupted)\n"
	      "         --hung-after MS      health: sample this far apart; no heartbeat this long\n"
	      "                              while a CPU is busy is hung (default 1000; watch:\n"
	      "                              twice --interval)\n"
	      "         --metrics ADDR:PORT  watch: serve Prometheus metrics (GET /metrics)\n"
	      "         --on-change CMD      watch: run CMD (sh -c) on each state change\n"
	      "         --config FILE        watch: targets, one \"TARGET [NAME]\" a line\n"
	      "         -o, --output FILE    text baseline: where to write the baseline\n"
	      "         --baseline FILE      text verify: the baseline to compare with\n"
	      "         --image PATH         text verify: compare with the vmlinuz (or vmlinux)\n"
	      "                              the kernel booted, relocated by its KASLR offset\n"
	      "         --text-cycle MS      watch: check every page of kernel text and rodata\n"
	      "                              once this often, a slice per poll (default 5000;\n"
	      "                              0: never); a change no patch site explains is\n"
	      "                              \"tampered\"\n"
	      "         --mint LAYOUT --memory SPEC\n"
	      "                              watch: every peer of node 0 in a Mint layout\n"
	      "                              (preset:kexec-mint:N or a file), read through SPEC\n"
	      "         -v (repeat for debug output)  -h\n", out);
}

static void *read_file(const char *path, size_t *size_ret)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf;

	if (!f) {
		fprintf(stderr, "mintmon: --btf: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *nb = cap < (256u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "mintmon: --btf: %s is too large\n", path);
		exit(1);
	}
	*size_ret = n;
	return buf;
}

/*
 * --btf takes raw BTF (/sys/kernel/btf/vmlinux) or an ELF file with a .BTF
 * section (a vmlinux): return the BTF bytes, moved to the start of buf.
 */
static size_t btf_from_file(char *buf, size_t size, const char *path)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, n = 0;

	if (size < 4 || memcmp(buf, ELFMAG, SELFMAG))
		return size;
	elf_version(EV_CURRENT);
	elf = elf_memory(buf, size);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		fprintf(stderr, "mintmon: --btf: %s is not a valid ELF file\n", path);
		exit(1);
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".BTF") || sh.sh_type != SHT_PROGBITS ||
		    !mintmon_in_bounds(size, sh.sh_offset, sh.sh_size))
			continue;
		memmove(buf, buf + sh.sh_offset, sh.sh_size);
		n = sh.sh_size;
		break;
	}
	elf_end(elf);
	if (!n) {
		fprintf(stderr, "mintmon: --btf: %s has no .BTF section\n", path);
		exit(1);
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"target", required_argument, NULL, 't'},
		{"btf", required_argument, NULL, 'b'},
		{"json", no_argument, NULL, 'j'},
		{"raw", no_argument, NULL, 'r'},
		{"pid", required_argument, NULL, 'p'},
		{"threads", no_argument, NULL, 'T'},
		{"window", required_argument, NULL, 'w'},
		{"interval", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"no-cache", no_argument, NULL, 'C'},
		{"follow", no_argument, NULL, 'f'},
		{"hung-after", required_argument, NULL, 'H'},
		{"metrics", required_argument, NULL, 'M'},
		{"on-change", required_argument, NULL, 'O'},
		{"config", required_argument, NULL, 'F'},
		{"mint", required_argument, NULL, 'N'},
		{"memory", required_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		{"baseline", required_argument, NULL, 'B'},
		{"text-cycle", required_argument, NULL, 'X'},
		{"image", required_argument, NULL, 'I'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct mintmon_kernel_options kopts = {0};
	struct mintmon_cache *cache = NULL;
	bool no_cache = false;
	static struct cli cli;
	struct cli *c = &cli;
	const struct cli_command *cmd = NULL;
	void *btf = NULL;
	double t0, t1;
	u64 attach_bytes, attach_reads;
	unsigned int i;
	int opt, err, nargs;

	c->o.interval_ms = 100;
	c->o.hung_after_ms = 1000;
	c->o.text_cycle_ms = 5000;
	/* GNU getopt permutes: options may come before or after the command. */
	while ((opt = getopt_long(argc, argv, "t:o:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': c->o.target = optarg; break;
		case 'b': c->o.btf_path = optarg; break;
		case 'j': c->o.json = true; break;
		case 'r': c->o.raw = true; break;
		case 'T': c->o.threads = true; break;
		case 'p':
			c->o.have_pid = true;
			c->o.pid = (long)cli_parse_number(optarg, "pid");
			break;
		case 'w': {
			char *dash = strchr(optarg, '-');

			if (!dash)
				cli_usage_error("--window takes START-END");
			*dash = '\0';
			c->o.window_start = cli_parse_number(optarg, "window start");
			c->o.window_end = cli_parse_number(dash + 1, "window end");
			if (c->o.window_end <= c->o.window_start)
				cli_usage_error("--window END must be above START");
			break;
		}
		case 'i':
			c->o.interval_ms = (long)cli_parse_number(optarg, "interval");
			if (c->o.interval_ms < 1 || c->o.interval_ms > 3600000)
				cli_usage_error("--interval takes 1 to 3600000 ms");
			break;
		case 'c': c->o.count = (long)cli_parse_number(optarg, "count"); break;
		case 'C': no_cache = true; break;
		case 'f': c->o.follow = true; break;
		case 'H':
			c->o.hung_after_ms = (long)cli_parse_number(optarg, "hung-after");
			if (c->o.hung_after_ms < 1 || c->o.hung_after_ms > 3600000)
				cli_usage_error("--hung-after takes 1 to 3600000 ms");
			c->o.hung_after_set = true;
			break;
		case 'M': c->o.metrics = optarg; break;
		case 'O': c->o.on_change = optarg; break;
		case 'F': c->o.config = optarg; break;
		case 'N': c->o.mint = optarg; break;
		case 'm': c->o.memory = optarg; break;
		case 'o': c->o.output = optarg; break;
		case 'B': c->o.baseline = optarg; break;
		case 'I': c->o.image = optarg; break;
		case 'X':
			c->o.text_cycle_ms = (long)cli_parse_number(optarg, "text-cycle");
			if (c->o.text_cycle_ms < 0 || c->o.text_cycle_ms > 86400000)
				cli_usage_error("--text-cycle takes 0 to 86400000 ms");
			break;
		case 'v': c->o.verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc)
		cli_usage_error("no command given");
	for (i = 0; i < MINTMON_ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	}
	if (!cmd) {
		fprintf(stderr, "mintmon: unknown command '%s' (see mintmon -h)\n", argv[optind]);
		return 2;
	}
	optind++;
	nargs = argc - optind;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "mintmon: %s takes %s (see mintmon -h)\n", cmd->name,
			*cmd->args ? cmd->args : "no arguments");
		return 2;
	}
	if (!c->o.target && !cmd->own_targets)
		cli_usage_error("no target given (-t file:PATH or -t elf:PATH)");
	mintmon_set_debug(c->o.verbose >= 2);
	mintmon_error_init(&c->err, c->o.verbose);

	if (!cmd->own_targets) {
		err = mintmon_reader_open(c->o.target, &c->mem, &c->err);
		if (err)
			cli_die(c, err, "target");
	}
	if (c->o.btf_path) {
		kopts.btf_data = btf = read_file(c->o.btf_path, &kopts.btf_size);
		kopts.btf_size = btf_from_file(btf, kopts.btf_size, c->o.btf_path);
	}
	kopts.search_start = c->o.window_start;
	kopts.search_end = c->o.window_end;
	/* node:N knows where its kernel lives; --window still wins. */
	if (!cmd->own_targets && !kopts.search_end)
		mintmon_reader_search_window(&c->mem, &kopts);
	/*
	 * Attach again to a boot seen before from what the last attach learnt
	 * (cache.h); a cache that cannot be opened only costs the search.
	 */
	if (!no_cache) {
		const char *dir = getenv("MINTMON_CACHE_DIR");

		if (!mintmon_cache_open(dir && *dir ? dir : NULL, c->o.verbose, &cache)) {
			kopts.cache = &mintmon_cache_ops;
			kopts.cache_ctx = cache;
			c->state_dir = mintmon_cache_dir(cache);
		}
	}
	if (cmd->own_targets) {
		if (!c->o.hung_after_set)
			c->o.hung_after_ms = 2 * c->o.interval_ms;
		c->kopts = kopts;
		err = cmd->run(c, nargs, argv + optind);
		mintmon_cache_close(cache);
		free(btf);
		if (fflush(stdout) || ferror(stdout))
			cli_die(c, -EIO, "writing output");
		return err;
	}
	t0 = cli_now_ms();
	/* A plain file: target's layout comes from its kernel (layout.h). */
	err = mintmon_layout_attach(&c->mem, &kopts, c->o.verbose, &c->s);
	if (err == -ENOMEM || (err && cmd->needs_kernel))
		cli_die(c, err, "cannot attach");
	if (c->o.have_pid && cmd->needs_kernel)
		cli_tasks(c);
	t1 = cli_now_ms();
	attach_bytes = c->mem.bytes_read;
	attach_reads = c->mem.reads;
	/* A positive return is the exit status (text verify: 3 when tampered). */
	err = cmd->run(c, nargs, argv + optind);
	if (c->o.verbose) {
		fflush(stdout);
		fprintf(stderr, "mintmon: attach %.2f ms, %" PRIu64 " bytes in %" PRIu64 " reads; %s "
			"%.2f ms, %" PRIu64 " bytes in %" PRIu64 " reads, %" PRIu64
			" round trips in all\n", t1 - t0, attach_bytes, attach_reads, cmd->name,
			cli_now_ms() - t1, c->mem.bytes_read - attach_bytes,
			c->mem.reads - attach_reads, c->mem.round_trips);
	}
	mintmon_tasks_destroy(c->tasks);
	mintmon_session_destroy(c->s);
	mintmon_cache_close(cache);
	free(btf);
	mintmon_memory_deinit(&c->mem);
	if (fflush(stdout) || ferror(stdout))
		cli_die(c, -EIO, "writing output");
	return err > 0 ? err : 0;
}
