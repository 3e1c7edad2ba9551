/* Resolve a Docker-style user spec against passwd/group files (no NSS). */
#ifndef C2W_USERS_H
#define C2W_USERS_H

#include <stddef.h>
#include <sys/types.h>

#define USERS_MAX_GROUPS 256

struct resolved_user {
    uid_t uid;
    gid_t gid;
    gid_t groups[USERS_MAX_GROUPS];
    size_t ngroups;
    char home[512]; /* "" when the user has no passwd entry */
};

/* spec: "", "name", "uid", "name:group", "uid:gid", ... ("" means root).
 * 0, or -1 with a message in err. */
int resolve_user(const char *spec, const char *passwd_path, const char *group_path,
                 struct resolved_user *out, char *err, size_t errlen);

#endif
