// help, status, interval <ms>, format json|plotter|csv, led on|off, echo <text>, read. Replies are listed in ../README.md.
#include "commands.h"
#include "readings.h"

static const uint32_t DEFAULT_INTERVAL_MS = 1000;
static const uint32_t MIN_INTERVAL_MS = 50;      // a reading line takes ~6 ms at 115200 baud
static const uint32_t MAX_INTERVAL_MS = 3600000; // one hour
static uint32_t intervalMs = DEFAULT_INTERVAL_MS;
static bool ledOn = false;

// Reading format, kept until reset. In CSV the header line is printed when the format is
// chosen (or asked for) and again before every CSV_HEADER_EVERY_ROWS-th row after it, so a
// program that starts reading mid-stream soon learns the columns.
static const uint8_t CSV_HEADER_EVERY_ROWS = 10;
static ReadingFormat format = FORMAT_JSON;
static uint8_t csvRowsSinceHeader = 0;
static const char FORMAT_NAME_JSON[] PROGMEM = "json";
static const char FORMAT_NAME_PLOTTER[] PROGMEM = "plotter";
static const char FORMAT_NAME_CSV[] PROGMEM = "csv";
// Indexed by ReadingFormat.
static const char *const FORMAT_NAMES[] PROGMEM = {FORMAT_NAME_JSON, FORMAT_NAME_PLOTTER, FORMAT_NAME_CSV};
static const uint8_t FORMAT_COUNT = sizeof FORMAT_NAMES / sizeof FORMAT_NAMES[0];

uint32_t readingIntervalMs() {
  return intervalMs;
}

// Bytes between the top of the heap and the stack: what is left of the 2 KiB.
static int freeRamBytes() {
  extern char __heap_start;
  extern char *__brkval;
  char top;
  return &top - (__brkval ? __brkval : &__heap_start);
}

// Parses a whole decimal number; false on anything else (empty, signs, junk, overflow).
static bool parseUnsigned(const char *s, uint32_t &value) {
  if (*s == '\0') return false;
  uint32_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 429496728UL) return false;
    v = v * 10 + (*s - '0');
  }
  value = v;
  return true;
}

void printReadingLine(const Reading &r) {
  if (format == FORMAT_CSV) {
    if (csvRowsSinceHeader >= CSV_HEADER_EVERY_ROWS) {
      printReadingHeader(Serial);
      csvRowsSinceHeader = 0;
    }
    csvRowsSinceHeader++;
  }
  printReading(Serial, r, format);
}

static void help() {
  Serial.println(F("commands (end a line with LF, CR or CRLF):"));
  Serial.println(F("  help           this list"));
  Serial.println(F("  status         uptime, interval, LED, sensors, free RAM"));
  Serial.println(F("  interval <ms>  time between readings, 50..3600000 ms"));
  Serial.println(F("  format <f>     readings as json, plotter (label:value) or csv"));
  Serial.println(F("  led on|off     the LED on pin 13"));
  Serial.println(F("  echo <text>    print <text> back"));
  Serial.println(F("  read           one reading now"));
}

static void status() {
  Serial.print(F("status uptime_ms="));
  Serial.print(millis());
  Serial.print(F(" interval_ms="));
  Serial.print(intervalMs);
  Serial.print(ledOn ? F(" led=on ") : F(" led=off "));
  printSensorSources(Serial);
  Serial.print(F(" free_ram="));
  Serial.println(freeRamBytes());
}

static void interval(const char *arg) {
  uint32_t ms;
  if (*arg == '\0') {
    ms = intervalMs;
  } else if (!parseUnsigned(arg, ms) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    Serial.println(F("ERR usage: interval <ms>, 50..3600000"));
    return;
  }
  intervalMs = ms;
  Serial.print(F("OK interval "));
  Serial.println(intervalMs);
}

// `format` alone reports the current format; in CSV the header line follows the reply.
static void chooseFormat(const char *arg) {
  if (*arg != '\0') {
    uint8_t i = 0;
    while (i < FORMAT_COUNT && strcmp_P(arg, (const char *)pgm_read_word(&FORMAT_NAMES[i])) != 0) i++;
    if (i == FORMAT_COUNT) {
      Serial.println(F("ERR usage: format json|plotter|csv"));
      return;
    }
    format = (ReadingFormat)i;
  }
  Serial.print(F("OK format "));
  Serial.println((const __FlashStringHelper *)pgm_read_word(&FORMAT_NAMES[format]));
  if (format == FORMAT_CSV) {
    printReadingHeader(Serial);
    csvRowsSinceHeader = 0;
  }
}

static void led(const char *arg) {
  if (strcmp_P(arg, PSTR("on")) == 0) {
    ledOn = true;
  } else if (strcmp_P(arg, PSTR("off")) == 0) {
    ledOn = false;
  } else {
    Serial.println(F("ERR usage: led on|off"));
    return;
  }
  digitalWrite(LED_BUILTIN, ledOn ? HIGH : LOW);
  Serial.println(ledOn ? F("OK led on") : F("OK led off"));
}

// Drops leading and trailing spaces in place.
static char *trim(char *s) {
  while (*s == ' ') s++;
  char *end = s + strlen(s);
  while (end > s && end[-1] == ' ') *--end = '\0';
  return s;
}

void runCommand(char *line) {
  while (*line == ' ') line++;
  if (*line == '\0') return;
  // Split off the command word; `arg` is everything after the first space, verbatim.
  char *arg = strchr(line, ' ');
  if (arg) {
    *arg++ = '\0';
  } else {
    arg = line + strlen(line);
  }
  if (strcmp_P(line, PSTR("help")) == 0) {
    help();
  } else if (strcmp_P(line, PSTR("status")) == 0) {
    status();
  } else if (strcmp_P(line, PSTR("interval")) == 0) {
    interval(trim(arg));
  } else if (strcmp_P(line, PSTR("format")) == 0) {
    chooseFormat(trim(arg));
  } else if (strcmp_P(line, PSTR("led")) == 0) {
    led(trim(arg));
  } else if (strcmp_P(line, PSTR("echo")) == 0) {
    Serial.println(arg);
  } else if (strcmp_P(line, PSTR("read")) == 0) {
    printReadingLine(takeReading());
  } else {
    Serial.print(F("ERR unknown command: "));
    Serial.print(line);
    Serial.println(F(" (try help)"));
  }
}
