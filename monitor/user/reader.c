// SPDX-License-Identifier: GPL-2.0
/*
 * Raw-image and ELF-core memory sources. Both read the file with pread() and
 * serve physical reads from a sorted list of segments; an address outside
 * every segment is a fault at that address.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mintmon/memmap.h"
#include "mintmon/reader.h"

#define MAX_SEGMENTS 4096

struct segment {
	u64 phys;
	u64 size;
	u64 offset;
};

struct mapped_file {
	int fd;
	const u8 *data;
	u64 file_size;
	struct segment *segs;
	unsigned int nr_segs;
	/* file:PATH without map=: its layout may be chosen (mintmon_reader_remap()). */
	bool plain;
	/* node:N: where the peer's kernel lives (its kernel window); 0, 0 if unknown. */
	u64 search_start, search_end;
	/* node:N: its window below 1 MiB (real-mode trampoline); 0, 0 if none. */
	u64 first_start, first_end;
	char *path;
	char layout[MINTMON_LAYOUT_DESC_LEN];
};

/*
 * Small reads go through pread(): the walk hops between scattered pages,
 * and faulting each into our mapping (with fault-around) would count the
 * target's memory as ours. The mapping only serves the ELF header parse.
 */
static int read_at(struct mapped_file *f, u8 *out, u64 n, u64 off)
{
	while (n) {
		ssize_t r = pread(f->fd, out, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		out += r;
		off += (u64)r;
		n -= (u64)r;
	}
	return 0;
}

static int mapped_read(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	struct mapped_file *f = ctx;
	u8 *out = buf;
	unsigned int lo = 0, hi = f->nr_segs;

	/* Binary search for the last segment starting at or below phys. */
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (f->segs[mid].phys <= phys)
			lo = mid;
		else
			hi = mid;
	}
	while (len) {
		const struct segment *s = lo < f->nr_segs ? &f->segs[lo] : NULL;
		u64 in, n;

		if (!s || phys < s->phys || phys - s->phys >= s->size) {
			*fault_ret = phys;
			return -EFAULT;
		}
		in = phys - s->phys;
		n = s->size - in < len ? s->size - in : len;
		if (read_at(f, out, n, s->offset + in)) {
			*fault_ret = phys;
			return -EIO;
		}
		out += n;
		phys += n;
		len -= n;
		lo++;
	}
	return 0;
}

static void mapped_destroy(void *ctx)
{
	struct mapped_file *f = ctx;

	if (f->data)
		munmap((void *)f->data, f->file_size);
	close(f->fd);
	free(f->segs);
	free(f->path);
	free(f);
}

static const struct mintmon_memory_ops mapped_ops = {
	.read = mapped_read,
	.destroy = mapped_destroy,
};

