# Kexec-Mint: Debian's kexec-tools 2.0.25 + kexec-patches/series, static, with
# the layout engine (memmap/lib) compiled in. See kexec-patches/README.md.
#   make kexec-mint              build/bin/kexec-mint and build/bin/kexec-upstream
#   make kexec-mint-test         bad options/layouts refused (host-safe, no syscall)
#   make kexec-mint-qemu-check   boot nodes 0-2 with kexec-mint in QEMU guests and
#                                check their maps and identity; let node 1 kexec
#                                itself; show the upstream flaw
.PHONY: kexec-mint kexec-mint-test kexec-mint-qemu-check

# The script is incremental (stamped work trees, make inside): always run it.
kexec-mint:
	kexec-patches/build-kexec.sh --build $(BUILD)

$(BUILD)/bin/kexec-mint $(BUILD)/bin/kexec-upstream: kexec-mint

kexec-mint-test: kexec-mint
	kexec-patches/test-options.sh $(BUILD)/bin/kexec-mint

kexec-mint-qemu-check: kexec-mint $(BUILD)/bin/mint-memmap
	@set -e; for n in 0 1 2; do \
		kexec-patches/qemu-check.sh --build $(BUILD) --node $$n; done
	kexec-patches/qemu-check.sh --build $(BUILD) --node 1 --self-kexec
	kexec-patches/qemu-check.sh --build $(BUILD) --node 1 --upstream

CHECK_STEPS += kexec-mint-test kexec-mint-qemu-check
