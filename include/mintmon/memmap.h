/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mint_memmap: the Mint layout engine.
 *
 * STABLE API. The patched kexec (kexec-patches/), the node-0 kernel module
 * and mintmon all compile memmap/lib/memmap.c and use this header, so that every
 * consumer derives a node's memory from one implementation. Change it only
 * compatibly (add, never rename or reorder); see docs/memmap.md.
 *
 * A layout is a machine: installed memory [0, memory), firmware ranges that
 * every node sees as they are (ACPI tables, BIOS ROM), and nodes. A node owns
 * RAM regions (one of them is its kernel region: the kexec segments go
 * there), CPUs, and may monitor other nodes: a monitoring node may read
 * every monitored node's regions (its "windows"). Every node's e820 lists
 * all other nodes' memory as RESERVED, never as RAM and never as a gap the
 * kernel could hand out as PCI address space.
 *
 * The library is freestanding (platform.h: only memcpy/memset/memcmp/strlen
 * and friends, no allocation, no stdio): a struct mint_memmap is plain data
 * the caller owns, and memmap/lib/memmap.c compiles with just -Iinclude. Every
 * size and address is checked so that no arithmetic can wrap, since layout
 * files are untrusted input.
 *
 * Use:
 *	struct mint_memmap *m = <caller storage, about 9 KiB>;
 *	err = mint_memmap_preset(m, "kexec-mint", 3);	(or mint_memmap_parse())
 *	err = err ?: mint_memmap_add_firmware(m, ...);	(optional, e.g. live ACPI)
 *	err = err ?: mint_memmap_validate(m);
 *	if (err) complain(mint_memmap_strerror(m));
 *	mint_memmap_node_e820(m, node, &e820);
 *
 * Functions return 0 (or a length) on success and a negative errno on
 * failure; functions taking a non-const layout then leave a one-line reason
 * in m->errmsg (mint_memmap_strerror()). Output parameters (*_ret) are
 * written only on success. The node_* functions require a layout that passed
 * mint_memmap_validate() (-EINVAL otherwise).
 */
#ifndef MINTMON_MEMMAP_H
#define MINTMON_MEMMAP_H

#include "platform.h"

/* Limits: fixed so that a layout is plain data and loops are bounded. */
#define MINT_MEMMAP_MAX_NODES		16
#define MINT_MEMMAP_MAX_REGIONS		8	/* RAM regions per node */
#define MINT_MEMMAP_MAX_WINDOWS		8	/* explicit extra windows per node */
#define MINT_MEMMAP_MAX_FIRMWARE	32
#define MINT_MEMMAP_MAX_CPUS		256
#define MINT_MEMMAP_MAX_E820		128	/* what fits in boot_params' e820_table */
#define MINT_MEMMAP_NAME_SIZE		16	/* region names, NUL included */
#define MINT_MEMMAP_ERRMSG_SIZE		256

/* Alignment rules. */
#define MINT_MEMMAP_PAGE_SIZE		0x1000ULL	/* regions and windows */
#define MINT_MEMMAP_KERNEL_ALIGN	0x200000ULL	/* kernel region: CONFIG_PHYSICAL_ALIGN */
/* Highest physical address + 1 a layout may use (x86-64: 52 bits). */
#define MINT_MEMMAP_PHYS_LIMIT		(1ULL << 52)
/*
 * The x86 decompressor's KASLR picks the kernel's physical address among the
 * e820 RAM at or above min(load address, 512 MiB); validation makes sure only
 * the kernel region offers such RAM, so the kernel cannot leave it.
 */
#define MINT_MEMMAP_KASLR_FLOOR		0x20000000ULL

/* e820 types, numerically equal to the kernel's enum e820_type. */
#define MINT_MEMMAP_E820_RAM		1
#define MINT_MEMMAP_E820_RESERVED	2
#define MINT_MEMMAP_E820_ACPI		3
#define MINT_MEMMAP_E820_NVS		4
#define MINT_MEMMAP_E820_UNUSABLE	5

/* The kexec-mint preset: Kexec-Mint's firmware_memmap.c arithmetic. */
#define MINT_MEMMAP_PRESET_KEXEC_MINT		"kexec-mint"
#define MINT_MEMMAP_PRESET_KEXEC_MINT_MAX_NODES	3

/* Owner of a window that came from a 'window' line rather than a node. */
#define MINT_MEMMAP_NO_OWNER		0xffffffffU

struct mint_memmap_range {
	u64 start;
	u64 size;
};

struct mint_memmap_region {
	u64 start;
	u64 size;
	bool kernel;				/* the node's kernel region */
	char name[MINT_MEMMAP_NAME_SIZE];	/* "" or e.g. "region3" */
};

struct mint_memmap_firmware {
	u64 start;
	u64 size;
	u32 type;				/* MINT_MEMMAP_E820_* other than RAM */
};

