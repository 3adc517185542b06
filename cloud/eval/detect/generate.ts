/**
 * Turns the plan into what gateways would send: readings once a minute per device
 * (the simulator's true values, with the overlays applied, reduced to the quantities the
 * device's profile serves), and the gateways' own comm_lost / comm_restored events.
 */
import {
  loadBuiltinProfiles,
  type GatewayEvent,
  type Quantity,
  type Reading,
  type ReadingValues,
} from '@gridsafe/shared';
import { FleetModel } from '@gridsafe/firmware-sim';
import { HOUR, MIN, type Episode, type EvalPlan } from './plan.js';

/** Polls that must fail before a gateway reports a device lost (three at 1 minute). */
const LOST_AFTER_MS = 3 * MIN;

export interface DeviceStream {
  device: string;
  gateway: string;
  readings: Reading[];
}

export interface Generated {
  /** Readings per gateway, in time order. */
  readings: Map<string, Reading[]>;
  events: Map<string, GatewayEvent[]>;
  /** True per-device maximum CT secondary current episodes (derived ground truth), see truth.ts. */
  truthValues: Map<string, Array<{ ts: number; secondaryA: number }>>;
  count: number;
  /** Meter replacements as the technician records them through the API (old and new register readings). */
  meterEvents?: Array<{
    device: string;
    at: number;
    kind: 'replacement';
    oldReadingKwh: number;
    newReadingKwh: number;
    by: string;
  }>;
}

const SCALED: Quantity[] = ['i_a', 'i_b', 'i_c', 'i_n', 'p_kw', 'p_a_kw', 'p_b_kw', 'p_c_kw', 'q_kvar', 's_kva'];

function scale(v: ReadingValues, f: number): void {
  for (const q of SCALED) if (v[q] !== undefined) v[q] = v[q]! * f;
}

