// Reads the DHT11, MQ-135 and BMP180 when present; simulates drifting values for the others.
#include "readings.h"

#if SENSORS
#include <Wire.h>
#endif

// Simulated values: a random walk pulled back towards a typical indoor value, so a plot
// of them looks like a quiet room rather than noise. Each field: start, step, pull (1/n per reading).
static int16_t simTempDeciC = 214;
static int16_t simHumidityPct = 40;
static int16_t simPpm = 412;
static int32_t simPressurePa = 101325;

static int32_t drift(int32_t value, int32_t centre, int32_t step, int32_t pull) {
  value += random(-step, step + 1);
  return value + (centre - value) / pull;
}

static void stepSimulation() {
  simTempDeciC = drift(simTempDeciC, 214, 2, 16);     // 0.2 °C steps around 21.4 °C
  simHumidityPct = drift(simHumidityPct, 40, 1, 8);   // 1 % steps around 40 %
  simPpm = drift(simPpm, 420, 6, 8);                  // 6 ppm steps around 420 ppm
  simPressurePa = drift(simPressurePa, 101325, 12, 32); // 12 Pa steps around sea level
}

#if SENSORS

// ---- DHT11 on pin 2 -------------------------------------------------------------------
// Protocol: the host pulls the line low >= 18 ms, releases it; the sensor answers 80 µs low,
// 80 µs high, then 40 bits, each 50 µs low then 26-28 µs (0) or 70 µs (1) high.
// The 20 ms start pulse is not waited out in a delay(): dhtPoll() runs from loop() so the
// shell keeps reading serial input meanwhile; only the ~5 ms bit train blocks, with
// interrupts left on (a ~5 µs ISR cannot turn a 27 µs bit into a 70 µs one), so no serial
// byte is lost while it runs.
static const uint8_t DHT_PIN = 2;
static const uint16_t DHT_PERIOD_MS = 2000;   // a DHT11 samples at most once per second; 2 s is safe
static const uint8_t DHT_START_LOW_MS = 20;   // datasheet: at least 18 ms
static const uint16_t DHT_STALE_MS = 5000;    // older values count as absent
static const uint8_t DHT_ONE_THRESHOLD_US = 45; // between a 0 (26-28 µs) and a 1 (70 µs)

static bool dhtStarting = false;
static bool dhtValid = false;
static uint32_t dhtStartMs = 0;
static uint32_t dhtReadMs = 0;
static uint8_t dhtHumidityPct = 0;
static int16_t dhtTempDeciC = 0;

// Waits while the line stays at `level`; returns the µs it took, or -1 after timeoutUs.
static int16_t dhtWaitWhile(uint8_t level, uint16_t timeoutUs) {
  uint32_t start = micros();
  while (digitalRead(DHT_PIN) == level) {
    if (micros() - start > timeoutUs) return -1;
  }
  return (int16_t)(micros() - start);
}

static bool dhtReadBits() {
  pinMode(DHT_PIN, INPUT_PULLUP);
  if (dhtWaitWhile(HIGH, 200) < 0) return false; // no answer: no sensor
  if (dhtWaitWhile(LOW, 120) < 0) return false;
  if (dhtWaitWhile(HIGH, 120) < 0) return false;
  uint8_t data[5] = {0, 0, 0, 0, 0};
  for (uint8_t i = 0; i < 40; i++) {
    if (dhtWaitWhile(LOW, 100) < 0) return false;
    int16_t highUs = dhtWaitWhile(HIGH, 120);
    if (highUs < 0) return false;
    data[i / 8] = (data[i / 8] << 1) | (highUs > DHT_ONE_THRESHOLD_US ? 1 : 0);
  }
  if ((uint8_t)(data[0] + data[1] + data[2] + data[3]) != data[4]) return false;
  dhtHumidityPct = data[0];
  // DHT11: integral °C in byte 2, tenths in the low bits of byte 3, sign in its top bit.
  int16_t deci = data[2] * 10 + (data[3] & 0x0f);
  dhtTempDeciC = (data[3] & 0x80) ? -deci : deci;
  return true;
}

static void dhtPoll() {
  uint32_t now = millis();
  if (!dhtStarting) {
    if (dhtReadMs != 0 && now - dhtReadMs < DHT_PERIOD_MS) return;
    pinMode(DHT_PIN, OUTPUT);
    digitalWrite(DHT_PIN, LOW);
    dhtStarting = true;
    dhtStartMs = now;
    return;
  }
  if (now - dhtStartMs < DHT_START_LOW_MS) return;
  dhtStarting = false;
  dhtValid = dhtReadBits();
  dhtReadMs = millis() | 1; // never 0, which means "not read yet"
}

