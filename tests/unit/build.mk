UNIT_TESTS += test_arch_x86_64
UNIT_TESTS += test_btf
UNIT_TESTS += test_kallsyms
UNIT_TESTS += test_tasks
UNIT_TESTS += test_kernel
UNIT_TESTS += test_memory
UNIT_TESTS += test_memmap test_memmap_parse
UNIT_TESTS += test_reader
UNIT_TESTS += test_error
UNIT_TESTS += test_field
UNIT_TESTS += test_tty
UNIT_TESTS += test_session
UNIT_TESTS += test_printk
UNIT_TESTS += test_health
UNIT_TESTS += test_text test_text_x86_64 test_text_watch test_baseline test_modules test_image
# Tests that run on the synthetic kernel link its builder, tests/unit/synth_kernel.c: this static
# pattern rule, being explicit, wins over the top Makefile's $(BUILD)/test/% for them.
SYNTH_TESTS := test_kernel test_tasks test_session test_printk test_text test_text_watch test_modules
$(SYNTH_TESTS:%=$(BUILD)/test/%): $(BUILD)/test/%: tests/unit/%.c tests/unit/synth_kernel.c \
		tests/unit/synth_kernel.h $(BUILD)/libmintmon-asan.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SANITIZE) -pthread -o $@ \
		$(filter %.c %.a,$^) -lcmocka $(LDLIBS)
UNIT_TESTS += test_cache
$(BUILD)/test/test_cache: tests/unit/test_cache.c tests/unit/synth_kernel.c tests/unit/synth_kernel.h $(BUILD)/libmintmon-asan.a ; @mkdir -p $(@D) && $(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SANITIZE) -o $@ $(filter %.c %.a,$^) -lcmocka $(LDLIBS)