static int cmp_segment(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static int map_file(const char *path, struct mapped_file *f, struct mintmon_error *e)
{
	struct stat st;
	int err, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return mintmon_fail(e, -errno, "target", "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mintmon_fail(e, -EINVAL, "target", "%s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		mintmon_fail(e, -EINVAL, "target", "%s is empty", path);
		close(fd);
		return -EINVAL;
	}
	f->file_size = (u64)st.st_size;
	f->data = mmap(NULL, f->file_size, PROT_READ, MAP_SHARED, fd, 0);
	if (f->data == MAP_FAILED) {
		err = mintmon_fail(e, -errno, "target", "cannot map %s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	f->fd = fd;
	return 0;
}

/* Sort and check segments against a file of file_size bytes. */
static int check_segments(struct segment *segs, unsigned int nr, u64 file_size, const char *path,
			  struct mintmon_error *e)
{
	unsigned int i, ranges = 0;

	qsort(segs, nr, sizeof(*segs), cmp_segment);
	for (i = 0; i < nr; i++) {
		const struct segment *s = &segs[i];
		u64 end;

		if (!mintmon_in_bounds(file_size, s->offset, s->size)) {
			mintmon_fail(e, -EINVAL, "target", "%s: segment at physical %#llx lies past the end of the file",
				     path, (unsigned long long)s->phys);
			return -EINVAL;
		}
		if (mintmon_add_overflow(s->phys, s->size, &end) ||
		    (i + 1 < nr && end > segs[i + 1].phys)) {
			mintmon_fail(e, -EINVAL, "target", "%s: segments overlap at physical %#llx", path,
				     (unsigned long long)s->phys);
			return -EINVAL;
		}
		ranges += !(i + 1 < nr && segs[i + 1].phys == end);
	}
	if (ranges > MINTMON_MAX_PHYS_RANGES)
		return mintmon_fail(e, -E2BIG, "target", "%s: too many separate memory ranges", path);
	return 0;
}

/* Publish checked segments as m's ranges (adjacent ones merged). */
static int publish(struct mapped_file *f, struct mintmon_memory *m, const char *path,
		   struct mintmon_error *e)
{
	unsigned int i;

	m->nr_ranges = 0;
	for (i = 0; i < f->nr_segs; i++) {
		u64 start = f->segs[i].phys, size = f->segs[i].size;
		int err;

		while (i + 1 < f->nr_segs && f->segs[i + 1].phys == start + size)
			size += f->segs[++i].size;
		err = mintmon_memory_add_range(m, start, size);
		if (err) {
			return mintmon_fail(e, err, "target", "%s: too many separate memory ranges",
					    path);
		}
	}
	return 0;
}

/* Sort, check and publish the segments as m's ranges. */
static int finish(struct mapped_file *f, struct mintmon_memory *m, const char *path,
		  struct mintmon_error *e)
{
	int err = check_segments(f->segs, f->nr_segs, f->file_size, path, e);

	if (!err)
		err = publish(f, m, path, e);
	if (err)
		return err;
	m->ops = &mapped_ops;
	m->ctx = f;
	return 0;
}

static int parse_u64(const char **p, u64 *v_ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(*p, &end, 0);
	if (end == *p || errno)
		return -EINVAL;
	*p = end;
	*v_ret = v;
	return 0;
}

/* map=PHYS+SIZE@OFF[,...] */
static int parse_map(const char *map, struct mapped_file *f, struct mintmon_error *e)
{
	const char *p = map;

	f->segs = calloc(MAX_SEGMENTS, sizeof(*f->segs));
	if (!f->segs)
		return -ENOMEM;
	while (*p) {
		struct segment s;

		if (f->nr_segs == MAX_SEGMENTS || parse_u64(&p, &s.phys) || *p++ != '+' ||
		    parse_u64(&p, &s.size) || *p++ != '@' || parse_u64(&p, &s.offset) ||
		    (*p && *p++ != ',') || s.size == 0) {
			mintmon_fail(e, -EINVAL, "target", "bad map '%s': expected PHYS+SIZE@OFFSET[,...]", map);
			return -EINVAL;
		}
		f->segs[f->nr_segs++] = s;
	}
	return 0;
}

static int open_raw(const char *arg, struct mintmon_memory *m, struct mintmon_error *e)
{
	const char *map = strstr(arg, ":map=");
	struct mapped_file *f = calloc(1, sizeof(*f));
	char *path = strndup(arg, map ? (size_t)(map - arg) : strlen(arg));
	int err = -ENOMEM;

	if (!f || !path)
		goto fail;
	err = map_file(path, f, e);
	if (err)
		goto fail_map;
	if (map) {
		err = parse_map(map + 5, f, e);
		snprintf(f->layout, sizeof(f->layout), "map");
	} else {
		f->plain = true;
		snprintf(f->layout, sizeof(f->layout), "identity");
		f->segs = calloc(1, sizeof(*f->segs));
		err = f->segs ? 0 : -ENOMEM;
		if (f->segs) {
			f->segs[0].size = f->file_size;
			f->nr_segs = 1;
		}
	}
	if (!err)
		err = finish(f, m, path, e);
	if (!err) {
		f->path = path;
		return 0;
	}
	munmap((void *)f->data, f->file_size);
	close(f->fd);
fail_map:
	free(f->segs);
fail:
	free(f);
	free(path);
	return err;
}

static int read_phdrs(const char *path, struct mapped_file *f, struct mintmon_error *e)
{
	Elf *elf;
	GElf_Ehdr ehdr;
	size_t n, i;
	int err = -EINVAL;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)f->data, f->file_size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr)) {
		mintmon_fail(e, -EINVAL, "target", "%s is not an ELF file", path);
		goto out;
	}
	if (ehdr.e_type != ET_CORE || ehdr.e_machine != EM_X86_64 ||
	    gelf_getclass(elf) != ELFCLASS64) {
		mintmon_fail(e, -EINVAL, "target", "%s is not an x86-64 ELF core file", path);
		goto out;
	}
	if (elf_getphdrnum(elf, &n) || n > MAX_SEGMENTS) {
		mintmon_fail(e, -EINVAL, "target", "%s: bad program header count", path);
		goto out;
	}
	f->segs = calloc(n ? n : 1, sizeof(*f->segs));
	if (!f->segs) {
		err = mintmon_fail(e, -ENOMEM, "target", "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			mintmon_fail(e, -EINVAL, "target", "%s: bad program header %zu", path, i);
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_filesz == 0)
			continue;
		f->segs[f->nr_segs].phys = ph.p_paddr;
		f->segs[f->nr_segs].size = ph.p_filesz;
		f->segs[f->nr_segs].offset = ph.p_offset;
		f->nr_segs++;
	}
	if (!f->nr_segs) {
		mintmon_fail(e, -EINVAL, "target", "%s has no loadable segments", path);
		goto out;
	}
	err = 0;
out:
	if (elf)
		elf_end(elf);
	return err;
}

