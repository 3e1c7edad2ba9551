/* A 9P2000.L file server for one host directory, transport independent.
 *
 * Portability: only POSIX calls that wasi-libc maps onto WASI path_* / fd_* calls (openat,
 * fstatat, mkdirat, unlinkat, renameat, symlinkat, readlinkat, linkat, utimensat, ftruncate,
 * pread, pwrite, fdopendir/readdir, fsync). WASI has no chmod, chown, mknod or statvfs:
 *   - permission bits: natively fchmodat; on WASI the mode is remembered in memory for the
 *     session (keyed by inode number) and otherwise reported as 0777 (WASI's filestat has no
 *     permission bits and the runtime lets anyone in the guest use the files anyway);
 *   - owner: chown and the owner of created files are remembered in memory (both builds);
 *     otherwise the host owner natively, and on WASI the uid of the user who attached (Linux
 *     attaches once per guest user), as uid and gid: every guest user owns the mapped files;
 *   - mknod: EPERM; statfs on WASI: synthetic numbers.
 *
 * Confinement: a fid is a path of validated components relative to the root fd ("" = root).
 * Every request re-resolves that path one component at a time with
 * openat(O_DIRECTORY|O_NOFOLLOW), and acts on the last component with *at(...NOFOLLOW) calls, so
 * neither a symlink (wherever it points, even one swapped in by a race) nor ".." can lead out
 * of the root. Walk names containing '/', empty names and "." are refused; ".." is lexical
 * (it drops the last component and stays at the root), as 9P specifies. Only regular files and
 * directories can be opened (no fifos or device nodes of the host). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <sys/statvfs.h>
#endif

#include "../virtio_9p.h"

/* ---- Linux constants spoken on the wire ---- */
enum {
    L_EPERM = 1, L_ENOENT = 2, L_EIO = 5, L_EBADF = 9, L_ENOMEM = 12, L_EACCES = 13,
    L_EBUSY = 16, L_EEXIST = 17, L_ENOTDIR = 20, L_EISDIR = 21, L_EINVAL = 22, L_EROFS = 30,
    L_ENAMETOOLONG = 36, L_ENOSYS = 38, L_ELOOP = 40, L_EPROTO = 71, L_EOPNOTSUPP = 95,
};
#define L_O_ACCMODE 3
#define L_O_WRONLY 1
#define L_O_RDWR 2
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_AT_REMOVEDIR 0x200
#define L_S_IFMT 0170000

enum {
    Tlerror = 6, Rlerror, Tstatfs = 8, Rstatfs, Tlopen = 12, Rlopen, Tlcreate = 14, Rlcreate,
    Tsymlink = 16, Rsymlink, Tmknod = 18, Rmknod, Trename = 20, Rrename, Treadlink = 22,
    Rreadlink, Tgetattr = 24, Rgetattr, Tsetattr = 26, Rsetattr, Txattrwalk = 30, Rxattrwalk,
    Txattrcreate = 32, Rxattrcreate, Treaddir = 40, Rreaddir, Tfsync = 50, Rfsync, Tlock = 52,
    Rlock, Tgetlock = 54, Rgetlock, Tlink = 70, Rlink, Tmkdir = 72, Rmkdir, Trenameat = 74,
    Rrenameat, Tunlinkat = 76, Runlinkat, Tversion = 100, Rversion, Tauth = 102, Rauth,
    Tattach = 104, Rattach, Tflush = 108, Rflush = 109, Twalk = 110, Rwalk, Tread = 116, Rread,
    Twrite = 118, Rwrite, Tclunk = 120, Rclunk, Tremove = 122, Rremove,
};

#define QT_DIR 0x80
#define QT_SYMLINK 0x02
#define QT_FILE 0x00
#define HDR 7 /* size[4] type[1] tag[2] */
#define MAX_WALK 16

/* ---- errno: WASI's numbers differ from Linux's ---- */
static uint32_t lx_errno(int e)
{
#ifdef __linux__
    return e > 0 ? (uint32_t)e : L_EIO;
#else
    switch (e) {
    case EPERM: return 1; case ENOENT: return 2; case EINTR: return 4; case EIO: return 5;
    case ENXIO: return 6; case E2BIG: return 7; case EBADF: return 9; case EAGAIN: return 11;
    case ENOMEM: return 12; case EACCES: return 13; case EFAULT: return 14; case EBUSY: return 16;
    case EEXIST: return 17; case EXDEV: return 18; case ENODEV: return 19; case ENOTDIR: return 20;
    case EISDIR: return 21; case EINVAL: return 22; case ENFILE: return 23; case EMFILE: return 24;
    case ETXTBSY: return 26; case EFBIG: return 27; case ENOSPC: return 28; case ESPIPE: return 29;
    case EROFS: return 30; case EMLINK: return 31; case EPIPE: return 32; case ERANGE: return 34;
    case ENAMETOOLONG: return 36; case ENOSYS: return 38; case ENOTEMPTY: return 39;
    case ELOOP: return 40; case EOVERFLOW: return 75;
#ifdef ENODATA
    case ENODATA: return 61;
#endif
    case EOPNOTSUPP: return 95; case ESTALE: return 116; case EDQUOT: return 122;
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    case ENOTSUP: return 95;
#endif
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return 1; /* the runtime refused: EPERM */
#endif
    }
    return L_EIO;
#endif
}

static uint32_t lx_mode_type(mode_t m)
{
    if (S_ISDIR(m)) return 0040000;
    if (S_ISREG(m)) return 0100000;
    if (S_ISLNK(m)) return 0120000;
    if (S_ISCHR(m)) return 0020000;
    if (S_ISBLK(m)) return 0060000;
    if (S_ISFIFO(m)) return 0010000;
    if (S_ISSOCK(m)) return 0140000;
    return 0100000;
}

static uint8_t lx_dtype(unsigned char t)
{
    switch (t) {
    case DT_DIR: return 4;
    case DT_REG: return 8;
    case DT_LNK: return 10;
    case DT_CHR: return 2;
    case DT_BLK: return 6;
#ifdef DT_FIFO
    case DT_FIFO: return 1;
#endif
#ifdef DT_SOCK
    case DT_SOCK: return 12;
#endif
    }
    return 0;
}

static uint8_t qid_type(mode_t m)
{
    return S_ISDIR(m) ? QT_DIR : S_ISLNK(m) ? QT_SYMLINK : QT_FILE;
}

