/* c2w guest init (PID 1). Boots to READY, takes one RUN request from the engine over the
 * control channel, runs the container and relays its stdio, then sends EXIT and powers off.
 * The contract is ../PROTOCOL.md. */
#define _GNU_SOURCE
#include "init.h"
#include "net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define CTL_WAIT_S 60.0
/* Stop reading the channel only when this much stdin is buffered: an engine that honours
 * STDIN_CREDIT never gets near it, so SIGNAL records behind stdin are always read. */
#define STDIN_CAP (8u << 20)
#define CREDIT_BATCH (16u << 10)
#define OUT_CHUNK (32u << 10)
#define DRAIN_S 5.0
#define STACK_SIZE (1u << 20)

static struct {
    char ctl[256];
    char root[256];
    char rootfstype[32];
} cfg = {.root = "/dev/vda"};

static int ctl_fd = -1;
static int ctl_closed; /* the engine closed its side: writes would block forever */
static struct rbuf ctl_in;

/* If the kernel could not open /dev/console for us, fds 0-2 are closed and our own opens would
 * land there: hold them with placeholders, then use the console once devtmpfs is up. */
static void stdio_placeholders(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/", O_RDONLY) < 0)
            return;
}

/* Logs go to hvc0. The console port may come up only after we start (virtio_console sets its
 * ports up from a workqueue); until then fds 1-2 are placeholders and clog_always() falls back to
 * /dev/kmsg (seen with earlycon=sbi). Called again while we wait for the control channel. */
static void stdio_console(void)
{
    if (isatty(2))
        return;
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0)
        fd = open("/dev/hvc0", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return;
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
}

