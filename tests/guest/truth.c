// SPDX-License-Identifier: GPL-2.0
/*
 * truth: collect the guest's own view of itself and send it to the host.
 *
 *   truth [-o DEV] [-p] [NAME=PATH ...]
 *
 * Writes, to DEV (default /dev/ttyS1, set raw), the sections:
 *   uname        release (uname -r)
 *   iomem        /proc/iomem, complete (read as root: real addresses)
 *   vmcoreinfo   the VMCOREINFO note of /proc/kcore, or "absent: REASON"
 *   kvars        values read through /proc/kcore at kallsyms addresses (and
 *                64 bytes of a vmalloc'ed stack and of vmemmap: NAME_va, NAME_bytes):
 *                page_offset_base, vmemmap_base, vmalloc_base, phys_base,
 *                linux_banner; "NAME absent" when unavailable
 *   kallsyms     /proc/kallsyms, complete
 *   tasks        one line per task (see TASK_HEADER), two snapshots ~1 s apart
 *   meminfo      /proc/meminfo, read with the second snapshot
 *   self         this process's pid
 *   NAME         the contents of each PATH given on the command line (binary
 *                files too: btf=/sys/kernel/btf/vmlinux is the kernel's BTF)
 *   kmsg         the kernel log as /dev/kmsg gives it, every record from the
 *                oldest ("PRIO,SEQ,TS_USEC,FLAGS[,...];TEXT\n" and its
 *                " KEY=VALUE" lines), read just before clock
 *   clock        last, just before END: clk_tck (USER_HZ), and /proc/uptime's
 *                first field right after the second snapshot (uptime_snap)
 *                and just before END (uptime_end)
 *
 * Framing (the host parser is tests/lib/truth.py):
 *   "MINTMON-TRUTH 1\n"
 *   per section: "SECTION NAME ENC RAWLEN LEN CRC32\n" LEN bytes "\n"
 *                ENC is "raw" or "zlib"; CRC32 (hex) is over the raw bytes
 *   "END NSECTIONS\n"
 * The host knows the truth is complete when END arrives.
 *
 * With -p the program then sleeps forever, so that the task set the host
 * sees after pausing the guest is the one it was sent. Before that it spins
 * for 3 s: the host pauses the guest within a fraction of a second of END,
 * and a busy CPU keeps its tick, so the kernel's jiffies and timekeeping are
 * current at the pause (in an idle NO_HZ guest they can lag by seconds), and
 * the host can bound the uptime a monitor sees (for %CPU) by uptime_end.
 */
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define PF_KTHREAD 0x00200000UL

struct buf {
	char *data;
	size_t len, cap;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "truth: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap - b->len < n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		die("line too long");
	buf_add(b, tmp, n);
}

static void buf_hex(struct buf *b, const char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (n == 0) {
		buf_add(b, "-", 1);
		return;
	}
	for (i = 0; i < n; i++) {
		char h[2] = { digits[(unsigned char)p[i] >> 4], digits[p[i] & 15] };

		buf_add(b, h, 2);
	}
}

/* Read a whole file; returns 0 or -errno. /proc files report size 0. */
static int read_file(const char *path, struct buf *b)
{
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	b->len = 0;
	buf_add(b, "", 0);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, n);
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/*
 * Every record /dev/kmsg has now: one record per read(), until EAGAIN;
 * EPIPE says records were overwritten since the last read (go on).
 */
static void read_kmsg(struct buf *b)
{
	char rec[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	b->len = 0;
	buf_add(b, "", 0);
	if (fd < 0) {
		buf_printf(b, "absent: cannot open /dev/kmsg: %s\n", strerror(errno));
		return;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec));
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		buf_add(b, rec, n);
	}
	close(fd);
}

/* ---- output ---- */

static int out_fd = -1;
static unsigned int nsections;

static void write_all(const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(out_fd, c, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("write: %s", strerror(errno));
		}
		c += w;
		n -= w;
	}
}

