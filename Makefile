# mintmon: top-level build.
#
#   make            build/bin/mintmon and build/bin/mint-memmap
#   make check      install what the tests need, then unit, fuzz-smoke and integration tests
#   make unit       cmocka unit tests under AddressSanitizer and UBSan
#   make fuzz       build the libFuzzer entry points (clang)
#   make demo       boot a guest and show `mintmon info` and `mintmon ps` of it
#   make demo-mint  the Mint demo: node 0 of the emulated 3-node machine shows
#                   each peer's state and process list through mintmon.ko
#   make bench      measure mintmon against drgn (docs/benchmarks.md)
#
# Each directory adds its sources in its own build.mk:
#   CORE_SRCS      freestanding core, shared with the kernel module (no libc)
#   USER_SRCS      user-space library code (readers, shim, output)
#   PROGRAMS       programs under build/bin; PROG_<name>_SRCS their main sources
#   UNIT_TESTS     tests/unit/test_<name>.c, linked against the sanitized library
#   FUZZERS        tests/fuzz/fuzz_<name>.c
#   CHECK_STEPS    extra targets `make check` runs after the unit tests

CC ?= cc
CLANG ?= clang
BUILD ?= build

CPPFLAGS += -Iinclude -D_GNU_SOURCE
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wvla -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARNINGS) -fno-strict-aliasing
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDLIBS += -lelf -lxxhash -lcrypto -lz -llzma -lzstd

CORE_SRCS :=
USER_SRCS :=
PROGRAMS :=
UNIT_TESTS :=
FUZZERS :=
CHECK_STEPS :=

# `make` with no target builds the programs. Declared before the includes so
# no rule in a build.mk becomes the default goal; .DEFAULT_GOAL after them
# (below) keeps it so even if a build.mk sets its own.
all:

include monitor/build.mk
include monitor/kmod/build.mk
-include memmap/build.mk
-include tests/unit/build.mk
-include tests/fuzz/build.mk
-include tests/integration/build.mk
-include tests/mint/build.mk
-include kexec-patches/build.mk
-include tests/lib/build.mk
.DEFAULT_GOAL := all

LIB_SRCS := $(CORE_SRCS) $(USER_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)

.PHONY: all check unit fuzz fuzz-smoke demo bench clean setup check-freestanding check-kbuild \
	install check-install
all: $(PROGRAMS:%=$(BUILD)/bin/%)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANITIZE) -MMD -MP -c -o $@ $<

$(BUILD)/libmintmon.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libmintmon-asan.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

define program_template
$(BUILD)/bin/$(1): $$(PROG_$(1)_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libmintmon.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)

$(BUILD)/asan/bin/$(1): $$(PROG_$(1)_SRCS:%.c=$(BUILD)/asan/%.o) $(BUILD)/libmintmon-asan.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SANITIZE) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_template,$(p))))

$(BUILD)/test/%: tests/unit/%.c $(BUILD)/libmintmon-asan.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SANITIZE) -o $@ $^ -lcmocka $(LDLIBS)

unit: $(UNIT_TESTS:%=$(BUILD)/test/%)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

# The core must link into a kernel module: it may call nothing but the
# functions platform.h allows. Checked on the objects' undefined symbols.
CORE_ALLOWED := memcpy memset memcmp memchr memmove strlen strnlen strcmp strncmp \
	mintmon_malloc mintmon_calloc mintmon_free mintmon_debug mintmon_snprintf mintmon_vsnprintf \
	mintmon_log \
	__stack_chk_fail
check-freestanding: $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)
	@bad=$$(nm -u $^ | awk 'NF==2 {print $$2}' | sort -u | \
		grep -vxE '$(subst $() ,|,$(CORE_ALLOWED))|(mintmon|mint_memmap)_[a-z0-9_]+|_GLOBAL_OFFSET_TABLE_' || true); \
	if [ -n "$$bad" ]; then echo "core calls outside platform.h: $$bad"; exit 1; fi; \
	echo "freestanding core: OK ($(words $(CORE_SRCS)) files)"

