# tests/lib/apt-sources.sh: one-line apt sources for the Debian archive from the
# machine's own apt configuration (used by kexec-patches/apt/fetch-source.sh).
CHECK_STEPS += apt-sources-test

.PHONY: apt-sources-test
# Fixture apt directories: deb822, classic .list, disabled stanza, nothing usable.
apt-sources-test:
	tests/lib/test_apt_sources.sh tests/lib/apt-sources.sh
