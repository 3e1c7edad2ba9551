/* Run-time interface of an image: argv options, WASI environ and preopens -> the RUN record. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasm__
#include <wasi/api.h>
#else
#include <sys/ioctl.h>
#endif

#include "virtio_9p.h"

static const char *g_prog = "c2w";
static const RunOpts *scanned; /* the preopens found by runopts_scan_preopens (status file) */

static void bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", g_prog);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(2);
}

void runopts_usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s [options] [--] [COMMAND [ARG...]]\n"
            "  COMMAND ARG...      replaces the image Cmd\n"
            "  --entrypoint CMD    replaces the image Entrypoint (and drops the image Cmd)\n"
            "  --workdir DIR       working directory in the container\n"
            "  --user U[:G]        user (name or uid) and group\n"
            "  --no-stdin          the container's stdin is /dev/null\n"
            "  --tty, --no-tty     force a terminal or plain pipes (default: a terminal when\n"
            "                      stdin and stdout are terminals)\n"
            "  --stdin-mode M      how to wait for stdin: poll (default), nonblock, idle (read\n"
            "                      only while the guest idles: wasmer), none\n"
            "  --mount NAME:PATH[:ro]  show the preopened directory NAME at PATH in the\n"
            "                      container (:ro read-only, enforced by the engine)\n"
            "  --net[=socket[=listenfd=N]]  network: virtio-net frames (QEMU stream framing) over\n"
            "                      one connection accepted on the pre-opened listening socket;\n"
            "                      eth0 gets " NET_GUEST_CONFIG "\n"
            "  --mac ADDR          the guest's MAC address (with --net)\n"
            "  --debug             kernel and init logs on stderr\n"
            "  --stats             engine statistics on stderr at exit\n"
            "WASI environment variables are added to the container environment; preopened\n"
            "directories appear at their guest path. Exit status: the container's (signal N:\n"
            "128+N), 125 when the container could not run, 2 for bad options.\n",
            prog);
}

