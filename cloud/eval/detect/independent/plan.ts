/**
 * The independent family's plan: three sites of other plants than the firmware-sim family
 * (a Saturday-shift plant, a three-shift plant, an office, a mall, a school, a cold store,
 * a residential compound, a workshop, a factory with rooftop PV), five weeks around China's
 * 2025 National Day holiday, 1 September to 13 October (adjusted working Sunday 28 September, Saturday 11 October),
 * and labelled episodes for every rule with a look-alike for each. Deterministic from the seed.
 */
import { seededRandom } from '@gridsafe/shared';
import { DAY, HOUR, MIN, type Episode, type EvalDevice, type FleetPlan } from '../plan.js';
import { dayKind, localDate, type LoadClass } from './shapes.js';

export interface CustomerSpec {
  id: string;
  device: string;
  cls: LoadClass;
  contractKva: number;
  ctRatio: number;
  /** Peak load as a share of contract. */
  peakShare: number;
  pf: number;
  saturdayShift: boolean;
  /** Rooftop PV peak, kW (the customer has generation). */
  pvKwp: number;
  shares: [number, number, number];
  tariff: 'two_part' | 'single';
}

export interface SiteSpec {
  n: number;
  gateway: string;
  transformer: string;
  meter: string;
  terminal: string;
  ratedKva: number;
  vectorGroup: string;
  ctRatio: number;
  /** Unmetered load on the transformer (street lighting, small users), kVA at peak. */
  unmeteredKva: number;
  /** The site's no-load voltage, per unit of 220 V. */
  voltagePu: number;
  customers: CustomerSpec[];
}

export interface IndependentPlan extends FleetPlan {
  sites: SiteSpec[];
  /** Days (from the start) that are hot, for the weather. */
  hotDays: Set<number>;
  seed: number;
}

const SITES: Array<
  Omit<SiteSpec, 'gateway' | 'transformer' | 'meter' | 'terminal' | 'customers'> & {
    c: Array<Omit<CustomerSpec, 'id' | 'device'>>;
  }
> = [
  {
    n: 1,
    ratedKva: 800,
    vectorGroup: 'Dyn11',
    ctRatio: 300,
    unmeteredKva: 50,
    voltagePu: 1.022,
    c: [
      {
        cls: 'two_shift',
        contractKva: 315,
        ctRatio: 120,
        peakShare: 0.62,
        pf: 0.93,
        saturdayShift: true,
        pvKwp: 0,
        shares: [0.35, 0.33, 0.32],
        tariff: 'two_part',
      },
      {
        cls: 'office',
        contractKva: 160,
        ctRatio: 60,
        peakShare: 0.6,
        pf: 0.95,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.31, 0.35, 0.34],
        tariff: 'two_part',
      },
      {
        cls: 'residential',
        contractKva: 250,
        ctRatio: 80,
        peakShare: 0.55,
        pf: 0.96,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.36, 0.31, 0.33],
        tariff: 'single',
      },
    ],
  },
  {
    n: 2,
    ratedKva: 630,
    vectorGroup: 'Dyn11',
    ctRatio: 240,
    unmeteredKva: 40,
    voltagePu: 1.018,
    c: [
      {
        cls: 'two_shift',
        contractKva: 250,
        ctRatio: 80,
        peakShare: 0.6,
        pf: 0.94,
        saturdayShift: false,
        pvKwp: 110,
        shares: [0.34, 0.33, 0.33],
        tariff: 'two_part',
      },
      {
        cls: 'retail',
        contractKva: 200,
        ctRatio: 80,
        peakShare: 0.6,
        pf: 0.94,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.33, 0.34, 0.33],
        tariff: 'two_part',
      },
      {
        cls: 'school',
        contractKva: 100,
        ctRatio: 40,
        peakShare: 0.6,
        pf: 0.95,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.34, 0.36, 0.3],
        tariff: 'single',
      },
    ],
  },
  {
    n: 3,
    ratedKva: 400,
    vectorGroup: 'Yyn0',
    ctRatio: 160,
    unmeteredKva: 25,
    voltagePu: 1.026,
    c: [
      {
        cls: 'three_shift',
        contractKva: 200,
        ctRatio: 80,
        peakShare: 0.65,
        pf: 0.93,
        saturdayShift: true,
        pvKwp: 0,
        shares: [0.33, 0.33, 0.34],
        tariff: 'two_part',
      },
      {
        cls: 'workshop',
        contractKva: 100,
        ctRatio: 40,
        peakShare: 0.62,
        pf: 0.93,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.38, 0.3, 0.32],
        tariff: 'single',
      },
      {
        cls: 'cold_store',
        contractKva: 125,
        ctRatio: 40,
        peakShare: 0.6,
        pf: 0.93,
        saturdayShift: false,
        pvKwp: 0,
        shares: [0.33, 0.33, 0.34],
        tariff: 'two_part',
      },
    ],
  },
];

