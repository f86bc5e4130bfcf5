// SPDX-License-Identifier: GPL-2.0
/*
 * Health of a watched kernel (see health.h). Where each value lives:
 *   jiffies_64                      the tick count (kernel/time/timer.c)
 *   panic_cpu                       atomic_t, PANIC_CPU_INVALID (-1) until panic()
 *   tainted_mask, taint_flags[]     kernel/panic.c: the mask and each bit's letter
 *   oops_count, warn_count          kernel/exit.c, kernel/panic.c (v6.2+)
 *   avenrun[3]                      load averages, FSHIFT 11 fixed point
 *   nr_threads                      kernel/fork.c
 *   vm_zone_stat[NR_FREE_PAGES]     mm/vmstat.c: MemFree in pages
 *   runqueues (per CPU)             struct rq: clock, nr_switches, curr, idle
 * A per-CPU variable's kallsyms value is its offset in the per-CPU area;
 * CPU n's copy is at __per_cpu_offset[n] plus that.
 */
#include "mintmon/health.h"

#include "mintmon/field.h"
#include "mintmon/kallsyms.h"

enum hsym {
	H_JIFFIES, H_PANIC_CPU, H_TAINTED, H_OOPS, H_WARN, H_AVENRUN, H_NR_THREADS, H_ZONE_STAT,
	H_RUNQUEUES, H_PER_CPU_OFFSET, H_NR_CPU_IDS, H_ONLINE_MASK, H_TAINT_FLAGS, NR_HSYM
};

static const char *const hsym_names[NR_HSYM] = {
	"jiffies_64", "panic_cpu", "tainted_mask", "oops_count", "warn_count", "avenrun",
	"nr_threads", "vm_zone_stat", "runqueues", "__per_cpu_offset", "nr_cpu_ids",
	"__cpu_online_mask", "taint_flags",
};

/* Values read per sample besides the run queues, in this order. */
enum hval { V_JIFFIES, V_PANIC_CPU, V_TAINTED, V_OOPS, V_WARN, V_AVENRUN, V_NR_THREADS,
	    V_FREE, NR_HVAL };
enum rqf { RQ_CLOCK, RQ_SWITCHES, RQ_CURR, RQ_IDLE, NR_RQF };

static const char *const rq_paths[NR_RQF] = {"clock", "nr_switches", "curr", "idle"};

struct mintmon_health {
	struct mintmon_kernel *k;
	u64 vaddr[NR_HVAL];	/* 0: not in this kernel */
	u32 len[NR_HVAL];
	struct mintmon_field rq[NR_RQF];
	unsigned int nr_cpus;
	u16 cpu_id[MINTMON_HEALTH_MAX_CPUS];
	u64 rq_vaddr[MINTMON_HEALTH_MAX_CPUS];
	char taint_letter[MINTMON_HEALTH_MAX_TAINTS];
	unsigned int nr_taints;
	struct mintmon_field task_pid, task_comm;
	/* Sampling buffers. */
	struct mintmon_vreq reqs[NR_HVAL + NR_RQF * MINTMON_HEALTH_MAX_CPUS];
	u8 val[NR_HVAL][24];
	u8 rqval[MINTMON_HEALTH_MAX_CPUS][NR_RQF][8];
};

static const char *const state_names[] = {
	[MINTMON_HEALTH_RUNNING] = "running",	[MINTMON_HEALTH_TAINTED] = "tainted",
	[MINTMON_HEALTH_OOPSED] = "oopsed",	[MINTMON_HEALTH_HUNG] = "hung",
	[MINTMON_HEALTH_PANICKED] = "panicked",	[MINTMON_HEALTH_REBOOTED] = "rebooted",
	[MINTMON_HEALTH_UNREACHABLE] = "unreachable", [MINTMON_HEALTH_TAMPERED] = "tampered",
};