/* "--opt VALUE" or "--opt=VALUE": returns the value and advances *i, or NULL if a is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
    const char *a = argv[*i];
    size_t n = strlen(opt);
    if (strncmp(a, opt, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc)
        bad("option %s needs a value%s", opt, "");
    return argv[++*i];
}

static void put_str(RunOpts *o, uint8_t tag, const char *s)
{
    if (!field_put(&o->fields, tag, s, strlen(s)))
        bad("%s%s", "out of memory", "");
}

void runopts_parse(RunOpts *o, int argc, char **argv, int start, const char *prog)
{
    g_prog = prog;
    o->tty = -1;
    o->stdin_mode = STDIN_POLL;
    bool entry_given = false;
    int i = start;
    for (; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2))
            break; /* the command starts here */
        if (!strcmp(a, "--help")) {
            runopts_usage(stdout, prog);
            exit(0);
        } else if ((v = opt_value(argc, argv, &i, "--entrypoint"))) {
            if (entry_given)
                bad("--entrypoint given twice%s%s", "", "");
            entry_given = true;
            put_str(o, 'e', v);
        } else if ((v = opt_value(argc, argv, &i, "--workdir"))) {
            if (v[0] != '/')
                bad("--workdir %s: must be an absolute path%s", v, "");
            put_str(o, 'w', v);
        } else if ((v = opt_value(argc, argv, &i, "--user"))) {
            if (!v[0])
                bad("--user: empty user%s%s", "", "");
            put_str(o, 'u', v);
        } else if ((v = opt_value(argc, argv, &i, "--stdin-mode"))) {
            if (!strcmp(v, "poll")) o->stdin_mode = STDIN_POLL;
            else if (!strcmp(v, "nonblock")) o->stdin_mode = STDIN_NONBLOCK;
            else if (!strcmp(v, "none")) o->stdin_mode = STDIN_NONE;
            else if (!strcmp(v, "idle")) o->stdin_mode = STDIN_IDLE;
            else bad("--stdin-mode %s: expected poll, nonblock, idle or none%s", v, "");
        } else if ((v = opt_value(argc, argv, &i, "--mount"))) {
            size_t len = strlen(v);
            bool ro = false;
            if (len > 3 && (!strcmp(v + len - 3, ":ro") || !strcmp(v + len - 3, ":rw"))) {
                ro = v[len - 1] == 'o';
                len -= 3;
            }
            const char *colon = memrchr(v, ':', len);
            if (!colon || colon == v || colon[1] != '/')
                bad("--mount %s: expected NAME:/guest/path[:ro]%s", v, "");
            if (o->nmaps == MAX_MOUNT_MAPS)
                bad("too many --mount options%s%s", "", "");
            o->maps[o->nmaps].name = strndup(v, (size_t)(colon - v));
            o->maps[o->nmaps].path = strndup(colon + 1, len - (size_t)(colon + 1 - v));
            o->maps[o->nmaps].ro = ro;
            o->nmaps++;
        } else if (!strcmp(a, "--no-stdin")) {
            o->no_stdin = true;
        } else if (!strcmp(a, "--tty")) {
            o->tty = 1;
        } else if (!strcmp(a, "--no-tty")) {
            o->tty = 0;
        } else if (!strcmp(a, "--debug")) {
            o->debug = true;
        } else if (!strcmp(a, "--stats")) {
            o->stats = true;
        } else if (!strcmp(a, "--net") || !strncmp(a, "--net=", 6)) {
            char err[256];
            if (!net_parse_opt(&o->net, a[5] ? a + 6 : NULL, err, sizeof err))
                bad("%s%s", err, "");
        } else if ((v = opt_value(argc, argv, &i, "--mac"))) {
            char err[256];
            if (!net_parse_mac(&o->net, v, err, sizeof err))
                bad("%s%s", err, "");
        } else {
            bad("unknown option %s (see --help; put the command after --)%s", a, "");
        }
    }
    for (; i < argc; i++)
        put_str(o, 'a', argv[i]);
}

bool runopts_add_preopen(RunOpts *o, const char *host, const char *guest)
{
    if (o->npre == MAX_PREOPENS) {
        errno = EMFILE;
        return false;
    }
    int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    o->pre[o->npre].fd = fd;
    o->pre[o->npre].name = strdup(guest);
    o->npre++;
    return true;
}

void runopts_scan_preopens(RunOpts *o)
{
    scanned = o;
#ifdef __wasm__
    for (int fd = 3; o->npre < MAX_PREOPENS; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get((__wasi_fd_t)fd, &ps) != 0) {
            if (net_fd_is_socket(fd))
                continue; /* a pre-opened listening socket (--net) may come before directories */
            break; /* EBADF: no more preopens */
        }
        if (ps.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        size_t n = ps.u.dir.pr_name_len;
        char *name = malloc(n + 1);
        if (!name || __wasi_fd_prestat_dir_name((__wasi_fd_t)fd, (uint8_t *)name, n) != 0) {
            free(name);
            continue;
        }
        name[n] = 0;
        while (n && name[n - 1] == 0) /* some runtimes count a terminator */
            name[--n] = 0;
        o->pre[o->npre].fd = fd;
        o->pre[o->npre].name = name;
        o->npre++;
    }
#else
    (void)o;
#endif
}

