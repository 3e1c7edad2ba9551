#!/bin/busybox sh
# /init of the smoke-test initramfs (build-initramfs.sh --smoke): prove the kernel runs a
# static riscv64 userland, then power off through SBI SRST.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs dev /dev
# With console=hvc0 we may start before the console exists (virtio_console sets its ports up
# from a workqueue): then the kernel could not give us a console and our output would be lost.
i=0
until { : >/dev/console; } 2>/dev/null || [ $i -ge 1000 ]; do /bin/busybox sleep 0.01; i=$((i + 1)); done
exec </dev/console >/dev/console 2>&1
echo "c2w-smoke: init running as pid $$"
/bin/busybox uname -a
/bin/busybox ls /
echo "c2w-smoke: uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
