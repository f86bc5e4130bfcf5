// SPDX-License-Identifier: GPL-2.0
/* The booted kernel image: bzImage payloads, ELF loading, KASLR relocations (image.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image.h"

/* The x86 boot protocol (Documentation/arch/x86/boot.rst). */
#define SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202		/* "HdrS" */
#define HDR_VERSION 0x206
#define PAYLOAD_OFFSET 0x248	/* protocol 2.08+ */
#define PAYLOAD_LENGTH 0x24c

static int bad(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* An output buffer that grows up to MINTMON_IMAGE_MAX_OUT. */
struct out {
	u8 *buf;
	size_t len, cap;
};

static int out_room(struct out *o, size_t want)
{
	size_t cap = o->cap ? o->cap : (64u << 20);
	u8 *nb;

	if (o->cap - o->len >= want)
		return 0;
	while (cap - o->len < want && cap < MINTMON_IMAGE_MAX_OUT)
		cap *= 2;
	if (cap > MINTMON_IMAGE_MAX_OUT)
		cap = MINTMON_IMAGE_MAX_OUT;
	if (cap - o->len < want)
		return -E2BIG;
	nb = realloc(o->buf, cap);
	if (!nb)
		return -ENOMEM;
	o->buf = nb;
	o->cap = cap;
	return 0;
}

static int gunzip(const u8 *in, size_t n, struct out *o)
{
	z_stream zs = {0};
	int ret = Z_OK;

	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	while (ret == Z_OK) {
		if (out_room(o, 1u << 20)) {
			inflateEnd(&zs);
			return -E2BIG;
		}
		zs.next_out = o->buf + o->len;
		zs.avail_out = (uInt)(o->cap - o->len);
		ret = inflate(&zs, Z_NO_FLUSH);
		o->len = o->cap - zs.avail_out;
	}
	inflateEnd(&zs);
	return ret == Z_STREAM_END ? 0 : -EINVAL;
}

/* One .xz stream (the 4-byte size the kernel's build appends after it is ignored). */
static int unxz(const u8 *in, size_t n, struct out *o)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret = LZMA_OK;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = n;
	while (ret == LZMA_OK) {
		if (out_room(o, 1u << 20)) {
			lzma_end(&s);
			return -E2BIG;
		}
		s.next_out = o->buf + o->len;
		s.avail_out = o->cap - o->len;
		ret = lzma_code(&s, LZMA_FINISH);
		o->len = o->cap - s.avail_out;
	}
	lzma_end(&s);
	return ret == LZMA_STREAM_END ? 0 : -EINVAL;
}

/* One zstd frame. */
static int unzstd(const u8 *in, size_t n, struct out *o)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = {in, n, 0};
	size_t ret = 1;

	if (!ds)
		return -ENOMEM;
	ZSTD_initDStream(ds);
	while (ret) {
		ZSTD_outBuffer ob;

		if (out_room(o, 1u << 20)) {
			ZSTD_freeDStream(ds);
			return -E2BIG;
		}
		ob = (ZSTD_outBuffer){o->buf, o->cap, o->len};
		ret = ZSTD_decompressStream(ds, &ob, &ib);
		o->len = ob.pos;
		if (ZSTD_isError(ret) || (ib.pos == ib.size && ob.pos < ob.size && ret)) {
			ZSTD_freeDStream(ds);
			return -EINVAL;
		}
	}
	ZSTD_freeDStream(ds);
	return 0;
}

/* The ELF's own extent: headers, program and section contents, section headers. */
static size_t elf_extent(Elf *elf)
{
	GElf_Ehdr eh;
	size_t end = 0, i, n;
	Elf_Scn *scn = NULL;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	end = eh.e_shoff + (size_t)eh.e_shnum * eh.e_shentsize;
	if (!elf_getphdrnum(elf, &n)) {
		for (i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_offset + ph.p_filesz > end)
				end = ph.p_offset + ph.p_filesz;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    sh.sh_offset + sh.sh_size > end)
			end = sh.sh_offset + sh.sh_size;
	}
	return end;
}