/* ---- attributes WASI cannot store (and owners natively), remembered per inode ---- */
typedef struct {
    uint64_t ino;
    uint32_t mode; /* permission bits | 0x80000000 when set */
    uint32_t uid, gid;
    bool has_owner, used;
} Attr;

/* ---- fids ---- */
typedef struct Pending {
    uint64_t ino;
    unsigned char type;
    char name[];
} Pending;

typedef struct Fid Fid;
struct Fid {
    uint32_t fid;
    Fid *next;         /* hash chain */
    char *path;        /* "" = root, else "a/b/c" */
    int fd;            /* open file or directory, -1 */
    DIR *dir;          /* for an open directory */
    uint64_t dir_pos;  /* index of the next entry dir will return */
    struct Pending *pending; /* a directory entry read but not yet sent */
    bool xattr;        /* an (empty) xattr fid */
    uint32_t uid;      /* attach uid */
};

#define FID_BUCKETS 256
/* Directory fds kept open by path (saves re-opening every component of deep paths). Dropped on
 * every guest rename/unlink/remove, the only ways the guest can change what a path names. */
#define DCACHE 8

struct P9Server {
    int root_fd;
    bool ro;
    uint32_t msize;
    Fid *fids[FID_BUCKETS];
    Attr *attrs;
    size_t nattrs, cap_attrs;
    struct {
        char *path; /* NULL = free slot */
        size_t len;
        int fd;
        uint64_t used;
    } dcache[DCACHE];
    uint64_t tick;
};

static Fid *fid_get(P9Server *s, uint32_t id)
{
    for (Fid *f = s->fids[id % FID_BUCKETS]; f; f = f->next)
        if (f->fid == id)
            return f;
    return NULL;
}

static void fid_close(Fid *f)
{
    if (f->dir)
        closedir(f->dir); /* closes f->fd too */
    else if (f->fd >= 0)
        close(f->fd);
    f->dir = NULL;
    f->fd = -1;
    free(f->pending);
    f->pending = NULL;
}

static void fid_del(P9Server *s, uint32_t id)
{
    for (Fid **pp = &s->fids[id % FID_BUCKETS]; *pp; pp = &(*pp)->next) {
        if ((*pp)->fid == id) {
            Fid *f = *pp;
            *pp = f->next;
            fid_close(f);
            free(f->path);
            free(f);
            return;
        }
    }
}

/* New fid (replacing none: the caller checks it is unused). path is taken over. */
static Fid *fid_new(P9Server *s, uint32_t id, char *path, uint32_t uid)
{
    Fid *f = calloc(1, sizeof *f);
    if (!f) {
        free(path);
        return NULL;
    }
    f->fid = id;
    f->path = path;
    f->fd = -1;
    f->uid = uid;
    f->next = s->fids[id % FID_BUCKETS];
    s->fids[id % FID_BUCKETS] = f;
    return f;
}

static void dcache_flush(P9Server *s);

void p9_server_reset(P9Server *s)
{
    dcache_flush(s);
    for (int b = 0; b < FID_BUCKETS; b++)
        while (s->fids[b])
            fid_del(s, s->fids[b]->fid);
}

P9Server *p9_server_new(int root_fd, bool readonly)
{
    P9Server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->root_fd = root_fd;
    s->ro = readonly;
    s->msize = 8192;
    return s;
}

void p9_server_free(P9Server *s)
{
    if (!s)
        return;
    p9_server_reset(s);
    close(s->root_fd);
    free(s->attrs);
    free(s);
}

static Attr *attr_get(P9Server *s, uint64_t ino, bool create)
{
    if (s->cap_attrs) {
        for (size_t i = (size_t)(ino * 0x9E3779B97F4A7C15ULL >> 20) & (s->cap_attrs - 1);;
             i = (i + 1) & (s->cap_attrs - 1)) {
            if (!s->attrs[i].used)
                break;
            if (s->attrs[i].ino == ino)
                return &s->attrs[i];
        }
    }
    if (!create)
        return NULL;
    if (2 * (s->nattrs + 1) > s->cap_attrs) { /* grow and rehash */
        size_t n = s->cap_attrs ? s->cap_attrs * 2 : 256;
        Attr *a = calloc(n, sizeof *a), *old = s->attrs;
        if (!a)
            return NULL;
        size_t oc = s->cap_attrs;
        s->attrs = a;
        s->cap_attrs = n;
        s->nattrs = 0;
        for (size_t i = 0; i < oc; i++)
            if (old[i].used)
                *attr_get(s, old[i].ino, true) = old[i];
        free(old);
    }
    size_t i = (size_t)(ino * 0x9E3779B97F4A7C15ULL >> 20) & (s->cap_attrs - 1);
    while (s->attrs[i].used)
        i = (i + 1) & (s->cap_attrs - 1);
    Attr *a = &s->attrs[i];
    memset(a, 0, sizeof *a);
    a->used = true;
    a->ino = ino;
    s->nattrs++;
    return a;
}

/* ---- message decoding / encoding ---- */
typedef struct {
    const uint8_t *p;
    size_t len, pos;
    bool err;
} Rd;

