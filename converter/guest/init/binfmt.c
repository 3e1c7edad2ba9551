/* Foreign-architecture emulators: binfmt_misc registrations the converter put on the rootfs.
 *
 * The converter (converter/foreign.py) stages the qemu-user binaries an image needs under
 * /.c2w/ on the rootfs disk and lists their registrations in /.c2w/binfmt, one binfmt_misc
 * register line each (":name:M:offset:magic:mask:/.c2w/qemu-ARCH:flags"), with interpreter paths
 * relative to the rootfs root. We register each with the interpreter under the mounted lower
 * rootfs; the converter's flags include F, so the kernel opens the emulator now and it keeps
 * working inside the container's root after pivot_root. */
#define _GNU_SOURCE
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define BINFMT_LIST "/.c2w/binfmt"
#define BINFMT_FS "/binfmt"
#define LINE_MAX_LEN 1920 /* the kernel's MAX_REGISTER_LENGTH */

/* Rewrite one register line with `lower` in front of its interpreter path. */
static int rewrite_line(const char *line, const char *lower, char *out, size_t size)
{
    char delim = line[0];
    const char *field = line + 1;
    for (int i = 0; i < 5; i++) { /* name, type, offset, magic, mask */
        field = strchr(field, delim);
        if (!field)
            return -1;
        field++;
    }
    if (*field != '/')
        return -1;
    int n = snprintf(out, size, "%.*s%s%s", (int)(field - line), line, lower, field);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int register_emulators(const char *lower, const char *upper, char *err, size_t errsize)
{
    char list[PATH_MAX_C2W], text[16384];
    snprintf(list, sizeof list, "%s" BINFMT_LIST, lower);
    if (read_small(list, text, sizeof text) < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errsize, "read %s: %s", list, strerror(errno));
        return -1;
    }
    if (mkdir_p(BINFMT_FS, 0755) < 0 ||
        (mount("binfmt_misc", BINFMT_FS, "binfmt_misc", 0, NULL) < 0 && errno != EBUSY)) {
        snprintf(err, errsize, "mount binfmt_misc: %s", strerror(errno));
        return -1;
    }
    int count = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*line || *line == '#')
            continue;
        char reg[LINE_MAX_LEN + 1];
        if (rewrite_line(line, lower, reg, sizeof reg) < 0) {
            snprintf(err, errsize, "%s: bad registration line: %.80s", list, line);
            return -1;
        }
        int fd = open(BINFMT_FS "/register", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, reg, strlen(reg)) < 0) {
            snprintf(err, errsize, "binfmt_misc register %.80s: %s", reg, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
        dlog("binfmt_misc: %s", reg);
        count++;
    }
    /* hide /.c2w from the container: an overlay whiteout in the (still unmounted) upper dir */
    char wh[PATH_MAX_C2W];
    snprintf(wh, sizeof wh, "%s/.c2w", upper);
    if (mknod(wh, S_IFCHR | 0, makedev(0, 0)) < 0) {
        snprintf(err, errsize, "whiteout %s: %s", wh, strerror(errno));
        return -1;
    }
    return count;
}
