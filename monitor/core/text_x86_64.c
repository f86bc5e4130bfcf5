// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 encodings a run-time patch site may hold (text.h), as the
 * kernel writes them:
 *   jump labels   arch/x86/kernel/jump_label.c: jmp8/jmp32 to the target,
 *                 or x86_nops[2] / x86_nops[5]
 *   static calls  arch/x86/kernel/static_call.c: call/jmp rel32 to the
 *                 function, x86_nops[5] for a NULL call, "ret; int3 x4"
 *                 or a jmp to the return thunk for a NULL tail call,
 *                 xor5rax for __static_call_return0, Jcc.d32 for a
 *                 conditional tail call
 *   ftrace        arch/x86/kernel/ftrace.c: x86_nops[5] or call rel32
 *   kprobes       INT3 (0xcc), or an optimized probe's jmp rel32
 */
#include "mintmon/text.h"

static const u8 nop2[] = {0x66, 0x90};
static const u8 nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
static const u8 ret5[] = {0xc3, 0xcc, 0xcc, 0xcc, 0xcc};
static const u8 xor5[] = {0x2e, 0x2e, 0x2e, 0x31, 0xc0};

static const char *const form_names[MINTMON_FORM_NR] = {
	"nop2", "nop5", "jmp8", "jmp32", "call", "ret", "xor5", "int3", "jcc32",
};

const char *mintmon_text_form_name(u16 form)
{
	unsigned int i;

	for (i = 0; i < MINTMON_FORM_NR; i++) {
		if (form == 1u << i)
			return form_names[i];
	}
	return "?";
}

static u64 rel_target(u64 addr, u32 len, s64 rel)
{
	return addr + len + (u64)rel;
}

/* Which form bytes hold (any target), with its target and length; 0 if none. */
u16 mintmon_text_form_of(const u8 *b, u32 avail, u64 addr, u64 *target_ret, u32 *len_ret)
{
	u64 target = 0;
	u16 form = 0;
	u32 len = 0;

	if (avail >= 5 && !memcmp(b, nop5, 5)) {
		form = MINTMON_FORM_NOP5, len = 5;
	} else if (avail >= 2 && !memcmp(b, nop2, 2)) {
		form = MINTMON_FORM_NOP2, len = 2;
	} else if (avail >= 5 && !memcmp(b, ret5, 5)) {
		form = MINTMON_FORM_RET, len = 5;
	} else if (avail >= 5 && !memcmp(b, xor5, 5)) {
		form = MINTMON_FORM_XOR5, len = 5;
	} else if (avail >= 5 && (b[0] == 0xe8 || b[0] == 0xe9)) {
		form = b[0] == 0xe8 ? MINTMON_FORM_CALL32 : MINTMON_FORM_JMP32, len = 5;
		target = rel_target(addr, 5, (s32)mintmon_le32(b + 1));
	} else if (avail >= 2 && b[0] == 0xeb) {
		form = MINTMON_FORM_JMP8, len = 2;
		target = rel_target(addr, 2, (s8)b[1]);
	} else if (avail >= 6 && b[0] == 0x0f && (b[1] & 0xf0) == 0x80) {
		form = MINTMON_FORM_JCC32, len = 6;
		target = rel_target(addr, 6, (s32)mintmon_le32(b + 2));
	} else if (avail >= 1 && b[0] == 0xcc) {
		form = MINTMON_FORM_INT3, len = 1;
	}
	if (form) {
		*target_ret = target;
		*len_ret = len;
	}
	return form;
}

static bool has_target(const struct mintmon_text_site *site, u64 target)
{
	unsigned int i;

	for (i = 0; i < site->nr_targets && i < MINTMON_SITE_MAX_TARGETS; i++) {
		if (site->targets[i] == target)
			return true;
	}
	return false;
}

int mintmon_text_site_match(const struct mintmon_text_site *site, const u8 *bytes, u32 avail,
			    u16 *form_ret, u32 *len_ret)
{
	u64 target;
	u32 len;
	u16 form = mintmon_text_form_of(bytes, avail, site->addr, &target, &len);

	if (!(form & site->forms))
		return 0;
	switch (form) {
	case MINTMON_FORM_JMP8:
	case MINTMON_FORM_JMP32:
	case MINTMON_FORM_CALL32:
	case MINTMON_FORM_JCC32:
		/* The decoded target must be one the state allows. */
		if (!has_target(site, target))
			return 0;
		break;
	default:
		break;
	}
	*form_ret = form;
	*len_ret = len;
	return 1;
}
