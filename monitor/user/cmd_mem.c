// SPDX-License-Identifier: GPL-2.0
/* mintmon vtop, vread, symbolize: addresses of the target. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The page table (pgd) of --pid's process, or 0 for kernel addresses. */
static u64 pid_pgd(struct cli *c)
{
	struct mintmon_task t;
	int err;

	if (!c->o.have_pid)
		return 0;
	err = mintmon_tasks_find(cli_tasks(c), (s32)c->o.pid, &t);
	if (err)
		cli_die(c, err, "--pid");
	if (!t.pgd) {
		fprintf(stderr, "mintmon: --pid: task %ld has no user address space\n", c->o.pid);
		exit(1);
	}
	return t.pgd;
}

int cmd_vtop(struct cli *c, int argc, char **argv)
{
	struct mintmon_kernel *k = cli_kernel(c);
	u64 addr = cli_parse_address(c, argv[0]);
	struct mintmon_translation t;
	u64 pgd = pid_pgd(c), fault = 0;
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
		cli_die(c, err, "vtop");
	if (c->o.json)
		printf("{\"vaddr\": \"0x%" PRIx64 "\", \"phys\": \"0x%" PRIx64
		       "\", \"page_size\": %" PRIu64 "}\n", addr, t.phys, t.page_size);
	else
		printf("0x%" PRIx64 " -> 0x%" PRIx64 " (page size %" PRIu64 ")\n", addr, t.phys,
		       t.page_size);
	return 0;
}

int cmd_vread(struct cli *c, int argc, char **argv)
{
	u64 addr = cli_parse_address(c, argv[0]);
	u64 len = cli_parse_number(argv[1], "length"), pgd, i;
	u8 *buf;
	int err;

	if (len > (64u << 20))
		cli_usage_error("vread: LEN is limited to 64 MiB");
	pgd = pid_pgd(c);
	buf = malloc(len ? len : 1);
	if (!buf)
		cli_die(c, -ENOMEM, "vread");
	err = mintmon_kernel_read(cli_kernel(c), pgd, addr, buf, len, NULL);
	if (err)
		cli_die(c, err, "vread");
	if (c->o.raw) {
		if (fwrite(buf, 1, len, stdout) != len)
			cli_die(c, -EIO, "vread");
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
	return 0;
}

int cmd_symbolize(struct cli *c, int argc, char **argv)
{
	char name[MINTMON_KSYM_NAME_LEN + 64];
	int i;

	for (i = 0; i < argc; i++) {
		u64 addr = cli_parse_address(c, argv[i]);
		int err = mintmon_kernel_symbolize(cli_kernel(c), addr, name, sizeof(name));

		if (err && err != -ENOENT)
			cli_die(c, err, "symbolize");
		printf("0x%016" PRIx64 " %s\n", addr, err ? "?" : name);
	}
	return 0;
}