static const uint8_t *rd_take(Rd *r, size_t n)
{
    if (r->err || r->len - r->pos < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint64_t rd_n(Rd *r, int n)
{
    const uint8_t *p = rd_take(r, (size_t)n);
    uint64_t v = 0;
    if (p)
        for (int i = n - 1; i >= 0; i--)
            v = (v << 8) | p[i];
    return v;
}
#define rd8(r) ((uint8_t)rd_n(r, 1))
#define rd16(r) ((uint16_t)rd_n(r, 2))
#define rd32(r) ((uint32_t)rd_n(r, 4))
#define rd64(r) rd_n(r, 8)

/* A string as a fresh NUL-terminated copy (NULL on error or embedded NUL). */
static char *rd_str(Rd *r)
{
    uint16_t n = rd16(r);
    const uint8_t *p = rd_take(r, n);
    if (!p || memchr(p, 0, n)) {
        r->err = true;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->err = true;
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

typedef struct {
    uint8_t *p;
    size_t cap, pos;
    bool err;
} Wr;

static void wr_n(Wr *w, uint64_t v, int n)
{
    if (w->cap - w->pos < (size_t)n) {
        w->err = true;
        return;
    }
    for (int i = 0; i < n; i++)
        w->p[w->pos++] = (uint8_t)(v >> (8 * i));
}
#define wr8(w, v) wr_n(w, v, 1)
#define wr16(w, v) wr_n(w, v, 2)
#define wr32(w, v) wr_n(w, v, 4)
#define wr64(w, v) wr_n(w, v, 8)

static void wr_bytes(Wr *w, const void *b, size_t n)
{
    if (w->cap - w->pos < n) {
        w->err = true;
        return;
    }
    memcpy(w->p + w->pos, b, n);
    w->pos += n;
}

static void wr_str(Wr *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 65535) {
        w->err = true;
        return;
    }
    wr16(w, n);
    wr_bytes(w, s, n);
}

static void wr_qid(Wr *w, const struct stat *st)
{
    wr8(w, qid_type(st->st_mode));
    wr32(w, 0);
    wr64(w, (uint64_t)st->st_ino);
}

/* ---- path resolution, confined to the root ---- */
static bool name_ok(const char *n)
{
    return n[0] && strcmp(n, ".") && strcmp(n, "..") && !strchr(n, '/') && strlen(n) <= 255;
}

static char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    if (a) {
        memcpy(p, dir, a);
        p[a++] = '/';
    }
    memcpy(p + a, name, b + 1);
    return p;
}

static bool dcache_has(P9Server *s, int fd)
{
    for (int i = 0; i < DCACHE; i++)
        if (s->dcache[i].path && s->dcache[i].fd == fd)
            return true;
    return false;
}

static void dir_close(P9Server *s, int fd)
{
    if (fd >= 0 && fd != s->root_fd && !dcache_has(s, fd))
        close(fd);
}

static void dcache_flush(P9Server *s)
{
    for (int i = 0; i < DCACHE; i++)
        if (s->dcache[i].path) {
            free(s->dcache[i].path);
            s->dcache[i].path = NULL;
            close(s->dcache[i].fd);
        }
}

static void dcache_put(P9Server *s, const char *path, size_t len, int fd)
{
    int v = 0;
    for (int i = 0; i < DCACHE; i++) {
        if (!s->dcache[i].path) {
            v = i;
            break;
        }
        if (s->dcache[i].used < s->dcache[v].used)
            v = i;
    }
    char *p = strndup(path, len);
    if (!p)
        return;
    if (s->dcache[v].path) {
        free(s->dcache[v].path);
        close(s->dcache[v].fd);
    }
    s->dcache[v].path = p;
    s->dcache[v].len = len;
    s->dcache[v].fd = fd;
    s->dcache[v].used = ++s->tick;
}

/* Open the directory made of the first len bytes of path, one component at a time, never
 * following a symlink (starting from the longest cached prefix). Returns the root fd itself
 * for len 0, maybe a cached fd: release with dir_close. -errno on failure. */
static int open_dir(P9Server *s, const char *path, size_t len)
{
    int fd = s->root_fd;
    size_t i = 0, best = 0;
    for (int k = 0; k < DCACHE; k++) {
        size_t l = s->dcache[k].len;
        if (s->dcache[k].path && l > best && l <= len && (l == len || path[l] == '/') &&
            !memcmp(s->dcache[k].path, path, l)) {
            best = l;
            fd = s->dcache[k].fd;
            i = l == len ? l : l + 1;
            s->dcache[k].used = ++s->tick;
        }
    }
    if (i >= len)
        return fd;
    char comp[256];
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        if (j - i >= sizeof comp) {
            dir_close(s, fd);
            return -ENAMETOOLONG;
        }
        memcpy(comp, path + i, j - i);
        comp[j - i] = 0;
        int nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        dir_close(s, fd);
        if (nfd < 0)
            return -e;
        fd = nfd;
        i = j + 1;
    }
    dcache_put(s, path, len, fd);
    return fd;
}

/* The parent directory of path and its last component (leaf = NULL for the root itself). */
static int open_parent(P9Server *s, const char *path, const char **leaf)
{
    const char *slash = strrchr(path, '/');
    if (!path[0]) {
        *leaf = NULL;
        return s->root_fd;
    }
    if (!slash) {
        *leaf = path;
        return s->root_fd;
    }
    *leaf = slash + 1;
    return open_dir(s, path, (size_t)(slash - path));
}

/* lstat of a fid's path (or fstat of its open fd). 0 or -errno. */
static int fid_stat(P9Server *s, Fid *f, struct stat *st)
{
    if (f->fd >= 0)
        return fstat(f->fd, st) ? -errno : 0;
    const char *leaf;
    int dfd = open_parent(s, f->path, &leaf);
    if (dfd < 0)
        return dfd;
    int r = leaf ? fstatat(dfd, leaf, st, AT_SYMLINK_NOFOLLOW) : fstat(dfd, st);
    r = r ? -errno : 0;
    dir_close(s, dfd);
    return r;
}

/* Open a fid's path itself with host flags (O_NOFOLLOW added). Returns fd or -errno. */
static int open_path(P9Server *s, const char *path, int flags)
{
    const char *leaf;
    int dfd = open_parent(s, path, &leaf);
    if (dfd < 0)
        return dfd;
    int fd = openat(dfd, leaf ? leaf : ".", flags | O_NOFOLLOW | O_CLOEXEC, 0600);
    int r = fd < 0 ? -errno : fd;
    dir_close(s, dfd);
    return r;
}

/* Open the directory a fid names (for *at() calls on entries inside it). */
static int open_fid_dir(P9Server *s, Fid *f)
{
    return open_dir(s, f->path, strlen(f->path));
}

/* Rename bookkeeping: every fid at or under old becomes the same under new. */
static void fids_renamed(P9Server *s, const char *old, const char *new)
{
    size_t ol = strlen(old);
    for (int b = 0; b < FID_BUCKETS; b++)
        for (Fid *f = s->fids[b]; f; f = f->next) {
            if (strncmp(f->path, old, ol) || (f->path[ol] && f->path[ol] != '/'))
                continue;
            char *p = malloc(strlen(new) + strlen(f->path + ol) + 1);
            if (!p)
                continue;
            strcpy(p, new);
            strcat(p, f->path + ol);
            free(f->path);
            f->path = p;
        }
}

static uint32_t perm_of(P9Server *s, const struct stat *st)
{
    Attr *a = attr_get(s, (uint64_t)st->st_ino, false);
    if (a && (a->mode & 0x80000000u))
        return a->mode & 07777;
#ifdef __wasi__
    (void)s;
    /* no permission bits in WASI, and no owners: any guest user may use the files */
    return 0777;
#else
    return st->st_mode & 07777;
#endif
}

static void remember(P9Server *s, const struct stat *st, int mode, bool owner, uint32_t uid,
                     uint32_t gid)
{
    Attr *a = attr_get(s, (uint64_t)st->st_ino, true);
    if (!a)
        return;
    if (mode >= 0)
        a->mode = ((uint32_t)mode & 07777) | 0x80000000u;
    if (owner) {
        a->uid = uid;
        a->gid = gid;
        a->has_owner = true;
    }
}

#ifndef __wasi__
/* chmod of dfd/leaf that never follows a symlink (fchmodat's AT_SYMLINK_NOFOLLOW needs /proc in
 * glibc: fall back to open(O_NOFOLLOW) + fchmod). */
static int chmod_nofollow(int dfd, const char *leaf, mode_t mode)
{
    if (!fchmodat(dfd, leaf, mode, AT_SYMLINK_NOFOLLOW))
        return 0;
    if (errno != ENOTSUP && errno != EOPNOTSUPP)
        return -1;
    int fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fchmod(fd, mode), e = errno;
    close(fd);
    errno = e;
    return r;
}
#endif

/* After creating an object: remember its owner, and (WASI) its mode; natively apply the mode
 * exactly (the host umask may have masked it). */
static void created(P9Server *s, int dfd, const char *name, uint32_t mode, uint32_t uid, uint32_t gid)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
        return;
#ifdef __wasi__
    remember(s, &st, S_ISLNK(st.st_mode) ? 0777 : (int)(mode & 07777), true, uid, gid);
#else
    if (!S_ISLNK(st.st_mode) && (st.st_mode & 07777) != (mode & 07777))
        chmod_nofollow(dfd, name, mode & 07777);
    remember(s, &st, -1, true, uid, gid);
#endif
}