static int load_elf(struct mintmon_image *img, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t n, i;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)img->raw, img->raw_size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		if (elf)
			elf_end(elf);
		return bad(err, errlen, -EINVAL, "not an x86-64 kernel image (no ELF64 for x86-64)");
	}
	img->elf = elf;
	img->elf_size = elf_extent(elf);
	if (!img->elf_size || img->elf_size > img->raw_size)
		return bad(err, errlen, -EINVAL, "the ELF's sections lie outside its %zu bytes",
			   img->raw_size);
	if (elf_getphdrnum(elf, &n))
		return bad(err, errlen, -EINVAL, "no program headers");
	for (i = 0; i < n; i++) {
		struct mintmon_image_seg *s;
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		if (img->nr_seg == MINTMON_IMAGE_MAX_SEGS || !mintmon_in_bounds(img->raw_size,
										ph.p_offset,
										ph.p_filesz) ||
		    ph.p_filesz > ph.p_memsz || ph.p_memsz > MINTMON_IMAGE_MAX_OUT)
			return bad(err, errlen, -EINVAL, "program header %zu is malformed", i);
		s = &img->seg[img->nr_seg];
		s->vaddr = ph.p_vaddr;
		s->size = ph.p_memsz;
		s->data = calloc(1, ph.p_memsz ? ph.p_memsz : 1);
		if (!s->data)
			return bad(err, errlen, -ENOMEM, "out of memory");
		memcpy(s->data, img->raw + ph.p_offset, ph.p_filesz);
		img->nr_seg++;
	}
	if (!img->nr_seg)
		return bad(err, errlen, -EINVAL, "no loadable segment");
	/* What follows the ELF in a bzImage's payload: the relocations. */
	img->have_relocs = img->raw_size - img->elf_size >= 12;
	return 0;
}

int mintmon_image_open_mem(const u8 *buf, size_t size, struct mintmon_image *img, char *err,
			   size_t errlen)
{
	struct out o = {0};
	int ret;

	memset(img, 0, sizeof(*img));
	if (size >= 4 && !memcmp(buf, ELFMAG, SELFMAG)) {
		img->raw = malloc(size);
		if (!img->raw)
			return bad(err, errlen, -ENOMEM, "out of memory");
		memcpy(img->raw, buf, size);
		img->raw_size = size;
		snprintf(img->format, sizeof(img->format), "vmlinux");
		ret = load_elf(img, err, errlen);
		/* A vmlinux carries no relocations after its ELF: it is relocated by none. */
		img->have_relocs = false;
	} else {
		u64 poff, plen, start;
		const u8 *p;

		if (size < 0x250 || memcmp(buf + HDR_MAGIC, "HdrS", 4))
			return bad(err, errlen, -EINVAL, "not a kernel image (neither ELF nor a bzImage "
				   "with a HdrS setup header)");
		if (mintmon_le16(buf + HDR_VERSION) < 0x208)
			return bad(err, errlen, -EINVAL, "boot protocol %#x predates payload offsets",
				   mintmon_le16(buf + HDR_VERSION));
		poff = mintmon_le32(buf + PAYLOAD_OFFSET);
		plen = mintmon_le32(buf + PAYLOAD_LENGTH);
		start = ((u64)(buf[SETUP_SECTS] ? buf[SETUP_SECTS] : 4) + 1) * 512 + poff;
		if (!mintmon_in_bounds(size, start, plen) || plen < 6)
			return bad(err, errlen, -EINVAL, "the bzImage is truncated (payload %#llx+%#llx "
				   "of %zu bytes)", (unsigned long long)start,
				   (unsigned long long)plen, size);
		p = buf + start;
		if (p[0] == 0x1f && p[1] == 0x8b) {
			snprintf(img->format, sizeof(img->format), "bzImage/gzip");
			ret = gunzip(p, plen, &o);
		} else if (!memcmp(p, "\xfd" "7zXZ\0", 6)) {
			snprintf(img->format, sizeof(img->format), "bzImage/xz");
			ret = unxz(p, plen, &o);
		} else if (!memcmp(p, "\x28\xb5\x2f\xfd", 4)) {
			snprintf(img->format, sizeof(img->format), "bzImage/zstd");
			ret = unzstd(p, plen, &o);
		} else {
			return bad(err, errlen, -EINVAL, "unknown compression of the bzImage's payload "
				   "(magic %02x %02x %02x %02x; gzip, xz and zstd are read)", p[0],
				   p[1], p[2], p[3]);
		}
		if (ret) {
			free(o.buf);
			return bad(err, errlen, ret == -ENOMEM ? -ENOMEM : -EINVAL,
				   "cannot decompress the %s payload (%s)", img->format + 8,
				   ret == -E2BIG ? "more than 512 MiB" : "corrupt or truncated");
		}
		img->raw = o.buf;
		img->raw_size = o.len;
		ret = load_elf(img, err, errlen);
	}
	if (ret)
		mintmon_image_close(img);
	return ret;
}

