// SPDX-License-Identifier: GPL-2.0
/* Walk the target's tasks with structure layouts taken from its BTF (see tasks.h). */
#include "mintmon/tasks.h"

/*
 * The target's task state bits (include/linux/sched.h; prefixed: when the
 * core is built into the module they must not collide with the host's own
 * definitions, which describe another kernel). The bits /proc reports
 * (TASK_REPORT) have kept these values since v4.14; TASK_RTLOCK_WAIT exists
 * since v5.15 (PREEMPT_RT sleeping locks).
 */
#define T_TASK_UNINTERRUPTIBLE 0x0002
#define T_TASK_REPORT 0x007f
#define T_TASK_NOLOAD 0x0400
#define T_TASK_IDLE (T_TASK_UNINTERRUPTIBLE | T_TASK_NOLOAD)
#define T_TASK_REPORT_IDLE (T_TASK_REPORT + 1)
#define T_TASK_RTLOCK_WAIT 0x1000
/* PF_WQ_WORKER and PF_KTHREAD: unchanged since v2.6.36 and v2.6.27. */
#define T_PF_WQ_WORKER 0x00000020
#define T_PF_KTHREAD 0x00200000
#define PAGE_SHIFT_4K 12
#define PROCTITLE_MAX 4096
/* Tasks whose dependent structures are read together, in a few vectored reads. */
#define BATCH 64
/* A structure span larger than this means the BTF is not a kernel's. */
#define MAX_SPAN (16u << 10)
/* Walks started again when a list changes under them. */
#define MAX_RESTARTS 4
/* Bytes of a workqueue's name read (WQ_NAME_LEN is 24 in v6.1, 32 since v6.9). */
#define WQ_NAME_MAX 32
/* struct worker.desc: WORKER_DESC_LEN, 24 since v4.6 (32 since v6.10). */
#define WORKER_DESC_MAX 32

/* A structure: its fields of interest and the byte span that covers them. */
struct span {
	u64 lo, hi;
};

struct layouts {
	/* task_struct */
	struct mintmon_field tasks_next, tasks_prev, pid, tgid, real_parent, comm, real_cred,
		state, exit_state, flags, task_mm, start_time, utime, stime, sum_exec_runtime, signal,
		tn_next, tn_prev, worker_private;
	/* signal_struct, cred, mm_struct */
	struct mintmon_field sig_thread_head, sig_nr_threads, sig_tty, sig_sum_sched_runtime;
	struct mintmon_field cred_uid, cred_euid;
	struct mintmon_field mm_pgd, mm_arg_start, mm_arg_end, mm_env_end, mm_total_vm;
	struct mintmon_field rss[3];	/* file, anon and shmem counters */
	/* struct kthread, struct worker, workqueue_struct */
	struct mintmon_field kt_full_name, kt_data;
	struct mintmon_field w_desc, w_current_work, w_pool, w_rescue_wq;
	struct mintmon_field wq_name;
	/* tty_struct, tty_driver */
	struct mintmon_field tty_driver, tty_index, drv_major, drv_minor_start;

	struct span s_task, s_sig, s_cred, s_mm, s_kt, s_worker, s_tty, s_drv;
};

/* One task of the batch being read, and where its structures are. */
struct slot {
	struct mintmon_task task;
	u64 parent, cred, signal, kthread, full_name, worker, pool, rescue_wq, tty, driver;
	bool have_ppid;
	u8 *buf;		/* this slot's part of the batch buffer */
};

/* Offsets in a slot's buffer. */
struct slot_layout {
	u64 task, sig, cred, mm, ppid, kt, name, worker, tty, drv, wq, size;
};

struct mintmon_tasks {
	struct mintmon_kernel *k;
	struct mintmon_error *err;
	u64 init_task;
	struct layouts l;
	struct slot_layout sl;
	bool rescuer_names;	/* wq_worker_comm() names rescuers itself (v6.10+) */

	struct slot slots[BATCH];
	u8 *batch_buf;
	struct mintmon_iov iov[BATCH * 5];
	struct mintmon_vreq args[MINTMON_ARGS_BATCH];

	/* The result of the last walk. */
	struct mintmon_task *list;
	u32 nr, cap;
	/*
	 * Tasks seen during the current walk, an open-addressing set that also
	 * keeps each task's tgid: a parent is usually seen before its
	 * children, so ppid needs no read of its own.
	 */
	struct seen_task {
		u64 addr;
		s32 tgid;
	} *seen;
	u32 seen_cap;
	u32 seen_count;

	struct mintmon_tasks_stats stats;
};

static int field(struct mintmon_tasks *t, const char *type, const char *path, bool required,
		 struct mintmon_field *f)
{
	return mintmon_field_init(t->k->btf, type, path, required, f);
}

/* The two pointers of a list_head field. */
static int list_fields(struct mintmon_tasks *t, const char *type, const char *path,
		       struct mintmon_field *next, struct mintmon_field *prev)
{
	int err = field(t, type, path, true, next);

	if (err)
		return err;
	if (next->size != 16)
		return mintmon_fail(t->err, -EINVAL, "tasks", "BTF: %s.%s is not a list_head",
				    type, path);
	*prev = *next;
	next->size = prev->size = 8;
	prev->off += 8;
	return 0;
}

/*
 * mm_struct.rss_stat: struct mm_rss_stat { atomic_long_t count[]; } before
 * v6.2, an array of struct percpu_counter since (f1a7941243c1); the
 * counters' indices come from enum MM_FILEPAGES etc.
 */