/* ---------------------------------------------------------------- config payload */

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool config_check(const uint8_t *p, size_t len, unsigned *ram_mb, char *err, size_t errlen)
{
    for (size_t off = 0; off < len;) {
        if (len - off < 5) {
            snprintf(err, errlen, "config payload: truncated field header at byte %zu", off);
            return false;
        }
        uint32_t n = le32(p + off + 1);
        if (n > len - off - 5) {
            snprintf(err, errlen, "config payload: field '%c' at byte %zu runs past the end", p[off], off);
            return false;
        }
        if (p[off] == 'M') {
            char num[16] = {0};
            if (n == 0 || n >= sizeof num) {
                snprintf(err, errlen, "config payload: bad M (memory) field");
                return false;
            }
            memcpy(num, p + off + 5, n);
            char *end;
            unsigned long v = strtoul(num, &end, 10);
            if (*end || v < 16 || v > 4096) {
                snprintf(err, errlen, "config payload: M (memory) %s: expected 16..4096 MiB", num);
                return false;
            }
            if (ram_mb)
                *ram_mb = (unsigned)v;
        }
        off += 5 + (size_t)n;
    }
    return true;
}

/* ---------------------------------------------------------------- RUN record */

/* Terminal size from the environment (WASI has no ioctl): C2W_WINSIZE=ROWSxCOLS (the launcher's,
 * not passed on), else LINES and COLUMNS. */
static unsigned env_rows, env_cols;
static bool winsize_given;

#ifdef __wasm__
static void parse_winsize(const char *v)
{
    char *end;
    unsigned long r = strtoul(v, &end, 10);
    if (*end != 'x')
        return;
    unsigned long c = strtoul(end + 1, &end, 10);
    if (*end || !r || !c || r > 65535 || c > 65535)
        return;
    env_rows = (unsigned)r;
    env_cols = (unsigned)c;
    winsize_given = true;
}
#endif

static bool add_env(Buf *out)
{
#ifdef __wasm__
    __wasi_size_t count, size;
    if (__wasi_environ_sizes_get(&count, &size) != 0 || count == 0)
        return true;
    uint8_t **ptrs = calloc(count + 1, sizeof *ptrs);
    uint8_t *buf = malloc(size ? size : 1);
    bool ok = ptrs && buf && __wasi_environ_get(ptrs, buf) == 0;
    for (size_t i = 0; ok && i < count; i++) {
        const char *kv = (const char *)ptrs[i];
        if (!strncmp(kv, STATUS_ENV "=", sizeof STATUS_ENV)) { /* for us, not the container */
            free(runtime_status_file);
            runtime_status_file = strdup(kv + sizeof STATUS_ENV);
            continue;
        }
        if (!strncmp(kv, WINSIZE_ENV "=", sizeof WINSIZE_ENV)) { /* for us, not the container */
            parse_winsize(kv + sizeof WINSIZE_ENV);
            continue;
        }
        if (!strncmp(kv, "LINES=", 6) && !env_rows)
            env_rows = (unsigned)atoi(kv + 6);
        if (!strncmp(kv, "COLUMNS=", 8) && !env_cols)
            env_cols = (unsigned)atoi(kv + 8);
        ok = field_put(out, 'v', ptrs[i], strlen(kv));
    }
    free(ptrs);
    free(buf);
    return ok;
#else
    (void)out;
    return true;
#endif
}

char *runtime_status_file;

/* The guest path of a preopen, or NULL to skip it; *ro: mount it read-only. */
static const char *guest_path(RunOpts *o, const Preopen *p, char *tmp, size_t cap, bool *ro)
{
    *ro = false;
    size_t sl = strlen(STATUS_DIR);
    if (!strncmp(p->name, STATUS_DIR, sl) && (p->name[sl] == 0 || p->name[sl] == '/'))
        return NULL; /* the launcher's status directory: never shown to the container */
    for (int i = o->nmaps - 1; i >= 0; i--)
        if (!strcmp(o->maps[i].name, p->name)) {
            *ro = o->maps[i].ro;
            return o->maps[i].path;
        }
    const char *n = p->name;
    while (n[0] == '.' && n[1] == '/')
        n += 2;
    if (!n[0] || !strcmp(n, ".") || !strcmp(n, "/"))
        return NULL; /* the current directory or the root: only with --mount */
    size_t len = strlen(n);
    while (len > 1 && n[len - 1] == '/')
        len--;
    if (len + 2 > cap)
        return NULL;
    if (n[0] == '/')
        snprintf(tmp, cap, "%.*s", (int)len, n);
    else
        snprintf(tmp, cap, "/%.*s", (int)len, n);
    return tmp;
}