static void section(const char *name, const char *data, size_t len)
{
	uLong crc = crc32(0L, (const Bytef *)data, len);
	const char *enc = "raw";
	unsigned char *z = NULL;
	uLongf zlen = 0;
	char hdr[256];
	int n;

	/* Compress big sections: the serial line is the bottleneck. */
	if (len > 4096) {
		zlen = compressBound(len);
		z = malloc(zlen);
		if (!z)
			die("out of memory");
		if (compress2(z, &zlen, (const Bytef *)data, len, 1) != Z_OK)
			die("compress failed");
		enc = "zlib";
	}
	n = snprintf(hdr, sizeof(hdr), "SECTION %s %s %zu %lu %08lx\n", name, enc, len,
		     z ? (unsigned long)zlen : (unsigned long)len, (unsigned long)crc);
	write_all(hdr, n);
	if (z)
		write_all(z, zlen);
	else
		write_all(data, len);
	write_all("\n", 1);
	free(z);
	nsections++;
}

static void open_output(const char *dev)
{
	struct termios t;

	out_fd = open(dev, O_WRONLY | O_NOCTTY | O_CREAT | O_TRUNC, 0644);
	if (out_fd < 0)
		die("open %s: %s", dev, strerror(errno));
	/* A tty must pass bytes through untouched (no \n -> \r\n). */
	if (isatty(out_fd)) {
		if (tcgetattr(out_fd, &t))
			die("tcgetattr %s: %s", dev, strerror(errno));
		cfmakeraw(&t);
		cfsetospeed(&t, B115200);
		if (tcsetattr(out_fd, TCSANOW, &t))
			die("tcsetattr %s: %s", dev, strerror(errno));
	}
}

/* ---- /proc/kcore ---- */

struct kcore {
	int fd;
	Elf64_Phdr *ph;
	unsigned int nph;
};

static int kcore_open(struct kcore *k, struct buf *why)
{
	Elf64_Ehdr eh;

	k->fd = open("/proc/kcore", O_RDONLY);
	if (k->fd < 0) {
		buf_printf(why, "absent: open /proc/kcore: %s\n", strerror(errno));
		return -1;
	}
	if (pread(k->fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 4096) {
		buf_printf(why, "absent: /proc/kcore has no usable ELF header\n");
		close(k->fd);
		return -1;
	}
	k->nph = eh.e_phnum;
	k->ph = calloc(k->nph, sizeof(*k->ph));
	if (!k->ph)
		die("out of memory");
	if (pread(k->fd, k->ph, k->nph * sizeof(*k->ph), eh.e_phoff) !=
	    (ssize_t)(k->nph * sizeof(*k->ph))) {
		buf_printf(why, "absent: cannot read /proc/kcore program headers\n");
		close(k->fd);
		return -1;
	}
	return 0;
}

static void kcore_vmcoreinfo(struct kcore *k, struct buf *out)
{
	unsigned int i;

	for (i = 0; i < k->nph; i++) {
		Elf64_Phdr *p = &k->ph[i];
		char *notes;
		size_t pos = 0;

		if (p->p_type != PT_NOTE || p->p_filesz > (64 << 20))
			continue;
		notes = malloc(p->p_filesz);
		if (!notes)
			die("out of memory");
		if (pread(k->fd, notes, p->p_filesz, p->p_offset) != (ssize_t)p->p_filesz) {
			free(notes);
			continue;
		}
		while (p->p_filesz - pos >= sizeof(Elf64_Nhdr)) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(notes + pos);
			size_t name_off = pos + sizeof(*nh);
			size_t desc_off = name_off + ((nh->n_namesz + 3) & ~3UL);
			size_t next = desc_off + ((nh->n_descsz + 3) & ~3UL);

			if (next > p->p_filesz || next <= pos)
				break;
			if (nh->n_namesz >= 10 && !memcmp(notes + name_off, "VMCOREINFO", 10)) {
				size_t n = strnlen(notes + desc_off, nh->n_descsz);

				buf_add(out, notes + desc_off, n);
				free(notes);
				return;
			}
			pos = next;
		}
		free(notes);
	}
	buf_printf(out, "absent: no VMCOREINFO note in /proc/kcore\n");
}