static void layout_rss(struct mintmon_tasks *t)
{
	static const char *const counters[3] = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES"};
	const struct mintmon_btf *btf = t->k->btf;
	struct mintmon_btf_member_info rss;
	struct mintmon_btf_array_info arr;
	struct mintmon_field count;
	u32 mm_id, type_id;
	s64 idx[3];
	u64 elem;
	unsigned int i;

	if (mintmon_btf_find(btf, "mm_struct", MINTMON_BTF_KIND_STRUCT, &mm_id) ||
	    mintmon_btf_member(btf, mm_id, "rss_stat", &rss) || rss.bit_offset % 8 ||
	    mintmon_btf_resolve(btf, rss.type_id, &type_id))
		return;
	for (i = 0; i < 3; i++) {
		if (mintmon_btf_enum_value(btf, NULL, counters[i], &idx[i]) || idx[i] < 0 ||
		    idx[i] > 16)
			return;
	}
	if (mintmon_btf_kind(btf, type_id) == MINTMON_BTF_KIND_ARRAY &&
	    !mintmon_btf_array_info(btf, type_id, &arr)) {
		/* v6.2+: percpu_counter[NR_MM_COUNTERS]; ps reads each .count. */
		if (field(t, "percpu_counter", "count", false, &count) || !count.present ||
		    mintmon_btf_type_size(btf, arr.elem_type, &elem))
			return;
		for (i = 0; i < 3; i++) {
			if ((u64)idx[i] >= arr.nelems)
				return;
			t->l.rss[i].off = rss.bit_offset / 8 + (u64)idx[i] * elem + count.off;
			t->l.rss[i].size = count.size;
		}
	} else {
		if (field(t, "mm_struct", "rss_stat.count", false, &count) || !count.present)
			return;
		for (i = 0; i < 3; i++) {
			if ((u64)idx[i] * 8 >= count.size)
				return;
			t->l.rss[i].off = count.off + (u64)idx[i] * 8;
			t->l.rss[i].size = 8;
		}
	}
	for (i = 0; i < 3; i++)
		t->l.rss[i].present = true;
}

#define SPAN(t, s, ...)                                                                \
	do {                                                                          \
		const struct mintmon_field *const fs_[] = {__VA_ARGS__};              \
		mintmon_field_span(fs_, MINTMON_ARRAY_SIZE(fs_), &(s)->lo, &(s)->hi); \
	} while (0)

static int compute_layout(struct mintmon_tasks *t)
{
	struct layouts *l = &t->l;
	struct slot_layout *sl = &t->sl;
	const struct span *spans[] = {&l->s_task, &l->s_sig, &l->s_cred, &l->s_mm, &l->s_kt, &l->s_worker,
				      &l->s_tty, &l->s_drv};
	unsigned int i;

	SPAN(t, &l->s_task, &l->tasks_next, &l->tasks_prev, &l->pid, &l->tgid, &l->real_parent,
	     &l->comm, &l->real_cred, &l->state, &l->exit_state, &l->flags, &l->task_mm,
	     &l->start_time, &l->utime, &l->stime, &l->sum_exec_runtime, &l->signal, &l->tn_next,
	     &l->tn_prev, &l->worker_private);
	SPAN(t, &l->s_sig, &l->sig_nr_threads, &l->sig_tty, &l->sig_sum_sched_runtime);
	SPAN(t, &l->s_cred, &l->cred_uid, &l->cred_euid);
	SPAN(t, &l->s_mm, &l->mm_pgd, &l->mm_arg_start, &l->mm_arg_end, &l->mm_env_end,
	     &l->mm_total_vm, &l->rss[0], &l->rss[1], &l->rss[2]);
	SPAN(t, &l->s_kt, &l->kt_full_name, &l->kt_data);
	SPAN(t, &l->s_worker, &l->w_desc, &l->w_current_work, &l->w_pool, &l->w_rescue_wq);
	SPAN(t, &l->s_tty, &l->tty_driver, &l->tty_index);
	SPAN(t, &l->s_drv, &l->drv_major, &l->drv_minor_start);
	for (i = 0; i < MINTMON_ARRAY_SIZE(spans); i++) {
		if (spans[i]->hi - spans[i]->lo > MAX_SPAN)
			return mintmon_fail(t->err, -EINVAL, "tasks",
					    "BTF: the fields read of a task structure span more "
					    "than %u bytes", MAX_SPAN);
	}
	/* Each slot's buffer: every structure of one task side by side, 8-aligned. */
	sl->task = 0;
	sl->sig = sl->task + ((l->s_task.hi - l->s_task.lo + 7) & ~7ull);
	sl->cred = sl->sig + ((l->s_sig.hi - l->s_sig.lo + 7) & ~7ull);
	sl->mm = sl->cred + ((l->s_cred.hi - l->s_cred.lo + 7) & ~7ull);
	sl->ppid = sl->mm + ((l->s_mm.hi - l->s_mm.lo + 7) & ~7ull);
	sl->kt = sl->ppid + 8;
	sl->name = sl->kt + ((l->s_kt.hi - l->s_kt.lo + 7) & ~7ull);
	sl->worker = sl->name + MINTMON_TASK_NAME_LEN;
	sl->tty = sl->worker + ((l->s_worker.hi - l->s_worker.lo + 7) & ~7ull);
	sl->drv = sl->tty + ((l->s_tty.hi - l->s_tty.lo + 7) & ~7ull);
	sl->wq = sl->drv + ((l->s_drv.hi - l->s_drv.lo + 7) & ~7ull);
	sl->size = sl->wq + WQ_NAME_MAX;
	t->batch_buf = mintmon_calloc(BATCH, sl->size);
	if (!t->batch_buf)
		return mintmon_fail(t->err, -ENOMEM, "tasks", "out of memory");
	for (i = 0; i < BATCH; i++)
		t->slots[i].buf = t->batch_buf + (u64)i * sl->size;
	return 0;
}

