#!/bin/busybox sh
# /init of the x86_64 smoke-test initramfs (build-initramfs.sh --smoke): prove the kernel runs a
# static x86_64 userland and, when the kernel was given virtio_mmio.device=..., that the
# virtio-rng device answers; then power off (without ACPI: the kernel halts, Bochs exits 0).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs dev /dev
echo "c2w-smoke: init running as pid $$ on $(/bin/busybox uname -m)"
/bin/busybox grep -m1 '^vendor_id' /proc/cpuinfo
if [ -e /sys/class/misc/hw_random/rng_current ]; then
  echo "c2w-smoke: rng $(/bin/busybox cat /sys/class/misc/hw_random/rng_current)" \
       "$(/bin/busybox dd if=/dev/hwrng bs=16 count=1 2>/dev/null | /bin/busybox od -An -tx1 | /bin/busybox tr -d ' \n')"
fi
echo "c2w-smoke: uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
