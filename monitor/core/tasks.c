// SPDX-License-Identifier: GPL-2.0
/* Walk the target's tasks with structure layouts taken from its BTF. */
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
/* PF_KTHREAD: unchanged since v2.6.27. */
#define T_PF_KTHREAD 0x00200000
#define PAGE_SHIFT_4K 12
#define PROCTITLE_MAX 4096

struct field {
	u64 off;
	u32 size;
	bool present;
};

struct mintmon_tasks {
	struct mintmon_kernel *k;
	u64 init_task;
	struct {
		struct field tasks, pid, tgid, real_parent, comm, real_cred, state, exit_state,
			flags, mm, start_time, utime, stime, signal, thread_node;
	} task;
	struct field sig_thread_head, sig_nr_threads;
	struct field cred_uid, cred_euid;
	struct {
		struct field pgd, arg_start, arg_end, env_end, total_vm;
		u64 rss_off[3];	/* file, anon and shmem counters */
		u32 rss_size;
		bool rss_present;
	} mm;
	/*
	 * Each task's needed task_struct (and mm_struct) fields lie in one span
	 * read at once: a dozen fields cost one read instead of twelve.
	 */
	u64 task_lo, task_hi, mm_lo, mm_hi, cred_lo, cred_hi, sig_lo, sig_hi;
	struct field sig_head_next;	/* signal_struct.thread_head.next */
	u8 *span;
	/*
	 * Tasks seen during the current walk, an open-addressing set that also
	 * keeps each task's tgid: a parent is usually seen before its
	 * children, so ppid needs no read of its own.
	 */
	struct seen_task {
		u64 addr;
		s32 tgid;
		bool have_tgid;
	} *seen;
	u32 seen_cap;
	u32 seen_count;
};

/* What the threads of one process share, read once per process. */
struct thread_group {
	u64 signal;
	u64 first;		/* signal->thread_head.next */
	u32 nr_threads;
};

static int layout(const struct mintmon_btf *btf, const char *type, const char *path,
		  struct field *f, bool required)
{
	u32 id;
	struct mintmon_btf_member_info info;
	int err = mintmon_btf_find(btf, type, MINTMON_BTF_KIND_STRUCT, &id);

	if (!err)
		err = mintmon_btf_member(btf, id, path, &info);
	if (!err && (info.bitfield_size || info.bit_offset % 8))
		err = -EINVAL;
	if (err) {
		if (required)
			mintmon_warn("BTF: no usable member %s.%s", type, path);
		return required ? err : 0;
	}
	f->off = info.bit_offset / 8;
	f->size = (u32)info.size;
	f->present = true;
	return 0;
}

/*
 * mm_struct.rss_stat: struct mm_rss_stat { atomic_long_t count[]; } before
 * v6.2, an array of struct percpu_counter since (f1a7941243c1); the
 * counters' indices come from enum MM_FILEPAGES etc.
 */
static int layout_rss(struct mintmon_tasks *t, const struct mintmon_btf *btf)
{
	static const char *const counters[3] = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES"};
	struct mintmon_btf_member_info rss;
	struct mintmon_btf_array_info arr;
	struct field count;
	u32 mm_id, type_id;
	s64 idx[3];
	u64 elem;
	unsigned int i;

	if (mintmon_btf_find(btf, "mm_struct", MINTMON_BTF_KIND_STRUCT, &mm_id) ||
	    mintmon_btf_member(btf, mm_id, "rss_stat", &rss) || rss.bit_offset % 8 ||
	    mintmon_btf_resolve(btf, rss.type_id, &type_id))
		return 0;
	for (i = 0; i < 3; i++) {
		if (mintmon_btf_enum_value(btf, NULL, counters[i], &idx[i]) || idx[i] < 0 ||
		    idx[i] > 16)
			return 0;
	}
	if (mintmon_btf_kind(btf, type_id) == MINTMON_BTF_KIND_ARRAY &&
	    !mintmon_btf_array_info(btf, type_id, &arr)) {
		/* v6.2+: percpu_counter[NR_MM_COUNTERS]; ps reads each .count. */
		if (layout(btf, "percpu_counter", "count", &count, false) || !count.present ||
		    mintmon_btf_type_size(btf, arr.elem_type, &elem))
			return 0;
		for (i = 0; i < 3; i++) {
			if ((u64)idx[i] >= arr.nelems)
				return 0;
			t->mm.rss_off[i] = rss.bit_offset / 8 + (u64)idx[i] * elem + count.off;
		}
		t->mm.rss_size = count.size;
	} else {
		if (layout(btf, "mm_struct", "rss_stat.count", &count, false) || !count.present)
			return 0;
		for (i = 0; i < 3; i++) {
			if ((u64)idx[i] * 8 >= count.size)
				return 0;
			t->mm.rss_off[i] = count.off + (u64)idx[i] * 8;
		}
		t->mm.rss_size = 8;
	}
	t->mm.rss_present = true;
	return 0;
}

