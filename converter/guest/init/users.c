#define _GNU_SOURCE
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_id(const char *s, unsigned long *out)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v > 0xfffffffful || *s == '-' || *s == '+')
        return -1;
    *out = v;
    return 0;
}

/* Split a colon-separated line in place into at most max fields; returns the count. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ':') {
            *p = 0;
            f[n++] = p + 1;
        }
    char *nl = strchr(f[n - 1], '\n');
    if (nl)
        *nl = 0;
    return n;
}

/* passwd lookup by name (name != NULL) or by uid. Fills uid, gid, home, name. */
static int find_passwd(const char *path, const char *name, unsigned long uid, unsigned long *ouid,
                       unsigned long *ogid, char *home, size_t homelen, char *oname, size_t namelen)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, f) > 0) {
        char *fl[7];
        if (split(line, fl, 7) < 7)
            continue;
        unsigned long u, g;
        if (parse_id(fl[2], &u) || parse_id(fl[3], &g))
            continue;
        if (name ? strcmp(fl[0], name) == 0 : u == uid) {
            *ouid = u;
            *ogid = g;
            snprintf(home, homelen, "%s", fl[5]);
            snprintf(oname, namelen, "%s", fl[0]);
            found = 1;
        }
    }
    free(line);
    fclose(f);
    return found;
}

int resolve_user(const char *spec, const char *passwd_path, const char *group_path,
                 struct resolved_user *out, char *err, size_t errlen)
{
    char user[256], group[256] = "", name[256] = "";
    const char *colon = strchr(spec, ':');
    size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (ulen >= sizeof user || (colon && strlen(colon + 1) >= sizeof group)) {
        snprintf(err, errlen, "user spec too long");
        return -1;
    }
    memcpy(user, spec, ulen);
    user[ulen] = 0;
    if (colon)
        strcpy(group, colon + 1);
    if (!*user)
        strcpy(user, "0");
    memset(out, 0, sizeof *out);

    unsigned long uid = 0, gid = 0, id;
    if (parse_id(user, &id) == 0) {
        uid = id;
        if (!find_passwd(passwd_path, NULL, id, &uid, &gid, out->home, sizeof out->home, name,
                         sizeof name))
            gid = 0; /* numeric uid without passwd entry: gid 0, like Docker */
    } else if (!find_passwd(passwd_path, user, 0, &uid, &gid, out->home, sizeof out->home, name,
                            sizeof name)) {
        snprintf(err, errlen, "unable to find user %s: no matching entries in passwd file", user);
        return -1;
    }

    int group_given = *group != 0, group_found = 0;
    unsigned long want_gid = 0;
    int group_numeric = group_given && parse_id(group, &want_gid) == 0;
    if (group_numeric) {
        gid = want_gid;
        group_found = 1;
    }
    out->ngroups = 0;
    FILE *f = fopen(group_path, "re");
    if (f) {
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
            char *fl[4];
            if (split(line, fl, 4) < 4)
                continue;
            unsigned long g;
            if (parse_id(fl[2], &g))
                continue;
            if (group_given && !group_numeric && !group_found && strcmp(fl[0], group) == 0) {
                gid = g;
                group_found = 1;
            }
            /* like runc: supplementary groups only in the implicit form (no ":group") */
            if (*name && !group_given && out->ngroups < USERS_MAX_GROUPS) {
                for (char *m = strtok(fl[3], ","); m; m = strtok(NULL, ","))
                    if (strcmp(m, name) == 0) {
                        out->groups[out->ngroups++] = (gid_t)g;
                        break;
                    }
            }
        }
        free(line);
        fclose(f);
    }
    if (group_given && !group_found) {
        snprintf(err, errlen, "unable to find group %s: no matching entries in group file", group);
        return -1;
    }
    out->uid = (uid_t)uid;
    out->gid = (gid_t)gid;
    /* the primary group is always in the list */
    int have = 0;
    for (size_t i = 0; i < out->ngroups; i++)
        have |= out->groups[i] == out->gid;
    if (!have && out->ngroups < USERS_MAX_GROUPS)
        out->groups[out->ngroups++] = out->gid;
    return 0;
}
