/* Probe: operations in a preopened directory, with raw WASI path calls.
 * usage: preopen_ops GUEST_DIR
 * Finds the preopen named GUEST_DIR (fd_prestat_get/fd_prestat_dir_name on
 * fds 3..), prints "preopens=NAME,NAME..." and "preopen fd=N", then one line
 * per operation, "OP OK [details]" or "OP FAIL errno=N NAME":
 *   readdir   entries=A,B,...   (sorted, without . and ..)
 *   read      data=ESCAPED      (the existing file input.txt)
 *   create    probe_new.txt (O_CREAT|O_TRUNC)
 *   write     bytes=17          ("written by probe\n")
 *   stat      filetype=4 size=17
 *   mkdir     probe_dir
 *   rename    probe_new.txt -> probe_renamed.txt
 *   symlink   probe_link -> probe_renamed.txt
 *   readlink  target=probe_renamed.txt
 *   read_link data=ESCAPED      (open through the symlink)
 *   unlink    probe_link
 *   rmdir     probe_dir
 *   escape    ".." must be refused: OK errno=N NAME when refused, FAIL when opened
 * Without a preopen named GUEST_DIR, a preopen that is its parent directory
 * (e.g. "/" for "/data", as wasmer 7 maps directories) is used: GUEST_DIR is
 * opened below it ("via parent preopen fd=N path=data"), and the escape test
 * climbs out of that parent preopen ("../..").
 * Leaves probe_renamed.txt ("written by probe\n") in the directory.
 * Exit 0 when every operation is OK, 1 otherwise, 2 when the preopen is missing. */
#include <stdlib.h>

#include "probe.h"

static int failures;
static __wasi_rights_t inherit = ~(__wasi_rights_t)0;

static void ok(const char *op) { p_puts(1, op); p_puts(1, " OK"); }
static void fail(const char *op, __wasi_errno_t e)
{
    failures++;
    p_puts(1, op);
    p_puts(1, " FAIL");
    p_errno(1, e);
    p_puts(1, "\n");
}

static __wasi_errno_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t of,
                              __wasi_rights_t rights, __wasi_fd_t *fd)
{
    return __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, of,
                            rights & inherit, inherit, 0, fd);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void op_readdir(__wasi_fd_t dir)
{
    static uint8_t buf[16384];
    static char names[64][128];
    char *sorted[64];
    int n = 0;
    __wasi_dircookie_t cookie = 0;
    for (;;) {
        __wasi_size_t used = 0;
        __wasi_errno_t e = __wasi_fd_readdir(dir, buf, sizeof buf, cookie, &used);
        if (e) {
            fail("readdir", e);
            return;
        }
        size_t off = 0;
        int progressed = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, sizeof d);
            if (off + sizeof d + d.d_namlen > used)
                break; /* truncated entry: fetch again from its cookie */
            const char *nm = (const char *)buf + off + sizeof d;
            if (!(d.d_namlen == 1 && nm[0] == '.') && !(d.d_namlen == 2 && !memcmp(nm, "..", 2)) &&
                n < 64) {
                size_t l = d.d_namlen < 127 ? d.d_namlen : 127;
                memcpy(names[n], nm, l);
                names[n][l] = 0;
                sorted[n] = names[n];
                n++;
            }
            cookie = d.d_next;
            off += sizeof d + d.d_namlen;
            progressed = 1;
        }
        if (used < sizeof buf || !progressed)
            break;
    }
    qsort(sorted, (size_t)n, sizeof sorted[0], cmp);
    ok("readdir");
    p_puts(1, " entries=");
    for (int i = 0; i < n; i++) {
        if (i)
            p_puts(1, ",");
        p_escaped(1, sorted[i], strlen(sorted[i]));
    }
    p_puts(1, "\n");
}

static void op_read(__wasi_fd_t dir, const char *op, const char *path)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = open_at(dir, path, 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, &fd);
    if (e) {
        fail(op, e);
        return;
    }
    static uint8_t buf[4096];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_size_t n = 0;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    (void)__wasi_fd_close(fd);
    if (e) {
        fail(op, e);
        return;
    }
    ok(op);
    p_puts(1, " data=");
    p_escaped(1, buf, n);
    p_puts(1, "\n");
}