static int kcore_read(struct kcore *k, uint64_t va, void *dst, size_t n)
{
	unsigned int i;

	for (i = 0; i < k->nph; i++) {
		Elf64_Phdr *p = &k->ph[i];

		if (p->p_type != PT_LOAD || va < p->p_vaddr || va - p->p_vaddr >= p->p_memsz ||
		    p->p_memsz - (va - p->p_vaddr) < n)
			continue;
		if (pread(k->fd, dst, n, p->p_offset + (va - p->p_vaddr)) == (ssize_t)n)
			return 0;
	}
	return -1;
}

/* Address of a core (untagged) symbol in kallsyms text, 0 if absent. */
static uint64_t ksym(const struct buf *ks, const char *name)
{
	size_t nl = strlen(name);
	const char *p = ks->data, *end = ks->data + ks->len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);

		if (!eol)
			eol = end;
		/* "%016lx T name" */
		if (eol - p == 19 + (long)nl && !memcmp(p + 19, name, nl))
			return strtoull(p, NULL, 16);
		p = eol + 1;
	}
	return 0;
}

static void set_kptr_restrict(const char *v)
{
	int fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, v, 1) != 1)
			fprintf(stderr, "truth: cannot set kptr_restrict\n");
		close(fd);
	}
}

/* "NAME_va 0x..." and "NAME_bytes HEX": 64 bytes at va, through /proc/kcore. */
static void kcore_bytes(struct kcore *k, int have_kcore, const char *name, uint64_t va,
			struct buf *out)
{
	char bytes[64];

	if (!va || !have_kcore || kcore_read(k, va, bytes, sizeof(bytes))) {
		buf_printf(out, "%s_va absent\n", name);
		return;
	}
	buf_printf(out, "%s_va 0x%lx\n%s_bytes ", name, (unsigned long)va, name);
	buf_hex(out, bytes, sizeof(bytes));
	buf_printf(out, "\n");
}

/*
 * Ground truth for vmalloc and vmemmap translation: the bottom of a
 * vmalloc'ed thread stack (STACK_END_MAGIC, then stack the task has not
 * reached) and the struct page of the first kernel-text frame (a reserved
 * page: nothing changes it). Both stay put while the guest idles.
 */
static void kcore_vmalloc_vmemmap(struct kcore *k, int have_kcore, uint64_t vmemmap_base,
				  struct buf *out)
{
	struct buf b = { 0 };
	uint64_t stack = 0, text = 0;
	char *p, *eol;

	/*
	 * vmallocinfo prints %pK: hashed at kptr_restrict 0, real for root at 1.
	 * Thread stacks show as kernel_clone (the allocation is inlined there)
	 * or alloc_thread_stack_node.
	 */
	set_kptr_restrict("1");
	if (!read_file("/proc/vmallocinfo", &b)) {
		for (p = b.data; p && *p && !stack; p = eol ? eol + 1 : NULL) {
			eol = strchr(p, '\n');
			if (eol)
				*eol = '\0';
			if ((strstr(p, "kernel_clone") || strstr(p, "alloc_thread_stack")) &&
			    strstr(p, " vmalloc"))
				stack = strtoull(p, NULL, 16);
		}
	}
	set_kptr_restrict("0");
	b.len = 0;
	if (!read_file("/proc/iomem", &b)) {
		for (p = b.data; p && *p && !text; p = eol ? eol + 1 : NULL) {
			eol = strchr(p, '\n');
			if (strstr(p, "Kernel code") && (!eol || strstr(p, "Kernel code") < eol))
				text = strtoull(p + strspn(p, " "), NULL, 16);
		}
	}
	free(b.data);
	kcore_bytes(k, have_kcore, "vmalloc_stack", stack, out);
	/* 64: sizeof(struct page) on x86-64; any address in the page array will do. */
	kcore_bytes(k, have_kcore, "vmemmap_text", vmemmap_base && text ?
		    vmemmap_base + (text >> 12) * 64 : 0, out);
}