/*
 * The kernel release as a number (6.10.0 -> 0x060a00) from its uts release
 * string, 0 if it does not start with MAJOR.MINOR.
 */
static u32 release_code(const char *rel)
{
	u32 part[2] = {0, 0}, i = 0;

	for (; *rel && i < 2; rel++) {
		if (*rel >= '0' && *rel <= '9' && part[i] < 1000)
			part[i] = part[i] * 10 + (u32)(*rel - '0');
		else if (*rel == '.')
			i++;
		else
			break;
	}
	return i >= 1 ? part[0] << 16 | part[1] << 8 : 0;
}

int mintmon_tasks_create(struct mintmon_kernel *k, struct mintmon_tasks **tasks_ret)
{
	struct mintmon_tasks *t;
	struct layouts *l;
	int err;

	t = mintmon_calloc(1, sizeof(*t));
	if (!t)
		return mintmon_fail(k->err, -ENOMEM, "tasks", "out of memory");
	t->k = k;
	t->err = k->err;
	t->init_task = k->init_task;
	l = &t->l;
	if (!t->init_task) {
		err = mintmon_fail(t->err, -ENOENT, "tasks", "kernel symbol init_task not found");
		goto fail;
	}
	if ((err = list_fields(t, "task_struct", "tasks", &l->tasks_next, &l->tasks_prev)) ||
	    (err = list_fields(t, "task_struct", "thread_node", &l->tn_next, &l->tn_prev)) ||
	    (err = field(t, "task_struct", "pid", true, &l->pid)) ||
	    (err = field(t, "task_struct", "tgid", true, &l->tgid)) ||
	    (err = field(t, "task_struct", "real_parent", true, &l->real_parent)) ||
	    (err = field(t, "task_struct", "comm", true, &l->comm)) ||
	    (err = field(t, "task_struct", "real_cred", true, &l->real_cred)) ||
	    (err = field(t, "task_struct", "exit_state", true, &l->exit_state)) ||
	    (err = field(t, "task_struct", "flags", true, &l->flags)) ||
	    (err = field(t, "task_struct", "mm", true, &l->task_mm)) ||
	    (err = field(t, "task_struct", "signal", true, &l->signal)) ||
	    (err = field(t, "signal_struct", "thread_head", true, &l->sig_thread_head)) ||
	    (err = field(t, "cred", "uid", true, &l->cred_uid)) ||
	    (err = field(t, "cred", "euid", true, &l->cred_euid)) ||
	    (err = field(t, "mm_struct", "pgd", true, &l->mm_pgd)) ||
	    (err = field(t, "mm_struct", "arg_start", true, &l->mm_arg_start)) ||
	    (err = field(t, "mm_struct", "arg_end", true, &l->mm_arg_end)))
		goto fail;
	if (l->comm.size < MINTMON_TASK_COMM_LEN) {
		err = mintmon_fail(t->err, -EINVAL, "tasks", "BTF: task_struct.comm is %u bytes",
				   l->comm.size);
		goto fail;
	}
	l->comm.size = MINTMON_TASK_COMM_LEN;
	/* task_struct.state was renamed __state in v5.14 (2f064a59a11f). */
	field(t, "task_struct", "__state", false, &l->state);
	if (!l->state.present && (err = field(t, "task_struct", "state", true, &l->state)))
		goto fail;
	/* start_boottime since v5.5; real_start_time before. */
	field(t, "task_struct", "start_boottime", false, &l->start_time);
	if (!l->start_time.present)
		field(t, "task_struct", "real_start_time", false, &l->start_time);
	field(t, "task_struct", "utime", false, &l->utime);
	field(t, "task_struct", "stime", false, &l->stime);
	/*
	 * /proc's utime + stime add up to the scheduler's runtime
	 * (cputime_adjust() scales the tick samples to it); dead threads' part
	 * is in signal->sum_sched_runtime.
	 */
	field(t, "task_struct", "se.sum_exec_runtime", false, &l->sum_exec_runtime);
	field(t, "signal_struct", "sum_sched_runtime", false, &l->sig_sum_sched_runtime);
	/*
	 * to_kthread(): task->worker_private since v5.17 (e32cf5dfbe22), which
	 * also added struct kthread's full_name (d6986ce24fc0).
	 */
	field(t, "task_struct", "worker_private", false, &l->worker_private);
	field(t, "kthread", "full_name", false, &l->kt_full_name);
	field(t, "kthread", "data", false, &l->kt_data);
	field(t, "worker", "desc", false, &l->w_desc);
	field(t, "worker", "current_work", false, &l->w_current_work);
	field(t, "worker", "pool", false, &l->w_pool);
	field(t, "worker", "rescue_wq", false, &l->w_rescue_wq);
	field(t, "workqueue_struct", "name", false, &l->wq_name);
	field(t, "signal_struct", "nr_threads", false, &l->sig_nr_threads);
	field(t, "signal_struct", "tty", false, &l->sig_tty);
	field(t, "tty_struct", "driver", false, &l->tty_driver);
	field(t, "tty_struct", "index", false, &l->tty_index);
	field(t, "tty_driver", "major", false, &l->drv_major);
	field(t, "tty_driver", "minor_start", false, &l->drv_minor_start);
	field(t, "mm_struct", "env_end", false, &l->mm_env_end);
	field(t, "mm_struct", "total_vm", false, &l->mm_total_vm);
	if (l->w_desc.size > WORKER_DESC_MAX)
		l->w_desc.size = WORKER_DESC_MAX;
	if (l->wq_name.size > WQ_NAME_MAX)
		l->wq_name.size = WQ_NAME_MAX;
	layout_rss(t);
	/*
	 * wq_worker_comm() builds a worker's name with format_worker_id() since
	 * v6.10 (rescuers "kworker/R-<wq>", detached workers "kworker/dying");
	 * before, it starts from task->comm.
	 */
	t->rescuer_names = release_code(k->release) >= 0x060a00;
	err = compute_layout(t);
	if (err)
		goto fail;
	*tasks_ret = t;
	return 0;
fail:
	mintmon_tasks_destroy(t);
	return err;
}

