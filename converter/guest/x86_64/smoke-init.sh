#!/bin/busybox sh
# /init of the x86_64 smoke-test initramfs (build-initramfs.sh --smoke): prove the kernel runs a
# static x86_64 userland, then power off (without ACPI: the kernel halts, Bochs exits 0).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "c2w-smoke: init running as pid $$ on $(/bin/busybox uname -m)"
/bin/busybox grep -m1 '^vendor_id' /proc/cpuinfo
echo "c2w-smoke: uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
