#!/bin/busybox sh
# /init for the virtio-9p tests (tests/test_9p_guest.py): mounts the share with tag "hostdir"
# at /mnt/host and exercises it. Each check prints "CHECK <name> ok" or "CHECK <name> FAIL ...";
# values the host verifies are printed as "VALUE <name> <value>". Ends with "C2W-9P-DONE".
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
ok() { echo "CHECK $1 ok"; }
fail() { echo "CHECK $1 FAIL $2"; }
now() { cut -d' ' -f1 /proc/uptime; }

mkdir -p /mnt/host
if mount -t 9p -o trans=virtio,version=9p2000.L hostdir /mnt/host; then ok mount; else fail mount; fi
cd /mnt/host || fail cd

# read a host file
[ "$(cat hello.txt)" = "hello from host" ] && ok read_host_file || fail read_host_file "$(cat hello.txt 2>&1)"

# write at depth
mkdir -p a/b/c && echo "written by guest" > a/b/c/f && ok write_deep || fail write_deep
[ "$(cat a/b/c/f)" = "written by guest" ] && ok readback_deep || fail readback_deep

# append, truncate
echo line1 > app.txt; echo line2 >> app.txt
[ "$(cat app.txt)" = "line1
line2" ] && ok append || fail append "$(cat app.txt)"
echo 123456789 > trunc.txt; truncate -s 4 trunc.txt 2>/dev/null || : > trunc.txt
[ "$(wc -c < trunc.txt)" -le 4 ] && ok truncate || fail truncate "$(wc -c < trunc.txt)"

# rename (file and directory), unlink, rmdir
echo move-me > old.txt && mv old.txt new.txt && [ ! -e old.txt ] && [ "$(cat new.txt)" = move-me ] && ok rename || fail rename
mkdir d1 && echo x > d1/inner && mv d1 d2 && [ "$(cat d2/inner)" = x ] && ok rename_dir || fail rename_dir
echo gone > del.txt && rm del.txt && [ ! -e del.txt ] && ok unlink || fail unlink
mkdir emptydir && rmdir emptydir && [ ! -e emptydir ] && ok rmdir || fail rmdir
rm -f tobedeleted.txt && [ ! -e tobedeleted.txt ] && ok unlink_host_file || fail unlink_host_file

# symlink + readlink, hard link
ln -s a/b/c/f link-to-f && [ "$(readlink link-to-f)" = a/b/c/f ] && [ "$(cat link-to-f)" = "written by guest" ] \
  && ok symlink || fail symlink "$(readlink link-to-f)"
ln new.txt hard.txt 2>/dev/null && [ "$(cat hard.txt)" = move-me ] && ok hardlink || fail hardlink

# chmod (native: applied to the host; WASI: remembered for the session)
echo '#!/bin/sh' > script.sh && echo 'echo script-ran' >> script.sh && chmod 755 script.sh \
  && [ "$(./script.sh)" = script-ran ] && ok chmod_exec || fail chmod_exec "$(ls -l script.sh)"
chmod 600 new.txt && ls -l new.txt | grep -q '^-rw-------' && ok chmod_mode || fail chmod_mode "$(ls -l new.txt)"
touch -d '2001-02-03 04:05:06' new.txt 2>/dev/null && ok touch_time || fail touch_time

# listing
echo "LS-BEGIN"; ls -la; echo "LS-END"
ls -la | grep -q ' hello.txt$' && ls -la | grep -q ' a$' && ok ls_la || fail ls_la

# escapes: .. at the mount root stays in the guest; host symlinks pointing out are resolved by
# the guest, never by the host
[ "$(cat ../../etc/passwd 2>/dev/null)" = "" ] && ok escape_dotdot || fail escape_dotdot
[ "$(cat escape-abs/passwd 2>/dev/null)" = "" ] && ok escape_abs_symlink || fail escape_abs_symlink
[ "$(cat escape-rel/etc/passwd 2>/dev/null)" = "" ] && ok escape_rel_symlink || fail escape_rel_symlink
# the host test decides: "/etc" natively; wasmtime refuses to read absolute symlinks (EPERM)
echo "VALUE readlink_abs [$(readlink escape-abs 2>/dev/null)]"
echo attempt > escape-abs/c2w-9p-escape-test 2>/dev/null
ok escape_write_attempted

# large files: read the host's 4 times (32 MiB), write 32 MiB, copy the host's, hash both
t0=$(now); for i in 1 2 3 4; do cat big.bin; done > /dev/null; t1=$(now)
echo "VALUE big_read_secs $(echo "$t0 $t1" | awk '{print $2-$1}')"
echo "VALUE big_read_sha $(sha256sum big.bin | cut -d' ' -f1)"
t0=$(now); dd if=/dev/zero of=zero.bin bs=131072 count=256 2>/dev/null; t1=$(now)
echo "VALUE big_write_secs $(echo "$t0 $t1" | awk '{print $2-$1}')"
[ "$(wc -c < zero.bin)" = 33554432 ] && rm zero.bin && ok write_zero || fail write_zero
t0=$(now); cat big.bin > big-copy.bin; t1=$(now)
echo "VALUE big_copy_secs $(echo "$t0 $t1" | awk '{print $2-$1}')"
echo "VALUE big_copy_sha $(sha256sum big-copy.bin | cut -d' ' -f1)"

# a non-root guest user writing into the share: on WASI every user owns the mapped files; natively
# the host owner shows through (root-owned 0755 here, so it is refused). The host test decides.
if runas 1000 1000 sh -c 'echo from-user-1000 > userfile' 2>/dev/null; then
  echo "VALUE user_write ok"; else echo "VALUE user_write denied"; fi

# many files and a big directory listing
t0=$(now); mkdir many && i=0 && while [ $i -lt 300 ]; do : > many/f$i; i=$((i+1)); done; t1=$(now)
echo "VALUE create300_secs $(echo "$t0 $t1" | awk '{print $2-$1}')"
t0=$(now); ls -la many > /dev/null; t1=$(now)
echo "VALUE lsla300_secs $(echo "$t0 $t1" | awk '{print $2-$1}')"
[ "$(ls many | wc -l)" = 300 ] && ok many_files || fail many_files "$(ls many | wc -l)"
df /mnt/host > /dev/null 2>&1 && ok statfs || fail statfs
cd /
umount /mnt/host && ok umount || fail umount
echo C2W-9P-DONE
poweroff -f