static int host_oflags(uint32_t l)
{
    int f;
    switch (l & L_O_ACCMODE) {
    case L_O_WRONLY: f = O_WRONLY; break;
    case L_O_RDWR: f = O_RDWR; break;
    default: f = O_RDONLY;
    }
    if (l & L_O_TRUNC)
        f |= O_TRUNC;
#ifndef __wasi__
    if (l & L_O_APPEND) /* natively pwrite on an O_APPEND fd appends, as the guest expects */
        f |= O_APPEND;
#endif
    return f;
}

/* Open an existing regular file. wasmtime's preview1 path_open (46 and 49, with Debian's
 * wasi-libc) returns a file that refuses writes (EBADF) unless O_CREAT or O_TRUNC is given:
 * add O_CREAT on WASI (the file was just found to exist; O_NOFOLLOW still applies). */
static int open_file(P9Server *s, const char *path, int flags)
{
#ifdef __wasi__
    if ((flags & O_ACCMODE) != O_RDONLY)
        flags |= O_CREAT;
#endif
    return open_path(s, path, flags);
}

static bool writes(uint32_t l)
{
    return (l & L_O_ACCMODE) != 0 || (l & L_O_TRUNC);
}

/* ---- request handlers: return 0 (reply written into w) or a Linux errno ---- */
typedef struct {
    P9Server *s;
    Rd *r;
    Wr *w;
} Ctx;

#define NEED(cond, e)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return (e);                                                                            \
    } while (0)
#define GETFID(var, id)                                                                            \
    Fid *var = fid_get(s, id);                                                                     \
    NEED(var, L_EBADF)

static uint32_t h_version(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t msize = rd32(c->r);
    char *ver = rd_str(c->r);
    NEED(ver, L_EPROTO);
    p9_server_reset(s);
    if (msize > P9_MSIZE_MAX)
        msize = P9_MSIZE_MAX;
    if (msize < 4096) {
        free(ver);
        return L_EINVAL;
    }
    s->msize = msize;
    wr32(c->w, msize);
    wr_str(c->w, strncmp(ver, "9P2000.L", 8) ? "unknown" : "9P2000.L");
    free(ver);
    return 0;
}

static uint32_t h_attach(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    (void)rd32(c->r); /* afid */
    char *uname = rd_str(c->r), *aname = rd_str(c->r);
    uint32_t uid = rd32(c->r);
    free(uname);
    free(aname);
    NEED(!c->r->err, L_EPROTO);
    NEED(!fid_get(s, fid), L_EBADF);
    struct stat st;
    if (fstat(s->root_fd, &st))
        return lx_errno(errno);
    char *p = strdup("");
    NEED(p && fid_new(s, fid, p, uid), L_ENOMEM);
    wr_qid(c->w, &st);
    return 0;
}

static uint32_t h_walk(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r), newfid = rd32(c->r);
    uint16_t n = rd16(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    NEED(n <= MAX_WALK, L_EINVAL);
    NEED(newfid == fid || !fid_get(s, newfid), L_EBADF);
    NEED(!f->xattr, L_EBADF); /* walking from an open fid is allowed (the clone is not open) */
    char *names[MAX_WALK];
    for (int i = 0; i < n; i++) {
        names[i] = rd_str(c->r);
        if (!names[i]) {
            for (int j = 0; j < i; j++)
                free(names[j]);
            return L_EPROTO;
        }
    }
    char *path = strdup(f->path);
    uint32_t err = path ? 0 : L_ENOMEM;
    int done = 0;
    wr16(c->w, 0); /* patched below */
    for (int i = 0; i < n && !err; i++) {
        char *np;
        if (!strcmp(names[i], "..")) {
            char *sl = strrchr(path, '/');
            np = sl ? strndup(path, (size_t)(sl - path)) : strdup("");
        } else if (!name_ok(names[i])) {
            err = strlen(names[i]) > 255 ? L_ENAMETOOLONG : L_ENOENT;
            break;
        } else {
            /* open_parent(np) below opens path with O_DIRECTORY|O_NOFOLLOW: a symlink or a
             * file on the way fails there */
            np = path_join(path, names[i]);
        }
        if (!np) {
            err = L_ENOMEM;
            break;
        }
        struct stat st;
        const char *leaf;
        int dfd = open_parent(s, np, &leaf);
        int r = dfd < 0 ? dfd : (leaf ? fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) : fstat(dfd, &st)) ? -errno : 0;
        dir_close(s, dfd);
        if (r) {
            free(np);
            err = lx_errno(-r);
            break;
        }
        free(path);
        path = np;
        wr_qid(c->w, &st);
        done++;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    if (done == 0 && n > 0) {
        free(path);
        return err ? err : L_ENOENT;
    }
    c->w->p[HDR] = (uint8_t)done;
    c->w->p[HDR + 1] = (uint8_t)(done >> 8);
    if (done < n) { /* partial walk: newfid is not created */
        free(path);
        return 0;
    }
    if (newfid == fid) {
        free(f->path);
        f->path = path;
    } else if (!fid_new(s, newfid, path, f->uid))
        return L_ENOMEM;
    return 0;
}

