/* libFuzzer harness: sequences of 9P2000.L messages against p9/server.c serving a temp share.
 *
 * Input: byte 0 = flags (bit 0: read-only share, bits 1-7: reply capacity = 64 + 1024 * bits);
 * then records [len u16 LE][type u8][tag u16][body...] of `len` bytes each (the harness adds the
 * size field; bit 15 of len marks a record sent with a size field one too large, for the
 * size/length mismatch path). Before the records the harness negotiates Tversion (msize
 * 139264) and attaches fid 0 to the root, so a record can start walking at once.
 *
 * Oracle (abort on violation; ASan/UBSan/LeakSanitizer do the rest): every reply is well formed
 * (its size field equals the returned length, which fits the capacity); no fd stays open after
 * p9_server_free; the canary beside the share is untouched (share_fixture.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../virtio_9p.h"
#include "share_fixture.h"


static size_t put_msg(uint8_t *b, uint8_t type, const uint8_t *body, size_t n)
{
    uint32_t size = (uint32_t)(7 + n);
    memcpy(b, &size, 4);
    b[4] = type;
    b[5] = b[6] = 0xff;
    memcpy(b + 7, body, n);
    return size;
}

static void send(P9Server *s, const uint8_t *req, size_t n, uint8_t *resp, size_t cap)
{
    size_t r = p9_server_handle(s, req, n, resp, cap);
    uint32_t size;
    memcpy(&size, resp, 4);
    if (r < 7 || r > cap || size != r)
        fx_die("malformed reply");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fx_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int base_fds = fx_open_fds();
    bool ro = data[0] & 1;
    size_t cap = 64 + 1024 * (size_t)(data[0] >> 1);
    if (cap > P9_MSIZE_MAX)
        cap = P9_MSIZE_MAX;
    P9Server *s = p9_server_new(fx_reset_share(), ro);
    if (!s)
        fx_die("p9_server_new");
    uint8_t *resp = malloc(cap), *req = malloc(P9_MSIZE_MAX);
    static const uint8_t version[] = {0x00, 0x20, 0x02, 0x00, 8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L'};
    static const uint8_t attach[] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
    send(s, req, put_msg(req, 100, version, sizeof version), resp, cap);
    send(s, req, put_msg(req, 104, attach, sizeof attach), resp, cap);
    size_t pos = 1;
    while (size - pos >= 2) {
        uint16_t len = (uint16_t)(data[pos] | data[pos + 1] << 8);
        pos += 2;
        bool lie = len & 0x8000;
        len &= 0x7fff;
        if (len > size - pos)
            len = (uint16_t)(size - pos);
        uint32_t msize = (uint32_t)len + 4 + lie;
        memcpy(req, &msize, 4);
        memcpy(req + 4, data + pos, len);
        pos += len;
        /* a short record is a truncated header: the server must answer EPROTO, not read on */
        send(s, req, (size_t)len + 4, resp, cap);
    }
    p9_server_free(s);
    free(req);
    free(resp);
    /* per input: libFuzzer's symbolizer may open pipes between inputs */
    if (fx_open_fds() != base_fds)
        fx_die_fds();
    fx_check_outside();
    return 0;
}