/* Bind directory fd to a 9p slot prepared at boot (before a snapshot, with no directory):
 * the device keeps its transport state and mount tag. */
static bool ninep_bind(NinepSlot *s, int fd, bool ro)
{
    return virtio_9p_set_root(s->dev, fd, ro); /* ro: the server refuses every change too */
}

bool run_record(Machine *m, RunOpts *o, const uint8_t *config, size_t config_len, NinepSlot *slots,
                int nslots, Buf *out, char *err, size_t errlen)
{
    bool ok = true;
    /* image defaults, minus the engine's own fields */
    for (size_t off = 0; ok && off + 5 <= config_len;) {
        uint32_t n = le32(config + off + 1);
        if (config[off] != 'M')
            ok = buf_put(out, config + off, 5 + (size_t)n);
        off += 5 + (size_t)n;
    }
    ok = ok && add_env(out) && buf_put(out, o->env.p, o->env.len);
    ok = ok && buf_put(out, o->fields.p, o->fields.len);

    for (int i = 0; i < o->nmaps; i++) {
        bool found = false;
        for (int j = 0; j < o->npre; j++)
            found |= !strcmp(o->pre[j].name, o->maps[i].name);
        if (!found) {
            snprintf(err, errlen, "--mount %s:%s: no preopened directory is named %s", o->maps[i].name,
                     o->maps[i].path, o->maps[i].name);
            return false;
        }
    }
    int used = 0;
    for (int j = 0; ok && j < o->npre; j++) {
        char tmp[4096];
        bool ro;
        const char *path = guest_path(o, &o->pre[j], tmp, sizeof tmp, &ro);
        if (!path)
            continue;
        if (nslots == 0)
            break; /* no 9p devices (not container mode): directories cannot be served */
        if (used == nslots) {
            snprintf(err, errlen, "too many preopened directories (at most %d can be mounted)", nslots);
            return false;
        }
        NinepSlot *s = &slots[used];
        if (!ninep_bind(s, o->pre[j].fd, ro)) {
            snprintf(err, errlen, "cannot serve the preopened directory %s", o->pre[j].name);
            return false;
        }
        used++;
        Buf f = {0};
        ok = buf_put(&f, s->tag, strlen(s->tag) + 1) && buf_put(&f, path, strlen(path)) &&
             (!ro || buf_put(&f, "\0ro", 3)) && field_put(out, 'm', f.p, f.len);
        buf_free(&f);
    }

    bool tty = o->tty == 1 || (o->tty < 0 && isatty(0) && isatty(1));
    o->tty = tty;
    bool no_stdin = o->no_stdin || o->stdin_mode == STDIN_NONE;
    if (ok && tty) {
        ok = field_put(out, 't', "1", 1);
        unsigned rows = 0, cols = 0;
#ifndef __wasm__
        struct winsize ws;
        if (ioctl(1, TIOCGWINSZ, &ws) == 0 || ioctl(0, TIOCGWINSZ, &ws) == 0) {
            rows = ws.ws_row;
            cols = ws.ws_col;
        }
#endif
        if (winsize_given || !rows || !cols) {
            rows = env_rows;
            cols = env_cols;
        }
        if (ok && rows && cols && rows < 65536 && cols < 65536) {
            uint8_t z[4] = {(uint8_t)rows, (uint8_t)(rows >> 8), (uint8_t)cols, (uint8_t)(cols >> 8)};
            ok = field_put(out, 'z', z, 4);
        }
    }
    if (ok && no_stdin)
        ok = field_put(out, 'i', "0", 1);
    if (ok && !o->fixed_inputs) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t s = (uint64_t)ts.tv_sec;
        uint32_t ns = (uint32_t)ts.tv_nsec;
        uint8_t t[12];
        for (int i = 0; i < 8; i++)
            t[i] = (uint8_t)(s >> (8 * i));
        for (int i = 0; i < 4; i++)
            t[8 + i] = (uint8_t)(ns >> (8 * i));
        ok = field_put(out, 'T', t, 12);
    }
    if (ok && o->debug)
        ok = field_put(out, 'd', "1", 1);
    if (ok && o->net.on) {
        char n[128];
        snprintf(n, sizeof n, "%s", NET_GUEST_CONFIG);
        if (o->net.have_mac) {
            const uint8_t *a = o->net.mac;
            snprintf(n + strlen(n), sizeof n - strlen(n), " mac=%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1],
                     a[2], a[3], a[4], a[5]);
        }
        ok = field_put(out, 'n', n, strlen(n));
    }
    if (ok && !o->fixed_inputs) { /* fresh entropy: a run from a snapshot must not reuse the snapshot's CRNG state */
        uint8_t seed[32];
        if (getentropy(seed, sizeof seed) == 0)
            ok = field_put(out, 'r', seed, sizeof seed);
    }
    if (!ok)
        snprintf(err, errlen, "out of memory building the run request");
    else if (out->len > REC_MAX) {
        snprintf(err, errlen, "the run request is larger than 64 MiB");
        return false;
    }
    (void)m;
    return ok;
}