/** Monday 2025-09-01 00:00 China Standard Time. */
const START = Date.UTC(2025, 7, 31, 16, 0, 0);
export const INDEPENDENT_DAYS = 43;
/** Baseline rules need two weeks of history. */
const WARM_DAYS = 14;

export function buildIndependentPlan(seed: number): IndependentPlan {
  const rand = seededRandom(seed * 7919 + 17);
  const between = (a: number, b: number) => a + (b - a) * rand();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const start = START;
  const days = INDEPENDENT_DAYS;
  const end = start + days * DAY;
  const registry: FleetPlan['registry'] = { transformers: [], customers: [], devices: [], gateways: [] };
  const sites: SiteSpec[] = SITES.map((s) => {
    const site: SiteSpec = {
      n: s.n,
      gateway: `gw-i${s.n}`,
      transformer: `tx-i${s.n}`,
      meter: `tm-i${s.n}`,
      terminal: `t-i${s.n}`,
      ratedKva: s.ratedKva,
      vectorGroup: s.vectorGroup,
      ctRatio: s.ctRatio,
      unmeteredKva: s.unmeteredKva,
      voltagePu: s.voltagePu,
      customers: s.c.map((c, j) => ({ ...c, id: `c-i${s.n}${j + 1}`, device: `cm-i${s.n}${j + 1}` })),
    };
    registry.gateways.push({ id: site.gateway, secret: `${site.gateway}-independent-secret` });
    registry.transformers.push({
      id: site.transformer,
      site: `Independent site ${s.n}`,
      ratedKva: s.ratedKva,
      vectorGroup: s.vectorGroup,
      area: `independent-${s.n}`,
    });
    const base = { gateway: site.gateway, transformer: site.transformer, ptRatio: 1, ctSecondaryA: 5 };
    registry.devices.push({ ...base, id: site.meter, kind: 'meter', ctRatio: s.ctRatio });
    registry.devices.push({ ...base, id: site.terminal, kind: 'terminal', ctRatio: 1 });
    for (const c of site.customers) {
      registry.customers.push({
        id: c.id,
        name: `Independent ${c.cls} ${c.id}`,
        contractKva: c.contractKva,
        tariff: c.tariff,
        hasGeneration: c.pvKwp > 0,
      });
      registry.devices.push({ ...base, id: c.device, kind: 'meter', customer: c.id, ctRatio: c.ctRatio });
    }
    return site;
  });

  const episodes: Episode[] = [];
  let nextId = 1;
  const busy = new Map<string, Array<[number, number]>>();
  const free = (keys: string[], a: number, b: number) =>
    keys.every((k) => (busy.get(k) ?? []).every(([x, y]) => b <= x || a >= y));
  const occupy = (keys: string[], a: number, b: number) =>
    keys.forEach((k) => (busy.get(k) ?? busy.set(k, []).get(k)!).push([a, b]));
  const siteOf = (dev: string) =>
    sites.find((s) => s.meter === dev || s.terminal === dev || s.customers.some((c) => c.device === dev))!;
  const customerOf = (dev: string) => siteOf(dev).customers.find((c) => c.device === dev);
  const siteMeters = (s: SiteSpec) => [s.meter, ...s.customers.map((c) => c.device)];
  const cms = sites.flatMap((s) => s.customers.map((c) => c.device));
  const tms = sites.map((s) => s.meter);
  const terminals = sites.map((s) => s.terminal);
  const noPv = cms.filter((d) => customerOf(d)!.pvKwp === 0);
  /** Calendar days that are not ordinary (holidays, adjusted working days): baseline episodes avoid them. */
  const unusual = (a: number, b: number) => {
    for (let t = a - 12 * HOUR; t <= b + 12 * HOUR; t += HOUR) {
      const k = dayKind(t);
      if (k === 'holiday' || k === 'adjusted_working') return true;
    }
    return false;
  };

  interface Spec {
    expect: string[];
    tolerate?: string[];
    benign?: boolean;
    params: Record<string, unknown>;
    /** Subjects kept free of other episodes (default: the device). */
    keys?: string[];
  }
  function place(
    count: number,
    pool: string[],
    kind: string,
    duration: () => number,
    build: (dev: string, a: number, b: number) => Spec,
    w: { from: number; to?: number; margin: number; hours?: [number, number]; ordinaryDays?: boolean },
  ): void {
    let placed = 0;
    for (let tries = 0; placed < count && tries < count * 600; tries++) {
      const dev = pick(pool);
      const len = Math.round(duration() / MIN) * MIN;
      const to = start + (w.to ?? days - 0.5) * DAY;
      const a = Math.floor((start + w.from * DAY + rand() * (to - start - w.from * DAY - len)) / MIN) * MIN;
      const b = a + len;
      if (b > end - 2 * HOUR) continue;
      if (w.hours) {
        const h = ((a + 8 * HOUR) % DAY) / HOUR;
        if (h < w.hours[0] || h >= w.hours[1]) continue;
      }
      if (w.ordinaryDays && unusual(a, b)) continue;
      const spec = build(dev, a, b);
      const keys = spec.keys ?? [dev];
      if (!free(keys, a - 2 * HOUR, b + w.margin)) continue;
      occupy(keys, a - 2 * HOUR, b + w.margin);
      episodes.push({
        id: nextId++,
        kind: kind as Episode['kind'],
        device: dev,
        start: a,
        end: b,
        expect: spec.expect,
        tolerate: spec.tolerate ?? [],
        benign: spec.benign ?? false,
        params: spec.params,
      });
      placed++;
    }
    if (placed < count) throw new Error(`independent plan: could place only ${placed} of ${count} ${kind} episodes`);
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;

  // Calendar look-alikes (benign, not occupying): the holiday week, the adjusted working days,
  // the Saturday-shift plant's Saturdays and Sundays. Nothing may come of them.
  for (let d = 0; d < days; d++) {
    const t = start + d * DAY;
    const kind = dayKind(t);
    const date = localDate(t);
    for (const s of sites)
      for (const c of s.customers) {
        const label =
          kind === 'holiday'
            ? 'holiday_week'
            : kind === 'adjusted_working'
              ? 'adjusted_working_day'
              : c.saturdayShift && kind === 'saturday'
                ? 'saturday_shift'
                : c.saturdayShift && kind === 'rest'
                  ? 'saturday_plant_sunday'
                  : null;
        if (label === null) continue;
        episodes.push({
          id: nextId++,
          kind: label as Episode['kind'],
          device: c.device,
          start: t,
          end: t + DAY,
          expect: [],
          tolerate: [],
          benign: true,
          params: { date },
        });
      }
  }
  // Rooftop PV: export at noon and a low power factor at the meter, all month, with hasGeneration set.
  for (const c of sites.flatMap((s) => s.customers).filter((x) => x.pvKwp > 0))
    episodes.push({
      id: nextId++,
      kind: 'rooftop_pv' as Episode['kind'],
      device: c.device,
      start,
      end,
      expect: [],
      tolerate: [],
      benign: true,
      params: { pvKwp: c.pvKwp },
    });

  // Whole-site episodes first: outages take the gateway, voltage episodes every meter of a site.
  place(
    9,
    tms,
    'outage',
    () => between(60, 150) * MIN,
    (dev) => {
      const s = siteOf(dev);
      return {
        expect: [`comm_loss@${s.gateway}`],
        params: { gateway: s.gateway },
        keys: [...siteMeters(s), s.terminal, `v:${s.n}`],
      };
    },
    { from: 1, margin: 4 * HOUR },
  );
  place(
    3,
    tms,
    'voltage_hover',
    () => 3 * DAY,
    (dev) => {
      const s = siteOf(dev);
      return { expect: siteMeters(s).map((m) => `voltage_deviation@${m}`), params: { pu: 1.071 }, keys: [`v:${s.n}`] };
    },
    { from: 1, margin: 2 * HOUR },
  );
  place(
    3,
    tms,
    'voltage_high_within_limit',
    () => 24 * HOUR,
    (dev) => {
      const s = siteOf(dev);
      return { expect: [], benign: true, params: { pu: 1.063 }, keys: [`v:${s.n}`] };
    },
    { from: 1, margin: 2 * HOUR },
  );
  place(
    15,
    tms,
    'voltage_deviation',
    () => between(40, 120) * MIN,
    (dev) => {
      const s = siteOf(dev);
      const swell = rand() < 0.5;
      const pu = r3(swell ? between(1.085, 1.12) : between(0.87, 0.905));
      const phases = pick([['a'], ['c'], ['a', 'b', 'c']] as const);
      return { expect: siteMeters(s).map((m) => `voltage_deviation@${m}`), params: { pu, phases }, keys: [`v:${s.n}`] };
    },
    { from: 0.5, margin: 2 * HOUR },
  );

  // Register and wiring tamper, and their look-alikes.
  place(
    8,
    noPv,
    'register_stall',
    () => between(24, 60) * HOUR,
    (dev) => ({ expect: [`suspected_tamper@${dev}`], params: {} }),
    { from: 3, margin: 6 * HOUR },
  );
  place(
    8,
    noPv,
    'register_creep',
    () => between(48, 96) * HOUR,
    (dev) => ({ expect: [`suspected_tamper@${dev}`], params: { factor: r3(between(0.35, 0.6)) } }),
    { from: 3, margin: 6 * HOUR },
  );
  place(
    8,
    noPv,
    'register_backward',
    () => 2 * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      params: { toZero: rand() < 0.5, stepShare: r3(between(0.05, 0.3)) },
    }),
    { from: 3, margin: 6 * HOUR, hours: [1, 22] },
  );
  place(
    8,
    cms,
    'meter_replacement',
    () => 40 * MIN,
    (dev) => ({ expect: [`comm_loss@${dev}`], params: { newStartKwh: r3(between(0, 50)) } }),
    { from: 3, margin: 6 * HOUR, hours: [9, 16] },
  );
  place(
    8,
    noPv,
    'voltage_loss',
    () => between(2, 8) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      // The meter registers V × I per phase: the phase at 0–25 V drops out of its kW, a real
      // drop of about a third in metered consumption (as with phase_bypass).
      tolerate: [`voltage_deviation@${dev}`, `consumption_anomaly@${dev}`],
      params: { phase: pick([0, 1, 2]), residualV: r3(between(0, 25)) },
    }),
    { from: 2, margin: 4 * HOUR, hours: [7, 14] },
  );
  place(
    6,
    cms,
    'phase_supply_lost',
    () => between(1, 3) * HOUR,
    (dev) => ({
      expect: [],
      benign: true,
      tolerate: [`voltage_deviation@${dev}`, `consumption_anomaly@${dev}`],
      params: { phase: pick([0, 1, 2]) },
    }),
    { from: 2, margin: 4 * HOUR, hours: [7, 15] },
  );
  place(
    8,
    noPv,
    'ct_reversed',
    () => between(24, 96) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      tolerate: [`consumption_anomaly@${dev}`],
      params: { phase: pick([0, 1, 2]) },
    }),
    { from: 2, margin: 6 * HOUR },
  );
  place(
    8,
    noPv,
    'phase_bypass',
    () => between(2, 6) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      tolerate: [`consumption_anomaly@${dev}`],
      params: { phase: pick([0, 1, 2]) },
    }),
    { from: 2, margin: 4 * HOUR, hours: [8, 15] },
  );
  place(
    8,
    noPv,
    'shunt',
    () => between(48, 72) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      tolerate: [`consumption_anomaly@${dev}`],
      params: { factor: r3(between(0.4, 0.6)) },
    }),
    { from: WARM_DAYS, margin: 8 * HOUR, ordinaryDays: true },
  );
  place(
    6,
    cms,
    'genuine_drop',
    () => between(24, 48) * HOUR,
    (dev) => ({
      expect: [],
      benign: true,
      tolerate: [`consumption_anomaly@${dev}`],
      params: { processShare: r3(between(0.2, 0.4)) },
    }),
    { from: WARM_DAYS, margin: 8 * HOUR, ordinaryDays: true },
  );

  // Consumption: a load left running at night.
  place(
    12,
    cms,
    'night_running',
    () => between(6, 9) * HOUR,
    (dev) => ({ expect: [`consumption_anomaly@${dev}`], params: { addShare: r3(between(0.25, 0.4)) } }),
    { from: WARM_DAYS, margin: 8 * HOUR, hours: [19, 23], ordinaryDays: true },
  );

  // Capacity, overload, unbalance, power factor.
  place(
    15,
    noPv,
    'capacity_excess',
    () => between(3, 5) * HOUR,
    (dev) => {
      const c = customerOf(dev)!;
      const s = siteOf(dev);
      return {
        expect: [`capacity_violation@${c.id}`],
        tolerate: [
          `consumption_anomaly@${dev}`,
          `consumption_anomaly@${s.meter}`,
          `overload@${s.transformer}`,
          `phase_unbalance@${s.transformer}`,
        ],
        params: { targetKw: r3(c.contractKva * between(1.25, 1.8)) },
        keys: [dev, s.meter],
      };
    },
    { from: 1, margin: 30 * HOUR, hours: [8, 13] },
  );
  place(
    10,
    tms,
    'overload_hot_afternoon',
    () => between(2, 3) * HOUR,
    (dev) => {
      const s = siteOf(dev);
      return {
        expect: [`overload@${s.transformer}`],
        tolerate: [`consumption_anomaly@${dev}`, `over_temperature@${s.terminal}`],
        params: { pu: r3(between(1.3, 1.5)) },
        keys: [dev, s.terminal],
      };
    },
    { from: 0.5, margin: 6 * HOUR, hours: [13, 15] },
  );
  place(
    10,
    tms,
    'overload_brief',
    () => 15 * MIN,
    (dev) => {
      const s = siteOf(dev);
      return {
        expect: [],
        benign: true,
        tolerate: [`overload@${s.transformer}#info`],
        params: { pu: r3(between(1.08, 1.12)) },
      };
    },
    { from: 0.5, margin: 3 * HOUR, hours: [9, 17] },
  );
  place(
    15,
    tms,
    'phase_unbalance',
    () => between(60, 180) * MIN,
    (dev) => {
      const s = siteOf(dev);
      return {
        expect: [`phase_unbalance@${s.transformer}`],
        params: { phase: pick([0, 1, 2]), extraShare: r3(between(0.9, 1.3)) },
      };
    },
    { from: 0.5, margin: 2 * HOUR, hours: [9, 16] },
  );
  place(
    15,
    noPv,
    'capacitor_failed',
    () => between(2, 5) * HOUR,
    (dev) => ({ expect: [`low_power_factor@${dev}`], params: { pf: r3(between(0.62, 0.78)) } }),
    { from: 0.5, margin: 2 * HOUR, hours: [8, 15] },
  );

  // Terminals: leakage, hot joints, and their look-alikes.
  place(
    15,
    terminals,
    'leakage',
    () => between(20, 90) * MIN,
    (dev) => ({ expect: [`residual_current@${dev}`], params: { ma: Math.round(between(330, 700)) } }),
    { from: 0.5, margin: 2 * HOUR },
  );
  place(
    6,
    terminals,
    'leakage_damp',
    () => between(3, 6) * HOUR,
    () => ({ expect: [], benign: true, params: { ma: Math.round(between(220, 265)) } }),
    { from: 0.5, margin: 2 * HOUR, hours: [4, 8] },
  );
  place(
    15,
    terminals,
    'hot_joint',
    () => between(60, 150) * MIN,
    (dev) => ({
      expect: [`over_temperature@${dev}`],
      params: { channel: pick([1, 2, 3]), maxC: Math.round(between(76, 98)) },
    }),
    { from: 0.5, margin: 3 * HOUR },
  );
  place(
    6,
    terminals,
    'warm_joint',
    () => between(3, 6) * HOUR,
    () => ({ expect: [], benign: true, params: { channel: pick([1, 2, 3]), maxC: Math.round(between(58, 64)) } }),
    { from: 0.5, margin: 3 * HOUR },
  );

  // Devices not answering, and motor starts.
  place(
    15,
    [...cms, ...terminals],
    'device_fault',
    () => between(20, 60) * MIN,
    (dev) => ({ expect: [`comm_loss@${dev}`], params: {} }),
    { from: 0.5, margin: 2 * HOUR },
  );
  place(
    15,
    cms,
    'motor_start',
    () => between(60, 120) * 1000,
    () => ({ expect: [], benign: true, params: { factor: r3(between(3.5, 6)) } }),
    { from: 0.5, margin: HOUR, hours: [7, 19] },
  );

  // A customer's episode shows at its transformer too (the transformer meter carries the true load):
  // those alerts are true side effects, tolerated.
  const SIDE_EFFECTS: Record<string, (s: SiteSpec) => string[]> = {
    night_running: (s) => [`consumption_anomaly@${s.meter}`],
    genuine_drop: (s) => [`consumption_anomaly@${s.meter}`],
    phase_supply_lost: (s) => [`consumption_anomaly@${s.meter}`, `phase_unbalance@${s.transformer}`],
    capacitor_failed: (s) => [`low_power_factor@${s.meter}`],
    motor_start: (s) => [`consumption_anomaly@${s.meter}`],
    phase_unbalance: (s) => [`consumption_anomaly@${s.meter}`],
    overload_brief: (s) => [`consumption_anomaly@${s.meter}`],
  };
  for (const e of episodes) e.tolerate.push(...(SIDE_EFFECTS[e.kind]?.(siteOf(e.device)) ?? []));

  const hotDays = new Set<number>();
  for (const e of episodes)
    if (e.kind === ('overload_hot_afternoon' as Episode['kind'])) hotDays.add(Math.floor((e.start - start) / DAY));
  episodes.sort((a, b) => a.start - b.start || a.id - b.id);
  return { start, end, stepMs: MIN, registry, episodes, registryChanges: [], sites, hotDays, seed };
}

export type { EvalDevice };
