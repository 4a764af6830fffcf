// The serial command shell's line editor: echoes what is typed (like a tty, so every viewer
// of a shared console sees the command), ends lines on LF, CR or CRLF, reports over-long
// lines, and keeps a `> ` prompt (no trailing newline) out of the way of unsolicited output.
#ifndef SENSOR_BOARD_SHELL_H
#define SENSOR_BOARD_SHELL_H

#include <Arduino.h>

/** Longest command line in characters; a longer one is answered with `ERR line too long`. */
static const uint8_t SHELL_LINE_MAX_CHARS = 64;

/** Prints the first prompt. */
void shellBegin();

/** Handles every byte that has arrived, running each completed line. Never waits for input. */
void shellPoll();

/** Before unsolicited output (a timed reading): moves to a fresh line if the prompt is showing. */
void shellBeginOutput();

/** After unsolicited output: shows the prompt and the half-typed line again, if one was being typed. */
void shellEndOutput();

#endif