struct mint_memmap_node {
	bool present;
	unsigned int nr_regions;
	struct mint_memmap_region regions[MINT_MEMMAP_MAX_REGIONS];
	/* Bit c of cpus[c / 64]: the node runs on CPU c. */
	u64 cpus[MINT_MEMMAP_MAX_CPUS / 64];
	/* Bit n: this node monitors node n (gets its regions as windows). */
	u32 monitors;
	/* Extra reserved windows (e.g. a device region), beyond the peers'. */
	unsigned int nr_windows;
	struct mint_memmap_range windows[MINT_MEMMAP_MAX_WINDOWS];
};

struct mint_memmap {
	u64 memory;				/* installed memory: RAM lies in [0, memory) */
	unsigned int nr_nodes;			/* nodes 0..nr_nodes-1 */
	struct mint_memmap_node nodes[MINT_MEMMAP_MAX_NODES];
	unsigned int nr_firmware;
	struct mint_memmap_firmware firmware[MINT_MEMMAP_MAX_FIRMWARE];
	bool validated;
	char errmsg[MINT_MEMMAP_ERRMSG_SIZE];
};

/* One reserved window of a monitoring node. */
struct mint_memmap_window {
	u64 start;
	u64 size;
	u32 owner;		/* monitored node, or MINT_MEMMAP_NO_OWNER */
	u32 region;		/* index in the owner's regions (0 if no owner) */
};

struct mint_memmap_windows {
	unsigned int nr;
	struct mint_memmap_window w[MINT_MEMMAP_MAX_NODES * MINT_MEMMAP_MAX_REGIONS +
				    MINT_MEMMAP_MAX_WINDOWS];
};

struct mint_memmap_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/* A node's boot map: sorted, non-overlapping, adjacent equal types merged. */
struct mint_memmap_e820 {
	unsigned int nr;
	struct mint_memmap_e820_entry entries[MINT_MEMMAP_MAX_E820];
};

/* Empty layout (no memory, no nodes). */
void mint_memmap_init(struct mint_memmap *m);

/*
 * Fill m with a built-in preset ("kexec-mint") for nr_nodes nodes. -ENOENT
 * for an unknown preset, -ERANGE for an unsupported node count.
 */
int mint_memmap_preset(struct mint_memmap *m, const char *preset, unsigned int nr_nodes);

/*
 * Parse a layout file (docs/memmap.md) held in text[0..len) into m; name is
 * used in messages ("layout.txt:12: unknown key 'foo'"). text need not be
 * NUL-terminated. -EINVAL for a syntax or semantic error in a line.
 * Does not validate the whole layout: call mint_memmap_validate().
 */
int mint_memmap_parse(struct mint_memmap *m, const char *name, const char *text, size_t len);

/*
 * Add a firmware range every node sees (e.g. the running machine's ACPI
 * tables from /sys/firmware/memmap). type is MINT_MEMMAP_E820_RESERVED,
 * _ACPI, _NVS or _UNUSABLE (map other non-RAM types to _RESERVED). A range
 * that overlaps or touches one of the same type is merged with it, so every
 * non-RAM entry of the machine's map can be added on top of a preset.
 * Overlaps with RAM or another type are left to mint_memmap_validate().
 * Clears m->validated.
 */
int mint_memmap_add_firmware(struct mint_memmap *m, u64 start, u64 size, u32 type);

/*
 * Check the whole layout (overlaps, installed memory, alignment, kernel
 * region, CPUs, monitors, windows, e820 size). Sets m->validated on success.
 */
int mint_memmap_validate(struct mint_memmap *m);

/* The reason for the last failure on m, or "" (never NULL). */
const char *mint_memmap_strerror(const struct mint_memmap *m);

/* Kernel window of a node: its kernel region, where kexec puts every segment. */
int mint_memmap_node_kernel_window(const struct mint_memmap *m, unsigned int node,
				   struct mint_memmap_range *window_ret);

/* Reserved windows of a node, sorted by address (nr == 0 if it monitors nothing). */
int mint_memmap_node_windows(const struct mint_memmap *m, unsigned int node,
			     struct mint_memmap_windows *windows_ret);

/*
 * The e820 map node must boot with: its regions as RAM, the firmware ranges
 * with their types, every other node's regions and its explicit windows as
 * RESERVED; nothing else.
 */
int mint_memmap_node_e820(const struct mint_memmap *m, unsigned int node,
			  struct mint_memmap_e820 *e820_ret);

/*
 * The same map as kernel arguments, NUL-terminated in buf:
 * "memmap=exactmap memmap=SIZE@START ..." with '@' for RAM, '#' for ACPI
 * data and '$' for every other type. Returns the string length, or -ENOSPC
 * if buf (size bytes) is too small.
 */
int mint_memmap_node_cmdline(const struct mint_memmap *m, unsigned int node, char *buf,
			     size_t size);

/* Total RAM of a node in bytes. */
int mint_memmap_node_ram(const struct mint_memmap *m, unsigned int node, u64 *ram_ret);

