/* Host side: clock, stdin without blocking the guest, idle waits, console queues, the exit
 * request (on hostio.h's HOSTIO_FIELDS, for both engines). The same code builds
 * natively and on WASI (poll() and nanosleep() become poll_oneoff in wasi-libc). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "hostio.h"

int64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void host_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                poll(&pfd, 1, 10);
                continue;
            }
            return; /* output closed: drop */
        }
        p += n;
        len -= (size_t)n;
    }
}

static int stdin_flags = -1;

static void restore_stdin_flags(void)
{
    if (stdin_flags >= 0)
        fcntl(0, F_SETFL, stdin_flags); /* the file description is shared with our parent */
}

void host_stdin_setup(Machine *m)
{
    m->stdin_on = true;
    if (m->stdin_mode == STDIN_NONBLOCK) {
        int fl = fcntl(0, F_GETFL);
        if (fl < 0 || fcntl(0, F_SETFL, fl | O_NONBLOCK) < 0)
            m->stdin_mode = STDIN_POLL; /* runtime refused: fall back */
        else if (!(fl & O_NONBLOCK)) {
            stdin_flags = fl;
            atexit(restore_stdin_flags);
        }
    }
    if (m->stdin_mode == STDIN_NONE)
        m->stdin_eof = true;
}

bool host_stdin_wanted(Machine *m)
{
    return m->stdin_on && !m->stdin_eof && m->stdin_mode != STDIN_NONE &&
           m->in_tail - m->in_head < INBUF_SIZE;
}

static void read_stdin(Machine *m)
{
    uint32_t space = INBUF_SIZE - (m->in_tail - m->in_head);
    uint32_t pos = m->in_tail % INBUF_SIZE;
    uint32_t chunk = INBUF_SIZE - pos < space ? INBUF_SIZE - pos : space;
    ssize_t n = read(0, m->inbuf + pos, chunk);
    if (n > 0)
        m->in_tail += (uint32_t)n;
    else if (n == 0)
        m->stdin_eof = true;
    else if (errno != EAGAIN && errno != EINTR)
        m->stdin_eof = true;
}

/* Read whatever stdin has, without blocking. */
void host_poll_stdin(Machine *m)
{
    if (!host_stdin_wanted(m) || m->stdin_mode == STDIN_IDLE)
        return;
    if (m->stdin_mode == STDIN_NONBLOCK) {
        read_stdin(m);
        return;
    }
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    int r = poll(&pfd, 1, 0);
    if (r > 0) {
        if (pfd.revents & (POLLIN | POLLHUP))
            read_stdin(m);
        else if (pfd.revents & (POLLERR | POLLNVAL))
            m->stdin_eof = true;
    }
}

/* Sleep until stdin has data or timeout_ns passes (negative: no deadline). */
void host_wait(Machine *m, int64_t timeout_ns)
{
    int ms;
    if (timeout_ns < 0 || timeout_ns > 1000000000)
        ms = 1000;
    else
        ms = (int)((timeout_ns + 999999) / 1000000);
    if (ms <= 0)
        return;
    if (host_stdin_wanted(m) && (m->stdin_mode == STDIN_POLL || m->stdin_mode == STDIN_IDLE)) {
        struct pollfd pfd = {.fd = 0, .events = POLLIN};
        int r = poll(&pfd, 1, ms);
        if (r > 0 && (pfd.revents & (POLLIN | POLLHUP)))
            read_stdin(m);
        else if (r > 0 && (pfd.revents & (POLLERR | POLLNVAL)))
            m->stdin_eof = true;
        return;
    }
    /* nonblocking mode: sleep in short slices so input is seen soon */
    if (host_stdin_wanted(m) && ms > 10)
        ms = 10;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- exit, console queues */

void machine_request_exit(Machine *m, int code)
{
    if (!m->exit_req) {
        m->exit_req = true;
        m->exit_code = code;
    }
    machine_stop_cpu(m);
}

void machine_dump_log(Machine *m, size_t max)
{
    size_t n = m->log_total < LOG_SIZE ? (size_t)m->log_total : LOG_SIZE;
    if (n > max)
        n = max;
    if (!n)
        return;
    uint8_t tmp[LOG_SIZE];
    uint64_t start = m->log_total - n;
    for (size_t i = 0; i < n; i++)
        tmp[i] = m->log[(start + i) % LOG_SIZE];
    host_write_all(2, tmp, n);
    if (tmp[n - 1] != '\n')
        host_write_all(2, "\n", 1);
}

void console_out(Machine *m, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (m->ctl) { /* container mode: the console is a log */
        for (size_t i = 0; i < len; i++)
            m->log[(m->log_total + i) % LOG_SIZE] = p[i];
        m->log_total += len;
        if (m->debug)
            host_write_all(2, p, len);
        return;
    }
    while (len) {
        size_t n = OUTBUF_SIZE - m->out_len;
        if (n > len)
            n = len;
        memcpy(m->outbuf + m->out_len, p, n);
        m->out_len += (uint32_t)n;
        p += n;
        len -= n;
        if (m->out_len == OUTBUF_SIZE)
            console_flush(m);
    }
}

void console_flush(Machine *m)
{
    if (m->out_len) {
        host_write_all(1, m->outbuf, m->out_len);
        m->out_len = 0;
    }
}

int console_in_avail(Machine *m)
{
    if (m->ctl)
        return 0; /* stdin goes to the control channel */
    return (int)(m->in_tail - m->in_head);
}

int console_getc(Machine *m)
{
    if (m->ctl || m->in_head == m->in_tail)
        return -1;
    int ch = m->inbuf[m->in_head % INBUF_SIZE];
    m->in_head++;
    return ch;
}