#define MAX_SPAN (64u << 10)

static void span_add(u64 *lo, u64 *hi, const struct field *f)
{
	if (!f->present)
		return;
	if (f->off < *lo)
		*lo = f->off;
	if (f->off + f->size > *hi)
		*hi = f->off + f->size;
}

static int compute_spans(struct mintmon_tasks *t)
{
	const struct field *task_fields[] = {
		&t->task.pid, &t->task.tgid, &t->task.real_parent, &t->task.comm,
		&t->task.real_cred, &t->task.state, &t->task.exit_state, &t->task.flags,
		&t->task.mm, &t->task.start_time, &t->task.utime, &t->task.stime, &t->task.signal,
	};
	const struct field *mm_fields[] = {
		&t->mm.pgd, &t->mm.arg_start, &t->mm.arg_end, &t->mm.env_end, &t->mm.total_vm,
	};
	unsigned int i;

	t->task_lo = t->mm_lo = ~0ull;
	t->task_hi = t->mm_hi = 0;
	for (i = 0; i < MINTMON_ARRAY_SIZE(task_fields); i++)
		span_add(&t->task_lo, &t->task_hi, task_fields[i]);
	for (i = 0; i < MINTMON_ARRAY_SIZE(mm_fields); i++)
		span_add(&t->mm_lo, &t->mm_hi, mm_fields[i]);
	for (i = 0; t->mm.rss_present && i < 3; i++) {
		struct field f = {t->mm.rss_off[i], t->mm.rss_size, true};

		span_add(&t->mm_lo, &t->mm_hi, &f);
	}
	t->cred_lo = t->sig_lo = ~0ull;
	t->cred_hi = t->sig_hi = 0;
	span_add(&t->cred_lo, &t->cred_hi, &t->cred_uid);
	span_add(&t->cred_lo, &t->cred_hi, &t->cred_euid);
	t->sig_head_next = (struct field){t->sig_thread_head.off, 8, true};
	span_add(&t->sig_lo, &t->sig_hi, &t->sig_head_next);
	span_add(&t->sig_lo, &t->sig_hi, &t->sig_nr_threads);
	if (t->task_hi - t->task_lo > MAX_SPAN || t->mm_hi - t->mm_lo > MAX_SPAN ||
	    t->cred_hi - t->cred_lo > MAX_SPAN || t->sig_hi - t->sig_lo > MAX_SPAN) {
		mintmon_warn("BTF: the fields read of task_struct, cred, signal_struct or mm_struct "
			     "span more than %u bytes", MAX_SPAN);
		return -EINVAL;
	}
	/* One buffer: task, cred and signal spans side by side; later the mm span. */
	{
		u64 a = (t->task_hi - t->task_lo) + (t->cred_hi - t->cred_lo) +
			(t->sig_hi - t->sig_lo);
		u64 b = t->mm_hi - t->mm_lo;

		t->span = mintmon_malloc(a > b ? a : b);
	}
	return t->span ? 0 : -ENOMEM;
}

/* A field out of a span read at span_lo. */
static u64 span_field(const u8 *span, u64 span_lo, const struct field *f)
{
	u8 b[8] = {0};

	if (!f->present || f->size == 0 || f->size > 8)
		return 0;
	memcpy(b, span + (f->off - span_lo), f->size);
	return mintmon_le64(b);
}

