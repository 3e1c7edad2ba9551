#!/bin/busybox sh
# /init of the smoke-test initramfs (build-initramfs.sh --smoke): prove the kernel runs a
# static riscv64 userland, then power off through SBI SRST.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs dev /dev
echo "c2w-smoke: init running as pid $$"
/bin/busybox uname -a
/bin/busybox ls /
echo "c2w-smoke: uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
