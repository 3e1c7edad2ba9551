#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int parse_ip(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = a.s_addr;
    return 0;
}

int net_parse(const char *spec, struct net_cfg *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->ifname, sizeof cfg->ifname, "eth0");
    char *copy = strdup(spec), *save = NULL;
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int have_addr = 0, rc = -1;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        char *v = strchr(w, '=');
        if (!v) {
            snprintf(err, errlen, "network: '%s' is not KEY=VALUE", w);
            goto out;
        }
        *v++ = 0;
        if (strcmp(w, "addr") == 0) {
            char *slash = strchr(v, '/');
            long prefix = 24;
            if (slash) {
                char *end;
                *slash = 0;
                prefix = strtol(slash + 1, &end, 10);
                if (*end || slash[1] == 0 || prefix < 0 || prefix > 32) {
                    snprintf(err, errlen, "network: bad prefix length in addr");
                    goto out;
                }
            }
            if (parse_ip(v, &cfg->addr) < 0) {
                snprintf(err, errlen, "network: bad address '%s'", v);
                goto out;
            }
            cfg->mask = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;
            have_addr = 1;
        } else if (strcmp(w, "gw") == 0) {
            if (parse_ip(v, &cfg->gw) < 0) {
                snprintf(err, errlen, "network: bad gateway '%s'", v);
                goto out;
            }
        } else if (strcmp(w, "dns") == 0) {
            if (cfg->ndns == NET_MAX_DNS || parse_ip(v, &cfg->dns[cfg->ndns]) < 0) {
                snprintf(err, errlen, "network: bad or too many dns '%s'", v);
                goto out;
            }
            cfg->ndns++;
        } else if (strcmp(w, "mac") == 0) {
            unsigned m[6];
            char tail;
            if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
                       &tail) != 6) {
                snprintf(err, errlen, "network: bad mac '%s'", v);
                goto out;
            }
            for (int i = 0; i < 6; i++)
                cfg->mac[i] = (uint8_t)m[i];
            cfg->has_mac = 1;
        } else if (strcmp(w, "mtu") == 0) {
            char *end;
            long mtu = strtol(v, &end, 10);
            if (*end || mtu < 68 || mtu > 65535) {
                snprintf(err, errlen, "network: bad mtu '%s'", v);
                goto out;
            }
            cfg->mtu = (int)mtu;
        } else if (strcmp(w, "if") == 0) {
            if (!*v || strlen(v) >= sizeof cfg->ifname) {
                snprintf(err, errlen, "network: bad interface name '%s'", v);
                goto out;
            }
            snprintf(cfg->ifname, sizeof cfg->ifname, "%s", v);
        } else {
            snprintf(err, errlen, "network: unknown key '%s'", w);
            goto out;
        }
    }
    if (!have_addr) {
        snprintf(err, errlen, "network: addr=A.B.C.D/PREFIX is required");
        goto out;
    }
    rc = 0;
out:
    free(copy);
    return rc;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = addr};
    memcpy(sa, &sin, sizeof sin);
}

int net_apply(const struct net_cfg *cfg, char *err, size_t errlen)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        snprintf(err, errlen, "network: socket: %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    const char *step = "find interface";
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", cfg->ifname);
    /* the NIC is probed at boot; allow a moment for a slow probe */
    for (int i = 0; ioctl(s, SIOCGIFFLAGS, &ifr) < 0; i++) {
        if (errno != ENODEV || i == 200)
            goto fail;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    if (cfg->has_mac) {
        step = "set mac";
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        memcpy(ifr.ifr_hwaddr.sa_data, cfg->mac, 6);
        if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
            goto fail;
    }
    if (cfg->mtu) {
        step = "set mtu";
        ifr.ifr_mtu = cfg->mtu;
        if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
            goto fail;
    }
    step = "set address";
    set_sin(&ifr.ifr_addr, cfg->addr);
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
        goto fail;
    step = "set netmask";
    set_sin(&ifr.ifr_netmask, cfg->mask);
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
        goto fail;
    step = "bring up";
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        goto fail;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        goto fail;
    if (cfg->gw) {
        step = "add default route";
        struct rtentry rt;
        memset(&rt, 0, sizeof rt);
        set_sin(&rt.rt_dst, 0);
        set_sin(&rt.rt_genmask, 0);
        set_sin(&rt.rt_gateway, cfg->gw);
        rt.rt_flags = RTF_UP | RTF_GATEWAY;
        rt.rt_dev = (char *)cfg->ifname;
        if (ioctl(s, SIOCADDRT, &rt) < 0)
            goto fail;
    }
    close(s);
    return 0;
fail:
    snprintf(err, errlen, "network: %s %s: %s", cfg->ifname, step, strerror(errno));
    close(s);
    return -1;
}

void net_resolv_conf(const struct net_cfg *cfg, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = 0;
    for (size_t i = 0; i < cfg->ndns && off < len; i++) {
        char ip[INET_ADDRSTRLEN];
        struct in_addr a = {.s_addr = cfg->dns[i]};
        inet_ntop(AF_INET, &a, ip, sizeof ip);
        int n = snprintf(buf + off, len - off, "nameserver %s\n", ip);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}
