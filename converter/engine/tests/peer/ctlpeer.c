/* ctlpeer: a minimal guest-side peer of the engine <-> init protocol (converter/guest/PROTOCOL.md),
 * used as /init to test the engine's side (virtio-console multiport, records, RUN building,
 * stdin relay, exit paths) without the real init. Static riscv64 program.
 *
 * After READY it reads RUN and acts on the first 'a' field (the command):
 *   dump          STDOUT: one line per RUN field, "<tag> <escaped value>" (\xHH for bytes
 *                 outside 0x21..0x7e and for '\\'), then EXIT 0
 *   cat           copy STDIN records to STDOUT until STDIN_EOF, then EXIT 0
 *   exit N        STDOUT "out\n", STDERR "err\n", EXIT N
 *   error         ERROR "peer error", EXIT 125
 *   sleep SECS    sleep, then STDOUT "slept\n", EXIT 0
 *   big N         STDOUT N bytes (i % 251), then EXIT 0
 *   meminfo       STDOUT the first line of /proc/meminfo (MemTotal), then EXIT 0
 *   disksum       STDOUT "<size> <fnv1a64 hex>\n" of /dev/vda, then EXIT 0
 *   poweroff      power off without EXIT
 *   panic         exit PID 1 (kernel panic; with panic=-1 an SBI reboot)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int ctl = -1;

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_all(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(ctl, p, len > 32768 ? 32768 : len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            _exit(3);
        }
        p += n;
        len -= (size_t)n;
    }
}

static void send(uint8_t type, const void *payload, uint32_t len)
{
    uint8_t h[8] = {type};
    put_le32(h + 4, len);
    write_all(h, 8);
    if (len)
        write_all(payload, len);
}

static void read_all(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = read(ctl, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(4);
        p += n;
        len -= (size_t)n;
    }
}

static uint8_t *recv(uint8_t *type, uint32_t *len)
{
    uint8_t h[8];
    read_all(h, 8);
    *type = h[0];
    *len = get_le32(h + 4);
    uint8_t *p = malloc(*len + 1);
    if (!p)
        _exit(5);
    read_all(p, *len);
    p[*len] = 0;
    return p;
}

static void finish(uint32_t status)
{
    uint8_t b[4];
    put_le32(b, status);
    send(0x84, b, 4);
    sync();
    reboot(RB_POWER_OFF);
    _exit(0);
}

static void say(uint8_t type, const char *s)
{
    send(type, s, (uint32_t)strlen(s));
}

int main(void)
{
    mkdir("/dev", 0755);
    mkdir("/sys", 0555);
    mount("dev", "/dev", "devtmpfs", 0, NULL);
    mount("sys", "/sys", "sysfs", 0, NULL);
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
    char name[64] = {0};
    int fd = open("/sys/class/virtio-ports/vport0p1/name", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, name, sizeof name - 1);
        close(fd);
        if (n > 0 && name[n - 1] == '\n')
            name[n - 1] = 0;
    }
    if (strcmp(name, "c2w.ctl") != 0) {
        fprintf(stderr, "ctlpeer: vport0p1 is not c2w.ctl (name '%s')\n", name);
        reboot(RB_AUTOBOOT);
    }
    ctl = open("/dev/vport0p1", O_RDWR);
    if (ctl < 0) {
        perror("ctlpeer: /dev/vport0p1");
        reboot(RB_AUTOBOOT);
    }
    uint8_t ver[4];
    put_le32(ver, 1);
    send(0x81, ver, 4);

    uint8_t type;
    uint32_t len;
    uint8_t *run;
    do
        run = recv(&type, &len);
    while (type != 0x01);

    /* decode fields; remember the first two 'a' */
    const char *cmd = "dump", *arg = "0";
    int na = 0;
    for (uint32_t off = 0; off + 5 <= len;) {
        uint8_t tag = run[off];
        uint32_t n = get_le32(run + off + 1);
        if (n > len - off - 5)
            break;
        if (tag == 'a') {
            char *s = strndup((char *)run + off + 5, n);
            if (na == 0)
                cmd = s;
            else if (na == 1)
                arg = s;
            na++;
        }
        off += 5 + n;
    }

    if (!strcmp(cmd, "dump")) {
        size_t cap = (size_t)len * 4 + 64, o = 0;
        char *out = malloc(cap);
        for (uint32_t off = 0; off + 5 <= len;) {
            uint8_t tag = run[off];
            uint32_t n = get_le32(run + off + 1);
            if (n > len - off - 5)
                break;
            o += (size_t)sprintf(out + o, "%c ", tag);
            for (uint32_t i = 0; i < n; i++) {
                uint8_t c = run[off + 5 + i];
                if (c > 0x20 && c < 0x7f && c != '\\')
                    out[o++] = (char)c;
                else
                    o += (size_t)sprintf(out + o, "\\x%02x", c);
            }
            out[o++] = '\n';
            off += 5 + n;
        }
        send(0x82, out, (uint32_t)o);
        finish(0);
    } else if (!strcmp(cmd, "cat")) {
        for (;;) {
            uint8_t *p = recv(&type, &len);
            if (type == 0x02)
                send(0x82, p, len);
            else if (type == 0x03)
                finish(0);
            free(p);
        }
    } else if (!strcmp(cmd, "exit")) {
        say(0x82, "out\n");
        say(0x83, "err\n");
        finish((uint32_t)atoi(arg));
    } else if (!strcmp(cmd, "error")) {
        say(0x85, "peer error");
        finish(125);
    } else if (!strcmp(cmd, "sleep")) {
        struct timespec ts = {.tv_sec = atoi(arg)};
        nanosleep(&ts, NULL);
        say(0x82, "slept\n");
        finish(0);
    } else if (!strcmp(cmd, "big")) {
        uint32_t n = (uint32_t)atoi(arg);
        uint8_t *b = malloc(n ? n : 1);
        for (uint32_t i = 0; i < n; i++)
            b[i] = (uint8_t)(i % 251);
        for (uint32_t off = 0; off < n;) {
            uint32_t k = n - off < 65536 ? n - off : 65536;
            send(0x82, b + off, k);
            off += k;
        }
        finish(0);
    } else if (!strcmp(cmd, "meminfo")) {
        char line[256] = {0};
        int d = open("/proc/meminfo", O_RDONLY);
        ssize_t n = d >= 0 ? read(d, line, sizeof line - 1) : -1;
        char *nl = n > 0 ? strchr(line, '\n') : NULL;
        if (nl)
            nl[1] = 0;
        say(0x82, line);
        finish(n > 0 ? 0 : 1);
    } else if (!strcmp(cmd, "disksum")) {
        int d = open("/dev/vda", O_RDONLY);
        uint64_t h = 0xcbf29ce484222325ULL, size = 0;
        static uint8_t b[65536];
        ssize_t n;
        while (d >= 0 && (n = read(d, b, sizeof b)) > 0) {
            for (ssize_t i = 0; i < n; i++)
                h = (h ^ b[i]) * 0x100000001b3ULL;
            size += (uint64_t)n;
        }
        char line[64];
        snprintf(line, sizeof line, "%llu %016llx\n", (unsigned long long)size, (unsigned long long)h);
        say(0x82, line);
        finish(d >= 0 ? 0 : 1);
    } else if (!strcmp(cmd, "poweroff")) {
        sync();
        reboot(RB_POWER_OFF);
    } else if (!strcmp(cmd, "panic")) {
        _exit(7);
    }
    say(0x85, "ctlpeer: unknown command");
    finish(125);
}
