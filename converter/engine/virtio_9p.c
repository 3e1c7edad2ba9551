/* virtio-9p device (virtio-mmio device id 9): one request queue, config = u16 tag length + tag.
 * Requests are served synchronously by the 9P2000.L server in p9/server.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostio.h"
#include "virtio_9p.h"

#define VIRTIO_9P_MOUNT_TAG (1ULL << 0)

typedef struct {
    P9Server *srv;
    uint8_t *req, *resp;
    size_t cap;
} V9p;

static void v9p_notify(VirtioDev *d, int qi)
{
    V9p *v = d->priv;
    VirtqChain ch;
    while (virtq_pop(d, qi, &ch)) {
        uint32_t n = ch.read_len < v->cap ? ch.read_len : (uint32_t)v->cap;
        n = virtq_read(d, &ch, 0, v->req, n);
        size_t cap = ch.write_len < v->cap ? ch.write_len : v->cap;
        uint32_t written = 0;
        if (n >= 7 && cap >= 11) {
            size_t len = p9_server_handle(v->srv, v->req, n, v->resp, cap);
            written = virtq_write(d, &ch, 0, v->resp, (uint32_t)len);
        }
        virtq_push(d, qi, &ch, written);
    }
}

static void v9p_reset(VirtioDev *d)
{
    V9p *v = d->priv;
    p9_server_reset(v->srv);
}

VirtioDev *virtio_9p_new_fd(Machine *m, int root_fd, const char *tag, bool readonly)
{
    size_t tl = strlen(tag);
    if (tl == 0 || tl > VIRTIO_9P_TAG_MAX)
        return NULL;
    VirtioDev *d = calloc(1, sizeof *d);
    V9p *v = calloc(1, sizeof *v);
    if (!d || !v)
        goto fail;
    v->cap = P9_MSIZE_MAX;
    v->req = malloc(v->cap);
    v->resp = malloc(v->cap);
    v->srv = p9_server_new(root_fd, readonly);
    if (!v->req || !v->resp || !v->srv)
        goto fail;
    d->m = m;
    d->device_id = 9;
    d->features = VIRTIO_F_VERSION_1 | VIRTIO_9P_MOUNT_TAG;
    d->nqueues = 1;
    d->notify = v9p_notify;
    d->reset = v9p_reset;
    d->priv = v;
    d->config[0] = (uint8_t)tl;
    d->config[1] = (uint8_t)(tl >> 8);
    memcpy(d->config + 2, tag, tl);
    d->config_size = (uint32_t)(2 + tl);
    return d;
fail:
    if (v) {
        free(v->req);
        free(v->resp);
        free(v);
    }
    free(d);
    return NULL;
}

bool virtio_9p_set_root(VirtioDev *d, int root_fd, bool readonly)
{
    V9p *v = d->priv;
    P9Server *srv = p9_server_new(root_fd, readonly);
    if (!srv)
        return false;
    p9_server_free(v->srv);
    v->srv = srv;
    return true;
}

static int n_shares;

VirtioDev *virtio_9p_from_spec(Machine *m, const char *spec, char *err, size_t errlen)
{
    char *s = strdup(spec);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bool ro = false;
    size_t n = strlen(s);
    if (n > 3 && !strcmp(s + n - 3, ":ro")) {
        ro = true;
        s[n - 3] = 0;
    }
    char deftag[32];
    snprintf(deftag, sizeof deftag, "share%d", n_shares);
    const char *tag = deftag;
    char *colon = strrchr(s, ':');
    if (colon) {
        *colon = 0;
        tag = colon + 1;
    }
    VirtioDev *d = NULL;
    if (!s[0])
        snprintf(err, errlen, "--share %s: empty host path", spec);
    else if (!tag[0] || strlen(tag) > VIRTIO_9P_TAG_MAX)
        snprintf(err, errlen, "--share %s: the tag must be 1 to %d bytes", spec, VIRTIO_9P_TAG_MAX);
    else {
        int fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            snprintf(err, errlen, "--share %s: cannot open directory %s: %s", spec, s, strerror(errno));
        else if (!(d = virtio_9p_new_fd(m, fd, tag, ro))) {
            close(fd);
            snprintf(err, errlen, "--share %s: cannot create the virtio-9p device", spec);
        } else
            n_shares++;
    }
    free(s);
    return d;
}
