// Line editor for the command shell; see shell.h. Commands themselves are in commands.cpp.
#include "shell.h"
#include "commands.h"

static char line[SHELL_LINE_MAX_CHARS + 1];
static uint8_t lineLength = 0;
static bool lineTooLong = false; // more than SHELL_LINE_MAX_CHARS typed: report at the line end
static bool lastWasCr = false;   // a LF right after a CR ends the same line (CRLF)
static bool promptShowing = false; // the output cursor is after the prompt (and any echoed input)
static bool overrunSeen = false; // the receive buffer was full: bytes may have been dropped

static void showPrompt() {
  Serial.print(F("> "));
  Serial.write((const uint8_t *)line, lineLength);
  promptShowing = true;
}

void shellBegin() {
  showPrompt();
}

static void endLine() {
  Serial.print(F("\r\n"));
  promptShowing = false;
  if (overrunSeen) {
    // The core's ring buffer holds SERIAL_RX_BUFFER_SIZE - 1 bytes and drops what arrives
    // when it is full; it does not count them, so "may" is as exact as a sketch can be.
    Serial.println(F("ERR input overrun: receive buffer full, bytes may be lost (pace the writes)"));
    overrunSeen = false;
  }
  if (lineTooLong) {
    Serial.print(F("ERR line too long (max "));
    Serial.print(SHELL_LINE_MAX_CHARS);
    Serial.println(F(" characters)"));
  } else {
    line[lineLength] = '\0';
    runCommand(line);
  }
  lineLength = 0;
  lineTooLong = false;
  showPrompt();
}

static void handleByte(uint8_t c) {
  bool crlfTail = lastWasCr && c == '\n';
  lastWasCr = c == '\r';
  if (crlfTail) return;
  if (c == '\r' || c == '\n') {
    endLine();
    return;
  }
  if (!promptShowing) showPrompt();
  if (c == 0x08 || c == 0x7f) { // backspace / delete: rub out the last character
    if (lineLength > 0 && !lineTooLong) {
      lineLength--;
      Serial.print(F("\b \b"));
    }
    return;
  }
  if (c == 0x03) { // Ctrl+C: drop the line
    Serial.print(F("^C\r\n"));
    lineLength = 0;
    lineTooLong = false;
    showPrompt();
    return;
  }
  if (c < 0x20) return; // other control characters (tab, escape sequences' ESC) are ignored
  Serial.write(c);
  if (lineLength < SHELL_LINE_MAX_CHARS) {
    line[lineLength++] = (char)c;
  } else {
    lineTooLong = true;
  }
}

void shellPoll() {
  while (Serial.available() > 0) {
    if (Serial.available() >= SERIAL_RX_BUFFER_SIZE - 1) overrunSeen = true;
    handleByte((uint8_t)Serial.read());
  }
}

void shellBeginOutput() {
  if (promptShowing) {
    Serial.print(F("\r\n"));
    promptShowing = false;
  }
}

void shellEndOutput() {
  if (lineLength > 0 || lineTooLong) showPrompt();
}
