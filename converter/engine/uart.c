/* NS16550A UART: transmit to the console output, receive from the console input queue. */
#include "machine.h"

void uart_reset(UART *u)
{
    memset(u, 0, sizeof *u);
}

void uart_update_irq(Machine *m)
{
    UART *u = &m->uart;
    bool rx = (u->ier & 1) && console_in_avail(m) > 0;
    bool tx = (u->ier & 2) && u->thre_ip;
    machine_set_irq(m, UART_IRQ, rx || tx);
}

uint8_t uart_read(Machine *m, uint64_t off)
{
    UART *u = &m->uart;
    uint8_t v = 0;
    bool dlab = u->lcr & 0x80;
    switch (off) {
    case 0:
        if (dlab)
            v = u->dll;
        else {
            int ch = console_getc(m);
            v = ch < 0 ? 0 : (uint8_t)ch;
        }
        break;
    case 1: v = dlab ? u->dlm : u->ier; break;
    case 2: /* IIR */
        if ((u->ier & 1) && console_in_avail(m) > 0)
            v = 0x04;
        else if ((u->ier & 2) && u->thre_ip) {
            v = 0x02;
            u->thre_ip = false;
        } else
            v = 0x01;
        if (u->fcr & 1)
            v |= 0xc0;
        break;
    case 3: v = u->lcr; break;
    case 4: v = u->mcr; break;
    case 5: v = 0x60 | (console_in_avail(m) > 0 ? 1 : 0); break;
    case 6: v = 0xb0; break; /* DCD, DSR, CTS */
    case 7: v = u->scr; break;
    }
    uart_update_irq(m);
    return v;
}

void uart_write(Machine *m, uint64_t off, uint8_t val)
{
    UART *u = &m->uart;
    bool dlab = u->lcr & 0x80;
    switch (off) {
    case 0:
        if (dlab)
            u->dll = val;
        else {
            console_out(m, &val, 1);
            u->thre_ip = true;
        }
        break;
    case 1:
        if (dlab)
            u->dlm = val;
        else {
            if ((val & 2) && !(u->ier & 2))
                u->thre_ip = true;
            u->ier = val & 0x0f;
        }
        break;
    case 2: u->fcr = val; break;
    case 3: u->lcr = val; break;
    case 4: u->mcr = val; break;
    case 7: u->scr = val; break;
    }
    uart_update_irq(m);
}