void mintmon_tasks_destroy(struct mintmon_tasks *t)
{
	if (!t)
		return;
	mintmon_free(t->seen);
	mintmon_free(t->list);
	mintmon_free(t->batch_buf);
	mintmon_free(t);
}

/* ---- the set of tasks seen ---- */

static u32 seen_hash(u64 addr, u32 cap)
{
	return (u32)((addr >> 6) * 0x9e3779b97f4a7c15ull >> 40) & (cap - 1);
}

static struct seen_task *seen_find(const struct mintmon_tasks *t, u64 addr)
{
	u32 i;

	if (!t->seen_cap)
		return NULL;
	for (i = seen_hash(addr, t->seen_cap); t->seen[i].addr; i = (i + 1) & (t->seen_cap - 1)) {
		if (t->seen[i].addr == addr)
			return &t->seen[i];
	}
	return NULL;
}

/* Insert addr into the seen set; -ELOOP if it was already there. */
static int seen_insert(struct mintmon_tasks *t, u64 addr, s32 tgid)
{
	u32 i;

	if (t->seen_count * 2 >= t->seen_cap) {
		u32 cap = t->seen_cap ? t->seen_cap * 2 : 1024, j;
		struct seen_task *set = mintmon_calloc(cap, sizeof(*set));

		if (!set)
			return mintmon_fail(t->err, -ENOMEM, "tasks", "out of memory");
		for (j = 0; j < t->seen_cap; j++) {
			if (!t->seen[j].addr)
				continue;
			for (i = seen_hash(t->seen[j].addr, cap); set[i].addr; i = (i + 1) & (cap - 1))
				;
			set[i] = t->seen[j];
		}
		mintmon_free(t->seen);
		t->seen = set;
		t->seen_cap = cap;
	}
	for (i = seen_hash(addr, t->seen_cap); t->seen[i].addr; i = (i + 1) & (t->seen_cap - 1)) {
		if (t->seen[i].addr == addr)
			return -ELOOP;
	}
	t->seen[i].addr = addr;
	t->seen[i].tgid = tgid;
	t->seen_count++;
	return 0;
}

char mintmon_task_state_letter(u64 state, u64 exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	unsigned int s = (unsigned int)((state | exit_state) & T_TASK_REPORT), idx = 0;

	if ((state & T_TASK_IDLE) == T_TASK_IDLE)
		s = T_TASK_REPORT_IDLE;
	if (state & T_TASK_RTLOCK_WAIT)
		s = T_TASK_UNINTERRUPTIBLE;
	while (s) {	/* fls() */
		idx++;
		s >>= 1;
	}
	return letters[idx];
}

/*
 * new_encode_dev(): minor low 8 bits, major, then the rest of the minor.
 * ps's names: the serial, virtual-console and Unix98 pty majors.
 */
void mintmon_tty_name(u32 tty_nr, char *buf, size_t size)
{
	u32 major = (tty_nr & 0xfff00) >> 8;
	u32 minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);

	if (!tty_nr)
		mintmon_snprintf(buf, size, "?");
	else if (major == 4 && minor < 64)
		mintmon_snprintf(buf, size, "tty%u", minor);
	else if (major == 4)
		mintmon_snprintf(buf, size, "ttyS%u", minor - 64);
	else if (major >= 136 && major <= 143)
		mintmon_snprintf(buf, size, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 5 && minor == 1)
		mintmon_snprintf(buf, size, "console");
	else
		mintmon_snprintf(buf, size, "%u,%u", major, minor);
}

/* ---- the walk ---- */

static const u8 *sp(const struct slot *s, u64 off)
{
	return s->buf + off;
}

/* Queue a read of [base + span.lo, base + span.hi) into the slot at off. */
static int queue(struct mintmon_tasks *t, unsigned int *n, struct slot *s, u64 off, u64 base,
		 u64 lo, u64 hi)
{
	struct mintmon_translation tr;
	u64 vaddr = base + lo, fault, len = hi - lo;
	int err;

	if (!base || !len)
		return 0;
	/* Kernel structures live in the direct map or the image: no table walk. */
	err = mintmon_kernel_linear_pa(t->k, vaddr, &tr.phys);
	if (err)
		err = mintmon_kernel_vtop(t->k, vaddr, &tr, &fault);
	if (!err && ((vaddr ^ (vaddr + len - 1)) >> PAGE_SHIFT_4K) &&
	    mintmon_kernel_linear_pa(t->k, vaddr, &fault))
		err = -EINVAL;	/* crosses a page of a non-linear mapping */
	if (err)
		return mintmon_fail_at(t->err, -EFAULT, "tasks", MINTMON_NO_ADDR, vaddr,
				       "task structure at 0x%llx is not mapped",
				       (unsigned long long)vaddr);
	t->iov[*n].phys = tr.phys;
	t->iov[*n].buf = s->buf + off;
	t->iov[*n].len = (u32)len;
	(*n)++;
	return 0;
}