export function generate(plan: EvalPlan): Generated {
  const model = new FleetModel(plan.scenario, plan.start);
  const profiles = loadBuiltinProfiles();
  const byDevice = new Map<string, Episode[]>();
  for (const e of plan.episodes) (byDevice.get(e.device) ?? byDevice.set(e.device, []).get(e.device)!).push(e);
  const outages = plan.episodes.filter((e) => e.kind === 'outage');
  const readings = new Map<string, Reading[]>();
  const events = new Map<string, GatewayEvent[]>();
  const truthValues = new Map<string, Array<{ ts: number; secondaryA: number }>>();
  const meterEvents: NonNullable<Generated['meterEvents']> = [];
  let count = 0;

  plan.registry.devices.forEach((dev, index) => {
    const spec = plan.scenario.devices.find((d) => d.id === dev.id)!;
    const served = new Set(profiles.get(spec.profile)!.registers.map((r) => r.quantity));
    const own = byDevice.get(dev.id) ?? [];
    const siteOutages = outages.filter((o) => o.params['gateway'] === dev.gateway);
    const customer = dev.customer ? plan.registry.customers.find((c) => c.id === dev.customer) : undefined;
    const out = readings.get(dev.gateway) ?? readings.set(dev.gateway, []).get(dev.gateway)!;
    const evs = events.get(dev.gateway) ?? events.set(dev.gateway, []).get(dev.gateway)!;
    const truth: Array<{ ts: number; secondaryA: number }> = [];
    truthValues.set(dev.id, truth);
    let ctRatio = dev.ctRatio;
    let importKwh = 10_000 + index * 1000;
    let exportKwh = 0;
    let lastTs: number | null = null;
    let lastP = 0;
    const offset = (index * 1_700) % MIN;

    for (const e of own) {
      if (e.kind === 'fault' || e.kind === 'replace') {
        evs.push({
          gateway: dev.gateway,
          seq: 0,
          ts: e.start + LOST_AFTER_MS,
          device: dev.id,
          type: 'comm_lost',
          detail: { reason: 'no reply', episode: e.id },
        });
        evs.push({
          gateway: dev.gateway,
          seq: 0,
          ts: e.end + offset,
          device: dev.id,
          type: 'comm_restored',
          detail: { episode: e.id },
        });
      }
    }

    for (let ts = plan.start + offset; ts < plan.end; ts += plan.stepMs) {
      // The simulator integrates energy between calls: ask it at every step, in order.
      const snap = model.valuesAt(dev.id, ts);
      const active = own.filter((e) => ts >= e.start && ts < e.end);
      const silent =
        active.some((e) => e.kind === 'fault' || e.kind === 'replace') ||
        siteOutages.some((o) => ts >= o.start && ts < o.end);
      for (const e of own)
        if (e.kind === 'replace' && ts >= e.end && ctRatio !== e.params['newCtRatio']) {
          ctRatio = e.params['newCtRatio'] as number;
          // The technician records the swap (old and new register) through the API.
          meterEvents.push({
            device: dev.id,
            at: e.start + 20 * MIN,
            kind: 'replacement',
            oldReadingKwh: Math.round(importKwh * 100) / 100,
            newReadingKwh: 0,
            by: 'eval technician',
          });
          importKwh = 0; // a new meter starts its registers afresh
          exportKwh = 0;
        }
      const v: ReadingValues = { ...snap.values };
      if (dev.kind === 'meter') {
        let f = 1;
        const kva = v.s_kva ?? Math.hypot(v.p_kw ?? 0, v.q_kvar ?? 0);
        for (const e of active) {
          if (e.kind === 'surge' && kva > 0) f *= (kva + (e.params['addKva'] as number)) / kva;
          else if (e.kind === 'shunt') f *= e.params['factor'] as number;
          else if (e.kind === 'inrush') f *= e.params['factor'] as number;
          else if (e.kind === 'holiday') f *= spec.load!.weekendFactor;
        }
        for (const e of own) {
          if (e.kind === 'growth' && ts >= e.start && customer) {
            const peak =
              spec.load!.baseKva *
              (spec.load!.daily === 'commercial' ? 1.5 : spec.load!.daily === 'industrial' ? 1.18 : 1.6);
            const g = ((e.params['toShareOfContract'] as number) * customer.contractKva) / peak;
            const ramp = Math.min(1, (ts - e.start) / ((e.params['overDays'] as number) * 24 * HOUR));
            f *= 1 + (g - 1) * ramp;
          }
        }
        for (const o of siteOutages) {
          // Cold-load pickup: everything restarts at once after an outage, then settles.
          if (ts >= o.end && ts < o.end + 20 * MIN) f *= 1 + 0.25 * (1 - (ts - o.end) / (20 * MIN));
        }
        if (f !== 1) scale(v, f);
        if (active.some((e) => e.kind === 'reverse')) {
          // CT leads reversed: the meter sees power flowing out.
          for (const q of ['p_kw', 'p_a_kw', 'p_b_kw', 'p_c_kw', 'q_kvar', 'pf'] as const)
            if (v[q] !== undefined) v[q] = -v[q]!;
        }
        const p = v.p_kw ?? 0;
        if (lastTs !== null) {
          const hours = (ts - lastTs) / HOUR;
          const mean = (lastP + p) / 2;
          if (mean >= 0) importKwh += mean * hours;
          else exportKwh -= mean * hours;
        }
        lastTs = ts;
        lastP = p;
        v.e_imp_kwh = importKwh;
        v.e_exp_kwh = exportKwh;
        const iMax = Math.max(v.i_a ?? 0, v.i_b ?? 0, v.i_c ?? 0);
        truth.push({ ts, secondaryA: silent ? Number.NaN : iMax / ctRatio });
      }
      if (silent) continue;
      const values: ReadingValues = {};
      for (const [q, x] of Object.entries(v) as Array<[Quantity, number]>)
        if (served.has(q) && Number.isFinite(x)) values[q] = Math.round(x * 1000) / 1000;
      out.push({ device: dev.id, ts, values, quality: 'good' });
      count++;
    }
  });
  for (const list of readings.values()) list.sort((a, b) => a.ts - b.ts || a.device.localeCompare(b.device));
  for (const [gw, list] of events) {
    list.sort((a, b) => a.ts - b.ts);
    list.forEach((e, i) => (e.seq = i + 1));
    events.set(gw, list);
  }
  return { readings, events, truthValues, count, meterEvents };
}
