# mintmon.ko (monitor/kmod/, docs/module.md), built from the same core and
# layout-engine sources as the tool, against Debian's headers for the Mint
# test machine's node kernel (the 6.1 amd64 release tests/lib/kernels.py
# fetches; evaluated only when a module is built).
#   make kmod          build/kmod/mintmon.ko and mintmon_dev.ko
#   make dkms-source   build/dkms/mintmon-VERSION/ (copy to /usr/src/ for dkms add)
#   make check-dkms    dkms add + build of that tree for the same release, in a
#                      private dkms tree under build/dkms/ (nothing installed)
KMOD_KERNEL ?= 6.1-amd64
KMOD_KVER ?= $(shell $(PYTHON) tests/lib/kernels.py $(KMOD_KERNEL) | awk '{print $$2}')
KMOD_VERSION := 0.1
KMOD_SRCS := $(wildcard monitor/kmod/*.c monitor/kmod/*.h include/mintmon/*.h) \
	monitor/kmod/Kbuild monitor/kmod/dkms.conf $(CORE_SRCS) memmap/lib/memmap.c

$(BUILD)/kmod/mintmon.ko: $(KMOD_SRCS) monitor/kmod/build.sh monitor/kmod/tree.sh
	monitor/kmod/build.sh $(BUILD)/kmod $(KMOD_KVER)

.PHONY: kmod dkms-source check-dkms
kmod: $(BUILD)/kmod/mintmon.ko

dkms-source:
	monitor/kmod/tree.sh $(BUILD)/dkms/src/mintmon-$(KMOD_VERSION) copy $(KMOD_VERSION)
	@echo "DKMS source: $(BUILD)/dkms/src/mintmon-$(KMOD_VERSION)"

check-dkms: dkms-source $(BUILD)/kmod/mintmon.ko
	tests/kbuild/check-dkms.sh $(BUILD)/dkms $(KMOD_VERSION) $(KMOD_KVER)

CHECK_STEPS += check-dkms
