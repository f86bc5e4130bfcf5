// SPDX-License-Identifier: GPL-2.0
/*
 * mintmon: watch a Linux kernel from its physical memory.
 *
 * Every failure ends in one line on stderr ("mintmon: ...") and exit 1;
 * usage errors exit 2.
 */
#include <gelf.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "mintmon/kernel.h"
#include "mintmon/reader.h"
#include "mintmon/tasks.h"

#define ARGS_MAX (256u << 10)

struct options {
	const char *target;
	const char *btf_path;
	bool json;
	bool raw;
	bool threads;
	bool have_pid;
	long pid;
	u64 window_start, window_end;
	int verbose;
};

static const char usage_text[] =
	"usage: mintmon -t TARGET [options] COMMAND [ARGS]\n"
	"\n"
	"TARGET:  file:PATH[:map=PHYS+SIZE@OFF,...]   raw physical memory image\n"
	"         elf:PATH                            ELF core (dump-guest-memory, vmcore)\n"
	"COMMAND: info                  release, banner, KASLR offset, layout, symbols, BTF\n"
	"         syms                  every symbol, in /proc/kallsyms format\n"
	"         ps                    processes, like ps aux (--threads: every thread)\n"
	"         vtop ADDR             translate a virtual address (--pid: user address)\n"
	"         vread ADDR LEN        hexdump memory (--pid: user memory; --raw: bytes)\n"
	"options: --json  --pid PID  --raw  --threads\n"
	"         --btf PATH           raw BTF or an ELF file with .BTF (for kernels without BTF)\n"
	"         --window START-END   search for the kernel only in this physical range\n"
	"         -v (repeat for debug output)  -h\n";

