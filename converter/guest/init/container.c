/* The container side: runs in the clone()d child, which is PID 1 of new mount/PID/UTS/IPC
 * namespaces. It pivots into /newroot, mounts what a container expects, then forks the command
 * and stays as a tiny init for it (like `docker run --init`): forwards signals, reaps orphans,
 * and exits with the command's status (killed by signal N -> 128+N). */
#define _GNU_SOURCE
#include "init.h"
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Setup failure in the namespace init: message to the init (-> ERROR record), exit 125. */
static void __attribute__((noreturn, format(printf, 2, 3)))
setup_fail(const struct container *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)write_all(c->fd_errpipe, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    _exit(EXIT_INIT_ERROR);
}

/* Failure in the command process: message on the container's stderr, exit with code. */
static void __attribute__((noreturn, format(printf, 2, 3))) cmd_fail(int code, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n > 0) {
        size_t len = (size_t)n < sizeof buf - 1 ? (size_t)n : sizeof buf - 2;
        buf[len++] = '\n';
        (void)write_all(2, buf, len);
    }
    _exit(code);
}

static void mount_or_fail(const struct container *c, const char *src, const char *dst,
                          const char *type, unsigned long flags, const char *data)
{
    if (mkdir_p(dst, 0755) < 0)
        setup_fail(c, "mkdir %s: %s", dst, strerror(errno));
    if (mount(src, dst, type, flags, data) < 0)
        setup_fail(c, "mount %s on %s: %s", type, dst, strerror(errno));
}

static void write_etc(const struct container *c)
{
    char buf[1024];
    if (mkdir_p("/etc", 0755) < 0)
        setup_fail(c, "mkdir /etc: %s", strerror(errno));
    int n = snprintf(buf, sizeof buf, "%s\n", c->hostname);
    if (write_file("/etc/hostname", buf, (size_t)n, 0644) < 0)
        setup_fail(c, "write /etc/hostname: %s", strerror(errno));
    n = snprintf(buf, sizeof buf,
                 "127.0.0.1\tlocalhost\n"
                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
                 "127.0.1.1\t%s\n",
                 c->hostname);
    if (write_file("/etc/hosts", buf, (size_t)n, 0644) < 0)
        setup_fail(c, "write /etc/hosts: %s", strerror(errno));
    if (c->resolv_conf) {
        unlink("/etc/resolv.conf"); /* may be a dangling symlink in the image */
        if (write_file("/etc/resolv.conf", c->resolv_conf, strlen(c->resolv_conf), 0644) < 0)
            setup_fail(c, "write /etc/resolv.conf: %s", strerror(errno));
    }
}

static void setup_mounts(const struct container *c)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        setup_fail(c, "make mounts private: %s", strerror(errno));
    if (chdir(NEWROOT) < 0)
        setup_fail(c, "chdir %s: %s", NEWROOT, strerror(errno));
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        setup_fail(c, "pivot_root: %s", strerror(errno));
    if (umount2(".", MNT_DETACH) < 0)
        setup_fail(c, "detach old root: %s", strerror(errno));
    if (chdir("/") < 0)
        setup_fail(c, "chdir /: %s", strerror(errno));

    unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    mount_or_fail(c, "proc", "/proc", "proc", nse, NULL);
    mount_or_fail(c, "sysfs", "/sys", "sysfs", nse | MS_RDONLY, NULL);
    mount_or_fail(c, "mqueue", "/dev/mqueue", "mqueue", nse, NULL);
    /* /dev/shm is the init's bind of /rw/shm (main.c: one tmpfs budget for every writable place) */

    const struct run_req *rq = c->rq;
    for (size_t i = 0; i < rq->nmounts; i++) {
        const struct mount9p *m = &rq->mounts[i];
        if (mkdir_p(m->path, 0755) < 0)
            setup_fail(c, "9p mount %s: mkdir %s: %s", m->tag, m->path, strerror(errno));
        if (mount(m->tag, m->path, "9p", m->ro ? MS_RDONLY : 0,
                  "trans=virtio,version=9p2000.L,msize=131072") < 0)
            setup_fail(c, "9p mount of tag '%s' on %s: %s", m->tag, m->path, strerror(errno));
        dlog("9p %s on %s%s", m->tag, m->path, m->ro ? " (ro)" : "");
    }
    if (sethostname(c->hostname, strlen(c->hostname)) < 0)
        setup_fail(c, "sethostname: %s", strerror(errno));
    write_etc(c);
}