/* Run the queued reads; a failure means the task went away (or corruption). */
static int flush(struct mintmon_tasks *t, unsigned int n)
{
	unsigned int i;
	int err;

	if (!n)
		return 0;
	err = mintmon_memory_readv(t->k->mem, t->iov, n);
	if (!err)
		return 0;
	for (i = 0; i + 1 < n && !t->iov[i].err; i++)
		;
	return mintmon_fail_at(t->err, err, "tasks", t->iov[i].fault, MINTMON_NO_ADDR,
			       "cannot read a task structure at physical 0x%llx",
			       (unsigned long long)t->iov[i].fault);
}

static u64 get(const struct mintmon_field *f, const struct slot *s, u64 off, const struct span *sp_)
{
	return mintmon_field_get(f, sp(s, off), sp_->lo, sp_->hi);
}

/* Fill the task from its own span. */
static void decode_task(struct mintmon_tasks *t, struct slot *s)
{
	const struct layouts *l = &t->l;
	struct mintmon_task *task = &s->task;
	const u8 *b = sp(s, t->sl.task);

	task->pid = (s32)get(&l->pid, s, t->sl.task, &l->s_task);
	task->tgid = (s32)get(&l->tgid, s, t->sl.task, &l->s_task);
	task->state = mintmon_task_state_letter(
		get(&l->state, s, t->sl.task, &l->s_task),
		(u64)mintmon_field_get_signed(&l->exit_state, b, l->s_task.lo, l->s_task.hi));
	task->flags = (u32)get(&l->flags, s, t->sl.task, &l->s_task);
	task->kthread = (task->flags & T_PF_KTHREAD) != 0;
	memcpy(task->comm, b + (l->comm.off - l->s_task.lo), MINTMON_TASK_COMM_LEN);
	task->comm[MINTMON_TASK_COMM_LEN] = '\0';
	task->start_time_ns = get(&l->start_time, s, t->sl.task, &l->s_task);
	if (l->sum_exec_runtime.present)
		task->cpu_time_ns = get(&l->sum_exec_runtime, s, t->sl.task, &l->s_task);
	else
		task->cpu_time_ns = get(&l->utime, s, t->sl.task, &l->s_task) +
				    get(&l->stime, s, t->sl.task, &l->s_task);
	task->mm = get(&l->task_mm, s, t->sl.task, &l->s_task);
	if (task->kthread)
		task->mm = 0;	/* a kernel thread's borrowed mm is not its own */
	task->nr_threads = 1;
	s->parent = get(&l->real_parent, s, t->sl.task, &l->s_task);
	s->cred = get(&l->real_cred, s, t->sl.task, &l->s_task);
	s->signal = get(&l->signal, s, t->sl.task, &l->s_task);
	s->kthread = task->kthread ? get(&l->worker_private, s, t->sl.task, &l->s_task) : 0;
	s->full_name = s->worker = s->pool = s->rescue_wq = s->tty = s->driver = 0;
}

/* Copy at most n bytes of a NUL-terminated string from src into dst (size bytes). */
static size_t append(char *dst, size_t size, size_t pos, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i] && pos + 1 < size; i++)
		dst[pos++] = (char)src[i];
	dst[pos < size ? pos : size - 1] = '\0';
	return pos;
}

/* The name /proc/PID/stat shows: proc_task_name() (fs/proc/array.c). */
static void compose_name(struct mintmon_tasks *t, struct slot *s)
{
	const struct layouts *l = &t->l;
	struct mintmon_task *task = &s->task;
	char *name = task->name;
	size_t pos;

	if ((task->flags & T_PF_WQ_WORKER) && s->worker) {
		const u8 *desc = !l->w_desc.present ? NULL :
				 sp(s, t->sl.worker) + (l->w_desc.off - l->s_worker.lo);
		static const u8 dying[] = "kworker/dying", rescuer[] = "kworker/R-";

		if (t->rescuer_names && s->rescue_wq) {
			pos = append(name, MINTMON_TASK_NAME_LEN, 0, rescuer, sizeof(rescuer));
			pos = append(name, MINTMON_TASK_NAME_LEN, pos, sp(s, t->sl.wq), l->wq_name.size);
		} else if (t->rescuer_names && !s->pool) {
			pos = append(name, MINTMON_TASK_NAME_LEN, 0, dying, sizeof(dying));
		} else {
			pos = append(name, MINTMON_TASK_NAME_LEN, 0, (const u8 *)task->comm,
				     MINTMON_TASK_COMM_LEN);
		}
		/* ->desc: the last work's workqueue; '+' while running it. */
		if (s->pool && l->w_desc.present && desc[0]) {
			u8 mark[2] = {get(&l->w_current_work, s, t->sl.worker, &l->s_worker) ? '+' : '-', 0};

			pos = append(name, MINTMON_TASK_NAME_LEN, pos, mark, 1);
			append(name, MINTMON_TASK_NAME_LEN, pos, desc, l->w_desc.size);
		}
		return;
	}
	/* get_kthread_comm(): the full name if the kthread has one. */
	if (task->kthread && s->full_name) {
		append(name, MINTMON_TASK_NAME_LEN, 0, sp(s, t->sl.name), MINTMON_TASK_NAME_LEN);
		return;
	}
	append(name, MINTMON_TASK_NAME_LEN, 0, (const u8 *)task->comm, MINTMON_TASK_COMM_LEN);
}