static int open_elf(const char *path, struct mintmon_memory *m, struct mintmon_error *e)
{
	struct mapped_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	err = map_file(path, f, e);
	if (err) {
		free(f);
		return err;
	}
	err = read_phdrs(path, f, e);
	snprintf(f->layout, sizeof(f->layout), "elf");
	if (!err)
		err = finish(f, m, path, e);
	if (err) {
		munmap((void *)f->data, f->file_size);
		close(f->fd);
		free(f->segs);
		free(f);
	}
	return err;
}

/*
 * node:N -- a peer of this Mint node, through the mintmon module: the
 * windows it serves come from /sys/kernel/mint/nodeN/windows, the bytes
 * from /dev/mint/nodeN, whose file offset is the physical address.
 * $MINTMON_MINT_ROOT (default empty) is put before both paths, so that
 * tests can stand a directory in for the module.
 */
static const char *mint_root(void)
{
	const char *root = getenv("MINTMON_MINT_ROOT");

	return root ? root : "";
}

/* Read a small text file (NUL-terminated) into buf; false if it cannot be read. */
static bool read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* "START SIZE" lines (C notation) into segments with offset = START. */
static int parse_windows(const char *text, struct mapped_file *f, const char *path,
			 struct mintmon_error *e)
{
	const char *p = text;

	f->segs = calloc(MINTMON_MAX_PHYS_RANGES, sizeof(*f->segs));
	if (!f->segs)
		return mintmon_fail(e, -ENOMEM, "target", "out of memory");
	while (*p) {
		struct segment *s;
		u64 end;

		if (*p == '\n') {
			p++;
			continue;
		}
		if (f->nr_segs >= MINTMON_MAX_PHYS_RANGES)
			return mintmon_fail(e, -E2BIG, "target", "%s: too many windows", path);
		s = &f->segs[f->nr_segs];
		if (parse_u64(&p, &s->phys) || *p++ != ' ' || parse_u64(&p, &s->size) ||
		    (*p && *p != '\n') || !s->size || mintmon_add_overflow(s->phys, s->size, &end))
			return mintmon_fail(e, -EINVAL, "target", "%s: malformed window line", path);
		s->offset = s->phys;
		if (s->phys < MINTMON_FIRST_MIB && !f->first_end) {
			f->first_start = s->phys;
			f->first_end = end < MINTMON_FIRST_MIB ? end : MINTMON_FIRST_MIB;
		}
		if (end > f->file_size)
			f->file_size = end;
		f->nr_segs++;
	}
	if (!f->nr_segs)
		return mintmon_fail(e, -ENOENT, "target", "%s: the module serves no window", path);
	return 0;
}