static bool dhtPresent() {
  return dhtValid && millis() - dhtReadMs < DHT_STALE_MS;
}

// ---- MQ-135 on A3 ---------------------------------------------------------------------
// The module's output sits well above 0 V once its heater is on; a reading near 0 V means
// no module (or no heater power), so the value is simulated instead.
static const uint8_t MQ_PIN = A3;
static const uint16_t MQ_ABSENT_BELOW_RAW = 8; // ~40 mV of a 5 V, 10-bit ADC
static const float MQ_LOAD_KOHM = 10.0;        // load resistor on common MQ-135 modules
static const float MQ_R0_KOHM = 76.63;         // sensor resistance in clean air; calibrate per sensor
static bool mqPresent = false;

static uint16_t mqReadPpm() {
  uint16_t raw = analogRead(MQ_PIN);
  mqPresent = raw >= MQ_ABSENT_BELOW_RAW;
  if (!mqPresent) return 0;
  float rsKohm = MQ_LOAD_KOHM * (1023.0 - raw) / raw;
  // Power law fitted to the datasheet's CO2 curve: ppm = a * (Rs/R0)^b.
  float ppm = 116.6020682 * pow(rsKohm / MQ_R0_KOHM, -2.769034857);
  return ppm > 10000 ? 10000 : (uint16_t)ppm;
}

// ---- BMP180 on I2C 0x77 ---------------------------------------------------------------
// Datasheet algorithm, oversampling 0 (4.5 ms per conversion). Probed by its chip id.
static const uint8_t BMP_ADDRESS = 0x77;
static const uint8_t BMP_CHIP_ID = 0x55;
static const uint16_t BMP_CONVERSION_US = 4500;
static const uint16_t WIRE_TIMEOUT_US = 3000; // a missing or stuck device must not hang the board
static bool bmpPresent = false;
static int16_t ac1, ac2, ac3, b1, b2, mc, md;
static uint16_t ac4, ac5, ac6;

static bool bmpRead(uint8_t reg, uint8_t *buf, uint8_t n) {
  Wire.beginTransmission(BMP_ADDRESS);
  Wire.write(reg);
  if (Wire.endTransmission() != 0) return false;
  if (Wire.requestFrom(BMP_ADDRESS, n) != n) return false;
  for (uint8_t i = 0; i < n; i++) buf[i] = Wire.read();
  return true;
}

static bool bmpWrite(uint8_t reg, uint8_t value) {
  Wire.beginTransmission(BMP_ADDRESS);
  Wire.write(reg);
  Wire.write(value);
  return Wire.endTransmission() == 0;
}

static bool bmpProbe() {
  uint8_t id = 0;
  uint8_t c[22];
  if (!bmpRead(0xD0, &id, 1) || id != BMP_CHIP_ID || !bmpRead(0xAA, c, sizeof c)) return false;
  ac1 = (c[0] << 8) | c[1];
  ac2 = (c[2] << 8) | c[3];
  ac3 = (c[4] << 8) | c[5];
  ac4 = (c[6] << 8) | c[7];
  ac5 = (c[8] << 8) | c[9];
  ac6 = (c[10] << 8) | c[11];
  b1 = (c[12] << 8) | c[13];
  b2 = (c[14] << 8) | c[15];
  mc = (c[18] << 8) | c[19]; // c[16..17] is MB, unused by the algorithm
  md = (c[20] << 8) | c[21];
  return true;
}

// Fills in pressure, and temperature when `useTemp` (no DHT11 to take it from).
static bool bmpMeasure(Reading &r, bool useTemp) {
  uint8_t b[3];
  if (!bmpWrite(0xF4, 0x2E)) return false;
  delayMicroseconds(BMP_CONVERSION_US);
  if (!bmpRead(0xF6, b, 2)) return false;
  int32_t ut = ((int32_t)b[0] << 8) | b[1];
  if (!bmpWrite(0xF4, 0x34)) return false;
  delayMicroseconds(BMP_CONVERSION_US);
  if (!bmpRead(0xF6, b, 3)) return false;
  int32_t up = (((int32_t)b[0] << 16) | ((int32_t)b[1] << 8) | b[2]) >> 8;

  int32_t x1 = ((ut - ac6) * (int32_t)ac5) >> 15;
  int32_t x2 = ((int32_t)mc << 11) / (x1 + md);
  int32_t b5 = x1 + x2;
  if (useTemp) r.tempDeciC = (b5 + 8) >> 4;
  int32_t b6 = b5 - 4000;
  x1 = ((int32_t)b2 * ((b6 * b6) >> 12)) >> 11;
  x2 = ((int32_t)ac2 * b6) >> 11;
  int32_t b3 = ((int32_t)ac1 * 4 + x1 + x2 + 2) >> 2;
  x1 = ((int32_t)ac3 * b6) >> 13;
  x2 = ((int32_t)b1 * ((b6 * b6) >> 12)) >> 16;
  int32_t x3 = (x1 + x2 + 2) >> 2;
  uint32_t b4 = ((uint32_t)ac4 * (uint32_t)(x3 + 32768)) >> 15;
  uint32_t b7 = ((uint32_t)up - b3) * 50000UL;
  int32_t p = b7 < 0x80000000UL ? (int32_t)((b7 * 2) / b4) : (int32_t)((b7 / b4) * 2);
  x1 = (p >> 8) * (p >> 8);
  x1 = (x1 * 3038) >> 16;
  x2 = (-7357 * p) >> 16;
  r.pressurePa = p + ((x1 + x2 + 3791) >> 4);
  return true;
}