/*
 * Read what hangs off the batch's tasks: cred, signal, mm, the parent's
 * tgid and struct kthread; then names and tty; then tty driver and
 * rescuer workqueue names. Three vectored reads for the whole batch.
 */
static int finish_batch(struct mintmon_tasks *t, unsigned int nr)
{
	const struct layouts *l = &t->l;
	const struct slot_layout *sl = &t->sl;
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < nr; i++) {
		struct slot *s = &t->slots[i];
		const struct seen_task *p = seen_find(t, s->parent);

		s->have_ppid = p && p->tgid >= 0;
		if (s->have_ppid)
			s->task.ppid = p->tgid;
		if ((err = queue(t, &n, s, sl->cred, s->cred, l->s_cred.lo, l->s_cred.hi)) ||
		    (err = queue(t, &n, s, sl->sig, s->signal, l->s_sig.lo, l->s_sig.hi)) ||
		    (s->task.mm &&
		     (err = queue(t, &n, s, sl->mm, s->task.mm, l->s_mm.lo, l->s_mm.hi))) ||
		    (!s->have_ppid && (err = queue(t, &n, s, sl->ppid, s->parent, l->tgid.off,
						   l->tgid.off + l->tgid.size))) ||
		    (err = queue(t, &n, s, sl->kt, s->kthread, l->s_kt.lo, l->s_kt.hi)))
			return err;
	}
	if ((err = flush(t, n)))
		return err;
	n = 0;
	for (i = 0; i < nr; i++) {
		struct slot *s = &t->slots[i];
		struct mintmon_task *task = &s->task;

		if (!s->have_ppid) {
			struct mintmon_field tgid = l->tgid;

			tgid.off = 0;
			task->ppid = (s32)mintmon_field_get(&tgid, sp(s, sl->ppid), 0, 8);
		}
		task->uid = (u32)get(&l->cred_uid, s, sl->cred, &l->s_cred);
		task->euid = (u32)get(&l->cred_euid, s, sl->cred, &l->s_cred);
		if (l->sig_nr_threads.present && s->signal)
			task->nr_threads = (u32)get(&l->sig_nr_threads, s, sl->sig, &l->s_sig);
		if (s->signal)
			task->group_exited_cpu_ns = get(&l->sig_sum_sched_runtime, s, sl->sig,
							&l->s_sig);
		s->tty = s->signal ? get(&l->sig_tty, s, sl->sig, &l->s_sig) : 0;
		if (task->mm) {
			const u8 *b = sp(s, sl->mm);
			unsigned int j;

			task->pgd = get(&l->mm_pgd, s, sl->mm, &l->s_mm);
			task->arg_start = get(&l->mm_arg_start, s, sl->mm, &l->s_mm);
			task->arg_end = get(&l->mm_arg_end, s, sl->mm, &l->s_mm);
			task->env_end = get(&l->mm_env_end, s, sl->mm, &l->s_mm);
			task->vsz_kb = get(&l->mm_total_vm, s, sl->mm, &l->s_mm) << (PAGE_SHIFT_4K - 10);
			for (j = 0; j < 3; j++) {
				s64 pages = mintmon_field_get_signed(&l->rss[j], b, l->s_mm.lo, l->s_mm.hi);

				if (pages > 0)
					task->rss_kb += (u64)pages << (PAGE_SHIFT_4K - 10);
			}
		}
		if (s->kthread) {
			s->full_name = get(&l->kt_full_name, s, sl->kt, &l->s_kt);
			if (task->flags & T_PF_WQ_WORKER)
				s->worker = get(&l->kt_data, s, sl->kt, &l->s_kt);
		}
		/* kstrdup()'d: in the direct map; 63 characters at most are shown. */
		if (s->full_name &&
		    (err = queue(t, &n, s, sl->name, s->full_name, 0, MINTMON_TASK_NAME_LEN)))
			return err;
		if ((err = queue(t, &n, s, sl->worker, s->worker, l->s_worker.lo, l->s_worker.hi)) ||
		    (err = queue(t, &n, s, sl->tty, s->tty, l->s_tty.lo, l->s_tty.hi)))
			return err;
	}
	if ((err = flush(t, n)))
		return err;
	n = 0;
	for (i = 0; i < nr; i++) {
		struct slot *s = &t->slots[i];

		if (s->worker) {
			s->pool = get(&l->w_pool, s, sl->worker, &l->s_worker);
			s->rescue_wq = get(&l->w_rescue_wq, s, sl->worker, &l->s_worker);
		}
		if (s->tty)
			s->driver = get(&l->tty_driver, s, sl->tty, &l->s_tty);
		if ((err = queue(t, &n, s, sl->drv, s->driver, l->s_drv.lo, l->s_drv.hi)))
			return err;
		if (t->rescuer_names && s->rescue_wq && l->wq_name.present &&
		    (err = queue(t, &n, s, sl->wq, s->rescue_wq, l->wq_name.off,
				 l->wq_name.off + l->wq_name.size)))
			return err;
	}
	if ((err = flush(t, n)))
		return err;
	for (i = 0; i < nr; i++) {
		struct slot *s = &t->slots[i];

		if (s->driver) {
			/* tty_devnum(): MKDEV(major, minor_start) + index, new_encode_dev()'d. */
			u64 major = get(&l->drv_major, s, sl->drv, &l->s_drv);
			u64 minor = get(&l->drv_minor_start, s, sl->drv, &l->s_drv) +
				    get(&l->tty_index, s, sl->tty, &l->s_tty);

			s->task.tty_nr = (u32)((minor & 0xff) | ((major & 0xfff) << 8) |
					       ((minor & ~0xffull) << 12));
		}
		compose_name(t, s);
		if (t->nr == t->cap) {
			u32 cap = t->cap ? t->cap * 2 : 1024;
			struct mintmon_task *list = mintmon_calloc(cap, sizeof(*list));

			if (!list)
				return mintmon_fail(t->err, -ENOMEM, "tasks", "out of memory");
			if (t->nr)
				memcpy(list, t->list, (size_t)t->nr * sizeof(*list));
			mintmon_free(t->list);
			t->list = list;
			t->cap = cap;
		}
		t->list[t->nr++] = s->task;
	}
	mintmon_yield();
	return 0;
}

