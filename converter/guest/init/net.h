/* eth0 configuration from the RUN 'n' field (see ../PROTOCOL.md). */
#ifndef C2W_NET_H
#define C2W_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_MAX_DNS 4

struct net_cfg {
    char ifname[16];
    uint32_t addr, mask, gw; /* network byte order; gw 0 = no default route */
    uint32_t dns[NET_MAX_DNS];
    size_t ndns;
    uint8_t mac[6];
    int has_mac;
    int mtu; /* 0 = leave */
};

/* Parse "addr=A.B.C.D/P gw=... dns=... mac=... mtu=... if=..." (0, or -1 with a message). */
int net_parse(const char *spec, struct net_cfg *cfg, char *err, size_t errlen);
/* Configure the interface and the default route (0, or -1 with a message). */
int net_apply(const struct net_cfg *cfg, char *err, size_t errlen);
/* The resolv.conf text for cfg's DNS servers ("" if none). */
void net_resolv_conf(const struct net_cfg *cfg, char *buf, size_t len);

#endif