/* Look name up like Go's exec.LookPath (what runc/Docker use): a regular file with an x bit. */
static int look_path(const char *name, const char *path, char *out, size_t outlen)
{
    if (strchr(name, '/')) {
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    const char *p = path ? path : "";
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        int n = dlen ? snprintf(out, outlen, "%.*s/%s", (int)dlen, p, name)
                     : snprintf(out, outlen, "./%s", name);
        struct stat st;
        if (n > 0 && (size_t)n < outlen && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
            (st.st_mode & 0111))
            return 0;
        if (!colon)
            return -1;
        p = colon + 1;
    }
}

static void __attribute__((noreturn)) run_command(struct container *c)
{
    /* Defaults back for the command: nothing blocked, nothing ignored. */
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < 65; s++)
        signal(s, SIG_DFL);
    setpgid(0, 0);
    if (c->tty)
        (void)tcsetpgrp(0, getpid()); /* SIGTTOU is still blocked here */
    sigprocmask(SIG_SETMASK, &none, NULL);

    const char *spec = c->user ? c->user : "";
    struct resolved_user u;
    char err[512];
    if (resolve_user(spec, "/etc/passwd", "/etc/group", &u, err, sizeof err) < 0)
        cmd_fail(EXIT_INIT_ERROR, "c2w: %s", err);
    if (!env_get(&c->env, "HOME")) {
        char kv[600];
        int n = snprintf(kv, sizeof kv, "HOME=%s", *u.home ? u.home : "/");
        env_set(&c->env, kv, (size_t)n);
    }

    const char *wd = c->workdir && *c->workdir ? c->workdir : "/";
    if (wd[0] != '/')
        cmd_fail(EXIT_INIT_ERROR,
                 "c2w: the working directory '%s' is invalid, it needs to be an absolute path", wd);
    if (mkdir_p(wd, 0755) < 0)
        cmd_fail(EXIT_INIT_ERROR, "c2w: create working directory %s: %s", wd, strerror(errno));

    if (setgroups(u.ngroups, u.groups) < 0 || setgid(u.gid) < 0 || setuid(u.uid) < 0)
        cmd_fail(EXIT_INIT_ERROR, "c2w: switch to user %u:%u: %s", (unsigned)u.uid,
                 (unsigned)u.gid, strerror(errno));
    if (chdir(wd) < 0)
        cmd_fail(EXIT_INIT_ERROR, "c2w: chdir to working directory %s: %s", wd, strerror(errno));

    const char *name = c->argv.v[0];
    char path[4096];
    if (look_path(name, env_get(&c->env, "PATH"), path, sizeof path) < 0)
        cmd_fail(127, "c2w: exec: \"%s\": executable file not found in $PATH", name);
    execve(path, c->argv.v, c->env.v);
    int e = errno;
    if (e == ENOENT)
        cmd_fail(127, "c2w: exec: \"%s\": stat %s: %s", name, path, strerror(e));
    cmd_fail(126, "c2w: exec: \"%s\": %s", name, strerror(e));
}

int container_main(void *arg)
{
    struct container *c = arg;
    setsid();
    if (c->tty && ioctl(c->fd_in, TIOCSCTTY, 0) < 0)
        setup_fail(c, "set controlling terminal: %s", strerror(errno));
    if (dup2(c->fd_in, 0) < 0 || dup2(c->fd_out, 1) < 0 || dup2(c->fd_err, 2) < 0)
        setup_fail(c, "dup2: %s", strerror(errno));
    /* Keep only stdio and the error pipe (as fd 3, close-on-exec): the init's control channel,
     * signalfd, pty master and pipe ends must not leak into the container. */
    if (c->fd_errpipe != 3 && dup3(c->fd_errpipe, 3, O_CLOEXEC) < 0)
        setup_fail(c, "dup3: %s", strerror(errno));
    c->fd_errpipe = 3;
    syscall(SYS_close_range, 4u, ~0u, 0u);
    setup_mounts(c);

    /* Everything blocked (since clone): signals are taken with sigwaitinfo and forwarded. */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);

    pid_t cmd = fork();
    if (cmd < 0)
        setup_fail(c, "fork: %s", strerror(errno));
    if (cmd == 0)
        run_command(c);
    close(c->fd_errpipe);

    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&all, &si);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(cmd, sig);
            continue;
        }
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
            if (p != cmd)
                continue;
            if (WIFSIGNALED(st))
                _exit(128 + WTERMSIG(st));
            _exit(WEXITSTATUS(st));
        }
    }
}
