/* Engine side of the engine <-> guest init protocol (converter/guest/PROTOCOL.md), carried on
 * virtio-console port 1 ("c2w.ctl"). */
#ifndef C2W_CTL_H
#define C2W_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;

enum {
    REC_RUN = 0x01, REC_STDIN = 0x02, REC_STDIN_EOF = 0x03, REC_SIGNAL = 0x04, REC_WINSIZE = 0x05,
    REC_READY = 0x81, REC_STDOUT = 0x82, REC_STDERR = 0x83, REC_EXIT = 0x84, REC_ERROR = 0x85,
};
#define REC_MAX (64u << 20)

/* A growable byte buffer. */
typedef struct {
    uint8_t *p;
    size_t len, cap;
} Buf;
bool buf_put(Buf *b, const void *data, size_t len); /* false: out of memory */
void buf_free(Buf *b);
/* Append one RUN field: u8 tag, u32 LE length, bytes. */
bool field_put(Buf *b, uint8_t tag, const void *data, size_t len);

typedef struct Ctl {
    Buf in;           /* guest -> engine bytes not yet parsed */
    Buf out;          /* engine -> guest bytes not yet delivered */
    size_t out_off;   /* delivered prefix of out */
    bool ready;       /* READY received */
    bool run_sent;
    bool stdin_on;    /* relay host stdin after RUN */
    bool eof_sent;
    bool exited;      /* EXIT received */
    int status;
} Ctl;

Ctl *ctl_new(void);
/* Bytes the guest wrote on the control port. */
void ctl_from_guest(struct Machine *m, const uint8_t *p, size_t len);
/* Queue a record for the guest; false if out of memory or too large. */
bool ctl_send(struct Machine *m, uint8_t type, const void *payload, size_t len);
/* Bytes waiting for the guest: pointer and length (0 when none). */
size_t ctl_pending(struct Machine *m, const uint8_t **p);
void ctl_consumed(struct Machine *m, size_t n);
/* Turn buffered host stdin (and EOF) into records when the queue to the guest is empty. */
void ctl_pump(struct Machine *m);

#endif
