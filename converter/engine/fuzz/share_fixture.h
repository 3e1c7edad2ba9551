/* A temp directory holding a 9p share and a canary beside it, for the fuzz harnesses:
 *   BASE/share    served to the 9p server; reset to a fixed tree before every input
 *   BASE/canary   must never change: the oracle for "nothing outside the share is touched"
 * The share holds symlinks pointing out of it (.., ../canary, the canary's absolute path) so
 * that following one would show up in the canary. Header-only: each harness is one program. */
#ifndef C2W_FUZZ_SHARE_FIXTURE_H
#define C2W_FUZZ_SHARE_FIXTURE_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CANARY_TEXT "canary: must never change\n"

static char fx_base[256], fx_share[300], fx_canary[300];
static struct stat fx_secret_st, fx_canary_st;

static void fx_die(const char *what)
{
    fprintf(stderr, "FUZZ ORACLE: %s\n", what);
    abort();
}

static void fx_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd))
        fx_die("cannot write a fixture file");
}

static int fx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level == 0)
        return 0;
    if (remove(path) && (chmod(path, 0700), remove(path)))
        fx_die("cannot clean the share");
    return 0;
}

/* Number of open fds of this process (the oracle for fd leaks). */
static int fx_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        fx_die("no /proc/self/fd");
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Abort naming every open fd (after a leak). */
static void fx_die_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));) {
        char p[300], t[512] = "";
        snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
        if (readlink(p, t, sizeof t - 1) > 0)
            fprintf(stderr, "open fd %s -> %s\n", e->d_name, t);
    }
    fx_die("an fd leaked");
}

/* Empty the share and lay out its fixed tree; returns an fd of the share (O_DIRECTORY). */
static int fx_reset_share(void)
{
    chmod(fx_share, 0755);
    if (nftw(fx_share, fx_rm, 16, FTW_DEPTH | FTW_PHYS))
        fx_die("cannot walk the share");
    char p[512];
    snprintf(p, sizeof p, "%s/d", fx_share);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/d/f", fx_share);
    fx_write(p, "inner\n");
    snprintf(p, sizeof p, "%s/f", fx_share);
    fx_write(p, "hello 9p\n");
    snprintf(p, sizeof p, "%s/up", fx_share);
    if (symlink("..", p))
        fx_die("symlink");
    snprintf(p, sizeof p, "%s/canary", fx_share);
    if (symlink("../canary", p))
        fx_die("symlink");
    snprintf(p, sizeof p, "%s/abs", fx_share);
    if (symlink(fx_canary, p))
        fx_die("symlink");
    snprintf(p, sizeof p, "%s/d/secret", fx_share);
    if (symlink("../../canary/secret", p))
        fx_die("symlink");
    int fd = open(fx_share, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        fx_die("cannot open the share");
    return fd;
}

static int fx_rm_all(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void fx_cleanup(void)
{
    chmod(fx_share, 0755);
    nftw(fx_base, fx_rm_all, 16, FTW_DEPTH | FTW_PHYS);
}

static void fx_init(void)
{
    /* a tmpfs by default: on ext4 with `discard` every unlink is slow (10x fewer executions) */
    const char *tmp = getenv("C2W_FUZZ_TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(fx_base, sizeof fx_base, "%s/c2w-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx_base))
        fx_die("mkdtemp");
    snprintf(fx_share, sizeof fx_share, "%s/share", fx_base);
    snprintf(fx_canary, sizeof fx_canary, "%s/canary", fx_base);
    if (mkdir(fx_share, 0755) || mkdir(fx_canary, 0755))
        fx_die("mkdir");
    char p[512];
    snprintf(p, sizeof p, "%s/secret", fx_canary);
    fx_write(p, CANARY_TEXT);
    if (stat(p, &fx_secret_st) || stat(fx_canary, &fx_canary_st))
        fx_die("stat canary");
    close(fx_reset_share());
    atexit(fx_cleanup);
}

static bool fx_same(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
           a->st_gid == b->st_gid && a->st_size == b->st_size && a->st_nlink == b->st_nlink &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The canary and the base directory are exactly as fx_init left them. */
static void fx_check_outside(void)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/secret", fx_canary);
    if (stat(p, &st) || !fx_same(&st, &fx_secret_st))
        fx_die("the canary file outside the share changed");
    if (stat(fx_canary, &st) || !fx_same(&st, &fx_canary_st))
        fx_die("the canary directory outside the share changed");
    char buf[64] = {0};
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0 || close(fd) || strcmp(buf, CANARY_TEXT))
        fx_die("the canary file's content changed");
    DIR *d = opendir(fx_base);
    if (!d)
        fx_die("cannot list the base directory");
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            if (strcmp(e->d_name, "share") && strcmp(e->d_name, "canary"))
                fx_die("a file appeared beside the share");
            n++;
        }
    closedir(d);
    if (n != 2)
        fx_die("the share or the canary disappeared");
}

#endif
