// emulated-uno: runs an Arduino Uno firmware (.elf) on a simulated ATmega328P at 16 MHz,
// in step with the wall clock, with UART0 on a pseudo-terminal. It prints the pty's path
// on stdout when ready; open that path as you would /dev/ttyACM0. See ../README.md.
//
//   emulated-uno [--link PATH] [--no-reset-on-open] [--boot-ms MS] [--mcu NAME] [--freq HZ] [--verbose] FIRMWARE.elf
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sim_avr.h"
#include "sim_elf.h"
#include "uart-pty.h"

// CPU time runs in slices of this many microseconds between pty services: the worst-case
// extra latency of a byte, and ~1 ms is what a USB-serial chip adds anyway.
#define SLICE_US 1000
// After the host stalled the emulator (a busy CI machine deschedules it for tens of ms),
// simulated time catches up by running unthrottled, so millis() stays true to the wall clock.
// Beyond this lag the host is simply too slow (an old Pi): the anchor moves and time runs slower.
#define MAX_LAG_US 250000
// The Uno's supply, in millivolts: the ADC's reference for analogRead().
#define UNO_SUPPLY_MV 5000
// After a DTR reset a Uno's bootloader (optiboot) listens for an upload for about half a
// second before it starts the sketch, in ms. Hosts rely on it without knowing: serialport
// flushes the input right after opening, which would eat a banner printed at once.
#define BOOTLOADER_MS 500
// How often, at most, to say that the host is too slow.
#define LAG_WARNING_INTERVAL_S 10

static volatile sig_atomic_t stop_signal = 0;
static int log_level = LOG_ERROR;

static void on_signal(int sig) {
	stop_signal = sig;
}

// simavr's messages go to stderr: stdout carries only the pty path.
static void logger(avr_t *avr, const int level, const char *format, va_list ap) {
	(void)avr;
	if (level > log_level) return;
	fputs("emulated-uno: ", stderr);
	vfprintf(stderr, format, ap);
}

// The firmware's idle SLEEP costs no host time: simavr jumps the cycle counter to the next
// timer event and the main loop's throttle does the waiting.
static void sleep_nothing(avr_t *avr, avr_cycle_count_t how_long) {
	(void)avr;
	(void)how_long;
}

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Cycles to nanoseconds without overflowing 64 bits over a long run.
static uint64_t cycles_to_ns(avr_cycle_count_t cycles, uint32_t hz) {
	return (cycles / hz) * 1000000000u + (cycles % hz) * 1000000000u / hz;
}

static void sleep_until_ns(uint64_t deadline) {
	struct timespec ts = {.tv_sec = (time_t)(deadline / 1000000000u), .tv_nsec = (long)(deadline % 1000000000u)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_signal) {
	}
}

static void usage(FILE *out) {
	fputs("usage: emulated-uno [--link PATH] [--no-reset-on-open] [--boot-ms MS] [--mcu NAME] [--freq HZ] [--verbose] FIRMWARE.elf\n"
	      "Runs FIRMWARE.elf on an emulated Arduino Uno with UART0 on a pseudo-terminal, whose path\n"
	      "is printed on stdout when ready.\n"
	      "  --link PATH          also make PATH a symlink to the pty (removed on exit)\n"
	      "  --no-reset-on-open   do not reset the chip when a client opens the pty\n"
	      "                       (default: reset, like the Uno's DTR auto-reset, and hold it\n"
	      "                       in reset for the bootloader's wait, --boot-ms)\n"
	      "  --boot-ms MS         bootloader wait after a reset on open (default 500)\n"
	      "  --mcu NAME           simavr core (default atmega328p)\n"
	      "  --freq HZ            clock (default 16000000)\n"
	      "  --verbose            client opens and closes, simavr warnings, dropped output on stderr\n",
	      out);
}