static void __attribute__((noreturn)) power_off(int failed)
{
    if (isatty(2))
        tcdrain(2); /* hvc0 buffers output; let the logs out before the machine stops */
    sync();
    if (failed) /* no control channel: a reboot request tells the engine the guest failed */
        reboot(RB_AUTOBOOT);
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

static void send_or_die(uint8_t type, const void *p, size_t len)
{
    if (ctl_closed)
        return;
    if (rec_send(ctl_fd, type, p, len) < 0) {
        clog_always("control channel write failed: %s", strerror(errno));
        power_off(1);
    }
}

static void __attribute__((noreturn)) send_exit(uint32_t status)
{
    uint8_t b[4];
    put_le32(b, status);
    send_or_die(REC_EXIT, b, 4);
    dlog("EXIT %u", status);
    power_off(0);
}

/* An init error: ERROR record (when the channel is up) + EXIT 125, then power off. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stdio_console();
    clog_always("%s", msg);
    if (ctl_fd < 0)
        power_off(1);
    send_or_die(REC_ERROR, msg, strlen(msg));
    send_exit(EXIT_INIT_ERROR);
}

static void parse_cmdline(void)
{
    char line[4096];
    if (read_small("/proc/cmdline", line, sizeof line) < 0)
        return;
    for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        if (strncmp(tok, "c2w.ctl=", 8) == 0)
            snprintf(cfg.ctl, sizeof cfg.ctl, "%s", tok + 8);
        else if (strncmp(tok, "c2w.root=", 9) == 0)
            snprintf(cfg.root, sizeof cfg.root, "%s", tok + 9);
        else if (strncmp(tok, "c2w.rootfstype=", 15) == 0)
            snprintf(cfg.rootfstype, sizeof cfg.rootfstype, "%s", tok + 15);
        else if (strcmp(tok, "c2w.debug") == 0)
            g_debug = 1;
    }
}

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags,
                   const char *data)
{
    if (mkdir_p(dst, 0755) < 0)
        fail("mkdir %s: %s", dst, strerror(errno));
    if (mount(src, dst, type, flags, data) < 0)
        fail("mount %s on %s: %s", type, dst, strerror(errno));
}

/* Bind src on dst with flags (MS_NOSUID, ...): a bind mount takes its flags from a remount. */
static void xbind(const char *src, const char *dst, unsigned long flags)
{
    if (mkdir_p(dst, 0755) < 0)
        fail("mkdir %s: %s", dst, strerror(errno));
    if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
        mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
        fail("bind %s on %s: %s", src, dst, strerror(errno));
}

/* Every place the container can write in guest RAM is one tmpfs, /rw: the root overlay's upper
 * layer (so /tmp and every path of the image), /dev and /dev/shm (binds of /rw/dev and
 * /rw/shm). The guest has no swap, so tmpfs pages are never evicted: separately sized tmpfs
 * mounts filled together got the OOM killer; one shared size gets ENOSPC whatever is filled, and
 * the container keeps running. The size is a share of MemTotal read at boot (half, the kernel's
 * default for one tmpfs), so it follows the image's --memory. */
#define TMPFS_BUDGET_PERCENT 50

static unsigned long tmpfs_budget_kib(void)
{
    struct sysinfo si;
    if (sysinfo(&si) < 0)
        fail("sysinfo: %s", strerror(errno));
    unsigned long long kib = (unsigned long long)si.totalram * si.mem_unit / 1024;
    return (unsigned long)(kib * TMPFS_BUDGET_PERCENT / 100);
}

/* The initramfs root cannot be pivot_root'ed away from; put a tmpfs on top and chroot. */
static void move_root_to_tmpfs(void)
{
    unlink("/init"); /* frees its pages once we exec nothing from it again */
    if (mkdir("/.c2w", 0755) < 0 && errno != EEXIST)
        fail("mkdir /.c2w: %s", strerror(errno));
    if (mount("tmpfs", "/.c2w", "tmpfs", 0, "mode=0755") < 0 || chdir("/.c2w") < 0 ||
        mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
        fail("move root to tmpfs: %s", strerror(errno));
}

static void lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            clog_always("lo up: %s", strerror(errno));
    }
    close(s);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static void mount_rootfs(void)
{
    double t0 = uptime_s();
    struct stat st;
    while (stat(cfg.root, &st) < 0) {
        if (uptime_s() - t0 > CTL_WAIT_S)
            fail("rootfs device %s not found", cfg.root);
        sleep_ms(5);
    }
    mkdir_p("/lower", 0755);
    static const char *const types[] = {"erofs", "ext4"};
    int ok = 0, err = 0;
    if (*cfg.rootfstype) {
        ok = mount(cfg.root, "/lower", cfg.rootfstype, MS_RDONLY, NULL) == 0;
        err = errno;
    } else {
        for (size_t i = 0; i < 2 && !ok; i++) {
            ok = mount(cfg.root, "/lower", types[i], MS_RDONLY, NULL) == 0;
            if (!ok && (i == 0 || err == 0 || err == EINVAL))
                err = errno;
            if (ok)
                dlog("rootfs %s is %s", cfg.root, types[i]);
        }
    }
    if (!ok)
        fail("mount rootfs %s (%s): %s", cfg.root, *cfg.rootfstype ? cfg.rootfstype : "erofs, ext4",
             strerror(err));
    char opts[64];
    snprintf(opts, sizeof opts, "mode=0755,size=%luk", tmpfs_budget_kib());
    xmount("tmpfs", "/rw", "tmpfs", 0, opts);
    if (mkdir("/rw/upper", 0755) < 0 || mkdir("/rw/work", 0755) < 0 || mkdir("/rw/dev", 0755) < 0 ||
        mkdir("/rw/shm", 01777) < 0 || chmod("/rw/shm", 01777) < 0)
        fail("mkdir overlay dirs: %s", strerror(errno));
    char why[512];
    int emulators = register_emulators("/lower", "/rw/upper", why, sizeof why);
    if (emulators < 0)
        fail("%s", why);
    if (emulators)
        dlog("%d foreign-architecture emulator(s) registered", emulators);
    xmount("overlay", NEWROOT, "overlay", 0, "lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work");
}

static void xmknod(const char *path, mode_t mode, unsigned maj, unsigned min)
{
    if (mknod(path, S_IFCHR | mode, makedev(maj, min)) < 0 || chmod(path, mode) < 0)
        fail("mknod %s: %s", path, strerror(errno));
}

static void xsymlink(const char *target, const char *path)
{
    if (symlink(target, path) < 0)
        fail("symlink %s: %s", path, strerror(errno));
}

/* The container's /dev, like Docker's tmpfs but on the shared /rw (tmpfs_budget_kib), with its own
 * devpts instance and /dev/shm (also on /rw: nosuid, nodev, noexec, like Docker's). */
static void prepare_dev(void)
{
    xbind("/rw/dev", NEWROOT "/dev", MS_NOSUID);
    xmknod(NEWROOT "/dev/null", 0666, 1, 3);
    xmknod(NEWROOT "/dev/zero", 0666, 1, 5);
    xmknod(NEWROOT "/dev/full", 0666, 1, 7);
    xmknod(NEWROOT "/dev/random", 0666, 1, 8);
    xmknod(NEWROOT "/dev/urandom", 0666, 1, 9);
    xmknod(NEWROOT "/dev/tty", 0666, 5, 0);
    xsymlink("pts/ptmx", NEWROOT "/dev/ptmx");
    xsymlink("/proc/self/fd", NEWROOT "/dev/fd");
    xsymlink("/proc/self/fd/0", NEWROOT "/dev/stdin");
    xsymlink("/proc/self/fd/1", NEWROOT "/dev/stdout");
    xsymlink("/proc/self/fd/2", NEWROOT "/dev/stderr");
    if (mkdir(NEWROOT "/dev/shm", 01777) < 0 || chmod(NEWROOT "/dev/shm", 01777) < 0 ||
        mkdir(NEWROOT "/dev/mqueue", 0755) < 0)
        fail("mkdir in /dev: %s", strerror(errno));
    xbind("/rw/shm", NEWROOT "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    xmount("devpts", NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
           "newinstance,ptmxmode=0666,mode=0620,gid=5");
    mkdir_p(NEWROOT "/proc", 0555);
    mkdir_p(NEWROOT "/sys", 0555);
}

/* Where the control channel is: c2w.ctl=PATH once that node exists, else /dev/<port> of the
 * virtio port named "c2w.ctl". Returns 0 while it is not there (yet). */
static int find_ctl(char *path, size_t size)
{
    if (*cfg.ctl) {
        struct stat st;
        if (stat(cfg.ctl, &st) < 0)
            return 0;
        snprintf(path, size, "%s", cfg.ctl);
        return 1;
    }
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *de;
    int found = 0;
    while (d && !found && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char f[300], name[64];
        snprintf(f, sizeof f, "/sys/class/virtio-ports/%.200s/name", de->d_name);
        if (read_small(f, name, sizeof name) == 0 && strcmp(name, "c2w.ctl") == 0) {
            snprintf(path, size, "/dev/%.200s", de->d_name);
            found = 1;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* The control channel: c2w.ctl=PATH, else the virtio port named "c2w.ctl". Waits until the
 * device can be opened, not just until its node exists: the hvc driver creates /dev/hvc0..7 all
 * at once when the first console port comes up, and open() of a console port whose hvc is not
 * allocated yet fails with ENODEV (virtio_console sets ports up from a workqueue, which may run
 * after we start). */
static void open_ctl(void)
{
    char path[300] = "";
    double t0 = uptime_s();
    int retries = 0, last_err = 0;
    for (;; retries++, sleep_ms(5)) {
        stdio_console(); /* the console port may come up while we wait */
        if (uptime_s() - t0 > CTL_WAIT_S) {
            if (*path)
                clog_always("open %s: %s (%d tries in %.0f s)", path, strerror(last_err), retries,
                            CTL_WAIT_S);
            else
                clog_always("no control channel (virtio port 'c2w.ctl' or c2w.ctl=%s)", cfg.ctl);
            power_off(1);
        }
        if (!*path && !find_ctl(path, sizeof path)) {
            if (!retries)
                dlog("waiting for the control channel (%s)", *cfg.ctl ? cfg.ctl : "port c2w.ctl");
            continue;
        }
        ctl_fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (ctl_fd >= 0)
            break;
        if (errno != ENODEV && errno != ENOENT) {
            clog_always("open %s: %s", path, strerror(errno));
            power_off(1);
        }
        if (last_err != errno)
            dlog("waiting for the control channel (open %s: %s)", path, strerror(errno));
        last_err = errno;
    }
    stdio_console();
    if (isatty(ctl_fd)) {
        struct termios t;
        if (tcgetattr(ctl_fd, &t) < 0 || (cfmakeraw(&t), tcsetattr(ctl_fd, TCSANOW, &t)) < 0) {
            clog_always("raw mode on %s: %s", path, strerror(errno));
            power_off(1);
        }
    }
    dlog("control channel %s (%d retries, %.3f s)", path, retries, uptime_s() - t0);
}

/* Next whole record from the channel (blocking). */
static int next_record(uint8_t *type, const uint8_t **p, uint32_t *len)
{
    for (;;) {
        int r = rec_peek(&ctl_in, type, p, len);
        if (r < 0)
            fail("bad record header on the control channel");
        if (r > 0)
            return 0;
        long n = rbuf_fill(&ctl_in, ctl_fd);
        if (n <= 0)
            return -1;
    }
}

/* ---- the run ---- */

static struct run_req rq;
static struct container ctr;
static pid_t child;

static int stdin_w = -1, out_r = -1, err_r = -1, err_pipe_r = -1, master = -1, sig_fd = -1;
static uint8_t *in_buf;
static size_t in_len, in_cap, credit;
static int in_eof, exited;
static uint32_t status;
static char setup_err[1024];
static size_t setup_err_len;

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* After a snapshot restore every run starts from the same CRNG state: mix in the engine's
 * seed, credit it, and force a reseed so /dev/urandom and getrandom() diverge at once. */
static void seed_crng(const uint8_t *seed, size_t len)
{
    if (len > 4096)
        len = 4096;
    struct rand_pool_info *info = xmalloc(sizeof *info + len);
    info->entropy_count = (int)(len * 8);
    info->buf_size = (int)len;
    memcpy(info->buf, seed, len);
    int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, RNDADDENTROPY, info) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0)
        clog_always("seeding the CRNG: %s", strerror(errno));
    else
        dlog("CRNG reseeded with %zu bytes", len);
    if (fd >= 0)
        close(fd);
    free(info);
}

static void prepare_run(void)
{
    char err[512];
    if (rq.debug)
        g_debug = 1;
    if (rq.has_time) {
        struct timespec ts = {(time_t)rq.sec, (long)rq.nsec};
        if (clock_settime(CLOCK_REALTIME, &ts) < 0)
            dlog("clock_settime: %s", strerror(errno));
    }
    if (rq.seed_len)
        seed_crng(rq.seed, rq.seed_len);
    if (run_argv(&rq, &ctr.argv, err, sizeof err) < 0)
        fail("%s", err);
    for (size_t i = 0; i < rq.img_env.n; i++)
        env_set(&ctr.env, rq.img_env.v[i], strlen(rq.img_env.v[i]));
    for (size_t i = 0; i < rq.env.n; i++)
        env_set(&ctr.env, rq.env.v[i], strlen(rq.env.v[i]));
    ctr.hostname = rq.hostname && *rq.hostname ? rq.hostname : "c2w";
    if (!env_get(&ctr.env, "PATH"))
        env_set(&ctr.env, "PATH=" DEFAULT_PATH, strlen("PATH=" DEFAULT_PATH));
    if (!env_get(&ctr.env, "HOSTNAME")) {
        char kv[300];
        int n = snprintf(kv, sizeof kv, "HOSTNAME=%s", ctr.hostname);
        env_set(&ctr.env, kv, (size_t)n);
    }
    if (rq.tty && !env_get(&ctr.env, "TERM"))
        env_set(&ctr.env, "TERM=xterm", 10);
    ctr.rq = &rq;
    ctr.workdir = rq.workdir ? rq.workdir : rq.img_workdir;
    ctr.user = rq.user ? rq.user : rq.img_user;
    ctr.tty = rq.tty;
    if (rq.net) {
        static struct net_cfg net;
        static char resolv[512];
        if (net_parse(rq.net, &net, err, sizeof err) < 0 || net_apply(&net, err, sizeof err) < 0)
            fail("%s", err);
        net_resolv_conf(&net, resolv, sizeof resolv);
        if (*resolv)
            ctr.resolv_conf = resolv;
        dlog("%s configured", net.ifname);
    }
}

static void make_stdio(void)
{
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0)
        fail("pipe: %s", strerror(errno));
    err_pipe_r = ep[0];
    ctr.fd_errpipe = ep[1];
    if (rq.tty) {
        master = open(NEWROOT "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        int unlock = 0;
        if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
            fail("open pty: %s", strerror(errno));
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
            fail("open pty slave: %s", strerror(errno));
        if (rq.has_winsize) {
            struct winsize ws = {.ws_row = rq.rows, .ws_col = rq.cols};
            ioctl(master, TIOCSWINSZ, &ws);
        }
        ctr.fd_in = ctr.fd_out = ctr.fd_err = slave;
        out_r = master;
        stdin_w = rq.stdin_null ? -1 : master;
        set_nonblock(master);
        return;
    }
    int in[2], out[2], er[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0)
        fail("pipe: %s", strerror(errno));
    if (rq.stdin_null) {
        in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        in[1] = -1;
        if (in[0] < 0)
            fail("open /dev/null: %s", strerror(errno));
    } else if (pipe2(in, O_CLOEXEC) < 0) {
        fail("pipe: %s", strerror(errno));
    }
    ctr.fd_in = in[0];
    ctr.fd_out = out[1];
    ctr.fd_err = er[1];
    stdin_w = in[1];
    out_r = out[0];
    err_r = er[0];
    if (stdin_w >= 0)
        set_nonblock(stdin_w);
    set_nonblock(out_r);
    set_nonblock(err_r);
}

static void start_container(void)
{
    char *stack = malloc(STACK_SIZE);
    if (!stack)
        fail("out of memory");
    /* The child starts with every signal blocked: a SIGNAL record that comes while it is still
     * setting up stays pending and its mini init forwards it once the command runs (unblocked,
     * a PID namespace's init would drop it: no handler installed yet). */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    child = clone(container_main, stack + STACK_SIZE,
                  CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, &ctr);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (child < 0)
        fail("clone: %s", strerror(errno));
    dlog("container pid %d: %s", (int)child, ctr.argv.v[0]);
    /* The child's ends. With a pty the slave is one fd for all three. */
    close(ctr.fd_in);
    if (ctr.fd_out != ctr.fd_in)
        close(ctr.fd_out);
    if (ctr.fd_err != ctr.fd_out)
        close(ctr.fd_err);
    close(ctr.fd_errpipe);
    set_nonblock(err_pipe_r);
}

static void close_stdin(void)
{
    if (stdin_w < 0)
        return;
    if (master >= 0) {
        /* a terminal has no EOF of its own: type VEOF (^D) once */
        struct termios t;
        char eof = 4;
        if (tcgetattr(master, &t) == 0 && t.c_cc[VEOF])
            eof = (char)t.c_cc[VEOF];
        (void)!write(master, &eof, 1);
    } else {
        close(stdin_w);
    }
    stdin_w = -1;
    in_len = 0;
}

/* Tell the engine how much stdin the container took (or that was dropped). */
static void send_credit(int force)
{
    if (!credit || (!force && credit < CREDIT_BATCH))
        return;
    uint8_t b[4];
    put_le32(b, (uint32_t)credit);
    send_or_die(REC_STDIN_CREDIT, b, 4);
    credit = 0;
}

static void flush_stdin(void)
{
    while (stdin_w >= 0 && in_len) {
        ssize_t w = write(stdin_w, in_buf, in_len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return;
            /* EPIPE: the container closed its stdin; drop what is left */
            if (master < 0)
                close(stdin_w);
            stdin_w = -1;
            credit += in_len;
            in_len = 0;
            return;
        }
        memmove(in_buf, in_buf + w, in_len - (size_t)w);
        in_len -= (size_t)w;
        credit += (size_t)w;
    }
    send_credit(in_len == 0);
    if (in_eof && in_len == 0)
        close_stdin();
}

static void handle_record(uint8_t type, const uint8_t *p, uint32_t len)
{
    switch (type) {
    case REC_STDIN:
        if (stdin_w < 0 || in_eof) {
            credit += len; /* dropped: the container's stdin is gone */
            break;
        }
        if (in_len + len > in_cap) {
            in_cap = (in_len + len) * 2;
            in_buf = xrealloc(in_buf, in_cap);
        }
        memcpy(in_buf + in_len, p, len);
        in_len += len;
        break;
    case REC_STDIN_EOF:
        in_eof = 1;
        break;
    case REC_SIGNAL:
        if (len >= 4 && !exited) {
            uint32_t sig = get_le32(p);
            if (sig >= 1 && sig <= 64) {
                dlog("signal %u", sig);
                kill(child, (int)sig);
            }
        }
        break;
    case REC_WINSIZE:
        if (len >= 4 && master >= 0) {
            struct winsize ws = {.ws_row = (unsigned short)(p[0] | p[1] << 8),
                                 .ws_col = (unsigned short)(p[2] | p[3] << 8)};
            ioctl(master, TIOCSWINSZ, &ws);
        }
        break;
    default: /* a second RUN, or unknown: ignored */
        break;
    }
}

/* Relay one chunk of container output; returns 0 at EOF (or EIO from a pty master). */
static int relay_out(int fd, uint8_t type)
{
    static uint8_t buf[OUT_CHUNK];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 1;
    if (n <= 0)
        return 0;
    send_or_die(type, buf, (size_t)n);
    return 1;
}

static void reap(void)
{
    struct signalfd_siginfo si;
    while (read(sig_fd, &si, sizeof si) > 0) {
    }
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p != child)
            continue;
        exited = 1;
        status = WIFSIGNALED(st) ? 128u + (uint32_t)WTERMSIG(st) : (uint32_t)WEXITSTATUS(st);
        dlog("container exited: %u", status);
    }
}

