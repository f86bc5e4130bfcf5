# The emulated Mint machine (docs/mint-machine.md): three QEMU guests share one
# memory file; each boots a bootstrap kernel that kexecs its node kernel.
#   make mint-test     boot it with kexec-mint and check windows, maps and a
#                      memory stress; boot it with kexec-upstream, expect the flaw
#   make mint-up       boot it and leave it running (tests/mint/mint-machine)
#   make mint-status   show the running machine
#   make mint-down     stop it and remove its files
#   make demo-mint     boot it, load mintmon.ko on node 0 and show each peer's
#                      state and process list from node 0
#   make bench-mint    the module's watchdog cost and ps through /dev/mint/N
#                      (docs/benchmarks.md)

PYTHON ?= python3
MINT_NODES ?= 3
MINT_KEXEC ?= mint
MINT_TEST_FLAGS ?=
MINT_DEPS := $(BUILD)/bin/kexec-mint $(BUILD)/bin/kexec-upstream $(BUILD)/bin/mint-memmap \
	$(BUILD)/bin/mintmon \
	$(BUILD)/mint/memstress

# Runs in the node kernels' busybox initramfs: static.
$(BUILD)/mint/memstress: tests/mint/guest/memstress.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -std=gnu11 $(WARNINGS) -o $@ $<

$(BUILD)/mint/mapcheck: tests/mint/guest/mapcheck.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -std=gnu11 $(WARNINGS) -o $@ $<

# What tests/mint/module_checks.py's node_files() puts in the nodes. Built
# without stopping mint-test: if one fails to build, the test reports it
# (FAIL module-files) and every other case still runs.
MINT_MODULE_DEPS := $(BUILD)/kmod/mintmon.ko $(BUILD)/mint/mapcheck $(BUILD)/guest/truth \
	$(BUILD)/guest/vartest

.PHONY: mint-test mint-up mint-down mint-status demo-mint bench-mint
mint-test: $(MINT_DEPS)
	-$(MAKE) --no-print-directory $(MINT_MODULE_DEPS)
	$(PYTHON) tests/mint/test_mint.py --logs $(BUILD)/mint/logs --mintmon $(BUILD)/bin/mintmon \
		$(MINT_TEST_FLAGS)

demo-mint: setup $(MINT_DEPS) $(MINT_MODULE_DEPS)
	$(PYTHON) tests/mint/demo_mint.py --mintmon $(BUILD)/bin/mintmon

bench-mint: setup $(MINT_DEPS) $(MINT_MODULE_DEPS)
	$(PYTHON) tests/bench/bench_mint.py --mintmon $(BUILD)/bin/mintmon --out $(BUILD)/bench-mint.md

mint-up: $(MINT_DEPS)
	$(PYTHON) tests/mint/mint-machine up --nodes $(MINT_NODES) --kexec $(MINT_KEXEC)

mint-status:
	-$(PYTHON) tests/mint/mint-machine status

mint-down:
	$(PYTHON) tests/mint/mint-machine down

CHECK_STEPS += mint-test
