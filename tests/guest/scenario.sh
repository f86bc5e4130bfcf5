#!/bin/sh
# /init of the integration-test guest (tests/integration): start a known set
# of processes, let them settle, then send the guest's own view of itself
# to the host over /dev/ttyS1 (tests/guest/truth.c) and stay idle until the
# host pauses the guest. The truth process stays (sleeping) so the task set
# the host checks is the one it was sent.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Real addresses in /proc/kallsyms, also for a kernel built with kptr_restrict=1.
echo 0 > /proc/sys/kernel/kptr_restrict
echo "mintmon-scenario: starting on $(uname -r)"

# Multi-threaded processes; thread names (pool-0...) differ from the process name.
/bin/threads pool 4 &
/bin/threads small 1 &
# A multi-threaded process of an ordinary user.
/bin/runas 1000 1000 /bin/threads user 3 &
# A stopped process (state T), with threads.
/bin/threads stopped 2 &
STOPPED=$!
# A single-threaded busybox applet.
sleep 86400 &
# A zombie (state Z) whose parent never reaps it.
/bin/zombie &
# A ~12 KiB argument vector across several pages.
/bin/longargs &
# Known values at printed addresses.
/bin/vartest > /tmp/vartest.out &

# Settle: every program has started and vartest has printed its values.
i=0
while [ $i -lt 100 ] && ! grep -q '^VAR thp' /tmp/vartest.out 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -STOP $STOPPED
sleep 1
echo "mintmon-scenario: settled, sending truth"
/bin/truth -p -o /dev/ttyS1 vartest=/tmp/vartest.out
# truth only returns on failure: exiting init panics the guest, and with
# panic=-1 and -no-reboot QEMU exits, so the host fails fast.
echo "mintmon-scenario: truth failed"