int main(int argc, char **argv) {
	const char *link_path = NULL;
	const char *mcu = "atmega328p";
	uint32_t freq = 16000000;
	int reset_on_open = 1;
	unsigned long boot_ms = BOOTLOADER_MS;
	int verbose = 0;
	static const struct option options[] = {
		{"link", required_argument, NULL, 'l'},
		{"no-reset-on-open", no_argument, NULL, 'n'},
		{"boot-ms", required_argument, NULL, 'b'},
		{"mcu", required_argument, NULL, 'm'},
		{"freq", required_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	for (int c; (c = getopt_long(argc, argv, "l:nb:m:f:vh", options, NULL)) != -1;) {
		switch (c) {
		case 'l': link_path = optarg; break;
		case 'n': reset_on_open = 0; break;
		case 'b': {
			char *end;
			boot_ms = strtoul(optarg, &end, 10);
			if (*end || *optarg == '\0' || boot_ms > 10000) {
				fprintf(stderr, "emulated-uno: --boot-ms must be a number of ms from 0 to 10000\n");
				return 2;
			}
			break;
		}
		case 'm': mcu = optarg; break;
		case 'f': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 1000 || v > 100000000) {
				fprintf(stderr, "emulated-uno: --freq must be a number of Hz from 1000 to 100000000\n");
				return 2;
			}
			freq = (uint32_t)v;
			break;
		}
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *elf_path = argv[optind];

#ifdef __linux__
	// Die with whoever started us (a test runner killed mid-test leaves no stray emulator).
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent) return 1;
#endif
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_level = verbose ? LOG_WARNING : LOG_ERROR;
	avr_global_logger_set(logger);

	static elf_firmware_t firmware; // large; and zeroed, which elf_read_firmware expects
	errno = 0;
	if (access(elf_path, R_OK) != 0 || elf_read_firmware(elf_path, &firmware) != 0) {
		fprintf(stderr, "emulated-uno: cannot load %s: %s\n", elf_path,
		        errno ? strerror(errno) : "not an AVR ELF file");
		return 1;
	}
	avr_t *avr = avr_make_mcu_by_name(mcu);
	if (!avr) {
		fprintf(stderr, "emulated-uno: simavr has no core named %s\n", mcu);
		return 1;
	}
	avr_init(avr);
	avr->log = log_level;
	// Arduino builds carry no .mmcu section to say these: a Uno runs at 5 V, AREF = AVCC.
	firmware.frequency = freq;
	firmware.vcc = firmware.avcc = firmware.aref = UNO_SUPPLY_MV;
	avr_load_firmware(avr, &firmware);
	avr->frequency = freq;
	avr->sleep = sleep_nothing;

	uart_pty_t pty;
	if (uart_pty_init(&pty, avr, '0') != 0) {
		fprintf(stderr, "emulated-uno: cannot open a pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	if (link_path) {
		struct stat st;
		if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
			fprintf(stderr, "emulated-uno: %s exists and is not a symlink; not replacing it\n", link_path);
			return 1;
		}
		unlink(link_path);
		if (symlink(pty.path, link_path) != 0) {
			fprintf(stderr, "emulated-uno: cannot link %s: %s\n", link_path, strerror(errno));
			return 1;
		}
	}
	printf("%s\n", pty.path);
	fflush(stdout);

	const avr_cycle_count_t slice_cycles = (avr_cycle_count_t)freq / (1000000 / SLICE_US);
	uint64_t anchor_ns = now_ns();
	avr_cycle_count_t anchor_cycle = avr->cycle;
	uint64_t last_lag_warning_ns = 0;
	uint64_t boot_until_ns = 0; // while set, the chip is held in reset (the bootloader's wait)
	int status = 0;
	while (!stop_signal) {
		if (boot_until_ns) {
			uint64_t now = now_ns();
			if (now < boot_until_ns) {
				if (uart_pty_service(&pty) == UART_PTY_OPENED) boot_until_ns = now + (uint64_t)boot_ms * 1000000u;
				sleep_until_ns(now + SLICE_US * 1000u < boot_until_ns ? now + SLICE_US * 1000u : boot_until_ns);
				continue;
			}
			boot_until_ns = 0;
			uart_pty_chip_reset(&pty, 0);
			anchor_ns = now;
			anchor_cycle = avr->cycle;
		}
		avr_cycle_count_t slice_end = avr->cycle + slice_cycles;
		while (avr->cycle < slice_end) {
			int state = avr_run(avr);
			if (state == cpu_Done || state == cpu_Crashed) {
				fprintf(stderr, "emulated-uno: the firmware %s at pc 0x%04x\n",
				        state == cpu_Done ? "stopped (sleep with interrupts off)" : "crashed",
				        (unsigned)avr->pc);
				status = 1;
				goto done;
			}
		}
		switch (uart_pty_service(&pty)) {
		case UART_PTY_OPENED:
			if (verbose) fprintf(stderr, "emulated-uno: client opened %s\n", pty.path);
			if (reset_on_open) {
				avr_reset(avr);
				uart_pty_chip_reset(&pty, boot_ms > 0);
				anchor_ns = now_ns();
				anchor_cycle = avr->cycle;
				if (boot_ms > 0) boot_until_ns = anchor_ns + (uint64_t)boot_ms * 1000000u;
			}
			break;
		case UART_PTY_CLOSED:
			if (verbose) fprintf(stderr, "emulated-uno: client closed %s\n", pty.path);
			break;
		}

		uint64_t sim_ns = anchor_ns + cycles_to_ns(avr->cycle - anchor_cycle, freq);
		uint64_t wall_ns = now_ns();
		if (sim_ns > wall_ns) {
			sleep_until_ns(sim_ns);
		} else if (wall_ns - sim_ns > (uint64_t)MAX_LAG_US * 1000u) {
			anchor_ns = wall_ns;
			anchor_cycle = avr->cycle;
			if (wall_ns - last_lag_warning_ns > LAG_WARNING_INTERVAL_S * 1000000000ull) {
				fprintf(stderr, "emulated-uno: host too slow for %u Hz in real time (%llu ms behind); running slower\n",
				        freq, (unsigned long long)((wall_ns - sim_ns) / 1000000u));
				last_lag_warning_ns = wall_ns;
			}
		}
	}
done:
	if (verbose && pty.dropped) fprintf(stderr, "emulated-uno: %llu output bytes dropped (client not reading)\n", pty.dropped);
	uart_pty_close(&pty);
	if (link_path) unlink(link_path);
	avr_terminate(avr);
	return status;
}
