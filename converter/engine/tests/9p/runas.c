/* runas UID GID CMD [ARG...]: run CMD as a non-root user (busybox has no chpst/reuid here).
 * Built static for riscv64 by tests/9p/artifacts.py and put into the test initramfs. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: runas UID GID CMD [ARG...]\n");
        return 2;
    }
    gid_t gid = (gid_t)atoi(argv[2]);
    if (setgroups(0, NULL) || setgid(gid) || setuid((uid_t)atoi(argv[1]))) {
        perror("runas");
        return 1;
    }
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
}
