# Integration tests: real Debian kernels under QEMU (docs/testbed.md).
#   make guest        the static guest programs and the scenario initramfs
#   make integration  all kernels, 4- and 5-level paging, an ELF core; live,
#                     reset and kexec on two of them
#   make check-kernels  every Debian series x flavour (longer; not in check)
#   make demo         boot a 6.12 guest, show `mintmon info` and `mintmon ps` of it

PYTHON ?= python3
GUEST_PROGS := threads runas zombie longargs vartest truth churn ttyrun
GUEST_BINS := $(GUEST_PROGS:%=$(BUILD)/guest/%)
GUEST_INITRAMFS := $(BUILD)/guest/scenario.cpio.gz
GUEST_CFLAGS := -static -O2 -Wall -Wextra -pthread

$(BUILD)/guest/%: tests/guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $< $(if $(filter truth,$*),-lz)

$(GUEST_INITRAMFS): $(GUEST_BINS) tests/guest/scenario.sh tests/lib/initramfs.py
	$(PYTHON) tests/lib/initramfs.py -o $@ --init tests/guest/scenario.sh \
		$(foreach p,$(GUEST_PROGS),--file $(BUILD)/guest/$(p):/bin/$(p))

INTEGRATION_FLAGS ?= --logs $(BUILD)/integration-logs

guest: $(GUEST_INITRAMFS)

# kexec-upstream: two runs kexec their guest into the other kernel release.
integration: $(BUILD)/bin/mintmon $(GUEST_INITRAMFS) $(BUILD)/bin/kexec-upstream
	$(PYTHON) tests/integration/test_kernels.py --mintmon $(BUILD)/bin/mintmon \
		--initrd $(GUEST_INITRAMFS) --kexec $(BUILD)/bin/kexec-upstream $(INTEGRATION_FLAGS)

# Every Debian kernel series (tests/lib/kernels.py) in every flavour: the
# integration runs plus one run of each kernel they leave out, then the big
# guests (not in check). Both always run; either failing fails the target.
check-kernels: $(BUILD)/bin/mintmon $(GUEST_INITRAMFS) $(BUILD)/bin/kexec-upstream
	@rc=0; \
	$(PYTHON) tests/integration/test_kernels.py --all-kernels --mintmon $(BUILD)/bin/mintmon \
		--initrd $(GUEST_INITRAMFS) --kexec $(BUILD)/bin/kexec-upstream $(INTEGRATION_FLAGS) \
		|| rc=1; \
	$(PYTHON) tests/integration/test_bigmem.py --mintmon $(BUILD)/bin/mintmon \
		--initrd $(GUEST_INITRAMFS) --logs $(BUILD)/integration-logs/bigmem || rc=1; \
	if [ $$rc = 0 ]; then echo "check-kernels: all passed"; else echo "check-kernels: FAILED"; fi; \
	exit $$rc

# Guests past the PCI hole (4 GiB q35, 8 GiB pc): QEMU's split memory file, as file: and
# as an ELF core. Not in check: about 7 minutes, 8 GiB of /dev/shm at a time.
integration-bigmem: $(BUILD)/bin/mintmon $(GUEST_INITRAMFS)
	$(PYTHON) tests/integration/test_bigmem.py --mintmon $(BUILD)/bin/mintmon \
		--initrd $(GUEST_INITRAMFS) --logs $(BUILD)/integration-logs/bigmem
.PHONY: integration-bigmem

# make demo DEMO=mint is make demo-mint (tests/mint/build.mk).
ifeq ($(DEMO),mint)
demo: demo-mint
else
demo: $(BUILD)/bin/mintmon $(GUEST_INITRAMFS)
	$(PYTHON) tests/integration/demo.py --mintmon $(BUILD)/bin/mintmon --initrd $(GUEST_INITRAMFS)
	@echo "The Mint demo (node 0 watching its peers through mintmon.ko): make demo-mint"
endif

CHECK_STEPS += integration
.PHONY: guest integration check-kernels
