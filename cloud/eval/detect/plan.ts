/**
 * The labelled evaluation plan: a fleet (4 gateways, each with a transformer and its
 * meter, a residual-current/temperature terminal and three contract customers) over
 * three weeks, every event type injected at least 20 times, and the benign look-alikes
 * the issue names. Deterministic from the seed.
 *
 * Events the firmware-sim's scenario engine models (overload ramp, demand above
 * contract, voltage sag/swell, phase unbalance, low power factor, meter bypass, leakage
 * step, over-temperature, comm fault) are handed to it; the rest (consumption surge,
 * shunt, reverse energy, motor inrush, growth, holidays, meter replacement, outage) are
 * overlays applied to its values by generate.ts.
 */
import { ALERT_TYPES, type AlertType, seededRandom } from '@gridsafe/shared';
import type { EventParams, Scenario } from '@gridsafe/firmware-sim';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MIN = 60_000;

export type OverlayKind =
  'surge' | 'shunt' | 'reverse' | 'inrush' | 'growth' | 'holiday' | 'replace' | 'outage' | 'fault' | 'ct_overlimit';

/** One labelled episode of the ground truth. */
export interface Episode {
  id: number;
  /** What was injected (a firmware-sim event, an overlay, or a kind of the independent family). */
  kind: EventParams['type'] | OverlayKind | (string & {});
  device: string;
  start: number;
  end: number;
  /** Alerts that should follow, as "type@subject". */
  expect: string[];
  /** Alerts that may follow as a true side effect (neither hit nor false alarm), as "type@subject". */
  tolerate: string[];
  /** A benign look-alike (no alert expected). */
  benign: boolean;
  params: Record<string, unknown>;
}

export interface EvalDevice {
  id: string;
  gateway: string;
  kind: 'meter' | 'terminal';
  transformer: string;
  customer?: string;
  ctRatio: number;
  ptRatio: number;
  ctSecondaryA: number;
}

/** What replay and scoring need of a family's plan, whatever generated it. */
export interface FleetPlan {
  start: number;
  end: number;
  stepMs: number;
  registry: {
    transformers: Array<{ id: string; site: string; ratedKva: number; vectorGroup: string; area: string }>;
    customers: Array<{
      id: string;
      name: string;
      contractKva: number;
      tariff: 'two_part' | 'single';
      hasGeneration?: boolean;
    }>;
    devices: EvalDevice[];
    gateways: Array<{ id: string; secret: string }>;
  };
  episodes: Episode[];
  /** Registry changes at a time: a meter replaced with a new CT ratio. */
  registryChanges: Array<{ at: number; device: EvalDevice }>;
}

export interface EvalPlan extends FleetPlan {
  scenario: Scenario;
  /** Holidays: the listed one goes to the detectors' configuration, the other is not told. */
  holidays: { listed: string; unlisted: string };
}

export interface PlanOptions {
  seed?: number;
  days?: number;
  /** Each event type at least this many times. */
  perType?: number;
}

const SITES = [
  { rated: 400, group: 'Dyn11', shape: 'commercial' as const },
  { rated: 400, group: 'Yyn0', shape: 'industrial' as const },
  { rated: 315, group: 'Dyn11', shape: 'industrial' as const },
  { rated: 315, group: 'Yyn0', shape: 'commercial' as const },
];
const CUSTOMERS = [
  { contract: 100, ct: 40, shape: 'commercial' as const, base: 0.5 },
  { contract: 160, ct: 60, shape: 'industrial' as const, base: 0.62 },
  { contract: 250, ct: 100, shape: 'residential' as const, base: 0.45 },
];

