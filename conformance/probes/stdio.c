/* Probe: stdout and stderr stay separate.
 * usage: stdio
 * Writes "out 1\n", "out 2\n" to fd 1 and "err 1\n", "err 2\n" to fd 2,
 * alternating (out 1, err 1, out 2, err 2); exits 0. */
#include "probe.h"

int main(void)
{
    p_puts(1, "out 1\n");
    p_puts(2, "err 1\n");
    p_puts(1, "out 2\n");
    p_puts(2, "err 2\n");
    return 0;
}
