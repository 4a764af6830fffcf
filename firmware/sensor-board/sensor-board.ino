// serialdeck sensor board: an Arduino Uno that prints a reading per line at an interval
// (temperature and humidity from a DHT11, air quality from an MQ-135, pressure from a BMP180,
// simulated when absent) as JSON, the Arduino plotter's label:value pairs or CSV (the `format`
// command chooses), and answers a small command shell. Contract: ../README.md.
//
// Build: `make` in firmware/ (Debian's gcc-avr and arduino-core-avr), or open this folder
// in the Arduino IDE. Functions are defined before use: the Makefile build does not
// generate prototypes the way the IDE does.
#include <avr/sleep.h>
#include "commands.h"
#include "readings.h"
#include "shell.h"

static const uint32_t BAUD = 115200;

static uint32_t lastReadingMs = 0;

// Idle sleep stops only the CPU clock: timer0 (millis) and the UART keep running and their
// interrupts wake it, so nothing is missed and the board (or its emulator) idles cheaply.
// Interrupts are off between the check and the SLEEP; `sei` runs one more instruction
// before any interrupt, so one arriving in between wakes the SLEEP instead of being missed.
static void idleUntilInterrupt() {
  set_sleep_mode(SLEEP_MODE_IDLE);
  cli();
  if (Serial.available() > 0) {
    sei();
    return;
  }
  sleep_enable();
  sei();
  sleep_cpu();
  sleep_disable();
}

void setup() {
  pinMode(LED_BUILTIN, OUTPUT);
  digitalWrite(LED_BUILTIN, LOW);
  Serial.begin(BAUD);
  readingsBegin();
  Serial.println(F("READY sensor-board 1.0"));
  shellBegin();
  lastReadingMs = millis();
}

void loop() {
  shellPoll();
  readingsPoll();
  uint32_t now = millis();
  if (now - lastReadingMs >= readingIntervalMs()) {
    lastReadingMs = now;
    Reading r = takeReading();
    shellBeginOutput();
    printReadingLine(r);
    shellEndOutput();
  }
  idleUntilInterrupt();
}
