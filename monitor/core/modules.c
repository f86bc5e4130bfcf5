// SPDX-License-Identifier: GPL-2.0
/* The module list of a watched kernel (modules.h). */
#include "mintmon/modules.h"

#define MODULE_REF_BASE 1	/* kernel/module/main.c */

static const char *const state_names[] = {"Live", "Loading", "Unloading", "Unformed"};

const char *mintmon_module_state_name(u32 state)
{
	return state < MINTMON_ARRAY_SIZE(state_names) ? state_names[state] : "Unformed";
}

struct layout {
	struct mintmon_field list, name, state, taints, refcnt;
	/* v6.4+: mem[n] of struct module_memory { base, size, ... }. */
	u64 mem_off, mem_stride;
	u32 mem_n;
	struct mintmon_field mem_base, mem_size;
	/* Up to v6.3: core_layout { base, size, text_size, ... }, init_layout. */
	struct mintmon_field core_base, core_size, core_text, init_size;
	u64 span;		/* bytes of struct module read per module */
};

static int learn(struct mintmon_kernel *k, struct layout *l)
{
	const struct mintmon_btf *btf = k->btf;
	struct mintmon_btf_member_info mi;
	struct mintmon_btf_array_info ai;
	u32 id;
	u64 hi = 0;
	const struct mintmon_field *all[12];
	unsigned int n = 0;
	u64 lo;

	memset(l, 0, sizeof(*l));
	if (mintmon_field_init(btf, "module", "list.next", true, &l->list) ||
	    mintmon_field_init(btf, "module", "name", true, &l->name) ||
	    mintmon_field_init(btf, "module", "state", true, &l->state))
		return -ENOENT;
	mintmon_field_init(btf, "module", "taints", false, &l->taints);
	mintmon_field_init(btf, "module", "refcnt.counter", false, &l->refcnt);
	if (!mintmon_btf_find(btf, "module", MINTMON_BTF_KIND_STRUCT, &id) &&
	    !mintmon_btf_member(btf, id, "mem", &mi) &&
	    !mintmon_btf_array_info(btf, mi.type_id, &ai) && ai.nelems && ai.nelems <= 16 &&
	    !mintmon_btf_type_size(btf, ai.elem_type, &l->mem_stride) && l->mem_stride &&
	    !mintmon_field_init(btf, "module_memory", "base", true, &l->mem_base) &&
	    !mintmon_field_init(btf, "module_memory", "size", true, &l->mem_size)) {
		l->mem_off = mi.bit_offset / 8;
		l->mem_n = ai.nelems;
		hi = l->mem_off + (u64)ai.nelems * l->mem_stride;
	} else {
		mintmon_field_init(btf, "module", "core_layout.base", false, &l->core_base);
		mintmon_field_init(btf, "module", "core_layout.size", false, &l->core_size);
		mintmon_field_init(btf, "module", "core_layout.text_size", false, &l->core_text);
		mintmon_field_init(btf, "module", "init_layout.size", false, &l->init_size);
		if (!l->core_base.present || !l->core_size.present)
			return -ENOENT;
	}
	all[n++] = &l->list, all[n++] = &l->name, all[n++] = &l->state, all[n++] = &l->taints;
	all[n++] = &l->refcnt, all[n++] = &l->core_base, all[n++] = &l->core_size;
	all[n++] = &l->core_text, all[n++] = &l->init_size;
	mintmon_field_span(all, n, &lo, &l->span);
	if (hi > l->span)
		l->span = hi;
	return l->span > (64u << 10) ? -EINVAL : 0;
}

int mintmon_modules_list(struct mintmon_kernel *k, struct mintmon_module *mods, u32 max,
			 u32 *nr_ret, u32 *broken_ret)
{
	struct layout l;
	u64 head, node, saved = 0;
	u32 nr = 0, steps, power = 1, lam = 0, broken = 0;
	u8 *span;
	int err;

	if (mintmon_kallsyms_lookup(k->kallsyms, "modules", &head))
		return mintmon_fail(k->err, -ENOENT, "modules", "kallsyms has no module list");
	err = learn(k, &l);
	if (err)
		return mintmon_fail(k->err, err, "modules", "struct module's layout is unknown");
	span = mintmon_malloc(l.span);
	if (!span)
		return mintmon_fail(k->err, -ENOMEM, "modules", "out of memory");
	if (mintmon_kernel_read_u64(k, head, &node)) {
		mintmon_free(span);
		return mintmon_fail_at(k->err, -EFAULT, "modules", MINTMON_NO_ADDR, head,
				       "cannot read the module list");
	}
	for (steps = 0; node != head && steps < MINTMON_MODULES_MAX; steps++) {
		struct mintmon_module *m;
		u64 mod = node - l.list.off, next;
		u32 i;

		/* Brent: a node seen twice is a loop. */
		if (saved && node == saved) {
			broken++;
			break;
		}
		if (++lam == power) {
			saved = node;
			power *= 2;
			lam = 0;
		}
		if (!node || mintmon_kernel_read(k, 0, mod, span, l.span, NULL)) {
			broken++;
			break;
		}
		next = mintmon_field_get(&l.list, span, 0, l.span);
		if (nr < max) {
			m = &mods[nr];
			memset(m, 0, sizeof(*m));
			m->addr = mod;
			memcpy(m->name, span + l.name.off,
			       l.name.size < MINTMON_MODULE_NAME_LEN ? l.name.size :
								       MINTMON_MODULE_NAME_LEN);
			for (i = 0; i < MINTMON_MODULE_NAME_LEN; i++) {
				if (!m->name[i])
					break;
				if (m->name[i] < ' ' || m->name[i] > '~')
					m->name[i] = '?';	/* the target's bytes */
			}
			m->name[i] = '\0';
			m->state = (u32)mintmon_field_get(&l.state, span, 0, l.span);
			m->taints = mintmon_field_get(&l.taints, span, 0, l.span);
			m->refcnt = l.refcnt.present ?
				(s64)(s32)mintmon_field_get(&l.refcnt, span, 0, l.span) - MODULE_REF_BASE :
				-1;
			if (l.mem_n) {
				for (i = 0; i < l.mem_n; i++) {
					const u8 *e = span + l.mem_off + (u64)i * l.mem_stride;
					u64 sz = mintmon_field_get(&l.mem_size, e, 0, l.mem_stride);

					m->size += sz;
					if (i == 0) {	/* MOD_TEXT */
						m->text_base = mintmon_field_get(&l.mem_base, e, 0,
										 l.mem_stride);
						m->text_size = sz;
					}
				}
			} else {
				m->text_base = mintmon_field_get(&l.core_base, span, 0, l.span);
				m->text_size = mintmon_field_get(&l.core_text, span, 0, l.span);
				m->size = mintmon_field_get(&l.core_size, span, 0, l.span) +
					  mintmon_field_get(&l.init_size, span, 0, l.span);
			}
		}
		nr++;
		node = next;
	}
	if (steps >= MINTMON_MODULES_MAX)
		broken++;
	mintmon_free(span);
	*nr_ret = nr < max ? nr : max;
	if (broken_ret)
		*broken_ret = broken;
	return 0;
}