int runtime_start(Machine *m, RunOpts *o, const uint8_t *config, size_t config_len, NinepSlot *slots,
                  int nslots)
{
    Buf rec = {0};
    char err[512];
    /* --net: take the transport's connection before the guest starts, so no frame is lost */
    if (o->net.on && !net_connect(&o->net, 20000, err, sizeof err)) {
        fprintf(stderr, "c2w: %s\n", err);
        return 125;
    }
    if (!run_record(m, o, config, config_len, slots, nslots, &rec, err, sizeof err)) {
        fprintf(stderr, "c2w: %s\n", err);
        return 2;
    }
    if (!ctl_send(m, REC_RUN, rec.p, rec.len)) {
        fprintf(stderr, "c2w: cannot queue the run request\n");
        return 125;
    }
    buf_free(&rec);
    if (o->net.stdio) { /* stdin arrives through the multiplex (net.c), not read here */
        bool want = !o->no_stdin && o->stdin_mode != STDIN_NONE;
        net_mux_attach(m, want);
        m->ctl->stdin_on = want;
    } else if (!o->no_stdin && o->stdin_mode != STDIN_NONE) {
        m->stdin_mode = o->stdin_mode;
        host_stdin_setup(m);
        m->ctl->stdin_on = true;
    }
    return 0;
}

/* fopen(path, "w"), resolving path against the scanned preopens first: wasi-libc's own preopen
 * table stops at the first fd that is not a directory (wasmtime 46 puts a pre-opened listening
 * socket, --net, before the directories). */
static FILE *open_for_writing(const char *path)
{
    for (int i = 0; scanned && i < scanned->npre; i++) {
        const char *name = scanned->pre[i].name;
        size_t n = strlen(name);
        while (n > 1 && name[n - 1] == '/')
            n--;
        if (n && !strncmp(path, name, n) && path[n] == '/' && path[n + 1]) {
            int fd = openat(scanned->pre[i].fd, path + n + 1, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            return fd < 0 ? NULL : fdopen(fd, "w");
        }
    }
    return fopen(path, "w");
}

int runtime_report_status(int code)
{
    if (!runtime_status_file)
        return code;
    FILE *f = open_for_writing(runtime_status_file);
    if (!f || fprintf(f, "%d\n", code) < 0 || fclose(f) != 0) {
        fprintf(stderr, "c2w: cannot write the exit status to %s\n", runtime_status_file);
        return code;
    }
    return code > 125 ? 125 : code; /* the launcher reads the file; keep proc_exit legal */
}
