/**
 * The embedded demo fleet that `npm start` runs (matches deploy/demo/registry.json):
 * a DTSU666 meter on a 100 kVA transformer, loaded at about 60 kVA, ramped past the
 * rating 10 s after start, and a residual-current/temperature terminal beside it; with a
 * serial line (`rs485Path`, one end of a socat pair), also a DL/T 645-2007 meter of a
 * second customer on RS-485 at 2400 8E1.
 */
import { ConfigSource, type DeviceProfile } from '@gridsafe/shared';
import { parseScenario } from './parse.js';
import type { Scenario } from './types.js';

export interface DemoOptions {
  host?: string;
  port?: number;
  /** The simulator's end of a serial line for the DL/T 645 meter; without it the demo has none. */
  rs485Path?: string | undefined;
  profiles?: Map<string, DeviceProfile>;
}

/** A gentle daily shape (±15 %), so the base load stays near 60 kVA at any hour of the demo. */
const DEMO_DAILY = [
  0.88, 0.86, 0.85, 0.85, 0.86, 0.9, 0.95, 1.0, 1.05, 1.08, 1.1, 1.1, 1.08, 1.08, 1.1, 1.1, 1.08, 1.1, 1.14, 1.15, 1.12,
  1.05, 0.98, 0.92,
];

/** The DL/T 645 meter of the demo: a small residential customer on the same transformer. */
export const DEMO_DLT645_ADDRESS = '000000000101';

export function demoScenarioData(host: string, port: number, rs485Path?: string): Record<string, unknown> {
  const serial = rs485Path !== undefined;
  return {
    name: 'embedded demo',
    seed: 1,
    tickMs: 1000,
    transformers: [{ id: 'tx-001', ratedKva: 100 }],
    customers: [{ id: 'c-001', contractKva: 100 }, ...(serial ? [{ id: 'c-002', contractKva: 20 }] : [])],
    buses: [
      { id: 'tcp-1', kind: 'tcp', host, port },
      // FACTS.md: 2400 bit/s 8E1 is the usual DL/T 645 default.
      ...(serial ? [{ id: 'rs485-1', kind: 'rtu', path: rs485Path, baudRate: 2400, parity: 'even' }] : []),
    ],
    devices: [
      {
        id: 'm-001',
        profile: 'dtsu666',
        bus: 'tcp-1',
        unit: 1,
        ctRatio: 60, // 300/5 A
        ptRatio: 1,
        transformer: 'tx-001',
        customer: 'c-001',
        load: { baseKva: 60, pf: 0.95, daily: DEMO_DAILY, noise: 0.02 },
      },
      { id: 't-001', profile: 'gridsafe-rcm4', bus: 'tcp-1', unit: 2, transformer: 'tx-001', terminal: {} },
      ...(serial
        ? [
            {
              id: 'd-001',
              profile: 'dlt645-3p',
              bus: 'rs485-1',
              address: DEMO_DLT645_ADDRESS,
              transformer: 'tx-001',
              customer: 'c-002',
              load: { baseKva: 8, pf: 0.93, daily: 'residential', noise: 0.03 },
            },
          ]
        : []),
    ],
    events: [
      {
        device: 'm-001',
        type: 'overload_ramp',
        at: '10s',
        ramp: '20s',
        targetFactor: 1.3,
        note: '1.3 x the 100 kVA rating, held until the end',
      },
    ],
  };
}

export function demoScenario(options: DemoOptions = {}): Scenario {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5020;
  return parseScenario(
    ConfigSource.fromData(demoScenarioData(host, port, options.rs485Path), 'embedded demo'),
    options.profiles ? { profiles: options.profiles } : {},
  );
}