static uint32_t h_getattr(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    (void)rd64(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    struct stat st;
    int r = fid_stat(s, f, &st);
    if (r)
        return lx_errno(-r);
    Attr *a = attr_get(s, (uint64_t)st.st_ino, false);
    uint32_t uid, gid;
    if (a && a->has_owner) {
        uid = a->uid;
        gid = a->gid;
    } else {
#ifdef __wasi__
        /* WASI has no owners: a file belongs to whoever looks (the attach uid), so that a
         * container user other than root can use its mapped directories */
        uid = gid = f->uid == ~0u ? 0 : f->uid;
#else
        uid = st.st_uid;
        gid = st.st_gid;
#endif
    }
    wr64(c->w, 0x7ff); /* P9_GETATTR_BASIC */
    wr_qid(c->w, &st);
    wr32(c->w, lx_mode_type(st.st_mode) | perm_of(s, &st));
    wr32(c->w, uid);
    wr32(c->w, gid);
    wr64(c->w, st.st_nlink);
    wr64(c->w, 0); /* rdev */
    wr64(c->w, (uint64_t)st.st_size);
#ifdef __wasi__
    wr64(c->w, 4096);
    wr64(c->w, ((uint64_t)st.st_size + 511) / 512);
#else
    wr64(c->w, (uint64_t)st.st_blksize);
    wr64(c->w, (uint64_t)st.st_blocks);
#endif
    wr64(c->w, (uint64_t)st.st_atim.tv_sec);
    wr64(c->w, (uint64_t)st.st_atim.tv_nsec);
    wr64(c->w, (uint64_t)st.st_mtim.tv_sec);
    wr64(c->w, (uint64_t)st.st_mtim.tv_nsec);
    wr64(c->w, (uint64_t)st.st_ctim.tv_sec);
    wr64(c->w, (uint64_t)st.st_ctim.tv_nsec);
    wr64(c->w, 0); /* btime */
    wr64(c->w, 0);
    wr64(c->w, 0); /* gen */
    wr64(c->w, 0); /* data_version */
    return 0;
}

static uint32_t h_setattr(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r), valid = rd32(c->r), mode = rd32(c->r), uid = rd32(c->r),
             gid = rd32(c->r);
    uint64_t size = rd64(c->r), as = rd64(c->r), ans = rd64(c->r), ms = rd64(c->r), mns = rd64(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    NEED(!s->ro, L_EROFS);
    struct stat st;
    int r = fid_stat(s, f, &st);
    if (r)
        return lx_errno(-r);
    if (valid & 0x1) { /* mode */
#ifdef __wasi__
        remember(s, &st, (int)(mode & 07777), false, 0, 0);
#else
        if (S_ISLNK(st.st_mode)) {
            /* symlinks have no mode of their own; never chmod what one points to */
        } else if (f->fd >= 0) {
            if (fchmod(f->fd, mode & 07777))
                return lx_errno(errno);
        } else {
            const char *leaf;
            int dfd = open_parent(s, f->path, &leaf);
            if (dfd < 0)
                return lx_errno(-dfd);
            r = leaf ? chmod_nofollow(dfd, leaf, mode & 07777) : fchmod(dfd, mode & 07777);
            int e = errno;
            dir_close(s, dfd);
            if (r)
                return lx_errno(e);
        }
#endif
    }
    if (valid & 0x6) { /* uid / gid: remembered, never applied to the host */
        Attr *a = attr_get(s, (uint64_t)st.st_ino, false);
        uint32_t ou = a && a->has_owner ? a->uid : 0, og = a && a->has_owner ? a->gid : 0;
#ifndef __wasi__
        if (!(a && a->has_owner)) {
            ou = st.st_uid;
            og = st.st_gid;
        }
#endif
        remember(s, &st, -1, true, (valid & 0x2) ? uid : ou, (valid & 0x4) ? gid : og);
    }
    if (valid & 0x8) { /* size */
        NEED(S_ISREG(st.st_mode), S_ISDIR(st.st_mode) ? L_EISDIR : L_EINVAL);
        if (f->fd < 0 || ftruncate(f->fd, (off_t)size)) {
            int fd = open_file(s, f->path, O_WRONLY);
            if (fd < 0)
                return lx_errno(-fd);
            r = ftruncate(fd, (off_t)size) ? errno : 0;
            close(fd);
            if (r)
                return lx_errno(r);
        }
    }
#ifdef __wasi__
    /* wazero 1.12 follows a symlink in path_filestat_set_times even without SYMLINK_FOLLOW,
     * which would reach outside the root: on WASI the times of a symlink are left alone */
    if (S_ISLNK(st.st_mode))
        valid &= ~(0x10u | 0x20u);
#endif
    if (valid & (0x10 | 0x20)) { /* times */
        struct timespec ts[2];
        ts[0].tv_sec = (time_t)as;
        ts[0].tv_nsec = (long)ans;
        ts[1].tv_sec = (time_t)ms;
        ts[1].tv_nsec = (long)mns;
        if (!(valid & 0x10))
            ts[0].tv_nsec = UTIME_OMIT;
        else if (!(valid & 0x80))
            ts[0].tv_nsec = UTIME_NOW;
        if (!(valid & 0x20))
            ts[1].tv_nsec = UTIME_OMIT;
        else if (!(valid & 0x100))
            ts[1].tv_nsec = UTIME_NOW;
#ifdef __wasi__
        /* wasmtime rejects the "now" flags of path_filestat_set_times (EINVAL): pass the time */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        for (int i = 0; i < 2; i++)
            if (ts[i].tv_nsec == UTIME_NOW)
                ts[i] = now;
#endif
        const char *leaf;
        int dfd = open_parent(s, f->path, &leaf);
        if (dfd < 0)
            return lx_errno(-dfd);
        r = utimensat(dfd, leaf ? leaf : ".", ts, AT_SYMLINK_NOFOLLOW) ? errno : 0;
        dir_close(s, dfd);
        if (r && !S_ISLNK(st.st_mode))
            return lx_errno(r);
    }
    return 0;
}

static uint32_t h_lopen(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r), flags = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    NEED(f->fd < 0 && !f->xattr, L_EBADF);
    struct stat st;
    int r = fid_stat(s, f, &st);
    if (r)
        return lx_errno(-r);
    if (S_ISDIR(st.st_mode)) {
        NEED(!writes(flags), L_EISDIR);
        int fd = open_path(s, f->path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
            return lx_errno(-fd);
        f->dir = fdopendir(fd);
        if (!f->dir) {
            int e = errno;
            close(fd);
            return lx_errno(e);
        }
        f->fd = fd;
        f->dir_pos = 0;
    } else if (S_ISREG(st.st_mode)) {
        NEED(!s->ro || !writes(flags), L_EROFS);
        int fd = open_file(s, f->path, host_oflags(flags));
        if (fd < 0)
            return lx_errno(-fd);
        f->fd = fd;
    } else {
        return S_ISLNK(st.st_mode) ? L_ELOOP : L_EPERM;
    }
    wr_qid(c->w, &st);
    wr32(c->w, 0); /* iounit: msize - 24 */
    return 0;
}

static uint32_t h_lcreate(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    char *name = rd_str(c->r);
    uint32_t flags = rd32(c->r), mode = rd32(c->r), gid = rd32(c->r);
    if (c->r->err) {
        free(name);
        return L_EPROTO;
    }
    Fid *f = fid_get(s, fid);
    uint32_t err = !f ? L_EBADF : (f->fd >= 0 || f->xattr) ? L_EBADF : !name_ok(name) ? L_EINVAL
                   : s->ro ? L_EROFS : 0;
    if (err) {
        free(name);
        return err;
    }
    int dfd = open_fid_dir(s, f);
    if (dfd < 0) {
        free(name);
        return lx_errno(-dfd);
    }
    /* create exclusively, so that mode and owner are only ever applied to a new file; without
     * O_EXCL an existing file is opened as it is */
    int hf = host_oflags(flags) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dfd, name, hf | O_EXCL, (mode_t)(mode & 07777));
    bool made = fd >= 0;
    if (fd < 0 && errno == EEXIST && !(flags & L_O_EXCL)) {
        struct stat est;
        if (fstatat(dfd, name, &est, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(est.st_mode))
            errno = S_ISDIR(est.st_mode) ? EISDIR : EEXIST;
        else
            fd = openat(dfd, name, hf, (mode_t)(mode & 07777));
    }
    if (fd < 0) {
        err = lx_errno(errno);
        dir_close(s, dfd);
        free(name);
        return err;
    }
    if (made)
        created(s, dfd, name, mode, f->uid, gid);
    dir_close(s, dfd);
    struct stat st;
    char *np = path_join(f->path, name);
    free(name);
    if (!np || fstat(fd, &st)) {
        close(fd);
        free(np);
        return L_EIO;
    }
    free(f->path);
    f->path = np;
    f->fd = fd;
    wr_qid(c->w, &st);
    wr32(c->w, 0);
    return 0;
}

static uint32_t h_read(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    uint64_t off = rd64(c->r);
    uint32_t count = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    if (f->xattr) {
        wr32(c->w, 0);
        return 0;
    }
    NEED(f->fd >= 0 && !f->dir, f->dir ? L_EISDIR : L_EBADF);
    size_t room = c->w->cap - c->w->pos - 4;
    if (count > room)
        count = (uint32_t)room;
    if (count > s->msize - 11)
        count = s->msize - 11;
    uint8_t *data = c->w->p + c->w->pos + 4;
    size_t got = 0;
    while (got < count) {
        ssize_t n = pread(f->fd, data + got, count - got, (off_t)(off + got));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (got)
                break;
            return lx_errno(errno);
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    wr32(c->w, got);
    c->w->pos += got;
    return 0;
}

static uint32_t h_write(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    uint64_t off = rd64(c->r);
    uint32_t count = rd32(c->r);
    const uint8_t *data = rd_take(c->r, count);
    NEED(data, L_EPROTO);
    GETFID(f, fid);
    NEED(f->fd >= 0 && !f->dir, L_EBADF);
    size_t done = 0;
    while (done < count) {
        ssize_t n = pwrite(f->fd, data + done, count - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (done)
                break;
            return lx_errno(errno);
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    wr32(c->w, done);
    return 0;
}

static uint32_t h_readdir(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    uint64_t off = rd64(c->r);
    uint32_t count = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    NEED(f->dir, L_EBADF);
    if (count > s->msize - 11)
        count = s->msize - 11;
    if (off != f->dir_pos) { /* offsets are entry indexes: rewind and skip */
        free(f->pending);
        f->pending = NULL;
        rewinddir(f->dir);
        f->dir_pos = 0;
        while (f->dir_pos < off && readdir(f->dir))
            f->dir_pos++;
    }
    size_t start = c->w->pos;
    wr32(c->w, 0);
    size_t limit = c->w->pos + count;
    if (limit > c->w->cap)
        limit = c->w->cap;
    for (;;) {
        Pending *de = f->pending;
        if (!de) {
            struct dirent *d = readdir(f->dir);
            if (!d)
                break;
            size_t nl = strlen(d->d_name);
            de = malloc(sizeof *de + nl + 1);
            if (!de)
                break;
            de->ino = (uint64_t)d->d_ino;
            de->type = d->d_type;
            memcpy(de->name, d->d_name, nl + 1);
        }
        size_t nl = strlen(de->name);
        if (c->w->pos + 13 + 8 + 1 + 2 + nl > limit) {
            f->pending = de;
            break;
        }
        f->pending = NULL;
        uint8_t t = lx_dtype(de->type);
        uint8_t qt = t == 4 ? QT_DIR : t == 10 ? QT_SYMLINK : QT_FILE;
        wr8(c->w, qt);
        wr32(c->w, 0);
        wr64(c->w, de->ino);
        f->dir_pos++;
        wr64(c->w, f->dir_pos);
        wr8(c->w, t);
        wr_str(c->w, de->name);
        free(de);
    }
    uint32_t n = (uint32_t)(c->w->pos - start - 4);
    for (int i = 0; i < 4; i++)
        c->w->p[start + (size_t)i] = (uint8_t)(n >> (8 * i));
    return 0;
}

static uint32_t h_clunk(Ctx *c, bool remove)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    uint32_t err = 0;
    if (remove) {
        if (s->ro)
            err = L_EROFS;
        else if (!f->path[0])
            err = L_EBUSY;
        else {
            struct stat st;
            int r = fid_stat(s, f, &st);
            const char *leaf;
            int dfd = r ? r : open_parent(s, f->path, &leaf);
            if (r)
                err = lx_errno(-r);
            else if (dfd < 0)
                err = lx_errno(-dfd);
            else {
                if (unlinkat(dfd, leaf, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0))
                    err = lx_errno(errno);
                dir_close(s, dfd);
                if (S_ISDIR(st.st_mode))
                    dcache_flush(s);
            }
        }
    }
    fid_del(s, fid);
    return err;
}

static uint32_t h_statfs(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    (void)f;
    uint64_t bsize = 4096, blocks = 1ULL << 28, bfree = 1ULL << 27, bavail = 1ULL << 27,
             files = 1ULL << 24, ffree = 1ULL << 23, fsid = 0;
#ifndef __wasi__
    struct statvfs v;
    if (fstatvfs(s->root_fd, &v) == 0) {
        bsize = v.f_frsize ? v.f_frsize : v.f_bsize;
        blocks = v.f_blocks;
        bfree = v.f_bfree;
        bavail = v.f_bavail;
        files = v.f_files;
        ffree = v.f_ffree;
        fsid = v.f_fsid;
    }
#endif
    wr32(c->w, 0x01021997); /* V9FS_MAGIC */
    wr32(c->w, bsize);
    wr64(c->w, blocks);
    wr64(c->w, bfree);
    wr64(c->w, bavail);
    wr64(c->w, files);
    wr64(c->w, ffree);
    wr64(c->w, fsid);
    wr32(c->w, 255);
    return 0;
}

/* Tmkdir, Tsymlink: create name in directory fid dfid. */
static uint32_t h_mk(Ctx *c, int type)
{
    P9Server *s = c->s;
    uint32_t dfid = rd32(c->r);
    char *name = rd_str(c->r);
    char *target = type == Tsymlink ? rd_str(c->r) : NULL;
    uint32_t mode = type == Tmkdir ? rd32(c->r) : 0777;
    uint32_t gid = rd32(c->r);
    uint32_t err = c->r->err ? L_EPROTO : 0;
    Fid *f = err ? NULL : fid_get(s, dfid);
    if (!err && !f)
        err = L_EBADF;
    if (!err && !name_ok(name))
        err = L_EINVAL;
    if (!err && s->ro)
        err = L_EROFS;
    int dfd = -1;
    if (!err) {
        dfd = open_fid_dir(s, f);
        if (dfd < 0)
            err = lx_errno(-dfd);
    }
    if (!err) {
        int r = type == Tmkdir ? mkdirat(dfd, name, (mode_t)(mode & 07777)) : symlinkat(target, dfd, name);
        struct stat st;
        if (r)
            err = lx_errno(errno);
        else {
            created(s, dfd, name, mode, f->uid, gid);
            if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
                err = lx_errno(errno);
            else
                wr_qid(c->w, &st);
        }
        dir_close(s, dfd);
    }
    free(name);
    free(target);
    return err;
}

static uint32_t h_readlink(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    const char *leaf;
    int dfd = open_parent(s, f->path, &leaf);
    if (dfd < 0)
        return lx_errno(-dfd);
    char buf[4097];
    ssize_t n = leaf ? readlinkat(dfd, leaf, buf, sizeof buf - 1) : -1;
    int e = leaf ? errno : EINVAL;
    dir_close(s, dfd);
    if (n < 0)
        return lx_errno(e);
    buf[n] = 0;
    wr_str(c->w, buf);
    return 0;
}

static uint32_t h_unlinkat(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t dfid = rd32(c->r);
    char *name = rd_str(c->r);
    uint32_t flags = rd32(c->r);
    uint32_t err = c->r->err ? L_EPROTO : 0;
    Fid *f = err ? NULL : fid_get(s, dfid);
    if (!err && !f)
        err = L_EBADF;
    if (!err && !name_ok(name))
        err = L_EINVAL;
    if (!err && s->ro)
        err = L_EROFS;
    if (!err) {
        int dfd = open_fid_dir(s, f);
        if (dfd < 0)
            err = lx_errno(-dfd);
        else {
            if (unlinkat(dfd, name, (flags & L_AT_REMOVEDIR) ? AT_REMOVEDIR : 0))
                err = lx_errno(errno);
            dir_close(s, dfd);
            if (flags & L_AT_REMOVEDIR) /* cached paths name directories only */
                dcache_flush(s);
        }
    }
    free(name);
    return err;
}

/* rename (dir a, name an) to (dir b, name bn); a, b are fid paths. */
static uint32_t do_rename(P9Server *s, const char *a, const char *an, const char *b, const char *bn)
{
    if (s->ro)
        return L_EROFS;
    if (!name_ok(an) || !name_ok(bn))
        return L_EINVAL;
    int fa = open_dir(s, a, strlen(a));
    if (fa < 0)
        return lx_errno(-fa);
    int fb = open_dir(s, b, strlen(b));
    if (fb < 0) {
        dir_close(s, fa);
        return lx_errno(-fb);
    }
    uint32_t err = renameat(fa, an, fb, bn) ? lx_errno(errno) : 0;
    dir_close(s, fa);
    dir_close(s, fb);
    dcache_flush(s);
    if (!err) {
        char *op = path_join(a, an), *np = path_join(b, bn);
        if (op && np)
            fids_renamed(s, op, np);
        free(op);
        free(np);
    }
    return err;
}

static uint32_t h_renameat(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t ofid = rd32(c->r);
    char *on = rd_str(c->r);
    uint32_t nfid = rd32(c->r);
    char *nn = rd_str(c->r);
    uint32_t err = c->r->err ? L_EPROTO : 0;
    Fid *a = err ? NULL : fid_get(s, ofid), *b = err ? NULL : fid_get(s, nfid);
    if (!err && (!a || !b))
        err = L_EBADF;
    if (!err)
        err = do_rename(s, a->path, on, b->path, nn);
    free(on);
    free(nn);
    return err;
}

static uint32_t h_rename(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r), dfid = rd32(c->r);
    char *nn = rd_str(c->r);
    uint32_t err = c->r->err ? L_EPROTO : 0;
    Fid *f = err ? NULL : fid_get(s, fid), *d = err ? NULL : fid_get(s, dfid);
    if (!err && (!f || !d))
        err = L_EBADF;
    if (!err && !f->path[0])
        err = L_EBUSY;
    if (!err) {
        char *dir = strdup(f->path);
        char *sl = dir ? strrchr(dir, '/') : NULL;
        const char *leaf = sl ? sl + 1 : dir;
        if (sl)
            *sl = 0;
        err = !dir ? L_ENOMEM : do_rename(s, sl ? dir : "", leaf, d->path, nn);
        free(dir);
    }
    free(nn);
    return err;
}

static uint32_t h_link(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t dfid = rd32(c->r), fid = rd32(c->r);
    char *name = rd_str(c->r);
    uint32_t err = c->r->err ? L_EPROTO : 0;
    Fid *d = err ? NULL : fid_get(s, dfid), *f = err ? NULL : fid_get(s, fid);
    if (!err && (!d || !f))
        err = L_EBADF;
    if (!err && !name_ok(name))
        err = L_EINVAL;
    if (!err && s->ro)
        err = L_EROFS;
    if (!err && !f->path[0])
        err = L_EPERM;
    if (!err) {
        const char *leaf;
        int sfd = open_parent(s, f->path, &leaf);
        int dfd = sfd < 0 ? -1 : open_fid_dir(s, d);
        if (sfd < 0)
            err = lx_errno(-sfd);
        else if (dfd < 0)
            err = lx_errno(-dfd);
        else if (linkat(sfd, leaf, dfd, name, 0))
            err = lx_errno(errno);
        dir_close(s, sfd);
        dir_close(s, dfd);
    }
    free(name);
    return err;
}

static uint32_t h_fsync(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    if (f->fd >= 0 && !f->dir && fsync(f->fd) && errno != EINVAL && errno != ENOTSUP)
        return lx_errno(errno);
    return 0;
}

static uint32_t h_xattrwalk(Ctx *c)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    (void)rd32(c->r); /* newfid */
    char *name = rd_str(c->r);
    free(name);
    NEED(!c->r->err, L_EPROTO);
    GETFID(f, fid);
    (void)f;
    return L_EOPNOTSUPP; /* no extended attributes */
}

static uint32_t h_lock(Ctx *c, bool get)
{
    P9Server *s = c->s;
    uint32_t fid = rd32(c->r);
    uint8_t type = rd8(c->r);
    if (!get)
        (void)rd32(c->r); /* flags */
    uint64_t start = rd64(c->r), len = rd64(c->r);
    uint32_t pid = rd32(c->r);
    char *cid = rd_str(c->r);
    if (c->r->err) {
        free(cid);
        return L_EPROTO;
    }
    Fid *f = fid_get(s, fid);
    if (!f) {
        free(cid);
        return L_EBADF;
    }
    (void)type;
    if (get) { /* nobody else holds locks: report F_UNLCK */
        wr8(c->w, 2);
        wr64(c->w, start);
        wr64(c->w, len);
        wr32(c->w, pid);
        wr_str(c->w, cid);
    } else {
        wr8(c->w, 0); /* P9_LOCK_SUCCESS */
    }
    free(cid);
    return 0;
}

size_t p9_server_handle(P9Server *s, const uint8_t *req, size_t req_len, uint8_t *resp,
                        size_t resp_cap)
{
    Rd r = {.p = req, .len = req_len};
    uint32_t size = rd32(&r);
    uint8_t type = rd8(&r);
    uint16_t tag = rd16(&r);
    if (!r.err && size >= HDR && size < req_len)
        r.len = size;
    Wr w = {.p = resp, .cap = resp_cap, .pos = HDR};
    Ctx c = {.s = s, .r = &r, .w = &w};
    uint32_t err;
    if (r.err)
        err = L_EPROTO;
    else
        switch (type) {
        case Tversion: err = h_version(&c); break;
        case Tauth: err = L_EOPNOTSUPP; break;
        case Tattach: err = h_attach(&c); break;
        case Tflush: err = 0; break; /* requests complete synchronously */
        case Twalk: err = h_walk(&c); break;
        case Tgetattr: err = h_getattr(&c); break;
        case Tsetattr: err = h_setattr(&c); break;
        case Tlopen: err = h_lopen(&c); break;
        case Tlcreate: err = h_lcreate(&c); break;
        case Tread: err = h_read(&c); break;
        case Twrite: err = h_write(&c); break;
        case Treaddir: err = h_readdir(&c); break;
        case Tclunk: err = h_clunk(&c, false); break;
        case Tremove: err = h_clunk(&c, true); break;
        case Tstatfs: err = h_statfs(&c); break;
        case Tmkdir: err = h_mk(&c, Tmkdir); break;
        case Tsymlink: err = h_mk(&c, Tsymlink); break;
        case Treadlink: err = h_readlink(&c); break;
        case Tunlinkat: err = h_unlinkat(&c); break;
        case Trenameat: err = h_renameat(&c); break;
        case Trename: err = h_rename(&c); break;
        case Tlink: err = h_link(&c); break;
        case Tfsync: err = h_fsync(&c); break;
        case Txattrwalk: err = h_xattrwalk(&c); break;
        case Txattrcreate: err = L_EOPNOTSUPP; break;
        case Tlock: err = h_lock(&c, false); break;
        case Tgetlock: err = h_lock(&c, true); break;
        case Tmknod: err = L_EPERM; break; /* WASI cannot create device nodes or fifos */
        default: err = L_ENOSYS;
        }
    if (!err && w.err)
        err = L_EIO;
    uint8_t rtype = (uint8_t)(type + 1);
    if (err) {
        w.pos = HDR;
        w.err = false;
        wr32(&w, err);
        rtype = Rlerror;
    }
    size_t n = w.pos;
    resp[0] = (uint8_t)n;
    resp[1] = (uint8_t)(n >> 8);
    resp[2] = (uint8_t)(n >> 16);
    resp[3] = (uint8_t)(n >> 24);
    resp[4] = rtype;
    resp[5] = (uint8_t)tag;
    resp[6] = (uint8_t)(tag >> 8);
    return n;
}