static void relay_loop(void)
{
    int ctl_open = 1;
    double drain_deadline = 0;
    for (;;) {
        /* records already buffered (RUN may have arrived together with STDIN) */
        uint8_t type;
        const uint8_t *p;
        uint32_t len;
        int r;
        while ((r = rec_peek(&ctl_in, &type, &p, &len)) > 0) {
            handle_record(type, p, len);
            rec_consume(&ctl_in);
        }
        if (r < 0)
            fail("bad record header on the control channel");
        flush_stdin();

        if (exited && out_r < 0 && err_r < 0 && err_pipe_r < 0)
            return;
        if (exited && !drain_deadline)
            drain_deadline = uptime_s() + DRAIN_S;
        if (drain_deadline && uptime_s() > drain_deadline) {
            dlog("output did not reach EOF within %.0f s after exit", DRAIN_S);
            return;
        }

        struct pollfd pf[6];
        int n = 0, i_ctl = -1, i_out = -1, i_err = -1, i_ep = -1, i_sig;
        pf[i_sig = n++] = (struct pollfd){sig_fd, POLLIN, 0};
        if (ctl_open && in_len < STDIN_CAP)
            pf[i_ctl = n++] = (struct pollfd){ctl_fd, POLLIN, 0};
        if (stdin_w >= 0 && in_len && stdin_w != out_r)
            pf[n++] = (struct pollfd){stdin_w, POLLOUT, 0};
        if (out_r >= 0)
            pf[i_out = n++] = (struct pollfd){
                out_r, (short)(POLLIN | (stdin_w == out_r && in_len ? POLLOUT : 0)), 0};
        if (err_r >= 0)
            pf[i_err = n++] = (struct pollfd){err_r, POLLIN, 0};
        if (err_pipe_r >= 0)
            pf[i_ep = n++] = (struct pollfd){err_pipe_r, POLLIN, 0};
        int timeout = drain_deadline ? 100 : -1;
        if (poll(pf, (nfds_t)n, timeout) < 0) {
            if (errno == EINTR)
                continue;
            fail("poll: %s", strerror(errno));
        }
        if (pf[i_sig].revents)
            reap();
        if (i_ctl >= 0 && pf[i_ctl].revents) {
            long got = rbuf_fill(&ctl_in, ctl_fd);
            if (got <= 0) {
                /* the engine went away: stop the container, nobody is listening */
                dlog("control channel closed");
                ctl_open = 0;
                ctl_closed = 1;
                if (!exited)
                    kill(child, SIGKILL);
            }
        }
        if (i_out >= 0 && pf[i_out].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!relay_out(out_r, REC_STDOUT)) {
                if (out_r != master)
                    close(out_r);
                out_r = -1;
            }
        }
        if (i_err >= 0 && pf[i_err].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!relay_out(err_r, REC_STDERR)) {
                close(err_r);
                err_r = -1;
            }
        }
        if (i_ep >= 0 && pf[i_ep].revents) {
            ssize_t k = read(err_pipe_r, setup_err + setup_err_len,
                             sizeof setup_err - 1 - setup_err_len);
            if (k > 0) {
                setup_err_len += (size_t)k;
            } else if (k == 0 || errno != EAGAIN) {
                close(err_pipe_r);
                err_pipe_r = -1;
            }
        }
    }
}