static void kcore_vars(struct kcore *k, int have_kcore, const struct buf *ks, struct buf *out)
{
	static const char *const u64s[] = { "page_offset_base", "vmemmap_base", "vmalloc_base",
					    "phys_base" };
	uint64_t addr, val, vmemmap_base = 0;
	char banner[512];
	unsigned int i;

	for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		addr = ksym(ks, u64s[i]);
		if (addr && have_kcore && !kcore_read(k, addr, &val, sizeof(val))) {
			buf_printf(out, "%s 0x%lx\n", u64s[i], (unsigned long)val);
			if (!strcmp(u64s[i], "vmemmap_base"))
				vmemmap_base = val;
		} else {
			buf_printf(out, "%s absent\n", u64s[i]);
		}
	}
	kcore_vmalloc_vmemmap(k, have_kcore, vmemmap_base, out);
	addr = ksym(ks, "linux_banner");
	memset(banner, 0, sizeof(banner));
	if (addr && have_kcore && !kcore_read(k, addr, banner, sizeof(banner) - 1)) {
		buf_printf(out, "linux_banner ");
		buf_hex(out, banner, strlen(banner));
		buf_printf(out, "\n");
	} else {
		buf_printf(out, "linux_banner absent\n");
	}
}

/* ---- tasks ---- */

#define TASK_HEADER "tid tgid ppid uid euid state flags stable vsz_kb rss_kb start_ticks " \
	"comm kcomm args scomm tty_nr ticks ticks_prev pticks"

struct task {
	int tid, tgid, ppid;
	long uid, euid;
	char state;
	unsigned long flags;
	unsigned long vsz_kb, rss_kb;
	unsigned long long start_ticks;	/* /proc stat field 22, in USER_HZ ticks */
	unsigned long long ticks;	/* utime + stime of the task (fields 14, 15) */
	unsigned long long pticks;	/* the same in /proc/TGID/stat: the whole process */
	int tty_nr;			/* field 7 */
	char *comm, *kcomm, *args;
	char *scomm;			/* field 2 of stat, without the parentheses */
	size_t args_len;
};

struct snap {
	struct task *t;
	size_t n, cap;
};

static char *xstrndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		die("out of memory");
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Returns 0, or -1 when the task vanished while being read. */
static int read_task(int tgid, int tid, struct task *t, struct buf *tmp)
{
	char path[128];
	const char *p, *q;
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	int i;

	memset(t, 0, sizeof(*t));
	t->tid = tid;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, tid);
	if (read_file(path, tmp) || !tmp->len)
		return -1;
	/*
	 * comm may hold ')' and spaces: as ps does, it runs from the first '('
	 * to the last ')', and the fields start after that.
	 */
	p = strrchr(tmp->data, ')');
	q = strchr(tmp->data, '(');
	if (!p || !q || q > p || p[1] != ' ')
		return -1;
	t->scomm = xstrndup(q + 1, p - q - 1);
	p += 2;
	t->state = *p;
	/*
	 * Fields after comm: 3 state, 4 ppid, ..., 7 tty_nr, 9 flags, 14 utime,
	 * 15 stime, 22 starttime, 23 vsize, 24 rss.
	 */
	for (i = 3; i <= 24 && p; i++) {
		if (i == 7)
			t->tty_nr = atoi(p);
		else if (i == 9)
			t->flags = strtoul(p, NULL, 10);
		else if (i == 14 || i == 15)
			t->ticks += strtoull(p, NULL, 10);
		else if (i == 22)
			t->start_ticks = strtoull(p, NULL, 10);
		else if (i == 23)
			t->vsz_kb = strtoul(p, NULL, 10) / 1024;
		else if (i == 24)
			t->rss_kb = strtoul(p, NULL, 10) * page_kb;
		p = strchr(p, ' ');
		if (p)
			p++;
	}

	/* The process's total, as ps aux shows it (the thread's own is above). */
	snprintf(path, sizeof(path), "/proc/%d/stat", tgid);
	if (read_file(path, tmp) || !tmp->len)
		return -1;
	p = strrchr(tmp->data, ')');
	for (i = 2; i <= 15 && p; i++) {
		if (i == 14 || i == 15)
			t->pticks += strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", tgid, tid);
	if (read_file(path, tmp) || !tmp->len)
		return -1;
	t->tgid = t->ppid = -1;
	t->uid = t->euid = -1;
	for (p = tmp->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "Tgid:", 5))
			t->tgid = atoi(p + 5);
		else if (!strncmp(p, "PPid:", 5))
			t->ppid = atoi(p + 5);
		else if (!strncmp(p, "Uid:", 4))
			sscanf(p + 4, "%ld %ld", &t->uid, &t->euid);
	}

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", tgid, tid);
	if (read_file(path, tmp))
		return -1;
	if (tmp->len && tmp->data[tmp->len - 1] == '\n')
		tmp->len--;
	t->comm = xstrndup(tmp->data, tmp->len);

	/*
	 * /proc/.../comm decorates kernel threads (workqueue suffixes, full
	 * kthread names); the first line of sched shows task->comm itself:
	 * "COMM (PID, #threads: N)".
	 */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", tgid, tid);
	if (!read_file(path, tmp) && tmp->len) {
		char *eol = strchr(tmp->data, '\n');
		char *paren;

		if (eol)
			*eol = '\0';
		/* "(PID, #threads: N)" holds no " (": the last one ends comm. */
		paren = NULL;
		for (q = strstr(tmp->data, " ("); q; q = strstr(q + 1, " ("))
			paren = (char *)q;
		if (paren && strstr(paren, "#threads:"))
			t->kcomm = xstrndup(tmp->data, paren - tmp->data);
	}
	if (!t->kcomm)
		t->kcomm = xstrndup("", 0);

	snprintf(path, sizeof(path), "/proc/%d/task/%d/cmdline", tgid, tid);
	if (read_file(path, tmp))
		return -1;
	while (tmp->len && tmp->data[tmp->len - 1] == '\0')
		tmp->len--;
	for (q = tmp->data; q < tmp->data + tmp->len; q++)
		if (*q == '\0')
			*(char *)q = ' ';
	t->args = xstrndup(tmp->data, tmp->len);
	t->args_len = tmp->len;
	return 0;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void snapshot(struct snap *s)
{
	struct buf tmp = { 0 };
	DIR *proc = opendir("/proc");
	struct dirent *d;

	if (!proc)
		die("opendir /proc: %s", strerror(errno));
	s->n = 0;
	while ((d = readdir(proc))) {
		char path[64];
		DIR *td;
		struct dirent *e;
		int tgid;

		if (!is_number(d->d_name))
			continue;
		tgid = atoi(d->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task", tgid);
		td = opendir(path);
		if (!td)
			continue;
		while ((e = readdir(td))) {
			struct task t;

			if (!is_number(e->d_name))
				continue;
			if (read_task(tgid, atoi(e->d_name), &t, &tmp))
				continue;
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 256;
				s->t = realloc(s->t, s->cap * sizeof(*s->t));
				if (!s->t)
					die("out of memory");
			}
			s->t[s->n++] = t;
		}
		closedir(td);
	}
	closedir(proc);
	free(tmp.data);
}

