// The shell's commands and the settings they change.
#ifndef SENSOR_BOARD_COMMANDS_H
#define SENSOR_BOARD_COMMANDS_H

#include <Arduino.h>
#include "readings.h"

/** Runs one command line (no line ending); prints its reply, ending with CRLF. */
void runCommand(char *line);

/** Prints a reading (timed or `read`) in the format chosen by `format`; in CSV, the header
 * line first after every CSV_HEADER_EVERY_ROWS rows. */
void printReadingLine(const Reading &r);

/** Milliseconds between timed readings, as set by `interval <ms>`. */
uint32_t readingIntervalMs();

#endif
