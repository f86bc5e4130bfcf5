# The Mint layout engine (freestanding; also compiled into the patched kexec)
# and its CLI, build/bin/mint-memmap. See docs/memmap.md.
CORE_SRCS += memmap/lib/memmap.c
PROGRAMS += mint-memmap
PROG_mint-memmap_SRCS := memmap/cli/main.c memmap/cli/svg.c
CHECK_STEPS += memmap-cli-test

.PHONY: memmap-cli-test memmap-docs
# Bad command lines and layout files: one error line, non-zero exit.
memmap-cli-test: $(BUILD)/bin/mint-memmap
	tests/memmap/test_cli.sh $(BUILD)/bin/mint-memmap

# Regenerate the picture docs/memmap.md and the README show.
memmap-docs: $(BUILD)/bin/mint-memmap
	$(BUILD)/bin/mint-memmap --preset kexec-mint --nodes 3 --svg docs/img/mint-3-nodes.svg
