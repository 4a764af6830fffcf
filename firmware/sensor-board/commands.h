// The shell's commands and the settings they change.
#ifndef SENSOR_BOARD_COMMANDS_H
#define SENSOR_BOARD_COMMANDS_H

#include <Arduino.h>

/** Runs one command line (no line ending); prints its reply, ending with CRLF. */
void runCommand(char *line);

/** Milliseconds between timed readings, as set by `interval <ms>`. */
uint32_t readingIntervalMs();

#endif