int main(void)
{
    stdio_placeholders();
    umask(022);
    signal(SIGPIPE, SIG_IGN);
    if (getpid() != 1)
        fprintf(stderr, "c2w-init: warning: not PID 1\n");

    move_root_to_tmpfs();
    xmount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    parse_cmdline();
    xmount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    xmount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
    stdio_console();
    dlog("init started");
    lo_up();
    open_ctl();
    mount_rootfs();
    prepare_dev();

    uint8_t ver[4];
    put_le32(ver, PROTO_VERSION);
    send_or_die(REC_READY, ver, 4);
    dlog("READY");

    uint8_t type;
    const uint8_t *p;
    uint32_t len;
    for (;;) {
        if (next_record(&type, &p, &len) < 0) {
            clog_always("control channel closed before RUN");
            power_off(1);
        }
        if (type == REC_RUN)
            break;
        rec_consume(&ctl_in); /* nothing else means anything before RUN */
    }
    char err[512];
    if (run_decode(p, len, &rq, err, sizeof err) < 0)
        fail("%s", err);
    rec_consume(&ctl_in);
    prepare_run();

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sig_fd < 0)
        fail("signalfd: %s", strerror(errno));

    make_stdio();
    start_container();
    relay_loop();

    if (setup_err_len) {
        setup_err[setup_err_len] = 0;
        send_or_die(REC_ERROR, setup_err, setup_err_len);
        status = EXIT_INIT_ERROR;
    }
    send_exit(status);
}
