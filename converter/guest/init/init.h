/* c2w guest init: shared declarations (see ../PROTOCOL.md for the behaviour). */
#ifndef C2W_INIT_H
#define C2W_INIT_H

#include <stddef.h>
#include <sys/types.h>

#include "proto.h"

#define NEWROOT "/newroot"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define EXIT_INIT_ERROR 125

extern int g_debug;

/* Log a line "c2w-init: ..." to the console (fd 2) when debugging is on. */
void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Always log to the console. */
void clog_always(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int mkdir_p(const char *path, mode_t mode);
int write_file(const char *path, const void *data, size_t len, mode_t mode);
/* Read a small text file into buf (NUL-terminated, trailing newline stripped). */
int read_small(const char *path, char *buf, size_t len);
int write_all(int fd, const void *p, size_t n);
#define PATH_MAX_C2W 512

/* Register the foreign-architecture emulators listed in LOWER/.c2w/binfmt with binfmt_misc and
 * hide /.c2w from the container with a whiteout in UPPER. Returns how many were registered (0
 * when the rootfs has no list), or -1 with a message in err. */
int register_emulators(const char *lower, const char *upper, char *err, size_t errsize);
double uptime_s(void);

/* What the container child needs; filled by the init before clone(). */
struct container {
    const struct run_req *rq;
    struct strv argv, env;
    const char *hostname;
    const char *workdir;
    const char *user;
    const char *resolv_conf; /* NULL: leave the image's /etc/resolv.conf */
    int tty;
    int fd_in, fd_out, fd_err; /* become 0, 1, 2 in the container */
    int fd_errpipe;            /* setup errors -> init (close-on-exec) */
};

/* Entry point of the clone()d child (PID 1 of the new PID namespace). Never returns. */
int container_main(void *arg);

#endif
