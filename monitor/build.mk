# The introspection core (freestanding, shared with the node-0 module) and the mintmon CLI.
CORE_SRCS += monitor/core/memory.c monitor/core/btf.c monitor/core/kallsyms.c \
	monitor/core/arch_x86_64.c monitor/core/kernel.c monitor/core/tasks.c
USER_SRCS += monitor/user/shim.c monitor/user/reader.c
PROGRAMS += mintmon
PROG_mintmon_SRCS := monitor/user/main.c
