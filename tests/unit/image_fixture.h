/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny hand-built kernel image for tests/unit/test_image.c and the
 * fuzzer's seeds: an x86-64 ELF with one PT_LOAD of 0x100 bytes at
 * 0xffffffff81000000 (a ".text" section over it), holding
 *   +0x10  u32 0x81000040   a 32-bit reference to _text + 0x40
 *   +0x20  s32 -0x1000      an inverse (per-CPU style) reference
 *   +0x30  u64 0xffffffff81000080   a 64-bit pointer
 * then the relocations as arch/x86/tools/relocs appends them (0, the
 * 64-bit one, 0, the inverse one, 0, the 32-bit one: read backwards), and
 * around it all a bzImage: 4 setup sectors (HdrS, protocol 2.15,
 * payload_offset/length) and the payload compressed with gzip, xz or zstd.
 */
#ifndef MINTMON_TEST_IMAGE_FIXTURE_H
#define MINTMON_TEST_IMAGE_FIXTURE_H

#include <elf.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define FIX_VADDR 0xffffffff81000000ull
#define FIX_SIZE 0x100

enum fix_comp { FIX_GZIP, FIX_XZ, FIX_ZSTD, FIX_RAW_ELF };

/* The ELF plus its relocations; *len_ret its size, *elf_len_ret the ELF's alone. */
static inline unsigned char *fix_payload(size_t *len_ret, size_t *elf_len_ret)
{
	const size_t shoff = 0x40 + 0x38 + FIX_SIZE, elf_len = shoff + 3 * 0x40;
	const size_t len = elf_len + 6 * 4;
	unsigned char *b = calloc(1, len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + 0x40);
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + shoff);
	unsigned char *text = b + 0x40 + 0x38;
	/* Entries are link addresses truncated to 32 bits (sign-extended when read). */
	uint32_t r[6] = {0, 0x81000030u, 0, 0x81000020u, 0, 0x81000010u};
	uint32_t v32 = 0x81000040u;
	int32_t inv = -0x1000;
	uint64_t v64 = 0xffffffff81000080ull;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = 0x40;
	eh->e_shoff = shoff;
	eh->e_ehsize = 0x40;
	eh->e_phentsize = 0x38;
	eh->e_phnum = 1;
	eh->e_shentsize = 0x40;
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x40 + 0x38;
	ph->p_vaddr = FIX_VADDR;
	ph->p_paddr = 0x1000000;
	ph->p_filesz = ph->p_memsz = FIX_SIZE;
	ph->p_flags = PF_R | PF_X;
	memcpy(text + 0x10, &v32, 4);
	memcpy(text + 0x20, &inv, 4);
	memcpy(text + 0x30, &v64, 8);
	/* Section names live in the text's last bytes: "\0.text\0.shstrtab\0". */
	memcpy(text + 0xe0, "\0.text\0.shstrtab", 17);
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
	sh[1].sh_addr = FIX_VADDR;
	sh[1].sh_offset = 0x40 + 0x38;
	sh[1].sh_size = 0xe0;
	sh[2].sh_name = 7;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = 0x40 + 0x38 + 0xe0;
	sh[2].sh_size = 17;
	memcpy(b + elf_len, r, sizeof(r));
	*len_ret = len;
	*elf_len_ret = elf_len;
	return b;
}

/* A bzImage of the payload compressed as asked (FIX_RAW_ELF: the ELF alone). */
static inline unsigned char *fix_image(enum fix_comp comp, size_t *len_ret)
{
	size_t plen, elf_len, clen = 0, cap;
	unsigned char *p = fix_payload(&plen, &elf_len), *c, *img;
	const size_t setup = 5 * 512;

	if (comp == FIX_RAW_ELF) {
		*len_ret = elf_len;
		return p;
	}
	cap = plen * 2 + 1024;
	c = malloc(cap);
	if (comp == FIX_GZIP) {
		z_stream zs = {0};

		deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = p;
		zs.avail_in = (uInt)plen;
		zs.next_out = c;
		zs.avail_out = (uInt)cap;
		deflate(&zs, Z_FINISH);
		clen = zs.total_out;
		deflateEnd(&zs);
	} else if (comp == FIX_XZ) {
		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, p, plen, c, &clen, cap);
	} else {
		clen = ZSTD_compress(c, cap, p, plen, 3);
	}
	/* The size the kernel's build appends after the stream (ignored by readers). */
	memcpy(c + clen, &plen, 4);
	clen += 4;
	img = calloc(1, setup + clen);
	img[0x1f1] = 4;				/* setup_sects */
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f, img[0x207] = 0x02;	/* protocol 2.15 */
	{
		uint32_t off = 0, l = (uint32_t)clen;

		memcpy(img + 0x248, &off, 4);
		memcpy(img + 0x24c, &l, 4);
	}
	memcpy(img + setup, c, clen);
	free(c);
	free(p);
	*len_ret = setup + clen;
	return img;
}

#endif /* MINTMON_TEST_IMAGE_FIXTURE_H */