static struct task *find(struct snap *s, int tid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return &s->t[i];
	return NULL;
}

static void emit_task(struct buf *out, const struct task *t, char stable,
		      const struct task *prev)
{
	buf_printf(out, "%d %d %d %ld %ld %c 0x%lx %c %lu %lu %llu ", t->tid, t->tgid, t->ppid,
		   t->uid, t->euid, t->state, t->flags, stable, t->vsz_kb, t->rss_kb,
		   t->start_ticks);
	buf_hex(out, t->comm, strlen(t->comm));
	buf_add(out, " ", 1);
	buf_hex(out, t->kcomm, strlen(t->kcomm));
	buf_add(out, " ", 1);
	buf_hex(out, t->args, t->args_len);
	buf_add(out, " ", 1);
	buf_hex(out, t->scomm, strlen(t->scomm));
	buf_printf(out, " %d %llu ", t->tty_nr, t->ticks);
	if (prev)
		buf_printf(out, "%llu", prev->ticks);
	else
		buf_add(out, "-", 1);
	buf_printf(out, " %llu\n", t->pticks);
}

/*
 * stable: S = present in both snapshots with the same state, U = present in
 * both but the state changed, N = only in the second, G = only in the first.
 */
static void tasks_section(struct snap *a, struct snap *b, struct buf *out)
{
	size_t i;

	buf_printf(out, "%s\n", TASK_HEADER);
	for (i = 0; i < b->n; i++) {
		struct task *old = find(a, b->t[i].tid);

		emit_task(out, &b->t[i], !old ? 'N' : old->state == b->t[i].state ? 'S' : 'U',
			  old);
	}
	for (i = 0; i < a->n; i++)
		if (!find(b, a->t[i].tid))
			emit_task(out, &a->t[i], 'G', NULL);
}