/* Read the task at addr into the batch: one dependent read. */
static int read_one(struct mintmon_tasks *t, unsigned int *nr, u64 addr)
{
	struct slot *s = &t->slots[*nr];
	unsigned int n = 0;
	int err;

	if (t->seen_count >= MINTMON_MAX_TASKS)
		return mintmon_fail(t->err, -ELOOP, "tasks", "more than %u tasks: task list is corrupt",
				    MINTMON_MAX_TASKS);
	if ((err = queue(t, &n, s, t->sl.task, addr, t->l.s_task.lo, t->l.s_task.hi)) ||
	    (err = flush(t, n)))
		return mintmon_error_context(t->err, err, "tasks", "cannot read task_struct at 0x%llx",
					     (unsigned long long)addr);
	t->stats.chain_reads++;
	memset(&s->task, 0, sizeof(s->task));
	s->task.addr = addr;
	decode_task(t, s);
	err = seen_insert(t, addr, s->task.tgid);
	if (err == -ELOOP)
		return mintmon_fail(t->err, -ELOOP, "tasks", "task lists loop: task_struct 0x%llx "
				    "seen twice", (unsigned long long)addr);
	if (err)
		return err;
	(*nr)++;
	return 0;
}

/* The batch's last task: its list pointers. */
static u64 link_of(struct mintmon_tasks *t, unsigned int nr, const struct mintmon_field *f)
{
	return get(f, &t->slots[nr - 1], t->sl.task, &t->l.s_task);
}

/*
 * Add the task at addr, reached from the list node at from, to the batch
 * and check that it links back through prev_f; -EAGAIN if it does not (the
 * list changed). The caller takes the task's own list pointers at once:
 * the next step may start a new batch.
 */
static int step(struct mintmon_tasks *t, unsigned int *nr, u64 addr, u64 from,
		const struct mintmon_field *prev_f)
{
	int err;

	if (*nr == BATCH) {
		err = finish_batch(t, *nr);
		if (err)
			return err;
		*nr = 0;
	}
	err = read_one(t, nr, addr);
	if (err)
		return err;
	if (link_of(t, *nr, prev_f) != from)
		return mintmon_fail(t->err, -EAGAIN, "tasks",
				    "task list changed under the walk at task_struct 0x%llx",
				    (unsigned long long)addr);
	return 0;
}

static int walk(struct mintmon_tasks *t)
{
	const struct layouts *l = &t->l;
	u64 head = t->init_task + l->tasks_next.off, pos, from = head;
	unsigned int nr = 0;
	u32 steps = 0;
	int err;

	t->nr = 0;
	t->seen_count = 0;
	if (t->seen)
		memset(t->seen, 0, (size_t)t->seen_cap * sizeof(*t->seen));
	/* init_task (the swapper) only lends its list head; seen so children find pid 0. */
	if ((err = seen_insert(t, t->init_task, 0)))
		return err;
	if ((err = mintmon_kernel_read_u64(t->k, head, &pos)))
		return mintmon_error_context(t->err, err, "tasks", "cannot read init_task.tasks");
	t->stats.chain_reads++;
	while (pos != head) {
		u64 leader = pos - l->tasks_next.off, thead, tpos, tfrom, next, lnode, lprev;
		bool has_signal;

		if (++steps > MINTMON_MAX_TASKS)
			return mintmon_fail(t->err, -ELOOP, "tasks", "task list does not end");
		if ((err = step(t, &nr, leader, from, &l->tasks_prev)))
			return err;
		next = link_of(t, nr, &l->tasks_next);
		has_signal = t->slots[nr - 1].signal != 0;
		thead = t->slots[nr - 1].signal + l->sig_thread_head.off;
		/* Around the thread ring from the leader back to it, past the head. */
		lnode = leader + l->tn_next.off;
		tfrom = lnode;
		tpos = link_of(t, nr, &l->tn_next);
		lprev = link_of(t, nr, &l->tn_prev);
		while (has_signal && tpos != lnode) {
			if (++steps > MINTMON_MAX_TASKS)
				return mintmon_fail(t->err, -ELOOP, "tasks", "thread list of task 0x%llx "
						    "does not end", (unsigned long long)leader);
			if (tpos == thead) {
				/* The usual case: the leader heads the ring, nothing follows. */
				if (lprev == thead)
					break;
				if ((err = mintmon_kernel_read_u64(t->k, thead, &tpos)))
					return mintmon_error_context(t->err, err, "tasks",
								     "cannot follow a thread list");
				t->stats.chain_reads++;
				tfrom = thead;
				continue;
			}
			if ((err = step(t, &nr, tpos - l->tn_next.off, tfrom, &l->tn_prev)))
				return err;
			tfrom = tpos;
			tpos = link_of(t, nr, &l->tn_next);
		}
		from = leader + l->tasks_next.off;
		pos = next;
	}
	return finish_batch(t, nr);
}

