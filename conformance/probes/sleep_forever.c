/* Probe: never exits (for timeout handling).
 * usage: sleep_forever
 * Prints "sleeping" on fd 1, then sleeps in poll_oneoff (1 h clock) forever. */
#include "probe.h"

int main(void)
{
    p_puts(1, "sleeping\n");
    for (;;) {
        __wasi_subscription_t s;
        __wasi_event_t ev;
        __wasi_size_t n;
        memset(&s, 0, sizeof s);
        s.u.tag = __WASI_EVENTTYPE_CLOCK;
        s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        s.u.u.clock.timeout = 3600ull * 1000000000ull;
        (void)__wasi_poll_oneoff(&s, &ev, 1, &n);
    }
}
