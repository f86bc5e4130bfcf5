// SPDX-License-Identifier: GPL-2.0
/* mintmon info: what discovery found. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static const char *vmcoreinfo_word(const struct mintmon_kernel *k, bool json)
{
	if (!k->vmcoreinfo.present)
		return json ? "null" : "absent";
	if (k->vmcoreinfo.kaslr_matches && k->vmcoreinfo.release_matches)
		return json ? "\"agrees\"" : "agrees";
	return json ? "\"disagrees\"" : "DISAGREES";
}

int cmd_info(struct cli *c, int argc, char **argv)
{
	struct mintmon_kernel *k = cli_kernel(c);
	const struct mintmon_memory *m = k->mem;
	u64 btf_size = mintmon_btf_size(k->btf), boot_id = mintmon_boot_id_hash(&k->id);
	u32 nsyms = mintmon_kallsyms_count(k->kallsyms);
	unsigned int i;

	if (c->o.json) {
		printf("{\"release\": ");
		cli_json_string(stdout, k->release, strlen(k->release));
		printf(", \"banner\": ");
		cli_json_string(stdout, k->banner, strlen(k->banner));
		printf(", \"kaslr_offset\": \"0x%" PRIx64 "\", \"text_virt\": \"0x%" PRIx64
		       "\", \"text_phys\": \"0x%" PRIx64 "\", \"phys_base\": \"0x%" PRIx64
		       "\", \"page_offset_base\": \"0x%" PRIx64 "\", \"vmemmap_base\": \"0x%" PRIx64
		       "\", \"paging_levels\": %u, \"page_table\": \"0x%" PRIx64
		       "\", \"page_table_first_mib\": %s, \"symbols\": %u, \"btf_size\": %" PRIu64
		       ", \"btf_source\": \"%s\", \"vmcoreinfo\": %s, \"boot_id\": \"%016" PRIx64
		       "\", \"layout\": ",
		       k->kaslr_offset, k->text_virt, k->text_phys, k->phys_base,
		       k->page_offset_base, k->vmemmap_base, k->paging_levels, k->image.pgtable,
		       k->found_first ? "true" : "false", nsyms, btf_size,
		       k->btf_external ? "file" : "kernel", vmcoreinfo_word(k, true), boot_id);
		cli_json_string(stdout, mintmon_reader_layout(m), strlen(mintmon_reader_layout(m)));
		printf(", \"ram\": [");
		for (i = 0; i < m->nr_ram; i++)
			printf("%s{\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64 "\"}",
			       i ? ", " : "", m->ram[i].start, m->ram[i].start + m->ram[i].size);
		printf("]}\n");
		return 0;
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
	printf("page table        0x%" PRIx64 " (%s; %u image%s tried, %u failed)\n",
	       k->image.pgtable, k->found_first ? "the first MiB's trampoline copy" : "its own",
	       k->images_tried, k->images_tried == 1 ? "" : "s", k->images_failed);
	printf("symbols           %u\n", nsyms);
	printf("BTF               %" PRIu64 " bytes (%s)\n", btf_size,
	       k->btf_external ? "from file" : "kernel .BTF");
	printf("vmcoreinfo        %s\n", vmcoreinfo_word(k, false));
	printf("boot id           %016" PRIx64 "\n", boot_id);
	printf("layout            %s\n", mintmon_reader_layout(m));
	if (!m->nr_ram)
		printf("RAM               unknown (reads not restricted)\n");
	for (i = 0; i < m->nr_ram; i++)
		printf("%-17s 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB)\n", i ? "" : "RAM",
		       m->ram[i].start, m->ram[i].start + m->ram[i].size - 1, m->ram[i].size >> 20);
	return 0;
}