static int open_node(const char *arg, struct mintmon_memory *m, struct mintmon_error *e)
{
	char dir[512], path[600], text[4096];
	struct mapped_file *f;
	unsigned long id;
	const char *p;
	char *end;
	int err;

	errno = 0;
	id = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || id >= MINT_MEMMAP_MAX_NODES)
		return mintmon_fail(e, -EINVAL, "target", "node:%s: expected node:N, N a node number",
				    arg);
	snprintf(dir, sizeof(dir), "%s/sys/kernel/mint", mint_root());
	if (access(dir, F_OK))
		return mintmon_fail(e, -ENODEV, "target",
				    "node:%lu: the mintmon module is not loaded (no %s)", id, dir);
	snprintf(path, sizeof(path), "%s/node%lu/windows", dir, id);
	if (!read_text(path, text, sizeof(text)))
		return mintmon_fail(e, -ENOENT, "target",
				    "node:%lu: not a node this one watches (no %s)", id, path);
	f = calloc(1, sizeof(*f));
	if (!f)
		return mintmon_fail(e, -ENOMEM, "target", "out of memory");
	f->fd = -1;
	err = parse_windows(text, f, path, e);
	snprintf(path, sizeof(path), "%s/node%lu/kernel_window", dir, id);
	p = text;
	if (!err && read_text(path, text, sizeof(text))) {
		u64 start, size, wend;

		/* Without it (or garbled) the whole of the peer's memory is searched. */
		if (!parse_u64(&p, &start) && *p++ == ' ' && !parse_u64(&p, &size) &&
		    !mintmon_add_overflow(start, size, &wend)) {
			f->search_start = start;
			f->search_end = wend;
		}
	}
	snprintf(path, sizeof(path), "%s/dev/mint/node%lu", mint_root(), id);
	if (!err) {
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0)
			err = mintmon_fail(e, -errno, "target", "cannot open %s: %s", path,
					   strerror(errno));
	}
	snprintf(f->layout, sizeof(f->layout), "node %lu", id);
	if (!err)
		err = finish(f, m, path, e);
	if (!err) {
		f->path = strdup(path);
		return 0;
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f->segs);
	free(f);
	return err;
}

int mintmon_reader_open(const char *spec, struct mintmon_memory *m, struct mintmon_error *e)
{
	memset(m, 0, sizeof(*m));
	if (!strncmp(spec, "file:", 5))
		return open_raw(spec + 5, m, e);
	if (!strncmp(spec, "elf:", 4))
		return open_elf(spec + 4, m, e);
	if (!strncmp(spec, "node:", 5))
		return open_node(spec + 5, m, e);
	mintmon_fail(e, -EINVAL, "target",
		     "unknown target '%s': expected file:PATH, elf:PATH or node:N", spec);
	return -EINVAL;
}

bool mintmon_reader_search_window(const struct mintmon_memory *m,
				  struct mintmon_kernel_options *opts)
{
	const struct mapped_file *f = m->ops == &mapped_ops ? m->ctx : NULL;

	if (!f || !f->search_end)
		return false;
	opts->search_start = f->search_start;
	opts->search_end = f->search_end;
	opts->first_start = f->first_start;
	opts->first_end = f->first_end;
	return true;
}

static struct mapped_file *mapped(const struct mintmon_memory *m)
{
	return m->ops == &mapped_ops ? m->ctx : NULL;
}

bool mintmon_reader_plain_file(const struct mintmon_memory *m, u64 *file_size_ret)
{
	const struct mapped_file *f = mapped(m);

	if (!f || !f->plain)
		return false;
	if (file_size_ret)
		*file_size_ret = f->file_size;
	return true;
}

const char *mintmon_reader_layout(const struct mintmon_memory *m)
{
	const struct mapped_file *f = mapped(m);

	return f ? f->layout : "unknown";
}

int mintmon_reader_remap(struct mintmon_memory *m, const struct mintmon_reader_segment *segs,
			 unsigned int nr, const char *layout, struct mintmon_error *e)
{
	struct mapped_file *f = mapped(m);
	struct segment *ns;
	unsigned int i;
	int err;

	if (!f || !f->plain)
		return mintmon_fail(e, -EINVAL, "target", "only a plain file: target can be re-mapped");
	if (!nr || nr > MAX_SEGMENTS)
		return mintmon_fail(e, -EINVAL, "target", "%s: bad segment count %u", f->path, nr);
	ns = calloc(nr, sizeof(*ns));
	if (!ns)
		return mintmon_fail(e, -ENOMEM, "target", "out of memory");
	for (i = 0; i < nr; i++) {
		ns[i].phys = segs[i].phys;
		ns[i].size = segs[i].size;
		ns[i].offset = segs[i].offset;
		if (!ns[i].size) {
			free(ns);
			return mintmon_fail(e, -EINVAL, "target", "%s: empty segment at physical %#llx",
					    f->path, (unsigned long long)segs[i].phys);
		}
	}
	err = check_segments(ns, nr, f->file_size, f->path, e);
	if (err) {
		free(ns);
		return err;
	}
	/* Commit: the old kernel's RAM restriction goes with the old layout. */
	free(f->segs);
	f->segs = ns;
	f->nr_segs = nr;
	mintmon_memory_set_ram(m, NULL, 0);
	snprintf(f->layout, sizeof(f->layout), "%s", layout ? layout : "map");
	return publish(f, m, f->path, e);
}
