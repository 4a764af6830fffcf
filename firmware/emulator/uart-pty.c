// UART <-> pseudo-terminal bridge; see uart-pty.h.
//
// Written here rather than using simavr's parts/uart_pty.c because that part hard-codes
// /tmp/simavr-uart0, services the pty from its own thread without locking, pushes input
// regardless of the simulated clock, and keeps writing output while nobody listens.
#define _GNU_SOURCE
#include "uart-pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include "avr_uart.h"
#include "sim_io.h"

// Hands bytes to the UART until it signals XOFF (receive FIFO full) or none are left.
// The UART times their arrival at its baud rate, so they reach the firmware as off a wire.
static void feed(uart_pty_t *p) {
	while (!p->xoff && p->in_len > 0) {
		uint8_t byte = p->in[p->in_head];
		p->in_head = (p->in_head + 1) % UART_PTY_IN_BYTES;
		p->in_len--;
		avr_raise_irq(p->irq + UART_IRQ_INPUT, byte); // may raise XOFF before returning
	}
}

// The firmware wrote a byte to UDR.
static void on_output(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	uart_pty_t *p = param;
	if (!p->connected) return; // nobody listening: the byte is gone, as on a real board
	if (p->out_len == UART_PTY_OUT_BYTES) {
		p->dropped++;
		return;
	}
	p->out[(p->out_head + p->out_len) % UART_PTY_OUT_BYTES] = (uint8_t)value;
	p->out_len++;
}

// XON is raised repeatedly while the receive FIFO is empty; XOFF when it is full (filtered:
// only on change).
static void on_xon(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)value;
	uart_pty_t *p = param;
	p->xoff = 0;
	feed(p);
}

static void on_xoff(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	uart_pty_t *p = param;
	p->xoff = value != 0;
}

int uart_pty_init(uart_pty_t *p, avr_t *avr, char uart) {
	memset(p, 0, sizeof *p);
	p->master = p->watch = -1;
	p->avr = avr;
	p->xoff = 1; // until the firmware enables its receiver
	p->irq = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(uart), 0);
	if (!p->irq) {
		errno = ENODEV;
		return -1;
	}
	// No console echo of UART output (stdout carries our pty path) and no usleep() when the
	// firmware polls the UART: the emulator keeps wall-clock time itself.
	uint32_t flags = 0;
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(uart), &flags);

	int slave;
	if (openpty(&p->master, &slave, p->path, NULL, NULL) < 0) return -1;
	// Raw 8N1 for the first client, like a USB-serial port fresh from the driver.
	struct termios tio;
	if (tcgetattr(slave, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetspeed(&tio, B115200);
		tcsetattr(slave, TCSANOW, &tio);
	}
	// With our slave fd closed, poll() on the master reports POLLHUP while no client has the
	// pty open: that is "connected". inotify on the slave's path adds what POLLHUP misses, a
	// close and reopen between two looks (see saw_reopen()).
	close(slave);
	p->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (p->watch >= 0 && inotify_add_watch(p->watch, p->path, IN_OPEN | IN_CLOSE) < 0) {
		close(p->watch);
		p->watch = -1;
	}
	fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
	fcntl(p->master, F_SETFD, FD_CLOEXEC);

	avr_irq_register_notify(p->irq + UART_IRQ_OUTPUT, on_output, p);
	avr_irq_register_notify(p->irq + UART_IRQ_OUT_XON, on_xon, p);
	avr_irq_register_notify(p->irq + UART_IRQ_OUT_XOFF, on_xoff, p);
	return 0;
}

static void flush_output(uart_pty_t *p) {
	while (p->out_len > 0) {
		size_t chunk = UART_PTY_OUT_BYTES - p->out_head;
		if (chunk > p->out_len) chunk = p->out_len;
		ssize_t n = write(p->master, p->out + p->out_head, chunk);
		if (n <= 0) return; // EAGAIN: the client is not reading; EIO: it just left
		p->out_head = (p->out_head + (size_t)n) % UART_PTY_OUT_BYTES;
		p->out_len -= (size_t)n;
	}
}

static void read_input(uart_pty_t *p) {
	if (p->in_reset) {
		uint8_t sink[256];
		while (read(p->master, sink, sizeof sink) > 0) {
		}
		return;
	}
	// Read only into an empty buffer, so a fast writer waits in the kernel's pty buffer.
	if (p->in_len > 0) return;
	ssize_t n = read(p->master, p->in, UART_PTY_IN_BYTES);
	if (n > 0) {
		p->in_head = 0;
		p->in_len = (size_t)n;
	}
}

// Reads the slave's open/close events since the last call. Returns 1 if an open followed a
// close seen while a client was connected: a client left and one came back between two polls,
// which POLLHUP alone misses. (Opens and closes cannot simply be counted: inotify merges
// identical consecutive events, and libuv's tty setup opens the path twice in a row.)
static int saw_reopen(uart_pty_t *p) {
	int reopened = 0;
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(p->watch, events, sizeof events)) > 0) {
		for (char *at = events; at < events + n;) {
			const struct inotify_event *e = (const struct inotify_event *)at;
			if (e->mask & IN_CLOSE) {
				p->closed_since_open = 1;
			} else if ((e->mask & IN_OPEN) && p->closed_since_open) {
				p->closed_since_open = 0;
				reopened = 1;
			}
			at += sizeof *e + e->len;
		}
	}
	return reopened;
}

int uart_pty_service(uart_pty_t *p) {
	// Events first, then the state: every event read happened before the poll.
	int reopened = p->watch >= 0 && saw_reopen(p);
	struct pollfd pfd = {.fd = p->master, .events = POLLIN | (p->out_len ? POLLOUT : 0)};
	if (poll(&pfd, 1, 0) < 0) return UART_PTY_IDLE; // EINTR: try again next slice
	int was = p->connected;
	// POLLHUP on the master: no client has the slave open (our own slave fd is closed).
	p->connected = !(pfd.revents & POLLHUP);
	if (!p->connected) p->closed_since_open = 0; // the next open is a plain "!was" transition
	int event = UART_PTY_IDLE;
	if (p->connected && (!was || reopened)) {
		event = UART_PTY_OPENED;
	} else if (was && !p->connected) {
		event = UART_PTY_CLOSED;
	}
	if (event != UART_PTY_IDLE) {
		// Nothing carries over between clients (the kernel drops what the last one left unread).
		p->in_len = p->out_len = 0;
		p->in_head = p->out_head = 0;
	}
	if (!p->connected) return event;
	if (pfd.revents & POLLIN) read_input(p);
	feed(p);
	flush_output(p);
	return event;
}

void uart_pty_chip_reset(uart_pty_t *p, int held) {
	// Input on its way to a resetting chip is lost (on a real Uno the bootloader eats it);
	// output already sent stays on its way to the client.
	p->in_reset = held;
	p->xoff = 1;
	p->in_len = 0;
	p->in_head = 0;
}

void uart_pty_close(uart_pty_t *p) {
	if (p->watch >= 0) close(p->watch);
	if (p->master >= 0) close(p->master);
	p->watch = p->master = -1;
}
