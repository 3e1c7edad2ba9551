/* Drive the 9P server (p9/server.c) over stdio, for tests: reads 9P messages from stdin and
 * writes the replies to stdout. Usage: p9harness DIR [ro]. Builds natively and for wasm32-wasi
 * (where DIR is a preopened directory's guest path). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../virtio_9p.h"

static int read_full(uint8_t *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(0, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void write_full(const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t r = write(1, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            exit(1);
        b += r;
        n -= (size_t)r;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "ro"))) {
        fprintf(stderr, "usage: p9harness DIR [ro]\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        fprintf(stderr, "p9harness: cannot open directory %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    P9Server *s = p9_server_new(fd, argc == 3);
    static uint8_t req[P9_MSIZE_MAX], resp[P9_MSIZE_MAX];
    for (;;) {
        if (read_full(req, 4))
            break;
        uint32_t size = req[0] | req[1] << 8 | req[2] << 16 | (uint32_t)req[3] << 24;
        if (size < 7 || size > sizeof req) {
            fprintf(stderr, "p9harness: bad message size %u\n", size);
            return 1;
        }
        if (read_full(req + 4, size - 4))
            break;
        write_full(resp, p9_server_handle(s, req, size, resp, sizeof resp));
    }
    p9_server_free(s);
    return 0;
}
