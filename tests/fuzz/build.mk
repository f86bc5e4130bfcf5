FUZZERS += fuzz_btf
FUZZERS += fuzz_kallsyms
FUZZERS += fuzz_vmcoreinfo
FUZZERS += fuzz_elf_core
FUZZERS += fuzz_memmap_layout