static void die(int err, const char *what)
{
	const char *why = mintmon_last_warning();

	if (*why)
		fprintf(stderr, "mintmon: %s: %s\n", what, why);
	else
		fprintf(stderr, "mintmon: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "mintmon: %s (see mintmon -h)\n", msg);
	exit(2);
}

static u64 parse_number(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || errno) {
		fprintf(stderr, "mintmon: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void json_string(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void cmd_info(struct mintmon_kernel *k, const struct options *o)
{
	u64 btf_size = mintmon_btf_size(k->btf);
	u32 nsyms = mintmon_kallsyms_count(k->kallsyms);

	if (o->json) {
		printf("{\"release\": ");
		json_string(stdout, k->release, strlen(k->release));
		printf(", \"banner\": ");
		json_string(stdout, k->banner, strlen(k->banner));
		printf(", \"kaslr_offset\": \"0x%" PRIx64 "\", \"text_virt\": \"0x%" PRIx64
		       "\", \"text_phys\": \"0x%" PRIx64 "\", \"phys_base\": \"0x%" PRIx64
		       "\", \"page_offset_base\": \"0x%" PRIx64 "\", \"vmemmap_base\": \"0x%" PRIx64
		       "\", \"paging_levels\": %u, \"symbols\": %u, \"btf_size\": %" PRIu64
		       ", \"btf_source\": \"%s\", \"vmcoreinfo\": %s}\n",
		       k->kaslr_offset, k->text_virt, k->text_phys, k->phys_base,
		       k->page_offset_base, k->vmemmap_base, k->paging_levels, nsyms, btf_size,
		       k->btf_external ? "file" : "kernel",
		       !k->vmcoreinfo.present ? "null" :
		       k->vmcoreinfo.kaslr_matches && k->vmcoreinfo.release_matches ?
		       "\"agrees\"" : "\"disagrees\"");
		return;
	}
	printf("release           %s\n", k->release);
	printf("banner            %s\n", k->banner);
	printf("kaslr offset      0x%" PRIx64 "\n", k->kaslr_offset);
	printf("text              0x%" PRIx64 " (physical 0x%" PRIx64 ")\n", k->text_virt,
	       k->text_phys);
	printf("phys_base         0x%" PRIx64 "\n", k->phys_base);
	printf("page_offset_base  0x%" PRIx64 "\n", k->page_offset_base);
	printf("vmemmap_base      0x%" PRIx64 "\n", k->vmemmap_base);
	printf("paging levels     %u\n", k->paging_levels);
	printf("symbols           %u\n", nsyms);
	printf("BTF               %" PRIu64 " bytes (%s)\n", btf_size,
	       k->btf_external ? "from file" : "kernel .BTF");
	printf("vmcoreinfo        %s\n", !k->vmcoreinfo.present ? "absent" :
	       k->vmcoreinfo.kaslr_matches && k->vmcoreinfo.release_matches ? "agrees" :
	       "DISAGREES");
}

static void cmd_syms(struct mintmon_kernel *k)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	int ret;

	mintmon_kallsyms_iter_init(&it, k->kallsyms);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0)
		printf("%016" PRIx64 " %c %s\n", sym.addr, sym.type, sym.name);
	if (ret < 0)
		die(ret, "kallsyms");
}

struct ps_ctx {
	struct mintmon_tasks *tasks;
	const struct options *o;
	char *args;
	bool first;
	size_t width;		/* terminal columns, 0 when not writing to one */
	double args_ms;		/* time spent reading arguments from user memory */
	double output_ms;	/* time spent formatting */
};

static double now_ms(void);

static void format_time(char *buf, size_t size, u64 ns)
{
	u64 s = ns / 1000000000ull;

	snprintf(buf, size, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

static int ps_fn(const struct mintmon_task *t, void *arg)
{
	struct ps_ctx *c = arg;
	size_t len = 0, i;
	int err;

	double t0, t1;

	if (!c->o->json && !c->o->threads && t->pid != t->tgid)
		return 0;
	t0 = now_ms();
	err = mintmon_task_args(c->tasks, t, c->args, ARGS_MAX, &len);
	if (err)
		len = 0;	/* unreadable user memory (paged out): like /proc, no args */
	t1 = now_ms();
	c->args_ms += t1 - t0;
	while (len && c->args[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++) {
		if (c->args[i] == '\0')
			c->args[i] = ' ';
	}
	if (c->o->json) {
		printf("%s\n{\"pid\": %d, \"tgid\": %d, \"ppid\": %d, \"uid\": %u, \"euid\": %u, "
		       "\"state\": \"%c\", \"task\": \"0x%" PRIx64 "\", \"comm\": ",
		       c->first ? "" : ",", t->pid, t->tgid, t->ppid, t->uid, t->euid, t->state,
		       t->addr);
		json_string(stdout, t->comm, strlen(t->comm));
		printf(", \"args\": ");
		json_string(stdout, c->args, len);
		printf(", \"kthread\": %s, \"rss_kb\": %" PRIu64 ", \"vsz_kb\": %" PRIu64
		       ", \"start_time_ns\": %" PRIu64 ", \"cpu_time_ns\": %" PRIu64 "}",
		       t->kthread ? "true" : "false", t->rss_kb, t->vsz_kb, t->start_time_ns,
		       t->cpu_time_ns);
		c->first = false;
		c->output_ms += now_ms() - t1;
		return 0;
	}
	{
		char start[32], cpu[32], stat[4] = {t->state, 0, 0, 0};

		if (t->nr_threads > 1)
			stat[1] = 'l';
		format_time(start, sizeof(start), t->start_time_ns);
		format_time(cpu, sizeof(cpu), t->cpu_time_ns);
		int n = printf("%-8u %7d %7d %-4s %7s %7s %8" PRIu64 " %7" PRIu64 " ", t->euid,
			       c->o->threads ? t->pid : t->tgid, t->ppid, stat, start, cpu,
			       t->vsz_kb, t->rss_kb);

		if (!len)
			len = (size_t)snprintf(c->args, ARGS_MAX, "[%s]", t->comm);
		/* Like ps aux on a terminal: one line per process, cut at its width. */
		if (c->width && n > 0) {
			size_t room = (size_t)n < c->width ? c->width - (size_t)n : 0;

			if (len > room)
				len = room;
		}
		fwrite(c->args, 1, len, stdout);
		putchar('\n');
	}
	c->output_ms += now_ms() - t1;
	return 0;
}

static void cmd_ps(struct mintmon_kernel *k, struct mintmon_tasks *tasks, const struct options *o)
{
	struct ps_ctx c = {tasks, o, malloc(ARGS_MAX), true, 0, 0, 0};
	struct winsize ws;
	int err;

	if (!o->json && isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		c.width = ws.ws_col;
	if (!c.args)
		die(-ENOMEM, "ps");
	if (o->json)
		printf("[");
	else
		printf("%-8s %7s %7s %-4s %7s %7s %8s %7s %s\n", "UID", o->threads ? "TID" : "PID",
		       "PPID", "STAT", "START", "TIME", "VSZ", "RSS", "COMMAND");
	err = mintmon_tasks_for_each(tasks, ps_fn, &c);
	if (err)
		die(err, "ps");
	if (o->json)
		printf("\n]\n");
	free(c.args);
	if (o->verbose)
		fprintf(stderr, "mintmon: ps: %.2f ms reading arguments from user memory, %.2f ms "
			"formatting\n", c.args_ms, c.output_ms);
}

/* The page table (pgd) of --pid's process, or 0 for kernel addresses. */
static u64 pid_pgd(struct mintmon_tasks *tasks, const struct options *o)
{
	struct mintmon_task t;
	int err;

	if (!o->have_pid)
		return 0;
	err = mintmon_tasks_find(tasks, (s32)o->pid, &t);
	if (err)
		die(err, "--pid");
	if (!t.pgd) {
		fprintf(stderr, "mintmon: --pid: task %ld has no user address space\n", o->pid);
		exit(1);
	}
	return t.pgd;
}

static void cmd_vtop(struct mintmon_kernel *k, struct mintmon_tasks *tasks,
		     const struct options *o, u64 addr)
{
	struct mintmon_translation t;
	u64 pgd = pid_pgd(tasks, o), fault = 0;
	int err = pgd ? mintmon_kernel_vtop_pgd(k, pgd, addr, &t, &fault) :
			mintmon_kernel_vtop(k, addr, &t, &fault);

	if (err == -ENXIO) {
		fprintf(stderr, "mintmon: vtop: 0x%" PRIx64 " is not mapped\n", addr);
		exit(1);
	}
	if (err == -EFAULT) {
		fprintf(stderr, "mintmon: vtop: page table at physical 0x%" PRIx64
			" is not readable\n", fault);
		exit(1);
	}
	if (err)
		die(err, "vtop");
	if (o->json)
		printf("{\"vaddr\": \"0x%" PRIx64 "\", \"phys\": \"0x%" PRIx64
		       "\", \"page_size\": %" PRIu64 "}\n", addr, t.phys, t.page_size);
	else
		printf("0x%" PRIx64 " -> 0x%" PRIx64 " (page size %" PRIu64 ")\n", addr, t.phys,
		       t.page_size);
}

static void cmd_vread(struct mintmon_kernel *k, struct mintmon_tasks *tasks,
		      const struct options *o, u64 addr, u64 len)
{
	u64 pgd = pid_pgd(tasks, o), fault = 0, i;
	u8 *buf;
	int err;

	if (len > (64u << 20))
		usage_error("vread: LEN is limited to 64 MiB");
	buf = malloc(len ? len : 1);
	if (!buf)
		die(-ENOMEM, "vread");
	err = mintmon_kernel_read(k, pgd, addr, buf, len, &fault);
	if (err) {
		fprintf(stderr, "mintmon: vread: cannot read 0x%" PRIx64 " (%s)\n", fault,
			err == -ENXIO ? "not mapped" : strerror(-err));
		exit(1);
	}
	if (o->raw) {
		if (fwrite(buf, 1, len, stdout) != len)
			die(-EIO, "vread");
	} else {
		for (i = 0; i < len; i += 16) {
			u64 j;

			printf("%016" PRIx64 ": ", addr + i);
			for (j = i; j < i + 16; j++) {
				if (j < len)
					printf("%02x ", buf[j]);
				else
					printf("   ");
			}
			printf(" ");
			for (j = i; j < i + 16 && j < len; j++)
				putchar(buf[j] >= 0x20 && buf[j] < 0x7f ? buf[j] : '.');
			putchar('\n');
		}
	}
	free(buf);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
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
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct mintmon_kernel_options kopts = {0};
	struct options o = {0};
	struct mintmon_memory mem;
	struct mintmon_kernel *k;
	struct mintmon_tasks *tasks = NULL;
	const char *cmd;
	void *btf = NULL;
	double t0, t1;
	u64 attach_bytes;
	int c, err;

	/* GNU getopt permutes: options may come before or after the command. */
	while ((c = getopt_long(argc, argv, "t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o.target = optarg; break;
		case 'b': o.btf_path = optarg; break;
		case 'j': o.json = true; break;
		case 'r': o.raw = true; break;
		case 'T': o.threads = true; break;
		case 'p':
			o.have_pid = true;
			o.pid = (long)parse_number(optarg, "pid");
			break;
		case 'w': {
			char *dash = strchr(optarg, '-');

			if (!dash)
				usage_error("--window takes START-END");
			*dash = '\0';
			o.window_start = parse_number(optarg, "window start");
			o.window_end = parse_number(dash + 1, "window end");
			if (o.window_end <= o.window_start)
				usage_error("--window END must be above START");
			break;
		}
		case 'v': o.verbose++; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind >= argc)
		usage_error("no command given");
	cmd = argv[optind++];
	if (!o.target)
		usage_error("no target given (-t file:PATH or -t elf:PATH)");
	if (strcmp(cmd, "info") && strcmp(cmd, "syms") && strcmp(cmd, "ps") &&
	    strcmp(cmd, "vtop") && strcmp(cmd, "vread")) {
		fprintf(stderr, "mintmon: unknown command '%s' (see mintmon -h)\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "vtop") && argc - optind != 1)
		usage_error("vtop takes ADDR");
	if (!strcmp(cmd, "vread") && argc - optind != 2)
		usage_error("vread takes ADDR LEN");
	if ((!strcmp(cmd, "info") || !strcmp(cmd, "syms") || !strcmp(cmd, "ps")) && argc != optind)
		usage_error("unexpected argument");
	mintmon_set_verbose(o.verbose);

	err = mintmon_reader_open(o.target, &mem);
	if (err)
		die(err, "target");
	if (o.btf_path) {
		kopts.btf_data = btf = read_file(o.btf_path, &kopts.btf_size);
		kopts.btf_size = btf_from_file(btf, kopts.btf_size, o.btf_path);
	}
	kopts.search_start = o.window_start;
	kopts.search_end = o.window_end;
	t0 = now_ms();
	err = mintmon_kernel_create(&mem, &kopts, &k);
	if (err)
		die(err, "cannot attach");
	free(btf);
	if (!strcmp(cmd, "ps") || o.have_pid) {
		err = mintmon_tasks_create(k, &tasks);
		if (err)
			die(err, "task layout");
	}
	t1 = now_ms();
	attach_bytes = mem.bytes_read;
	if (!strcmp(cmd, "info"))
		cmd_info(k, &o);
	else if (!strcmp(cmd, "syms"))
		cmd_syms(k);
	else if (!strcmp(cmd, "ps"))
		cmd_ps(k, tasks, &o);
	else if (!strcmp(cmd, "vtop"))
		cmd_vtop(k, tasks, &o, parse_number(argv[optind], "address"));
	else
		cmd_vread(k, tasks, &o, parse_number(argv[optind], "address"),
			  parse_number(argv[optind + 1], "length"));
	if (o.verbose) {
		fflush(stdout);
		fprintf(stderr, "mintmon: attach %.2f ms, %" PRIu64 " bytes read; %s %.2f ms, %"
			PRIu64 " bytes read; %" PRIu64 " reads in all\n", t1 - t0, attach_bytes, cmd,
			now_ms() - t1, mem.bytes_read - attach_bytes, mem.reads);
	}
	mintmon_tasks_destroy(tasks);
	mintmon_kernel_destroy(k);
	mintmon_memory_deinit(&mem);
	if (fflush(stdout) || ferror(stdout))
		die(-EIO, "writing output");
	return 0;
}
