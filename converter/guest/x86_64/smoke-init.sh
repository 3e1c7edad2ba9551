#!/bin/busybox sh
# /init of the x86_64 smoke-test initramfs (build-initramfs.sh --smoke): prove the kernel runs a
# static x86_64 userland and, when the kernel was given virtio_mmio.device=..., that the
# virtio-rng device answers, and whichever of the virtio disk (/dev/vda), 9p shares (mounted
# by tag, their `hello` file shown) and console input (`c2w.smoke.stdin` on the command line:
# one line read from the console) the engine has; then power off (without ACPI: the kernel halts, Bochs exits 0).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs dev /dev
echo "c2w-smoke: init running as pid $$ on $(/bin/busybox uname -m)"
/bin/busybox grep -m1 '^vendor_id' /proc/cpuinfo
echo "c2w-smoke: cmdline $(/bin/busybox cat /proc/cmdline)"
if [ -e /sys/class/misc/hw_random/rng_current ]; then
  echo "c2w-smoke: rng $(/bin/busybox cat /sys/class/misc/hw_random/rng_current)" \
       "$(/bin/busybox dd if=/dev/hwrng bs=16 count=1 2>/dev/null | /bin/busybox od -An -tx1 | /bin/busybox tr -d ' \n')"
fi
if [ -b /dev/vda ]; then
  echo "c2w-smoke: vda $(/bin/busybox head -c 16 /dev/vda)"
fi
for t in /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
  [ -e "$t" ] || continue
  tag=$(/bin/busybox cat "$t")
  /bin/busybox mkdir -p "/mnt/$tag"
  /bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L "$tag" "/mnt/$tag" \
    && echo "c2w-smoke: 9p $tag $(/bin/busybox cat "/mnt/$tag/hello")"
done
case " $(/bin/busybox cat /proc/cmdline) " in
  *" c2w.smoke.stdin "*) read -r line; echo "c2w-smoke: stdin $line" ;;
esac
echo "c2w-smoke: uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
