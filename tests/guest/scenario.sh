#!/bin/sh
# /init of the integration-test guest (tests/integration): start a known set
# of processes, let them settle, then send the guest's own view of itself
# to the host over /dev/ttyS1 (tests/guest/truth.c) and stay idle until the
# host pauses the guest. The truth process stays (sleeping) so the task set
# the host checks is the one it was sent.
#
# Commands from the host: a line "mintmon-cmd WORD" typed on the console
# (ttyS0; the host writes it into QEMU's console socket, see
# tests/lib/qemu.py Guest.send_console). The reader is started before the
# truth, so it is part of the task set the host checks.
#   load    start the live load: a fork/exec storm and memory churn
#   taint   set TAINT_USER (64) through /proc/sys/kernel/tainted and say the result
#   panic   kernel.panic=0, then crash through sysrq: the guest stays in panic()
#   kexec   kexec into /boot/vmlinuz with /boot/initrd.gz and this kernel's
#           command line (only in an initramfs that carries them)
#   sh CMD  run CMD with sh, then say "mintmon-scenario: sh done N" (N: its
#           exit status); its output goes to the console
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
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
# Tasks with a controlling terminal: a serial port and a pseudo-terminal.
/bin/ttyrun /dev/ttyS0 sleep 86401 &
/bin/ttyrun pty sleep 86402 &
# A large resident set (%MEM) and a known amount of CPU time (%CPU).
/bin/churn hold 96 &
/bin/churn burn 1500 /tmp/burnt &

# The host's commands (see above).
(
	while read -r line; do
		case "$line" in
		*"mintmon-cmd load"*)
			/bin/churn storm &
			/bin/churn mem 32 &
			echo "mintmon-scenario: load running"
			;;
		*"mintmon-cmd taint"*)
			echo 64 > /proc/sys/kernel/tainted
			echo "mintmon-scenario: tainted $(cat /proc/sys/kernel/tainted)"
			;;
		*"mintmon-cmd panic"*)
			# Stay down after the panic (no reboot), as a dead node would.
			echo 0 > /proc/sys/kernel/panic
			echo c > /proc/sysrq-trigger
			;;
		*"mintmon-cmd sh "*)
			sh -c "${line#*mintmon-cmd sh }" 2>&1
			echo "mintmon-scenario: sh done $?"
			;;
		*"mintmon-cmd kexec"*)
			if [ -x /sbin/kexec ] && [ -f /boot/vmlinuz ] && [ -f /boot/initrd.gz ]; then
				echo "mintmon-scenario: kexec"
				/sbin/kexec -l /boot/vmlinuz --initrd=/boot/initrd.gz \
					--append="$(cat /proc/cmdline)" && /sbin/kexec -e
			fi
			echo "mintmon-scenario: kexec failed"
			;;
		esac
	done
	echo "mintmon-scenario: command reader ended"
) < /dev/ttyS0 &

# Settle: every program has started, vartest has printed its values and the
# CPU burner is done.
i=0
while [ $i -lt 150 ] && ! { grep -q '^VAR thp' /tmp/vartest.out 2>/dev/null &&
		[ -e /tmp/burnt ]; }; do
	sleep 0.1
	i=$((i + 1))
done
kill -STOP $STOPPED
sleep 1
echo "mintmon-scenario: settled, sending truth"
# With mintmon.btf on the kernel command line, the kernel's BTF too (5 MB raw,
# 2 MB over the line: only the runs that use it ask for it).
BTF=
case " $(cat /proc/cmdline) " in
*" mintmon.btf "*) BTF=btf=/sys/kernel/btf/vmlinux ;;
esac
/bin/truth -p -o /dev/ttyS1 vartest=/tmp/vartest.out $BTF
# truth only returns on failure: exiting init panics the guest, and with
# panic=-1 and -no-reboot QEMU exits, so the host fails fast.
echo "mintmon-scenario: truth failed"
