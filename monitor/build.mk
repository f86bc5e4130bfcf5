# The introspection core (freestanding, shared with the node-0 module) and the mintmon CLI.
CORE_SRCS += monitor/core/error.c monitor/core/memory.c monitor/core/btf.c \
	monitor/core/kallsyms.c monitor/core/field.c monitor/core/session.c \
	monitor/core/arch_x86_64.c monitor/core/kernel.c monitor/core/tasks.c \
	monitor/core/printk.c monitor/core/health.c \
	monitor/core/text.c monitor/core/text_x86_64.c monitor/core/text_watch.c \
	monitor/core/modules.c
USER_SRCS += monitor/user/shim.c monitor/user/reader.c monitor/user/cache.c \
	monitor/user/layout.c monitor/user/baseline.c monitor/user/image.c
PROGRAMS += mintmon
PROG_mintmon_SRCS := monitor/user/main.c monitor/user/cli.c monitor/user/cmd_info.c \
	monitor/user/cmd_syms.c monitor/user/cmd_ps.c monitor/user/cmd_mem.c monitor/user/cmd_poll.c \
	monitor/user/cmd_dmesg.c monitor/user/cmd_health.c monitor/user/cmd_watch.c \
	monitor/user/cmd_nodes.c monitor/user/cmd_text.c monitor/user/text_image.c monitor/user/cmd_lsmod.c