int mintmon_tasks_create(struct mintmon_kernel *k, struct mintmon_tasks **tasks_ret)
{
	const struct mintmon_btf *btf = k->btf;
	struct mintmon_tasks *t;
	int err;

	t = mintmon_calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->k = k;
	t->init_task = k->init_task;
	if (!t->init_task) {
		mintmon_warn("kernel symbol init_task not found");
		err = -ENOENT;
		goto fail;
	}
	if ((err = layout(btf, "task_struct", "tasks", &t->task.tasks, true)) ||
	    (err = layout(btf, "task_struct", "pid", &t->task.pid, true)) ||
	    (err = layout(btf, "task_struct", "tgid", &t->task.tgid, true)) ||
	    (err = layout(btf, "task_struct", "real_parent", &t->task.real_parent, true)) ||
	    (err = layout(btf, "task_struct", "comm", &t->task.comm, true)) ||
	    (err = layout(btf, "task_struct", "real_cred", &t->task.real_cred, true)) ||
	    (err = layout(btf, "task_struct", "exit_state", &t->task.exit_state, true)) ||
	    (err = layout(btf, "task_struct", "flags", &t->task.flags, true)) ||
	    (err = layout(btf, "task_struct", "mm", &t->task.mm, true)) ||
	    (err = layout(btf, "task_struct", "signal", &t->task.signal, true)) ||
	    (err = layout(btf, "task_struct", "thread_node", &t->task.thread_node, true)) ||
	    (err = layout(btf, "signal_struct", "thread_head", &t->sig_thread_head, true)) ||
	    (err = layout(btf, "cred", "uid", &t->cred_uid, true)) ||
	    (err = layout(btf, "cred", "euid", &t->cred_euid, true)) ||
	    (err = layout(btf, "mm_struct", "pgd", &t->mm.pgd, true)) ||
	    (err = layout(btf, "mm_struct", "arg_start", &t->mm.arg_start, true)) ||
	    (err = layout(btf, "mm_struct", "arg_end", &t->mm.arg_end, true)))
		goto fail;
	/* task_struct.state was renamed __state in v5.14 (2f064a59a11f). */
	layout(btf, "task_struct", "__state", &t->task.state, false);
	if (!t->task.state.present &&
	    (err = layout(btf, "task_struct", "state", &t->task.state, true)))
		goto fail;
	/* start_boottime since v5.5; real_start_time before. */
	layout(btf, "task_struct", "start_boottime", &t->task.start_time, false);
	if (!t->task.start_time.present)
		layout(btf, "task_struct", "real_start_time", &t->task.start_time, false);
	layout(btf, "task_struct", "utime", &t->task.utime, false);
	layout(btf, "task_struct", "stime", &t->task.stime, false);
	layout(btf, "signal_struct", "nr_threads", &t->sig_nr_threads, false);
	layout(btf, "mm_struct", "env_end", &t->mm.env_end, false);
	layout(btf, "mm_struct", "total_vm", &t->mm.total_vm, false);
	layout_rss(t, btf);
	err = compute_spans(t);
	if (err)
		goto fail;
	*tasks_ret = t;
	return 0;
fail:
	mintmon_free(t->span);
	mintmon_free(t);
	return err;
}

void mintmon_tasks_destroy(struct mintmon_tasks *t)
{
	if (!t)
		return;
	mintmon_free(t->seen);
	mintmon_free(t->span);
	mintmon_free(t);
}

static int read_field(struct mintmon_tasks *t, u64 base, const struct field *f, u64 *val_ret)
{
	u8 b[8] = {0};
	int err;

	if (!f->present) {
		*val_ret = 0;
		return 0;
	}
	if (f->size == 0 || f->size > 8)
		return -EINVAL;
	err = mintmon_kernel_read(t->k, 0, base + f->off, b, f->size, NULL);
	if (err)
		return err;
	*val_ret = mintmon_le64(b);
	return 0;
}

