FUZZERS += fuzz_btf
FUZZERS += fuzz_kallsyms
FUZZERS += fuzz_vmcoreinfo
FUZZERS += fuzz_elf_core
FUZZERS += fuzz_memmap_layout
FUZZERS += fuzz_memmap_handover
FUZZERS += fuzz_discovery
$(BUILD)/fuzz/fuzz_discovery: tests/unit/synth_kernel.c	# the synthetic kernel it patches
FUZZERS += fuzz_printk
$(BUILD)/fuzz/fuzz_printk: tests/unit/synth_kernel.c	# the synthetic kernel whose log it patches
FUZZERS += fuzz_text
$(BUILD)/fuzz/fuzz_text: tests/unit/synth_kernel.c	# the synthetic kernel whose text metadata it patches
FUZZERS += fuzz_baseline
FUZZERS += fuzz_image