/* The first field of /proc/uptime, as text ("12.34"); "absent" if unreadable. */
static void uptime(char *dst, size_t n)
{
	struct buf b = { 0 };

	if (read_file("/proc/uptime", &b) || !b.len)
		snprintf(dst, n, "absent");
	else
		snprintf(dst, n, "%.*s", (int)strcspn(b.data, " \n"), b.data);
	free(b.data);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/ttyS1";
	struct buf b = { 0 }, ks = { 0 }, vmci = { 0 }, kv = { 0 }, tasks = { 0 }, mi = { 0 };
	char up_snap[64], up_end[64];
	struct snap s1 = { 0 }, s2 = { 0 };
	struct timespec one_second = { 1, 0 };
	struct utsname un;
	struct kcore kc;
	int have_kcore, opt, pause_after = 0, i;

	while ((opt = getopt(argc, argv, "o:p")) != -1) {
		if (opt == 'o')
			dev = optarg;
		else if (opt == 'p')
			pause_after = 1;
		else
			die("usage: truth [-o DEV] [-p] [NAME=PATH ...]");
	}

	if (read_file("/proc/kallsyms", &ks))
		die("cannot read /proc/kallsyms");
	have_kcore = !kcore_open(&kc, &vmci);
	if (have_kcore)
		kcore_vmcoreinfo(&kc, &vmci);
	kcore_vars(&kc, have_kcore, &ks, &kv);

	/*
	 * Open the port first: on PREEMPT_RT that creates its IRQ thread, which
	 * must exist when the tasks are listed.
	 */
	open_output(dev);
	snapshot(&s1);
	nanosleep(&one_second, NULL);
	snapshot(&s2);
	uptime(up_snap, sizeof(up_snap));
	read_file("/proc/meminfo", &mi);
	tasks_section(&s1, &s2, &tasks);

	write_all("MINTMON-TRUTH 1\n", 16);

	if (uname(&un))
		die("uname: %s", strerror(errno));
	section("uname", un.release, strlen(un.release));

	read_file("/proc/iomem", &b);
	section("iomem", b.data, b.len);
	section("vmcoreinfo", vmci.data, vmci.len);
	section("kvars", kv.data, kv.len);
	section("kallsyms", ks.data, ks.len);
	section("tasks", tasks.data, tasks.len);
	section("meminfo", mi.data, mi.len);
	b.len = 0;
	buf_printf(&b, "pid %d\n", (int)getpid());
	section("self", b.data, b.len);

	for (i = optind; i < argc; i++) {
		/* Never write into argv: the host compares our args with /proc's. */
		const char *eq = strchr(argv[i], '=');
		char name[64];

		if (!eq || eq == argv[i] || eq - argv[i] >= (long)sizeof(name))
			die("bad section argument '%s' (want NAME=PATH)", argv[i]);
		memcpy(name, argv[i], eq - argv[i]);
		name[eq - argv[i]] = '\0';
		if (read_file(eq + 1, &b))
			buf_printf(&b, "absent: cannot read %s\n", eq + 1);
		section(name, b.data, b.len);
	}

	read_kmsg(&b);
	section("kmsg", b.data, b.len);

	/* Last: the host bounds the uptime at the pause with uptime_end. */
	if (isatty(out_fd))
		tcdrain(out_fd);
	uptime(up_end, sizeof(up_end));
	b.len = 0;
	buf_printf(&b, "clk_tck %ld\nuptime_snap %s\nuptime_end %s\n", sysconf(_SC_CLK_TCK),
		   up_snap, up_end);
	section("clock", b.data, b.len);

	b.len = 0;
	buf_printf(&b, "END %u\n", nsections);
	write_all(b.data, b.len);
	if (isatty(out_fd))
		tcdrain(out_fd);
	fprintf(stderr, "truth: sent %u sections, %zu tasks\n", nsections, s2.n);
	if (pause_after) {
		struct timespec t0, now;
		volatile unsigned long spin = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			for (i = 0; i < 100000; i++)
				spin += i;
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while (now.tv_sec - t0.tv_sec < 3);
		for (;;)
			pause();
	}
	return 0;
}