static void simple(const char *op, __wasi_errno_t e)
{
    if (e)
        fail(op, e);
    else {
        ok(op);
        p_puts(1, "\n");
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        p_puts(2, "usage: preopen_ops GUEST_DIR\n");
        return 2;
    }
    const char *want = argv[1];
    __wasi_fd_t dir = 0, via = 0;
    size_t via_len = 0;
    p_puts(1, "preopens=");
    int count = 0;
    for (__wasi_fd_t fd = 3; fd < 256; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps))
            break;
        if (ps.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        char name[512];
        size_t l = ps.u.dir.pr_name_len < sizeof name - 1 ? ps.u.dir.pr_name_len : sizeof name - 1;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, l))
            continue;
        name[l] = 0;
        while (l > 1 && name[l - 1] == '/') /* some runtimes keep a trailing slash */
            name[--l] = 0;
        if (count++)
            p_puts(1, ",");
        p_escaped(1, name, l);
        if (!dir && !strcmp(name, want))
            dir = fd;
        /* the longest preopen that is a parent of GUEST_DIR ("/" for "/data") */
        else if (!strncmp(name, want, l) && l >= via_len && (want[l] == '/' || (l == 1 && name[0] == '/')))
            via = fd, via_len = l;
    }
    p_puts(1, "\n");
    char up[512] = "..";
    if (!dir && via) {
        /* no preopen named GUEST_DIR (wasmer 7 maps directories inside one "/" preopen):
         * open it below the parent preopen, and leave that preopen for the escape test */
        const char *sub = want + via_len;
        while (*sub == '/')
            sub++;
        __wasi_fdstat_t vst;
        if (!__wasi_fd_fdstat_get(via, &vst))
            inherit = vst.fs_rights_inheriting;
        const __wasi_rights_t file_only = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
            __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_ALLOCATE |
            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_SYNC;
        __wasi_errno_t e = __wasi_path_open(via, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, sub,
                                            __WASI_OFLAGS_DIRECTORY, inherit & ~file_only, inherit, 0,
                                            &dir);
        if (e) {
            p_puts(1, "open ");
            p_puts(1, sub);
            p_puts(1, " below the parent preopen FAIL");
            p_errno(1, e);
            p_puts(1, "\n");
            dir = 0;
        }
        else {
            p_puts(1, "via parent preopen fd=");
            p_putu(1, via);
            p_puts(1, " path=");
            p_puts(1, sub);
            p_puts(1, "\n");
            for (const char *c = sub; *c && strlen(up) + 4 < sizeof up; c++)
                if (*c == '/' && c[1] && c[1] != '/')
                    strcat(up, "/..");
            strcat(up, "/..");
        }
    }
    if (!dir) {
        p_puts(1, "preopen ");
        p_puts(1, want);
        p_puts(1, " not found\n");
        return 2;
    }
    p_puts(1, "preopen fd=");
    p_putu(1, dir);
    p_puts(1, "\n");
    __wasi_fdstat_t st;
    if (!__wasi_fd_fdstat_get(dir, &st))
        inherit = st.fs_rights_inheriting;

    op_readdir(dir);
    op_read(dir, "read", "input.txt");

    static const char msg[] = "written by probe\n";
    __wasi_fd_t fd;
    __wasi_errno_t e = open_at(dir, "probe_new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK,
                               &fd);
    simple("create", e);
    if (!e) {
        __wasi_ciovec_t iov = {(const uint8_t *)msg, sizeof msg - 1};
        __wasi_size_t n = 0;
        e = __wasi_fd_write(fd, &iov, 1, &n);
        (void)__wasi_fd_close(fd);
        if (e)
            fail("write", e);
        else {
            ok("write");
            p_puts(1, " bytes=");
            p_putu(1, n);
            p_puts(1, "\n");
        }
    }
    else
        fail("write", e);

    __wasi_filestat_t fs;
    e = __wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "probe_new.txt", &fs);
    if (e)
        fail("stat", e);
    else {
        ok("stat");
        p_puts(1, " filetype=");
        p_putu(1, fs.filetype);
        p_puts(1, " size=");
        p_putu(1, fs.size);
        p_puts(1, "\n");
    }
    simple("mkdir", __wasi_path_create_directory(dir, "probe_dir"));
    simple("rename", __wasi_path_rename(dir, "probe_new.txt", dir, "probe_renamed.txt"));
    simple("symlink", __wasi_path_symlink("probe_renamed.txt", dir, "probe_link"));

    char target[256];
    __wasi_size_t tl = 0;
    e = __wasi_path_readlink(dir, "probe_link", (uint8_t *)target, sizeof target, &tl);
    if (e)
        fail("readlink", e);
    else {
        ok("readlink");
        p_puts(1, " target=");
        p_escaped(1, target, tl);
        p_puts(1, "\n");
    }
    op_read(dir, "read_link", "probe_link");
    simple("unlink", __wasi_path_unlink_file(dir, "probe_link"));
    simple("rmdir", __wasi_path_remove_directory(dir, "probe_dir"));

    e = __wasi_path_open(dir, 0, up, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR & inherit,
                         inherit, 0, &fd);
    if (e) {
        ok("escape");
        p_errno(1, e);
        p_puts(1, "\n");
    }
    else {
        (void)__wasi_fd_close(fd);
        failures++;
        p_puts(1, "escape FAIL opened ");
        p_puts(1, up);
        p_puts(1, "\n");
    }
    return failures ? 1 : 0;
}
