/* Engine side of the control protocol: records from the guest (READY, STDOUT, STDERR, EXIT,
 * ERROR) and to it (RUN, STDIN, STDIN_EOF). */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostio.h"
#include "net.h"

bool buf_put(Buf *b, const void *data, size_t len)
{
    if (len > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < len) {
            if (cap > SIZE_MAX / 2)
                return false;
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p)
            return false;
        b->p = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    return true;
}

void buf_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

bool field_put(Buf *b, uint8_t tag, const void *data, size_t len)
{
    if (len > REC_MAX)
        return false;
    uint8_t h[5] = {tag, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    return buf_put(b, h, 5) && buf_put(b, data, len);
}

Ctl *ctl_new(void)
{
    return calloc(1, sizeof(Ctl));
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void on_record(Machine *m, uint8_t type, const uint8_t *p, uint32_t len)
{
    Ctl *c = m->ctl;
    switch (type) {
    case REC_READY:
        c->ready = true;
        machine_stop_cpu(m); /* the host loop checks for the snapshot point */
        break;
    case REC_STDOUT:
        if (!net_mux_stdout(p, len)) /* --net=stdio: stdout is multiplexed with the network */
            host_write_all(1, p, len);
        break;
    case REC_STDERR:
        host_write_all(2, p, len);
        break;
    case REC_EXIT:
        c->exited = true;
        c->status = len >= 4 ? (int)(le32(p) & 0xff) : 125;
        machine_request_exit(m, c->status);
        break;
    case REC_ERROR:
        fprintf(stderr, "c2w: %.*s\n", (int)len, (const char *)p);
        break;
    default:
        break; /* unknown records are ignored */
    }
}

void ctl_from_guest(Machine *m, const uint8_t *p, size_t len)
{
    Ctl *c = m->ctl;
    if (c->exited)
        return;
    if (!buf_put(&c->in, p, len)) {
        fprintf(stderr, "c2w: out of memory on the control channel\n");
        machine_request_exit(m, 125);
        return;
    }
    size_t off = 0;
    while (c->in.len - off >= 8 && !c->exited) {
        const uint8_t *h = c->in.p + off;
        uint32_t n = le32(h + 4);
        if (h[1] | h[2] | h[3] || n > REC_MAX) {
            fprintf(stderr, "c2w: bad record on the control channel (type 0x%02x, length %u)\n", h[0], n);
            machine_request_exit(m, 125);
            c->exited = true;
            break;
        }
        if (c->in.len - off - 8 < n)
            break;
        on_record(m, h[0], h + 8, n);
        off += 8 + (size_t)n;
    }
    if (off) {
        memmove(c->in.p, c->in.p + off, c->in.len - off);
        c->in.len -= off;
    }
}

bool ctl_send(Machine *m, uint8_t type, const void *payload, size_t len)
{
    Ctl *c = m->ctl;
    if (len > REC_MAX)
        return false;
    if (c->out_off == c->out.len)
        c->out_off = c->out.len = 0;
    uint8_t h[8] = {type, 0, 0, 0, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                    (uint8_t)(len >> 24)};
    if (!buf_put(&c->out, h, 8) || !buf_put(&c->out, payload, len))
        return false;
    if (type == REC_RUN)
        c->run_sent = true;
    if (m->console)
        virtio_console_kick(m->console);
    return true;
}

size_t ctl_pending(Machine *m, const uint8_t **p)
{
    Ctl *c = m->ctl;
    *p = c->out.p ? c->out.p + c->out_off : c->out.p; /* (NULL + 0 is undefined in C) */
    return c->out.len - c->out_off;
}

void ctl_consumed(Machine *m, size_t n)
{
    Ctl *c = m->ctl;
    c->out_off += n;
    if (c->out_off == c->out.len) {
        c->out_off = c->out.len = 0;
        if (c->out.cap > (1u << 20)) { /* give back a big RUN buffer */
            buf_free(&c->out);
        }
    }
}

void ctl_pump(Machine *m)
{
    Ctl *c = m->ctl;
    if (!c || !c->stdin_on || c->eof_sent || c->out.len != c->out_off)
        return;
    uint32_t n = m->in_tail - m->in_head;
    if (n) {
        uint8_t tmp[INBUF_SIZE];
        for (uint32_t i = 0; i < n; i++)
            tmp[i] = m->inbuf[(m->in_head + i) % INBUF_SIZE];
        m->in_head += n;
        ctl_send(m, REC_STDIN, tmp, n);
    } else if (m->stdin_eof) {
        c->eof_sent = true;
        ctl_send(m, REC_STDIN_EOF, NULL, 0);
    }
}
