/* Probe: print, then proc_exit with a given status.
 * usage: exit_code CODE [MESSAGE]
 * Writes MESSAGE (default "exiting with CODE") and "\n" to fd 1, then calls
 * proc_exit(CODE) directly (no atexit, no return from main). CODE is 0..255;
 * anything else: usage on fd 2, exit 2. */
#include "probe.h"

int main(int argc, char **argv)
{
    int64_t code = argc > 1 ? p_atou(argv[1]) : -1;
    if (code < 0 || code > 255 || argc > 3) {
        p_puts(2, "usage: exit_code CODE(0..255) [MESSAGE]\n");
        return 2;
    }
    if (argc == 3)
        p_puts(1, argv[2]);
    else {
        p_puts(1, "exiting with ");
        p_putu(1, (uint64_t)code);
    }
    p_puts(1, "\n");
    __wasi_proc_exit((__wasi_exitcode_t)code);
}
