/* Probe: argv, environment and exit status.
 * usage: args_env_exit CODE [ARG...]
 * Prints argc, every argv entry, every environ entry (escaped, one per line),
 * then for each ARG of the form env:NAME the value of NAME; exits with CODE. */
#include <stdlib.h>

#include "probe.h"

extern char **environ;

int main(int argc, char **argv)
{
    int64_t code = argc > 1 ? p_atou(argv[1]) : -1;
    if (code < 0 || code > 255) {
        p_puts(2, "usage: args_env_exit CODE(0..255) [ARG...]\n");
        return 2;
    }
    p_puts(1, "argc=");
    p_putu(1, (uint64_t)argc);
    p_puts(1, "\n");
    for (int i = 0; i < argc; i++) {
        p_puts(1, "argv[");
        p_putu(1, (uint64_t)i);
        p_puts(1, "]=");
        p_escaped(1, argv[i], strlen(argv[i]));
        p_puts(1, "\n");
    }
    int n = 0;
    while (environ && environ[n])
        n++;
    p_puts(1, "envc=");
    p_putu(1, (uint64_t)n);
    p_puts(1, "\n");
    for (int i = 0; i < n; i++) {
        p_puts(1, "environ[");
        p_putu(1, (uint64_t)i);
        p_puts(1, "]=");
        p_escaped(1, environ[i], strlen(environ[i]));
        p_puts(1, "\n");
    }
    for (int i = 2; i < argc; i++) {
        if (strncmp(argv[i], "env:", 4))
            continue;
        const char *v = getenv(argv[i] + 4);
        p_puts(1, argv[i]);
        if (v) {
            p_puts(1, "=");
            p_escaped(1, v, strlen(v));
            p_puts(1, "\n");
        }
        else
            p_puts(1, " unset\n");
    }
    return (int)code;
}
