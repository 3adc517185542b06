/**
 * The fleet bench:detect runs the detectors on: sites of one transformer each, with the
 * transformer's own meter, a safety terminal (leakage current, temperatures, breaker)
 * and customers' meters (a few CT-connected commercial customers, the rest direct-connected
 * households), one gateway per site. Readings carry the quantities each kind of device
 * reports, on a daily load curve with a little noise, energy registers that follow the
 * power: healthy data, so the cost measured is the detectors' steady work, not alerts.
 */
import {
  seededRandom,
  type Customer,
  type Device,
  type Quantity,
  type Reading,
  type TelemetryBatch,
  type Transformer,
} from '@gridsafe/shared';

export interface FleetShape {
  sites: number;
  /** CT-connected customers per site (CT 200/5). */
  commercialPerSite: number;
  /** Direct-connected customers per site. */
  householdsPerSite: number;
}

export interface Fleet {
  transformers: Transformer[];
  customers: Customer[];
  devices: Device[];
  gateways: string[];
}

export function buildFleet(shape: FleetShape): Fleet {
  const fleet: Fleet = { transformers: [], customers: [], devices: [], gateways: [] };
  for (let s = 0; s < shape.sites; s++) {
    const gateway = `dgw-${s}`;
    const transformer = `tx-${s}`;
    fleet.gateways.push(gateway);
    fleet.transformers.push({ id: transformer, site: `site-${s}`, ratedKva: 630, vectorGroup: 'Dyn11', area: 'bench' });
    const device = (id: string, extra: Partial<Device>): Device => ({
      id,
      gateway,
      kind: 'meter',
      transformer,
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
      ...extra,
    });
    // The transformer's own meter, on a 1000/5 CT.
    fleet.devices.push(device(`${transformer}-m`, { ctRatio: 200 }));
    fleet.devices.push(device(`${transformer}-t`, { kind: 'terminal' }));
    for (let c = 0; c < shape.commercialPerSite + shape.householdsPerSite; c++) {
      const commercial = c < shape.commercialPerSite;
      const customer = `cu-${s}-${c}`;
      fleet.customers.push({
        id: customer,
        name: customer,
        contractKva: commercial ? 100 : 12,
        tariff: commercial ? 'two_part' : 'single',
      });
      fleet.devices.push(device(`${customer}-m`, { customer, ctRatio: commercial ? 40 : 1 }));
    }
  }
  return fleet;
}

/** Share of the peak at this time of day (local UTC+8): low at night, an evening peak. */
function dailyShape(ts: number): number {
  const hour = (((ts / 3_600_000 + 8) % 24) + 24) % 24;
  return 0.35 + 0.25 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + 0.3 * Math.exp(-((hour - 19) ** 2) / 6);
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Three-phase meter values for a total load (kW) at power factor `pf`, 230/400 V. */
function meterValues(
  kw: number,
  pf: number,
  energyKwh: number,
  noise: () => number,
): Partial<Record<Quantity, number>> {
  const values: Partial<Record<Quantity, number>> = {};
  const shares = [0.34 + 0.02 * noise(), 0.33, 0.33 - 0.02 * noise()];
  const phases = ['a', 'b', 'c'] as const;
  phases.forEach((p, i) => {
    const v = 230 + 4 * (noise() - 0.5);
    const pk = kw * (shares[i] as number);
    values[`v_${p}`] = round(v, 1);
    values[`i_${p}`] = round((pk * 1000) / (v * pf), 2);
    values[`p_${p}_kw`] = round(pk, 3);
  });
  values.v_ab = round((values.v_a as number) * Math.sqrt(3), 1);
  values.v_bc = round((values.v_b as number) * Math.sqrt(3), 1);
  values.v_ca = round((values.v_c as number) * Math.sqrt(3), 1);
  values.i_n = round(Math.abs((values.i_a as number) - (values.i_c as number)) * 0.5, 2);
  values.p_kw = round(kw, 3);
  values.s_kva = round(kw / pf, 3);
  values.q_kvar = round((kw / pf) * Math.sqrt(1 - pf * pf), 3);
  values.pf = round(pf, 3);
  values.f_hz = round(50 + 0.04 * (noise() - 0.5), 3);
  values.e_imp_kwh = round(energyKwh, 3);
  values.demand_kw = round(kw, 3);
  return values;
}

/**
 * The readings of one site at a time, as its gateway batches them. Loads: a household
 * about 3 kW at peak, a commercial customer 60 kW, the transformer the sum of its customers.
 */
export class FleetReadings {
  /** Each meter's import register and when it was last read. */
  private readonly energy = new Map<string, { kwh: number; ts: number }>();
  /** Seeded, so every run sees the same data. */
  private readonly noise = seededRandom(20261201);
  private readonly devicesOf = new Map<string, Device[]>();

  constructor(fleet: Fleet) {
    for (const device of fleet.devices) {
      const list = this.devicesOf.get(device.gateway) ?? [];
      list.push(device);
      this.devicesOf.set(device.gateway, list);
    }
  }

  batch(gateway: string, seq: number, ts: number): TelemetryBatch {
    const shape = dailyShape(ts);
    const readings: Reading[] = [];
    let siteKw = 0;
    let transformerMeter: Device | undefined;
    let terminal: Device | undefined;
    for (const device of this.devicesOf.get(gateway) ?? []) {
      if (device.kind === 'terminal') terminal = device;
      else if (device.customer === undefined) transformerMeter = device;
      else {
        const peak = device.ctRatio > 1 ? 60 : 3;
        const kw = peak * shape * (0.95 + 0.1 * this.noise());
        siteKw += kw;
        readings.push(this.meter(device.id, ts, kw, device.ctRatio > 1 ? 0.93 : 0.97));
      }
    }
    if (transformerMeter) readings.push(this.meter(transformerMeter.id, ts, siteKw * 1.03, 0.94));
    if (terminal)
      readings.push({
        device: terminal.id,
        ts,
        quality: 'good',
        values: {
          i_res_ma: round(80 + 40 * this.noise(), 1),
          t1_c: round(35 + 10 * shape + this.noise(), 1),
          t2_c: round(34 + 10 * shape + this.noise(), 1),
          t3_c: round(36 + 10 * shape + this.noise(), 1),
          t4_c: round(20 + 5 * shape, 1),
          breaker: 1,
        },
      });
    return { gateway, seq, sentAt: ts, readings };
  }

  private meter(id: string, ts: number, kw: number, pf: number): Reading {
    const last = this.energy.get(id) ?? { kwh: 1000, ts };
    const kwh = last.kwh + (kw * (ts - last.ts)) / 3_600_000;
    this.energy.set(id, { kwh, ts });
    return { device: id, ts, quality: 'good', values: meterValues(kw, pf, kwh, this.noise) };
  }
}