# ...and it must build as kernel code: a compile-only module against Debian's
# 6.1 headers, warnings as errors (nothing is loaded).
check-kbuild:
	tests/kbuild/check.sh $(BUILD)

FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -g -O1
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -std=gnu11 $(FUZZ_FLAGS) -o $@ $^ $(LDLIBS)

fuzz: $(FUZZERS:%=$(BUILD)/fuzz/%)

# A short, seeded run of every fuzzer (15 s each): catches crashes on the seeds and
# near mutations of them, not a substitute for long fuzzing sessions.
fuzz-smoke: fuzz
	@set -e; for f in $(FUZZERS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		if ! $(BUILD)/fuzz/$$f -max_total_time=15 -seed=1 -max_len=65536 \
			$(BUILD)/fuzz/corpus-$$f tests/fuzz/seeds/$$f > $(BUILD)/fuzz/$$f.log 2>&1; then \
			tail -n 40 $(BUILD)/fuzz/$$f.log; echo "fuzz-smoke: $$f FAILED"; exit 1; fi; \
		echo "fuzz-smoke: $$f: $$(grep -o 'Done [0-9]* runs' $(BUILD)/fuzz/$$f.log)"; done

setup:
	tests/setup.sh

# mintmon against drgn with full debug info on the same paused guest.
bench: setup $(BUILD)/bin/mintmon
	python3 tests/bench/bench.py --mintmon $(BUILD)/bin/mintmon --out $(BUILD)/bench.md

# The README's two commands each set everything up first.
demo: setup

check: setup all check-freestanding check-kbuild check-install unit fuzz-smoke $(CHECK_STEPS)
	@echo "make check: all steps passed"

# make install [PREFIX=/usr/local] [DESTDIR=...]: the programs, their man pages, the
# systemd unit for `mintmon watch` and the example Prometheus alerting rules.
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/share/doc/mintmon
	install -m 0755 $(PROGRAMS:%=$(BUILD)/bin/%) $(DESTDIR)$(PREFIX)/bin
	install -m 0644 docs/man/mintmon.8 docs/man/mint-memmap.8 $(DESTDIR)$(PREFIX)/share/man/man8
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|' docs/examples/mintmon-watch.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/mintmon-watch.service
	install -m 0644 docs/examples/mintmon-alerts.yml $(DESTDIR)$(PREFIX)/share/doc/mintmon

# What install puts where, checked in a scratch DESTDIR (part of check): the man
# pages render without warnings, the unit parses, the alerting rules load.
check-install:
	@d=$$(mktemp -d); trap 'rm -rf '"$$d" EXIT; \
	$(MAKE) -s install DESTDIR=$$d PREFIX=/usr >/dev/null && \
	test -x $$d/usr/bin/mintmon && test -x $$d/usr/bin/mint-memmap && \
	for m in mintmon mint-memmap; do \
		w=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l $$d/usr/share/man/man8/$$m.8 2>&1 >/dev/null); \
		if [ -n "$$w" ]; then echo "check-install: $$m.8: $$w"; exit 1; fi; done && \
	grep -q '^ExecStart=/usr/bin/mintmon watch' $$d/usr/lib/systemd/system/mintmon-watch.service && \
	promtool check rules $$d/usr/share/doc/mintmon/mintmon-alerts.yml >/dev/null && \
	echo "check-install: programs, man pages, unit and alerting rules install and parse"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan -name '*.d' 2>/dev/null)

# What `mintmon watch` costs and how fast it notices a hang or a panic (docs/benchmarks.md).
bench-health: setup $(BUILD)/bin/mintmon guest
	python3 tests/bench/bench_health.py --mintmon $(BUILD)/bin/mintmon --out $(BUILD)/bench-health.md
.PHONY: bench-health

# What `mintmon text` costs against sha256sum of the same bytes (docs/benchmarks.md).
bench-text: setup $(BUILD)/bin/mintmon guest
	python3 tests/bench/bench_text.py --mintmon $(BUILD)/bin/mintmon --out $(BUILD)/bench-text.md
.PHONY: bench-text