int mintmon_tasks_list(struct mintmon_tasks *t, const struct mintmon_task **list_ret,
		       u32 *nr_ret)
{
	u64 trips = t->k->mem->round_trips;
	unsigned int attempt;
	int err = 0;

	memset(&t->stats, 0, sizeof(t->stats));
	for (attempt = 0; attempt < MAX_RESTARTS; attempt++) {
		err = walk(t);
		/* A live target: a task exited or the lists moved. Walk again. */
		if (err != -EAGAIN && err != -EFAULT && err != -ELOOP && err != -ENXIO &&
		    err != -EINVAL)
			break;
		if (attempt + 1 < MAX_RESTARTS)
			t->stats.restarts++;
	}
	t->stats.tasks = t->nr;
	t->stats.round_trips = t->k->mem->round_trips - trips;
	if (err)
		return err;
	*list_ret = t->list;
	*nr_ret = t->nr;
	return 0;
}

void mintmon_tasks_stats(const struct mintmon_tasks *t, struct mintmon_tasks_stats *stats_ret)
{
	*stats_ret = t->stats;
}

int mintmon_tasks_for_each(struct mintmon_tasks *t, mintmon_task_fn fn, void *arg)
{
	const struct mintmon_task *list;
	u32 nr, i;
	int err = mintmon_tasks_list(t, &list, &nr);

	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		err = fn(&list[i], arg);
		if (err)
			return err;
	}
	return 0;
}

int mintmon_tasks_find(struct mintmon_tasks *t, s32 pid, struct mintmon_task *task_ret)
{
	const struct mintmon_task *list;
	u32 nr, i;
	int err = mintmon_tasks_list(t, &list, &nr);

	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		if (list[i].pid == pid) {
			*task_ret = list[i];
			return 0;
		}
	}
	return mintmon_fail(t->err, -ESRCH, "tasks", "no task with pid %d", (int)pid);
}

int mintmon_task_args(struct mintmon_tasks *t, const struct mintmon_task *task, char *buf,
		      size_t size, size_t *len_ret)
{
	u64 len, end;
	char last;
	int err;

	if (!task->mm || !task->pgd || task->arg_end <= task->arg_start || size == 0) {
		*len_ret = 0;
		return 0;
	}
	len = task->arg_end - task->arg_start;
	if (len > size)
		len = size;
	err = mintmon_kernel_read(t->k, task->pgd, task->arg_start, buf, len, NULL);
	if (err)
		return err;
	if (task->arg_start + len == task->arg_end)
		last = buf[len - 1];
	else if ((err = mintmon_kernel_read(t->k, task->pgd, task->arg_end - 1, &last, 1, NULL)))
		return err;
	if (last) {
		/*
		 * setproctitle() overwrote the final NUL: like get_mm_proctitle(),
		 * take one page at most, into the environment, up to the first NUL.
		 */
		end = task->env_end > task->arg_start ? task->env_end : task->arg_end;
		len = end - task->arg_start;
		if (len > PROCTITLE_MAX)
			len = PROCTITLE_MAX;
		if (len > size)
			len = size;
		err = mintmon_kernel_read(t->k, task->pgd, task->arg_start, buf, len, NULL);
		if (err)
			return err;
		{
			const char *nul = memchr(buf, 0, len);

			if (nul)
				len = nul - buf;
		}
	}
	*len_ret = len;
	return 0;
}

int mintmon_tasks_args_many(struct mintmon_tasks *t, const struct mintmon_task *const *list,
			    unsigned int n, char *bufs, size_t stride, size_t *lens_ret)
{
	unsigned int i, nr = 0;
	u32 which[MINTMON_ARGS_BATCH];

	if (n > MINTMON_ARGS_BATCH || !stride)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct mintmon_task *task = list[i];
		u64 len;

		lens_ret[i] = 0;
		if (!task->mm || !task->pgd || task->arg_end <= task->arg_start)
			continue;
		len = task->arg_end - task->arg_start;
		if (len > stride) {
			lens_ret[i] = MINTMON_ARGS_TOO_LONG;
			continue;
		}
		t->args[nr].pgd_vaddr = task->pgd;
		t->args[nr].vaddr = task->arg_start;
		t->args[nr].buf = bufs + i * stride;
		t->args[nr].len = (u32)len;
		which[nr++] = i;
	}
	mintmon_kernel_read_batch(t->k, t->args, nr);
	for (i = 0; i < nr; i++) {
		const struct mintmon_vreq *r = &t->args[i];
		unsigned int w = which[i];
		char *buf = bufs + w * stride;

		if (r->err)
			continue;	/* unreadable (paged out): no arguments, as /proc */
		lens_ret[w] = r->len;
		/* setproctitle() overwrote the final NUL: the single-task path handles it. */
		if (buf[r->len - 1] && mintmon_task_args(t, list[w], buf, stride, &lens_ret[w]))
			lens_ret[w] = 0;
	}
	return 0;
}
