// Sensor readings: DHT11 (temperature, humidity), MQ-135 (air quality), BMP180 (pressure).
// Built with SENSORS=1 (the default) each sensor is probed and read when present; a sensor
// that is absent, or SENSORS=0, is replaced by a plausible value that drifts slowly.
#ifndef SENSOR_BOARD_READINGS_H
#define SENSOR_BOARD_READINGS_H

#include <Arduino.h>

#ifndef SENSORS
#define SENSORS 1
#endif

/** One reading, in integer units so no float formatting code is needed. */
struct Reading {
  int16_t tempDeciC;   // temperature in 0.1 °C
  uint8_t humidityPct; // relative humidity in %
  uint16_t ppm;        // air quality, CO2-equivalent parts per million
  int32_t pressurePa;  // barometric pressure in Pa
};

/** How a reading is printed (firmware/README.md, "Formats"). */
enum ReadingFormat : uint8_t {
  FORMAT_JSON,    // {"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}
  FORMAT_PLOTTER, // temp:21.4 humidity:40 ppm:412 pressure:101325 (the Arduino plotter's label:value)
  FORMAT_CSV,     // 21.4,40,412,101325, under the header line temp,humidity,ppm,pressure
};

/** Probes the sensors once; call from setup() after Serial.begin(). */
void readingsBegin();

/** Services sensors that need time between steps (the DHT11's start pulse); call from loop(). */
void readingsPoll();

/** Takes one reading: from each sensor that answers, simulated for the others. Blocks ~10 ms when a BMP180 is present. */
Reading takeReading();

/** Prints one reading in `format` on one line, ending with CRLF. */
void printReading(Print &out, const Reading &r, ReadingFormat format);

/** Prints the CSV header line `temp,humidity,ppm,pressure` and CRLF. */
void printReadingHeader(Print &out);

/** Prints each sensor's source: `dht11=live mq135=absent bmp180=absent`
 * (absent: its values are simulated), or `=simulated` for all when built with SENSORS=0. for the status command. */
void printSensorSources(Print &out);

#endif