#endif // SENSORS

void readingsBegin() {
  randomSeed(analogRead(A0) ^ micros());
#if SENSORS
  Wire.begin();
  Wire.setWireTimeout(WIRE_TIMEOUT_US, true);
  bmpPresent = bmpProbe();
#endif
}

void readingsPoll() {
#if SENSORS
  dhtPoll();
#endif
}

Reading takeReading() {
  stepSimulation();
  Reading r = {simTempDeciC, (uint8_t)simHumidityPct, (uint16_t)simPpm, simPressurePa};
#if SENSORS
  if (dhtPresent()) {
    r.tempDeciC = dhtTempDeciC;
    r.humidityPct = dhtHumidityPct;
  }
  uint16_t ppm = mqReadPpm();
  if (mqPresent) r.ppm = ppm;
  if (!bmpPresent) bmpPresent = bmpProbe(); // plugged in since boot
  if (bmpPresent) bmpPresent = bmpMeasure(r, !dhtPresent());
#endif
  return r;
}

// The field names, in print order; all formats share them.
static const char FIELD_TEMP[] PROGMEM = "temp";
static const char FIELD_HUMIDITY[] PROGMEM = "humidity";
static const char FIELD_PPM[] PROGMEM = "ppm";
static const char FIELD_PRESSURE[] PROGMEM = "pressure";
static const char *const FIELD_NAMES[] PROGMEM = {FIELD_TEMP, FIELD_HUMIDITY, FIELD_PPM, FIELD_PRESSURE};
static const uint8_t FIELD_COUNT = sizeof FIELD_NAMES / sizeof FIELD_NAMES[0];

static void printFieldName(Print &out, uint8_t field) {
  out.print((const __FlashStringHelper *)pgm_read_word(&FIELD_NAMES[field]));
}

static void printFieldValue(Print &out, const Reading &r, uint8_t field) {
  switch (field) {
  case 0: { // one decimal, from integer tenths: no float formatting code
    int16_t t = r.tempDeciC;
    if (t < 0) {
      out.print('-');
      t = -t;
    }
    out.print(t / 10);
    out.print('.');
    out.print(t % 10);
    break;
  }
  case 1:
    out.print(r.humidityPct);
    break;
  case 2:
    out.print(r.ppm);
    break;
  default:
    out.print(r.pressurePa);
    break;
  }
}

void printReading(Print &out, const Reading &r, ReadingFormat format) {
  for (uint8_t field = 0; field < FIELD_COUNT; field++) {
    if (format == FORMAT_JSON) {
      out.print(field == 0 ? F("{\"") : F(",\""));
      printFieldName(out, field);
      out.print(F("\":"));
    } else if (format == FORMAT_PLOTTER) {
      if (field > 0) out.print(' ');
      printFieldName(out, field);
      out.print(':');
    } else if (field > 0) {
      out.print(',');
    }
    printFieldValue(out, r, field);
  }
  if (format == FORMAT_JSON) out.print('}');
  out.print(F("\r\n"));
}

void printReadingHeader(Print &out) {
  for (uint8_t field = 0; field < FIELD_COUNT; field++) {
    if (field > 0) out.print(',');
    printFieldName(out, field);
  }
  out.print(F("\r\n"));
}

#if SENSORS
static void printSource(Print &out, const __FlashStringHelper *name, bool live) {
  out.print(name);
  out.print(live ? F("=live") : F("=absent"));
}
#endif

void printSensorSources(Print &out) {
#if SENSORS
  printSource(out, F("dht11"), dhtPresent());
  printSource(out, F(" mq135"), mqPresent);
  printSource(out, F(" bmp180"), bmpPresent);
#else
  out.print(F("dht11=simulated mq135=simulated bmp180=simulated"));
#endif
}
