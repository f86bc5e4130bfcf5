UNIT_TESTS += test_arch_x86_64
UNIT_TESTS += test_btf
UNIT_TESTS += test_kallsyms
UNIT_TESTS += test_tasks
UNIT_TESTS += test_kernel
UNIT_TESTS += test_memory
UNIT_TESTS += test_memmap test_memmap_parse
UNIT_TESTS += test_reader
