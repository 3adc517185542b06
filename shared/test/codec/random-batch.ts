/** Seeded random telemetry batches for the codec's property tests (reproducible from the seed). */
import {
  QUANTITY_NAMES,
  READING_QUALITIES,
  type Reading,
  type ReadingValues,
  type TelemetryBatch,
} from '../../src/index.js';

const EXTREMES = [
  0,
  -0,
  1,
  -1,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 60),
  1e21,
  1e22,
  1e23,
  1e-7,
  1e-22,
  1e-23,
  0.1 + 0.2,
  123456789012345.6,
  4503599627370495.5,
];

/** A value of one of several kinds a meter or a buggy gateway could produce. */
function randomValue(random: () => number): number {
  const kind = random();
  const int = (n: number) => Math.floor(random() * n);
  if (kind < 0.45) {
    // short decimal, as meters report: 229.8, 12345.67, -0.93
    const places = int(5);
    const digits = Math.floor(random() * 10 ** (1 + int(8)));
    return ((random() < 0.2 ? -1 : 1) * digits) / 10 ** places;
  }
  if (kind < 0.6) return int(2); // breaker and digital states
  if (kind < 0.8) {
    // any finite double, straight from random bits
    const bytes = Buffer.alloc(8);
    for (let i = 0; i < 8; i += 1) bytes[i] = int(256);
    const value = bytes.readDoubleBE(0);
    return Number.isFinite(value) ? value : 1.5;
  }
  if (kind < 0.9) return random() * 400 * (random() < 0.5 ? 40 : 1 / 3); // ratio arithmetic: 17-digit doubles
  return EXTREMES[int(EXTREMES.length)] as number;
}

export function randomBatch(random: () => number, now: number): TelemetryBatch {
  const int = (n: number) => Math.floor(random() * n);
  const deviceCount = 1 + int(12);
  const devices = Array.from({ length: deviceCount }, (_, i) =>
    random() < 0.5 ? `m-${String(i).padStart(3, '0')}` : `dev.${i}:${int(1e6)}_x-${i}`,
  );
  const readingCount = int(60);
  const readings: Reading[] = [];
  let ts = now - int(3_600_000);
  for (let r = 0; r < readingCount; r += 1) {
    // mostly forward in time, sometimes backwards (the batch order is whatever the gateway chose)
    ts = Math.min(now, Math.max(0, ts + int(20_000) - (random() < 0.1 ? 50_000 : 0)));
    const values: ReadingValues = {};
    const wanted = random() < 0.05 ? 0 : 1 + int(QUANTITY_NAMES.length);
    const names = [...QUANTITY_NAMES].sort(() => random() - 0.5).slice(0, wanted);
    for (const name of names) values[name] = randomValue(random); // insertion order random on purpose
    readings.push({
      device: devices[int(deviceCount)] as string,
      ts,
      values,
      quality: READING_QUALITIES[int(3)] as Reading['quality'],
    });
  }
  return {
    gateway: `gw-${int(1000)}`,
    seq: random() < 0.2 ? Number.MAX_SAFE_INTEGER - int(10) : int(2 ** 40),
    sentAt: now - int(1000),
    readings,
  };
}

/** A realistic batch: `devices` meters × `cycles` poll cycles of 20 quantities with 0.1 V / 0.01 A / 0.01 kWh resolution. */
export function meterBatch(random: () => number, now: number, devices: number, cycles: number): TelemetryBatch {
  const readings: Reading[] = [];
  const energy = Array.from({ length: devices }, () => Math.floor(random() * 1e7));
  for (let c = 0; c < cycles; c += 1) {
    for (let d = 0; d < devices; d += 1) {
      const r = (scale: number, base: number, spread: number) => Math.round((base + random() * spread) * scale) / scale;
      energy[d] = (energy[d] as number) + Math.floor(random() * 20);
      readings.push({
        device: `m-${String(d).padStart(3, '0')}`,
        ts: now - (cycles - c) * 15_000 + d * 3,
        values: {
          v_a: r(10, 225, 10),
          v_b: r(10, 225, 10),
          v_c: r(10, 225, 10),
          v_ab: r(10, 390, 15),
          v_bc: r(10, 390, 15),
          v_ca: r(10, 390, 15),
          i_a: r(100, 50, 20),
          i_b: r(100, 50, 20),
          i_c: r(100, 50, 20),
          i_n: r(100, 2, 3),
          p_kw: r(1000, 30, 10),
          p_a_kw: r(1000, 10, 4),
          p_b_kw: r(1000, 10, 4),
          p_c_kw: r(1000, 10, 4),
          q_kvar: r(1000, 5, 3),
          s_kva: r(1000, 31, 10),
          pf: r(1000, 0.9, 0.08),
          f_hz: r(100, 49.9, 0.2),
          e_imp_kwh: (energy[d] as number) / 100,
          e_exp_kwh: 0,
        },
        quality: 'good',
      });
    }
  }
  return { gateway: 'gw-001', seq: 1, sentAt: now, readings };
}
