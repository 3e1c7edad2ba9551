/* Engine <-> init records (see ../PROTOCOL.md). */
#ifndef C2W_PROTO_H
#define C2W_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1u
#define REC_HDR 8u
#define REC_MAX (64u << 20)
#define STDIN_WINDOW (64u << 10) /* stdin bytes an engine may send before any credit */

enum rec_type {
    REC_RUN = 0x01,
    REC_STDIN = 0x02,
    REC_STDIN_EOF = 0x03,
    REC_SIGNAL = 0x04,
    REC_WINSIZE = 0x05,
    REC_READY = 0x81,
    REC_STDOUT = 0x82,
    REC_STDERR = 0x83,
    REC_EXIT = 0x84,
    REC_ERROR = 0x85,
    REC_STDIN_CREDIT = 0x86,
};

/* Write one whole record (blocking; retries short writes and EINTR). 0 or -1 (errno). */
int rec_send(int fd, uint8_t type, const void *payload, size_t len);

/* Incoming byte stream, reassembled into records. */
struct rbuf {
    uint8_t *buf;
    size_t len, cap;
};

/* Read what is available (one read()). >0 bytes, 0 EOF, -1 error (errno). */
long rbuf_fill(struct rbuf *rb, int fd);

/* If a whole record is buffered: set *type, *payload, *len and return 1 (the record stays
 * valid until the next rbuf_consume); 0 if not yet; -1 if the header is invalid. */
int rec_peek(const struct rbuf *rb, uint8_t *type, const uint8_t **payload, uint32_t *len);
void rec_consume(struct rbuf *rb);

/* Growable NULL-terminated string vector. */
struct strv {
    char **v;
    size_t n, cap;
};
void strv_push(struct strv *sv, const char *s, size_t len);
void strv_clear(struct strv *sv);

/* One 9p mount from an 'm' field: TAG NUL /guest/path [NUL ro]. */
struct mount9p {
    char *tag, *path;
    int ro;
};

/* RUN request, decoded. */
struct run_req {
    struct strv img_entry, img_cmd, img_env;
    struct strv entry, args, env;
    struct mount9p *mounts;
    size_t nmounts;
    int has_entry, has_args;
    char *img_workdir, *img_user, *workdir, *user, *hostname, *net;
    int tty, stdin_null, debug, has_time, has_winsize;
    uint16_t rows, cols;
    uint8_t *seed; /* 'r': bytes for the kernel's CRNG */
    size_t seed_len;
    uint64_t sec;
    uint32_t nsec;
};

/* Decode a RUN payload. 0, or -1 with a message in err. */
int run_decode(const uint8_t *p, size_t len, struct run_req *rq, char *err, size_t errlen);

/* Final argv / env per Docker semantics. 0, or -1 with a message in err. */
int run_argv(const struct run_req *rq, struct strv *argv, char *err, size_t errlen);
void env_set(struct strv *env, const char *kv, size_t len); /* "K=V" replaces, "K" removes */
const char *env_get(const struct strv *env, const char *key);

uint32_t get_le32(const uint8_t *p);
void put_le32(uint8_t *p, uint32_t v);

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);

#endif
