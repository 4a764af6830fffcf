// Plausible readings for the demo board: each value takes a small random step per reading and
// stays within a realistic band, like the DHT11 / MQ-135 / BMP180 board in the seed article.

/** One reading, printed by the demo board as a line of JSON, label:value pairs or CSV (demo-formats.ts). */
export interface SensorReading {
  /** °C, one decimal. */
  temp: number;
  /** %RH, integer (a DHT11 reports whole percent). */
  humidity: number;
  /** Air quality, ppm (MQ-135), integer. */
  ppm: number;
  /** Pa (BMP180), integer. */
  pressure: number;
}

/** The fields of a reading, in the order every format prints them. */
export const SENSOR_FIELDS = ['temp', 'humidity', 'ppm', 'pressure'] as const satisfies ReadonlyArray<keyof SensorReading>;

interface Drift {
  value: number;
  step: number;
  min: number;
  max: number;
  decimals: number;
}

/** A random walk per quantity. `random` returns [0, 1); inject a seeded one for repeatable tests. */
export class SensorSimulator {
  private readonly temp: Drift = { value: 21.4, step: 0.15, min: 17, max: 27, decimals: 1 };
  private readonly humidity: Drift = { value: 40, step: 1, min: 25, max: 65, decimals: 0 };
  private readonly ppm: Drift = { value: 412, step: 6, min: 350, max: 900, decimals: 0 };
  private readonly pressure: Drift = { value: 101325, step: 8, min: 100500, max: 102200, decimals: 0 };

  constructor(private readonly random: () => number = Math.random) {}

  /** Advances every value one step and returns the new reading. */
  read(): SensorReading {
    return {
      temp: this.step(this.temp),
      humidity: this.step(this.humidity),
      ppm: this.step(this.ppm),
      pressure: this.step(this.pressure),
    };
  }

  private step(drift: Drift): number {
    const next = drift.value + (this.random() * 2 - 1) * drift.step;
    drift.value = Math.min(drift.max, Math.max(drift.min, next));
    const scale = 10 ** drift.decimals;
    return Math.round(drift.value * scale) / scale;
  }
}