const char *mintmon_health_state_name(enum mintmon_health_state s)
{
	return (unsigned int)s < MINTMON_ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

/* The letters of kernel/panic.c's taint_flags[] as of v6.12 (bit n, 'J' since v6.15). */
static const char default_taints[] = "PFSRMBUDAWCIOELKXTNJ";

/* taint_flags[]: { char c_true; char c_false; bool module; ... } each, BTF-sized. */
static void learn_taints(struct mintmon_health *h, u64 table)
{
	struct mintmon_kernel *k = h->k;
	struct mintmon_symbol *sym = mintmon_malloc(sizeof(*sym));
	struct mintmon_field c_true;
	u64 stride = 0, size = 0;
	unsigned int i, n = 0;
	u32 id;

	h->nr_taints = sizeof(default_taints) - 1;
	memcpy(h->taint_letter, default_taints, h->nr_taints);
	if (!sym || !table || mintmon_btf_find(k->btf, "taint_flag", MINTMON_BTF_KIND_STRUCT, &id) ||
	    mintmon_btf_type_size(k->btf, id, &stride) || !stride || stride > 64 ||
	    mintmon_field_init(k->btf, "taint_flag", "c_true", false, &c_true) || !c_true.present ||
	    mintmon_kallsyms_by_addr(k->kallsyms, table, sym, &size))
		goto out;
	n = (unsigned int)(size / stride < MINTMON_HEALTH_MAX_TAINTS ? size / stride :
							       MINTMON_HEALTH_MAX_TAINTS);
	for (i = 0; i < n; i++) {
		u8 c;

		if (mintmon_kernel_read(k, 0, table + i * stride + c_true.off, &c, 1, NULL) ||
		    c < 'A' || c > 'Z')
			goto out;	/* not the table we know: keep the built-in one */
		h->taint_letter[i] = (char)c;
	}
	h->nr_taints = n;
out:
	mintmon_free(sym);
}

/* The online CPUs (at most MINTMON_HEALTH_MAX_CPUS) and their run queues. */
static int learn_cpus(struct mintmon_health *h, const u64 *addr, const bool *found)
{
	struct mintmon_kernel *k = h->k;
	u64 mask = 0, off;
	u32 nr_ids = 0;
	unsigned int cpu;

	if (!found[H_RUNQUEUES] || !found[H_PER_CPU_OFFSET])
		return mintmon_fail(k->err, -ENOENT, "health", "no runqueues or __per_cpu_offset");
	if (found[H_NR_CPU_IDS])
		mintmon_kernel_read_u32(k, addr[H_NR_CPU_IDS], &nr_ids);
	if (nr_ids == 0 || nr_ids > 8192)
		nr_ids = 1;
	if (!found[H_ONLINE_MASK] || mintmon_kernel_read_u64(k, addr[H_ONLINE_MASK], &mask))
		mask = 1;	/* the boot CPU */
	for (cpu = 0; cpu < 64 && cpu < nr_ids && h->nr_cpus < MINTMON_HEALTH_MAX_CPUS; cpu++) {
		if (!(mask >> cpu & 1))
			continue;
		if (mintmon_kernel_read_u64(k, addr[H_PER_CPU_OFFSET] + 8 * cpu, &off))
			return mintmon_error_context(k->err, -EFAULT, "health",
						     "cannot read __per_cpu_offset[%u]", cpu);
		h->cpu_id[h->nr_cpus] = (u16)cpu;
		h->rq_vaddr[h->nr_cpus++] = addr[H_RUNQUEUES] + off;
	}
	return h->nr_cpus ? 0 : mintmon_fail(k->err, -ENOENT, "health", "no online CPU");
}

int mintmon_health_create(struct mintmon_kernel *k, struct mintmon_health **health_ret)
{
	struct mintmon_health *h = mintmon_calloc(1, sizeof(*h));
	u64 addr[NR_HSYM];
	bool found[NR_HSYM];
	s64 free_idx = -1;
	unsigned int i;
	int err;

	if (!h)
		return mintmon_fail(k->err, -ENOMEM, "health", "out of memory");
	h->k = k;
	err = mintmon_kallsyms_lookup_many(k->kallsyms, hsym_names, NR_HSYM, addr, found);
	if (err < 0)
		goto fail;
	err = -ENOENT;
	if (!found[H_JIFFIES]) {
		mintmon_fail(k->err, err, "health", "no jiffies_64: no heartbeat to watch");
		goto fail;
	}
	for (i = 0; i < NR_RQF; i++) {
		err = mintmon_field_init(k->btf, "rq", rq_paths[i], true, &h->rq[i]);
		if (err)
			goto fail;
	}
	mintmon_field_init(k->btf, "task_struct", "pid", false, &h->task_pid);
	mintmon_field_init(k->btf, "task_struct", "comm", false, &h->task_comm);
	mintmon_btf_enum_value(k->btf, "zone_stat_item", "NR_FREE_PAGES", &free_idx);
	h->vaddr[V_JIFFIES] = addr[H_JIFFIES];
	h->len[V_JIFFIES] = 8;
	static const struct { enum hsym s; enum hval v; u32 len; } opt[] = {
		{H_PANIC_CPU, V_PANIC_CPU, 4}, {H_TAINTED, V_TAINTED, 8}, {H_OOPS, V_OOPS, 4},
		{H_WARN, V_WARN, 4}, {H_AVENRUN, V_AVENRUN, 24}, {H_NR_THREADS, V_NR_THREADS, 4},
	};
	for (i = 0; i < MINTMON_ARRAY_SIZE(opt); i++) {
		h->vaddr[opt[i].v] = found[opt[i].s] ? addr[opt[i].s] : 0;
		h->len[opt[i].v] = opt[i].len;
	}
	if (found[H_ZONE_STAT] && free_idx >= 0 && free_idx < 64) {
		h->vaddr[V_FREE] = addr[H_ZONE_STAT] + 8 * (u64)free_idx;
		h->len[V_FREE] = 8;
	}
	err = learn_cpus(h, addr, found);
	if (err)
		goto fail;
	learn_taints(h, found[H_TAINT_FLAGS] ? addr[H_TAINT_FLAGS] : 0);
	*health_ret = h;
	return 0;
fail:
	mintmon_free(h);
	return err;
}

void mintmon_health_destroy(struct mintmon_health *h)
{
	mintmon_free(h);
}

int mintmon_health_sample(struct mintmon_health *h, u64 when_ms,
			  struct mintmon_health_sample *s)
{
	unsigned int n = 0, i, j, c;
	int err;

	for (i = 0; i < NR_HVAL; i++) {
		memset(h->val[i], 0, sizeof(h->val[i]));
		if (!h->vaddr[i])
			continue;
		h->reqs[n++] = (struct mintmon_vreq){.vaddr = h->vaddr[i], .buf = h->val[i],
						     .len = h->len[i]};
	}
	for (c = 0; c < h->nr_cpus; c++) {
		for (j = 0; j < NR_RQF; j++) {
			memset(h->rqval[c][j], 0, 8);
			h->reqs[n++] = (struct mintmon_vreq){
				.vaddr = h->rq_vaddr[c] + h->rq[j].off, .buf = h->rqval[c][j],
				.len = h->rq[j].size <= 8 ? h->rq[j].size : 8};
		}
	}
	err = mintmon_kernel_read_batch(h->k, h->reqs, n);
	if (err)
		return mintmon_error_context(h->k->err, err, "health", "cannot read the heartbeat");
	memset(s, 0, sizeof(*s));
	s->when_ms = when_ms;
	s->jiffies = mintmon_le64(h->val[V_JIFFIES]);
	s->panic_cpu = h->vaddr[V_PANIC_CPU] ? (s32)mintmon_le32(h->val[V_PANIC_CPU]) : -1;
	s->tainted = mintmon_le64(h->val[V_TAINTED]);
	s->oops_count = mintmon_le32(h->val[V_OOPS]);
	s->warn_count = mintmon_le32(h->val[V_WARN]);
	for (i = 0; i < 3; i++)
		s->avenrun[i] = mintmon_le64(h->val[V_AVENRUN] + 8 * i);
	s->nr_threads = mintmon_le32(h->val[V_NR_THREADS]);
	s->free_pages = mintmon_le64(h->val[V_FREE]);
	s->nr_cpus = h->nr_cpus;
	for (c = 0; c < h->nr_cpus; c++) {
		s->cpu_id[c] = h->cpu_id[c];
		s->cpu[c].clock = mintmon_le64(h->rqval[c][RQ_CLOCK]);
		s->cpu[c].nr_switches = mintmon_le64(h->rqval[c][RQ_SWITCHES]);
		s->cpu[c].curr = mintmon_le64(h->rqval[c][RQ_CURR]);
		s->cpu[c].idle = s->cpu[c].curr == mintmon_le64(h->rqval[c][RQ_IDLE]);
	}
	return 0;
}

void mintmon_health_task(struct mintmon_health *h, u64 task, s32 *pid_ret, char *comm,
			 size_t size)
{
	u64 pid = 0;
	char buf[16];
	size_t n;

	*pid_ret = -1;
	mintmon_snprintf(comm, size, "?");
	if (!task || !h->task_pid.present || !h->task_comm.present || h->task_comm.size < 16 ||
	    mintmon_kernel_read_field(h->k, task, &h->task_pid, &pid) ||
	    mintmon_kernel_read(h->k, 0, task + h->task_comm.off, buf, sizeof(buf), NULL))
		return;
	*pid_ret = (s32)pid;
	n = strnlen(buf, sizeof(buf) - 1);
	mintmon_snprintf(comm, size, "%.*s", (int)n, buf);
}

void mintmon_health_taint_letters(const struct mintmon_health *h, u64 mask, char *buf,
				  size_t size)
{
	size_t n = 0;
	unsigned int i;

	const char *letters = h ? h->taint_letter : default_taints;
	unsigned int nr = h ? h->nr_taints : sizeof(default_taints) - 1;

	for (i = 0; i < 64 && n + 1 < size; i++) {
		if (!(mask >> i & 1))
			continue;
		buf[n++] = i < nr ? letters[i] : '?';
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
}

#define MINTMON_TAINT_DIE	(1ull << 7)	/* 'D': an oops */
#define MINTMON_TAINT_WARN	(1ull << 9)	/* 'W': a WARN() */

void mintmon_health_judge(const struct mintmon_health_sample *prev,
			  const struct mintmon_health_sample *cur, u64 hung_ms,
			  struct mintmon_health_verdict *v)
{
	u64 span = cur->when_ms >= prev->when_ms ? cur->when_ms - prev->when_ms : 0;
	unsigned int c, moving = 0, busy = 0;

	memset(v, 0, sizeof(*v));
	v->heartbeat_moved = cur->jiffies != prev->jiffies;
	v->all_idle = true;
	for (c = 0; c < cur->nr_cpus && c < prev->nr_cpus; c++) {
		const struct mintmon_health_cpu *a = &prev->cpu[c], *b = &cur->cpu[c];
		bool moved = a->clock != b->clock || a->nr_switches != b->nr_switches;

		moving += moved;
		if (a->idle && b->idle)
			continue;
		v->all_idle = false;
		busy++;
		/* The same task on a busy CPU, and its clock and switches stood still. */
		if (!moved && a->curr == b->curr && !b->idle && span >= hung_ms) {
			v->stuck_cpu[v->nr_stuck] = cur->cpu_id[c];
			v->stuck_task[v->nr_stuck++] = b->curr;
		}
	}
	if (!v->heartbeat_moved && !moving)
		v->stalled_ms = span;
	if (cur->panic_cpu >= 0)
		v->state = MINTMON_HEALTH_PANICKED;
	else if (v->nr_stuck)
		v->state = MINTMON_HEALTH_HUNG;
	else if ((cur->tainted & (MINTMON_TAINT_DIE | MINTMON_TAINT_WARN)) || cur->oops_count > prev->oops_count ||
		 cur->warn_count > prev->warn_count)
		v->state = MINTMON_HEALTH_OOPSED;
	else if (cur->tainted)
		v->state = MINTMON_HEALTH_TAINTED;
	else
		v->state = MINTMON_HEALTH_RUNNING;
}