export function buildPlan(options: PlanOptions = {}): EvalPlan {
  const seed = options.seed ?? 7;
  const days = options.days ?? 28;
  /** Baseline rules (consumption, shunt) are judged once two weeks of history are in. */
  const warm = 14;
  const perType = options.perType ?? 24;
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const between = (a: number, b: number) => a + (b - a) * rand();
  // Monday 2025-03-03 00:00 China Standard Time.
  const start = Date.UTC(2025, 2, 2, 16, 0, 0);
  const end = start + days * DAY;

  const registry: EvalPlan['registry'] = { transformers: [], customers: [], devices: [], gateways: [] };
  const scenarioDevices: Scenario['devices'] = [];
  SITES.forEach((site, k) => {
    const n = k + 1;
    const gw = `gw-e${n}`;
    const tx = `tx-e${n}`;
    registry.gateways.push({ id: gw, secret: `${gw}-eval-secret` });
    registry.transformers.push({
      id: tx,
      site: `Eval site ${n}`,
      ratedKva: site.rated,
      vectorGroup: site.group,
      area: `eval-${n}`,
    });
    // The transformer's own meter: CT sized at about 1.4× rated current (400 kVA → 800/5).
    const tmCt = site.rated === 400 ? 160 : 120;
    registry.devices.push({
      id: `tm-e${n}`,
      gateway: gw,
      kind: 'meter',
      transformer: tx,
      ctRatio: tmCt,
      ptRatio: 1,
      ctSecondaryA: 5,
    });
    scenarioDevices.push({
      id: `tm-e${n}`,
      profile: 'sdm630',
      bus: 'eval',
      unit: 1,
      ctRatio: tmCt,
      ptRatio: 1,
      transformer: tx,
      load: load(site.rated * (site.shape === 'commercial' ? 0.5 : 0.66), site.shape, 0.93, 0.8),
    });
    registry.devices.push({
      id: `t-e${n}`,
      gateway: gw,
      kind: 'terminal',
      transformer: tx,
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    });
    scenarioDevices.push({
      id: `t-e${n}`,
      profile: 'gridsafe-rcm4',
      bus: 'eval',
      unit: 2,
      ctRatio: 1,
      ptRatio: 1,
      transformer: tx,
      terminal: terminal(),
    });
    CUSTOMERS.forEach((c, j) => {
      const id = `c-e${n}${j + 1}`;
      registry.customers.push({
        id,
        name: `Eval customer ${n}.${j + 1}`,
        contractKva: c.contract,
        tariff: j === 2 ? 'single' : 'two_part',
        hasGeneration: false,
      });
      const dev = `cm-e${n}${j + 1}`;
      registry.devices.push({
        id: dev,
        gateway: gw,
        kind: 'meter',
        transformer: tx,
        customer: id,
        ctRatio: c.ct,
        ptRatio: 1,
        ctSecondaryA: 5,
      });
      scenarioDevices.push({
        id: dev,
        profile: 'dtsu666',
        bus: 'eval',
        unit: 3 + j,
        ctRatio: c.ct,
        ptRatio: 1,
        transformer: tx,
        customer: id,
        load: load(c.contract * c.base, c.shape, 0.93, 0.6),
      });
    });
  });

  const episodes: Episode[] = [];
  const simEvents: Scenario['events'] = [];
  /** Busy intervals per device, with margins, so episodes on one subject never blur. */
  const busy = new Map<string, Array<[number, number]>>();
  const free = (devs: string[], a: number, b: number) =>
    devs.every((d) => (busy.get(d) ?? []).every(([x, y]) => b <= x || a >= y));
  const occupy = (devs: string[], a: number, b: number) =>
    devs.forEach((d) => (busy.get(d) ?? busy.set(d, []).get(d)!).push([a, b]));
  const gatewayOf = (dev: string) => registry.devices.find((d) => d.id === dev)!.gateway;
  const txOf = (dev: string) => registry.devices.find((d) => d.id === dev)!.transformer;
  const customerOf = (dev: string) => registry.devices.find((d) => d.id === dev)!.customer!;
  const meters = registry.devices.filter((d) => d.kind === 'meter').map((d) => d.id);
  const tms = meters.filter((d) => d.startsWith('tm-'));
  const cms = meters.filter((d) => d.startsWith('cm-'));
  const terminals = registry.devices.filter((d) => d.kind === 'terminal').map((d) => d.id);
  let nextId = 1;

  // Holidays first: every meter is busy on them (they are look-alikes for the whole fleet).
  const listedDay = start + 16 * DAY; // Wednesday 2025-03-19
  const unlistedDay = start + 24 * DAY; // Thursday 2025-03-27
  const localDate = (ts: number) => new Date(ts + 8 * HOUR).toISOString().slice(0, 10);
  for (const day of [listedDay, unlistedDay]) {
    occupy(meters, day - HOUR, day + DAY + 3 * HOUR);
    for (const dev of meters) {
      episodes.push({
        id: nextId++,
        kind: 'holiday',
        device: dev,
        start: day,
        end: day + DAY,
        expect: [],
        tolerate: [],
        benign: true,
        params: { date: localDate(day), listed: day === listedDay },
      });
    }
  }
  // Growth within contract on one customer per site, from day 18 to the end.
  for (let n = 1; n <= 4; n++) {
    const dev = `cm-e${n}${((n - 1) % 3) + 1}`;
    const a = end - 4 * DAY;
    occupy([dev], a - 30 * HOUR, end);
    episodes.push({
      id: nextId++,
      kind: 'growth',
      device: dev,
      start: a,
      end,
      expect: [],
      tolerate: [`consumption_anomaly@${dev}`],
      benign: true,
      params: { toShareOfContract: 0.93, overDays: 2 },
    });
  }

  /** Places `count` episodes of one kind on random devices of a pool, honouring busy time. */
  function place(
    count: number,
    pool: string[],
    kind: Episode['kind'],
    duration: () => number,
    build: (
      dev: string,
      a: number,
      b: number,
    ) => {
      expect: string[];
      tolerate?: string[];
      benign?: boolean;
      params: Record<string, unknown>;
      sim?: EventParams;
      whole?: string[];
    },
    window: { from: number; to: number; margin: number; hours?: [number, number] },
  ): void {
    let placed = 0;
    for (let tries = 0; placed < count && tries < count * 400; tries++) {
      const dev = pick(pool);
      const len = Math.round(duration() / 1000) * 1000;
      let a = start + window.from * DAY + rand() * ((window.to - window.from) * DAY - len);
      a = Math.floor(a / MIN) * MIN;
      if (window.hours) {
        const localHour = ((a + 8 * HOUR) % DAY) / HOUR;
        if (localHour < window.hours[0] || localHour >= window.hours[1]) continue;
      }
      const b = a + len;
      if (b > end - 2 * HOUR) continue;
      const spec = build(dev, a, b);
      const devs = spec.whole ?? [dev];
      if (!free(devs, a - 2 * HOUR, b + window.margin)) continue;
      occupy(devs, a - 2 * HOUR, b + window.margin);
      episodes.push({
        id: nextId++,
        kind,
        device: dev,
        start: a,
        end: b,
        expect: spec.expect,
        tolerate: spec.tolerate ?? [],
        benign: spec.benign ?? false,
        params: spec.params,
      });
      if (spec.sim) simEvents.push({ device: dev, at: { absoluteMs: a }, durationMs: len, params: spec.sim });
      placed++;
    }
    if (placed < count)
      throw new Error(
        `evaluation plan: could place only ${placed} of ${count} ${kind} episodes; lengthen the run (--days)`,
      );
  }

  // Outages first (they take whole gateways), then the long episodes, then the short ones.
  place(
    20,
    tms,
    'outage',
    () => between(60, 150) * MIN,
    (dev) => {
      const gw = gatewayOf(dev);
      const all = registry.devices.filter((d) => d.gateway === gw).map((d) => d.id);
      return { expect: [`comm_loss@${gw}`], params: { gateway: gw }, whole: all };
    },
    { from: 2, to: days - 1, margin: 4 * HOUR },
  );
  place(
    20,
    cms,
    'shunt',
    () => between(36, 48) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`, `consumption_anomaly@${dev}`],
      params: { factor: round(between(0.35, 0.6)) },
    }),
    { from: warm, to: days - 1, margin: 8 * HOUR },
  );
  place(
    perType,
    cms,
    'demand_above_contract',
    () => between(3, 6) * HOUR,
    (dev) => {
      const c = registry.customers.find((x) => x.id === customerOf(dev))!;
      const targetKw = round(c.contractKva * between(1.2, 2.4));
      return {
        expect: [`capacity_violation@${c.id}`],
        tolerate: [`consumption_anomaly@${dev}`],
        params: { targetKw },
        sim: { type: 'demand_above_contract', targetKw, rampMs: 20 * MIN },
      };
    },
    { from: 1, to: days - 1, margin: 30 * HOUR, hours: [7, 14] },
  );
  place(
    perType,
    cms,
    'surge',
    () => between(6, 10) * HOUR,
    (dev) => {
      const c = registry.customers.find((x) => x.id === customerOf(dev))!;
      return { expect: [`consumption_anomaly@${dev}`], params: { addKva: round(c.contractKva * between(0.22, 0.32)) } };
    },
    { from: warm, to: days - 1, margin: 8 * HOUR, hours: [19, 23] },
  );
  place(
    20,
    cms,
    'reverse',
    () => between(1, 3) * HOUR,
    (dev) => ({ expect: [`suspected_tamper@${dev}`], tolerate: [`consumption_anomaly@${dev}`], params: {} }),
    { from: 2, to: days - 1, margin: 4 * HOUR, hours: [8, 17] },
  );
  place(
    20,
    cms,
    'meter_bypass',
    () => between(2, 5) * HOUR,
    (dev) => ({
      expect: [`suspected_tamper@${dev}`],
      tolerate: [`consumption_anomaly@${dev}`],
      params: {},
      sim: { type: 'meter_bypass', phase: pick(['a', 'b', 'c'] as const) },
    }),
    { from: 2, to: days - 1, margin: 4 * HOUR, hours: [8, 16] },
  );
  place(
    20,
    cms,
    'replace',
    () => 40 * MIN,
    (dev) => ({
      expect: [`comm_loss@${dev}`],
      params: { newCtRatio: registry.devices.find((d) => d.id === dev)!.ctRatio * 1.5 },
    }),
    { from: 3, to: days - 2, margin: 2 * HOUR, hours: [9, 16] },
  );
  place(
    perType,
    tms,
    'overload_ramp',
    () => between(90, 180) * MIN,
    (dev) => {
      const tx = registry.transformers.find((t) => t.id === txOf(dev))!;
      const targetKva = round(tx.ratedKva * between(1.15, 1.5));
      return {
        expect: [`overload@${tx.id}`],
        tolerate: [`consumption_anomaly@${dev}`],
        params: { targetKva },
        sim: { type: 'overload_ramp', targetKva, rampMs: 10 * MIN },
      };
    },
    { from: 0.5, to: days - 0.5, margin: 4 * HOUR },
  );
  place(
    perType,
    tms,
    'phase_unbalance',
    () => between(60, 180) * MIN,
    (dev) => {
      const heavy = between(0.45, 0.55);
      const light = between(0.12, 0.2);
      const shares = [heavy, 1 - heavy - light, light].map(round) as [number, number, number];
      shares[1] = round(1 - shares[0] - shares[2]);
      return { expect: [`phase_unbalance@${txOf(dev)}`], params: { shares }, sim: { type: 'phase_unbalance', shares } };
    },
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR, hours: [8, 20] },
  );
  place(
    perType,
    meters,
    'low_power_factor',
    () => between(60, 180) * MIN,
    (dev) => {
      const pf = round(between(0.62, 0.85));
      return {
        expect: [`low_power_factor@${dev}`],
        tolerate: [`consumption_anomaly@${dev}`],
        params: { pf },
        sim: { type: 'low_power_factor', pf },
      };
    },
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR, hours: [8, 18] },
  );
  place(
    perType,
    meters,
    'voltage_sag',
    () => between(30, 90) * MIN,
    (dev) => {
      const swell = rand() < 0.5;
      const factor = round(swell ? between(1.08, 1.13) : between(0.86, 0.91));
      const phases = pick([['a'], ['b', 'c'], ['a', 'b', 'c']] as const) as Array<'a' | 'b' | 'c'>;
      return {
        expect: [`voltage_deviation@${dev}`],
        params: { factor, phases },
        sim: { type: swell ? 'voltage_swell' : 'voltage_sag', factor, phases },
      };
    },
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR },
  );
  place(
    perType,
    terminals,
    'leakage_step',
    () => between(20, 60) * MIN,
    (dev) => {
      const residualMa = Math.round(between(330, 800));
      return { expect: [`residual_current@${dev}`], params: { residualMa }, sim: { type: 'leakage_step', residualMa } };
    },
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR },
  );
  place(
    perType,
    terminals,
    'over_temperature',
    () => between(60, 120) * MIN,
    (dev) => {
      const channel = pick([1, 2, 3] as const);
      const maxC = Math.round(between(78, 100));
      const rateCPerMin = round(between(1.5, 4));
      return {
        expect: [`over_temperature@${dev}`],
        params: { channel, maxC, rateCPerMin },
        sim: { type: 'over_temperature', channel, rateCPerMin, maxC },
      };
    },
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR },
  );
  place(
    perType,
    [...meters, ...terminals],
    'fault',
    () => between(20, 60) * MIN,
    (dev) => ({ expect: [`comm_loss@${dev}`], params: {} }),
    { from: 0.5, to: days - 0.5, margin: 2 * HOUR },
  );
  // Motor starts: short, high, everywhere; nothing may come of them.
  place(
    perType,
    cms,
    'inrush',
    () => 90_000,
    () => ({ expect: [], benign: true, params: { factor: round(between(4, 6)) } }),
    { from: 0.5, to: days - 0.5, margin: HOUR, hours: [7, 19] },
  );

  const registryChanges = episodes
    .filter((e) => e.kind === 'replace')
    .map((e) => ({
      at: e.end,
      device: { ...registry.devices.find((d) => d.id === e.device)!, ctRatio: e.params['newCtRatio'] as number },
    }));

  const scenario: Scenario = {
    source: 'gridsafe detection evaluation',
    name: 'eval-detect',
    seed,
    tickMs: 1000,
    utcOffsetMinutes: 480,
    startMs: start,
    transformers: registry.transformers.map((t) => ({ id: t.id, ratedKva: t.ratedKva })),
    customers: registry.customers.map((c) => ({ id: c.id, contractKva: c.contractKva })),
    buses: [{ id: 'eval', kind: 'tcp', host: '127.0.0.1', port: 0 }],
    devices: scenarioDevices,
    events: simEvents,
  };
  episodes.sort((a, b) => a.start - b.start || a.id - b.id);
  return {
    start,
    end,
    stepMs: MIN,
    scenario,
    registry,
    episodes,
    registryChanges,
    holidays: { listed: localDate(listedDay), unlisted: localDate(unlistedDay) },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function load(
  baseKva: number,
  daily: 'commercial' | 'industrial' | 'residential',
  pf: number,
  weekendFactor: number,
): NonNullable<Scenario['devices'][number]['load']> {
  return {
    baseKva,
    pf,
    daily,
    weekendFactor,
    seasonalAmplitude: 0,
    seasonalPeakDay: 200,
    dailyVariation: 0.04,
    noise: 0.02,
    shares: [1 / 3, 1 / 3, 1 / 3],
    // China: 220/380 V.
    nominalVoltage: 220,
    voltageNoise: 0.004,
    frequencyHz: 50,
    initialImportKwh: 10_000,
    initialExportKwh: 0,
  };
}

function terminal(): NonNullable<Scenario['devices'][number]['terminal']> {
  return {
    residualMa: 120,
    residualNoiseMa: 8,
    temperaturesC: [38, 36, 40, 28],
    temperatureNoiseC: 0.3,
    ratedResidualMa: 300,
    prewarningResidualMa: 240,
    alarmTemperatureC: 80,
    breaker: 1,
  };
}

/** The alert types scored, in the contract's order: every detector's (forecasts and line loss have their own evaluations). */
export const SCORED: readonly AlertType[] = ALERT_TYPES.filter(
  (type) => type !== 'overload_forecast' && type !== 'line_loss_abnormal',
);
