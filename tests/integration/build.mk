# Integration tests: real Debian kernels under QEMU (docs/testbed.md).
#   make guest        the static guest programs and the scenario initramfs
#   make integration  all kernels, 4- and 5-level paging, an ELF core; live,
#                     reset and kexec on two of them
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

demo: $(BUILD)/bin/mintmon $(GUEST_INITRAMFS)
	$(PYTHON) tests/integration/demo.py --mintmon $(BUILD)/bin/mintmon --initrd $(GUEST_INITRAMFS)

CHECK_STEPS += integration
.PHONY: guest integration