static s64 sign_extend(u64 v, u32 size)
{
	unsigned int shift = 64 - 8 * size;

	return size >= 8 ? (s64)v : (s64)(v << shift) >> shift;
}

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
static int seen_insert(struct mintmon_tasks *t, u64 addr, struct seen_task **entry_ret)
{
	u32 i;

	if (t->seen_count * 2 >= t->seen_cap) {
		u32 cap = t->seen_cap ? t->seen_cap * 2 : 1024, j;
		struct seen_task *set = mintmon_calloc(cap, sizeof(*set));

		if (!set)
			return -ENOMEM;
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
	t->seen[i].have_tgid = false;
	t->seen_count++;
	*entry_ret = &t->seen[i];
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

/* signal->nr_threads and thread_head.next in one read (they are neighbours). */
static int read_group(struct mintmon_tasks *t, u64 signal, struct thread_group *group)
{
	u8 *b = t->span + (t->task_hi - t->task_lo) + (t->cred_hi - t->cred_lo);
	int err;

	group->signal = signal;
	group->nr_threads = 1;
	group->first = 0;
	if (!signal)
		return 0;
	err = mintmon_kernel_read(t->k, 0, signal + t->sig_lo, b, t->sig_hi - t->sig_lo, NULL);
	if (err) {
		mintmon_warn("cannot read signal_struct at %#llx", (unsigned long long)signal);
		return err;
	}
	group->first = span_field(b, t->sig_lo, &t->sig_head_next);
	if (t->sig_nr_threads.present)
		group->nr_threads = (u32)span_field(b, t->sig_lo, &t->sig_nr_threads);
	return 0;
}

/*
 * Read one task. For a process's leader, group is filled (one read of the
 * signal_struct's nr_threads and thread_head); its threads reuse it.
 */
static int read_task(struct mintmon_tasks *t, u64 addr, struct thread_group *group, bool leader,
		     struct mintmon_task *task)
{
	const u8 *sp = t->span;
	u64 v, parent, cred, signal;
	int err;

	(void)v;

	memset(task, 0, sizeof(*task));
	task->addr = addr;
	err = mintmon_kernel_read(t->k, 0, addr + t->task_lo, t->span, t->task_hi - t->task_lo,
				  NULL);
	if (err)
		return err;
	task->pid = (s32)span_field(sp, t->task_lo, &t->task.pid);
	task->tgid = (s32)span_field(sp, t->task_lo, &t->task.tgid);
	task->state = mintmon_task_state_letter(
		span_field(sp, t->task_lo, &t->task.state),
		(u64)sign_extend(span_field(sp, t->task_lo, &t->task.exit_state),
				 t->task.exit_state.size));
	task->kthread = (span_field(sp, t->task_lo, &t->task.flags) & T_PF_KTHREAD) != 0;
	memcpy(task->comm, sp + (t->task.comm.off - t->task_lo), MINTMON_TASK_COMM_LEN);
	task->comm[MINTMON_TASK_COMM_LEN] = '\0';
	task->start_time_ns = span_field(sp, t->task_lo, &t->task.start_time);
	task->cpu_time_ns = span_field(sp, t->task_lo, &t->task.utime) +
			    span_field(sp, t->task_lo, &t->task.stime);
	task->mm = span_field(sp, t->task_lo, &t->task.mm);
	parent = span_field(sp, t->task_lo, &t->task.real_parent);
	cred = span_field(sp, t->task_lo, &t->task.real_cred);
	signal = span_field(sp, t->task_lo, &t->task.signal);

	{
		const struct seen_task *p = seen_find(t, parent);

		if (p && p->have_tgid) {
			task->ppid = p->tgid;
		} else {
			if ((err = read_field(t, parent, &t->task.tgid, &v)))
				return err;
			task->ppid = (s32)v;
		}
	}
	if ((err = mintmon_kernel_read(t->k, 0, cred + t->cred_lo, t->span + t->task_hi - t->task_lo,
				       t->cred_hi - t->cred_lo, NULL)))
		return err;
	task->uid = (u32)span_field(sp + t->task_hi - t->task_lo, t->cred_lo, &t->cred_uid);
	task->euid = (u32)span_field(sp + t->task_hi - t->task_lo, t->cred_lo, &t->cred_euid);
	if (leader) {
		err = read_group(t, signal, group);
		if (err)
			return err;
	}
	task->nr_threads = group->nr_threads;
	if (task->mm && !task->kthread) {
		unsigned int i;

		err = mintmon_kernel_read(t->k, 0, task->mm + t->mm_lo, t->span,
					  t->mm_hi - t->mm_lo, NULL);
		if (err)
			return err;
		task->pgd = span_field(sp, t->mm_lo, &t->mm.pgd);
		task->arg_start = span_field(sp, t->mm_lo, &t->mm.arg_start);
		task->arg_end = span_field(sp, t->mm_lo, &t->mm.arg_end);
		task->env_end = span_field(sp, t->mm_lo, &t->mm.env_end);
		task->vsz_kb = span_field(sp, t->mm_lo, &t->mm.total_vm) << (PAGE_SHIFT_4K - 10);
		for (i = 0; t->mm.rss_present && i < 3; i++) {
			struct field f = {t->mm.rss_off[i], t->mm.rss_size, true};
			s64 pages = sign_extend(span_field(sp, t->mm_lo, &f), f.size);

			if (pages > 0)
				task->rss_kb += (u64)pages << (PAGE_SHIFT_4K - 10);
		}
	} else {
		task->mm = 0;
	}
	return 0;
}

static int visit(struct mintmon_tasks *t, u64 addr, struct thread_group *group, bool leader,
		 mintmon_task_fn fn, void *arg)
{
	struct mintmon_task task;
	struct seen_task *entry;
	int err = seen_insert(t, addr, &entry);

	if (err) {
		if (err == -ELOOP)
			mintmon_warn("task list loops: task_struct %#llx seen twice",
				     (unsigned long long)addr);
		return err;
	}
	if (t->seen_count > MINTMON_MAX_TASKS) {
		mintmon_warn("more than %u tasks: task list is corrupt", MINTMON_MAX_TASKS);
		return -ELOOP;
	}
	err = read_task(t, addr, group, leader, &task);
	if (err) {
		mintmon_warn("cannot read task_struct at %#llx", (unsigned long long)addr);
		return err;
	}
	/* Re-find: the set may have grown since the insert. */
	entry = seen_find(t, addr);
	entry->tgid = task.tgid;
	entry->have_tgid = true;
	return fn(&task, arg);
}

/* Visit the process whose leader is at leader, then its other threads. */
static int visit_threads(struct mintmon_tasks *t, u64 leader, mintmon_task_fn fn, void *arg)
{
	struct thread_group group;
	u64 head, pos;
	u32 steps = 0;
	int err;

	err = visit(t, leader, &group, true, fn, arg);
	if (err || !group.signal)
		return err;
	head = group.signal + t->sig_thread_head.off;
	for (pos = group.first; pos != head;) {
		u64 thread = pos - t->task.thread_node.off;

		if (++steps > MINTMON_MAX_TASKS) {
			mintmon_warn("thread list of task %#llx does not end",
				     (unsigned long long)leader);
			return -ELOOP;
		}
		if (thread != leader && (err = visit(t, thread, &group, false, fn, arg)))
			return err;
		if ((err = mintmon_kernel_read_u64(t->k, pos, &pos))) {
			mintmon_warn("cannot follow thread list at %#llx", (unsigned long long)pos);
			return err;
		}
	}
	return 0;
}

int mintmon_tasks_for_each(struct mintmon_tasks *t, mintmon_task_fn fn, void *arg)
{
	u64 head = t->init_task + t->task.tasks.off, pos;
	u32 steps = 0;
	int err;

	t->seen_count = 0;
	if (t->seen)
		memset(t->seen, 0, (size_t)t->seen_cap * sizeof(*t->seen));
	if ((err = mintmon_kernel_read_u64(t->k, head, &pos))) {
		mintmon_warn("cannot read init_task.tasks at %#llx", (unsigned long long)head);
		return err;
	}
	while (pos != head) {
		u64 leader = pos - t->task.tasks.off;

		if (++steps > MINTMON_MAX_TASKS || seen_find(t, leader)) {
			mintmon_warn("task list loops at task_struct %#llx",
				     (unsigned long long)leader);
			return -ELOOP;
		}
		if ((err = visit_threads(t, leader, fn, arg)))
			return err;
		if ((err = mintmon_kernel_read_u64(t->k, pos, &pos))) {
			mintmon_warn("cannot follow task list at %#llx", (unsigned long long)pos);
			return err;
		}
	}
	return 0;
}

struct find_arg {
	s32 pid;
	struct mintmon_task *task;
};

static int find_fn(const struct mintmon_task *task, void *arg)
{
	struct find_arg *f = arg;

	if (task->pid != f->pid)
		return 0;
	*f->task = *task;
	return 1;
}

int mintmon_tasks_find(struct mintmon_tasks *t, s32 pid, struct mintmon_task *task_ret)
{
	struct mintmon_task task;
	struct find_arg f = {pid, &task};
	int ret = mintmon_tasks_for_each(t, find_fn, &f);

	if (ret < 0)
		return ret;
	if (ret == 0) {
		mintmon_warn("no task with pid %d", (int)pid);
		return -ESRCH;
	}
	*task_ret = task;
	return 0;
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