/* The node whose RAM holds physical address addr, or -ENOENT. */
int mint_memmap_owner(const struct mint_memmap *m, u64 addr);

/* "RAM", "reserved", "ACPI", "NVS", "unusable" or "unknown". */
const char *mint_memmap_e820_type_name(u32 type);

/* Pieces of a range: what mint_memmap_subtract_foreign() leaves of it. */
struct mint_memmap_ranges {
	unsigned int nr;
	struct mint_memmap_range r[MINT_MEMMAP_MAX_NODES * MINT_MEMMAP_MAX_REGIONS +
				   MINT_MEMMAP_MAX_WINDOWS + 1];
};

/*
 * What is left of [start, start + size) once everything node's e820 reserves
 * on the layout's behalf is cut out: every other node's RAM regions and
 * node's explicit windows. The pieces are sorted (none if nothing is left).
 * kexec uses it on a reserved range of the running machine's map: on a node
 * that a Mint kexec booted, the map read back holds its peers' memory as
 * reserved, possibly merged by the kernel with adjacent firmware ranges, and
 * only the rest is firmware. Needs no validation (adding firmware clears
 * it); -ENOENT for a node that does not exist, -EINVAL for an empty or
 * wrapping range.
 */
int mint_memmap_subtract_foreign(const struct mint_memmap *m, unsigned int node, u64 start,
				 u64 size, struct mint_memmap_ranges *ranges_ret);

/*
 * Identity hand-over: kexec-mint tells a node kernel which layout it was
 * booted with and which node it is, in an x86 setup_data entry of this type
 * (boot protocol; the kernel ignores unknown types and exposes each entry in
 * /sys/kernel/boot_params/setup_data/N/{type,data}), and on its command line
 * as "mint_node=K mint_layout=HHHHHHHHHHHHHHHH" (the layout hash, %016llx).
 */
#define MINT_MEMMAP_SETUP_DATA_TYPE	0x4d494e54U	/* "TNIM" */
/* First header field: bytes 'M','T','N','H' when stored little-endian. */
#define MINT_MEMMAP_HANDOVER_MAGIC	0x484e544dU
#define MINT_MEMMAP_HANDOVER_VERSION	1
#define MINT_MEMMAP_TEXT_MAX		32768	/* longest canonical layout text */

/*
 * The hand-over blob: this header, little-endian, then text_len bytes of
 * canonical layout text (mint_memmap_format()), no NUL. The text starts at
 * hdr_size, so a later version may grow the header.
 */
struct mint_memmap_handover {
	u32 magic;		/* MINT_MEMMAP_HANDOVER_MAGIC */
	u16 version;		/* MINT_MEMMAP_HANDOVER_VERSION */
	u16 hdr_size;		/* sizeof(struct mint_memmap_handover) = 24 */
	u32 node;		/* the node this blob boots */
	u32 text_len;
	u64 hash;		/* mint_memmap_hash() of the text */
};

/*
 * Canonical layout text (docs/memmap.md syntax) that mint_memmap_parse()
 * reads back into an equal layout: same memory, nodes, regions with names
 * and kernel flag, CPUs, monitors, windows and firmware ranges (including
 * firmware added with mint_memmap_add_firmware(), sorted by address).
 * Deterministic: the same layout always gives the same bytes. Returns the
 * length (no NUL written beyond size; NUL-terminated if there is room) or
 * -ENOSPC; -EINVAL for a layout that has not passed validation. Never longer
 * than MINT_MEMMAP_TEXT_MAX.
 */
int mint_memmap_format(const struct mint_memmap *m, char *buf, size_t size);

/* FNV-1a 64 of len bytes: the layout's identity, printed as %016llx. */
u64 mint_memmap_hash(const void *data, size_t len);

/*
 * Build the hand-over blob for node into buf (size bytes; at most
 * sizeof(struct mint_memmap_handover) + MINT_MEMMAP_TEXT_MAX are needed).
 * Returns its length, -ENOSPC if buf is too small, -EINVAL for a layout that
 * has not passed validation, -ENOENT for a node it does not have.
 */
int mint_memmap_handover_build(const struct mint_memmap *m, unsigned int node, void *buf,
			       size_t size);

/*
 * Parse an untrusted hand-over blob of len bytes in stages: the header
 * (magic, version, hdr_size >= 24 and <= len, text_len <= TEXT_MAX and
 * fitting after the header; -EINVAL), the hash (-EBADMSG), the text with
 * mint_memmap_parse() and mint_memmap_validate() (their errors), then the
 * node (-ENOENT). Bytes after the text are ignored. On success fills m
 * (caller storage, validated) and writes *node_ret and *hash_ret; on failure
 * m->errmsg says why, starting with "hand-over:".
 */
int mint_memmap_handover_parse(struct mint_memmap *m, const void *blob, size_t len,
			       unsigned int *node_ret, u64 *hash_ret);

#endif /* MINTMON_MEMMAP_H */
