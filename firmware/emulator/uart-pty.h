// Bridges one simavr UART to a pseudo-terminal, like the USB-serial chip of a real Uno:
// bytes the firmware sends go to whoever has the pty open (and vanish while nobody does);
// bytes written to the pty reach the UART no faster than it can receive them (its XON/XOFF).
// Single-threaded: the emulator's main loop calls uart_pty_service() between slices of CPU time.
#ifndef EMULATED_UNO_UART_PTY_H
#define EMULATED_UNO_UART_PTY_H

#include <stddef.h>
#include <stdint.h>
#include "sim_avr.h"
#include "sim_irq.h"

// Bytes read from the pty but not yet accepted by the UART. Small on purpose: what a writer
// sends beyond it waits in the kernel's pty buffer, so a fast writer is held back there,
// as a USB-serial chip holds back its host, rather than inside the emulator.
#define UART_PTY_IN_BYTES 64
// Firmware output waiting for the pty reader. A reader that stops reading loses what
// overflows, as bytes from a real board are lost when the host stops reading.
#define UART_PTY_OUT_BYTES 8192

typedef struct uart_pty_t {
	avr_t *avr;
	avr_irq_t *irq;        // the UART's IRQs, indexed by UART_IRQ_INPUT/OUTPUT/OUT_XON/OUT_XOFF
	int master;            // pty master fd, non-blocking
	char path[256];        // slave path, e.g. /dev/pts/3
	int watch;             // inotify fd watching opens and closes of the slave, or -1
	int closed_since_open; // a close was seen since the last open (see saw_reopen())
	int connected;         // someone has the slave open
	int xoff;              // the UART's receive FIFO is full (or the receiver is off)
	int in_reset;          // the chip is held in reset (bootloader): input is read and dropped
	uint8_t in[UART_PTY_IN_BYTES];
	size_t in_head, in_len;
	uint8_t out[UART_PTY_OUT_BYTES];
	size_t out_head, out_len;
	unsigned long long dropped; // output bytes lost to a full buffer (not while disconnected)
} uart_pty_t;

enum {
	UART_PTY_IDLE = 0,
	UART_PTY_OPENED, // a client opened the pty since the last call
	UART_PTY_CLOSED, // the last client closed it
};

// Opens a pty (raw, 115200 8N1 as first seen by a client) and connects it to UART `uart`
// ('0' for UART0). Returns 0, or -1 with errno set.
int uart_pty_init(uart_pty_t *p, avr_t *avr, char uart);

// Moves bytes both ways and notices clients coming and going. Returns UART_PTY_OPENED or
// UART_PTY_CLOSED on those transitions, UART_PTY_IDLE otherwise.
int uart_pty_service(uart_pty_t *p);

// Call after avr_reset() with held = 1 while the chip is not running yet (the bootloader's
// wait: input is read and dropped), then with held = 0 once it runs. The UART comes back with
// its receiver off, so input waits for XON either way.
void uart_pty_chip_reset(uart_pty_t *p, int held);

void uart_pty_close(uart_pty_t *p);

#endif