u8 *mintmon_file_read(const char *path, size_t max, size_t *size_ret, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	u8 *buf;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || (u64)st.st_size > max) {
		bad(err, errlen, -ENOENT, "cannot read %s: %s", path,
		    fd < 0 ? strerror(errno) : "not a regular file, or too large");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf || n != (size_t)st.st_size) {
		free(buf);
		bad(err, errlen, -ENOENT, "cannot read %s", path);
		return NULL;
	}
	*size_ret = n;
	return buf;
}

int mintmon_image_open(const char *path, struct mintmon_image *img, char *err, size_t errlen)
{
	size_t n;
	u8 *buf = mintmon_file_read(path, 256u << 20, &n, err, errlen);
	int ret;

	if (!buf)
		return -ENOENT;
	ret = mintmon_image_open_mem(buf, n, img, err, errlen);
	free(buf);
	return ret;
}

void mintmon_image_close(struct mintmon_image *img)
{
	unsigned int i;

	if (img->elf)
		elf_end(img->elf);
	for (i = 0; i < img->nr_seg; i++)
		free(img->seg[i].data);
	free(img->raw);
	memset(img, 0, sizeof(*img));
}

static u8 *seg_at(const struct mintmon_image *img, u64 va, u64 len)
{
	unsigned int i;

	for (i = 0; i < img->nr_seg; i++) {
		const struct mintmon_image_seg *s = &img->seg[i];

		if (va >= s->vaddr && va - s->vaddr <= s->size && s->size - (va - s->vaddr) >= len)
			return s->data + (va - s->vaddr);
	}
	return NULL;
}

const u8 *mintmon_image_at(const struct mintmon_image *img, u64 va, u64 len)
{
	return seg_at(img, va, len);
}

int mintmon_image_relocate(struct mintmon_image *img, u64 delta, char *err, size_t errlen)
{
	const u8 *start = img->raw + img->elf_size, *r = img->raw + img->raw_size;
	unsigned int pass;

	if (!img->have_relocs)
		return delta ? bad(err, errlen, -EINVAL, "%s carries no KASLR relocations and the "
				   "kernel runs %#llx above its link address: give its vmlinuz",
				   img->format, (unsigned long long)delta) : 0;
	/* Backwards from the end: 32-bit, a 0, inverse 32-bit, a 0, 64-bit, a 0. */
	for (pass = 0; pass < 3; pass++) {
		for (;;) {
			u32 e;
			u64 va;
			u8 *p;

			if (r - start < 4)
				return bad(err, errlen, -EINVAL, "the relocations end early (pass %u)",
					   pass);
			r -= 4;
			e = mintmon_le32(r);
			if (!e)
				break;
			va = (u64)(s64)(s32)e;
			p = seg_at(img, va, pass == 2 ? 8 : 4);
			if (!p) {
				img->relocs_outside++;
				continue;
			}
			if (pass == 0) {
				u32 v = mintmon_le32(p) + (u32)delta;

				memcpy(p, &v, 4);
			} else if (pass == 1) {
				u32 v = mintmon_le32(p) - (u32)delta;

				memcpy(p, &v, 4);
			} else {
				u64 v = mintmon_le64(p) + delta;

				memcpy(p, &v, 8);
			}
			img->relocs_applied++;
		}
	}
	return 0;
}

int mintmon_image_section(const struct mintmon_image *img, const char *name, u64 *addr_ret,
			  u64 *size_ret)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!img->elf || elf_getshdrstrndx(img->elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(img->elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(n, name)) {
			*addr_ret = sh.sh_addr;
			*size_ret = sh.sh_size;
			return 0;
		}
	}
	return -ENOENT;
}

int mintmon_image_section_at(const struct mintmon_image *img, unsigned int i,
			     const char **name_ret, u64 *addr_ret, u64 *size_ret)
{
	size_t shstrndx;
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *n;

	if (!img->elf || elf_getshdrstrndx(img->elf, &shstrndx) ||
	    !(scn = elf_getscn(img->elf, i + 1)) || !gelf_getshdr(scn, &sh) ||
	    !(n = elf_strptr(img->elf, shstrndx, sh.sh_name)))
		return -ENOENT;
	*name_ret = n;
	*addr_ret = sh.sh_addr;
	*size_ret = sh.sh_size;
	return 0;
}
