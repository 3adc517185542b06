/**
 * One device's timeline: its true readings at any timestamp, from its load shape, noise
 * and the events injected into it. Everything but the energy counters is a pure function
 * of the timestamp; the counters integrate power between successive calls.
 */
import type { Quantity } from '@gridsafe/shared';
import type { CommFault, DeviceSpec, EventParams, MeterLoadSpec, Scenario, TerminalSpec } from '../scenario/types.js';
import { PHASES } from '../scenario/types.js';
import { computeThreePhase, type PhaseInput } from './electrical.js';
import { hashString, relativeNoiseAt, smoothNormalAt } from './random.js';
import { localTime, shapeFactor } from './shapes.js';

/** An event placed on the clock. */
export interface ResolvedEvent {
  /** Position in the scenario's event list, a stable id. */
  index: number;
  device: string;
  startMs: number;
  /** null: open-ended. */
  endMs: number | null;
  params: EventParams;
}

export interface DeviceSnapshot {
  ts: number;
  /** Canonical quantities, primary side, as the device measures them (before register encoding). */
  values: Partial<Record<Quantity, number>>;
  /** Figures that are not canonical quantities but that profiles serve (per-phase Q and PF, alarm status, ...). */
  extras: Record<string, number>;
}

const DEMAND_WINDOW_MS = 15 * 60_000; // FACTS.md: maximum demand over a 15-minute period, 1-minute slide
const DEMAND_STEP_MS = 60_000;

export function isActive(event: ResolvedEvent, ts: number): boolean {
  return ts >= event.startMs && (event.endMs === null || ts < event.endMs);
}

export class DeviceTimeline {
  readonly spec: DeviceSpec;
  private readonly events: ResolvedEvent[];
  private readonly seed: number;
  private readonly tickMs: number;
  private readonly utcOffsetMinutes: number;
  private readonly stream: number;
  private lastTs: number | undefined;
  private lastPower = 0;
  private importKwh = 0;
  private exportKwh = 0;
  /** (ts, import kWh) once a minute, for the sliding demand. */
  private demandSamples: Array<[number, number]> = [];

  constructor(spec: DeviceSpec, scenario: Scenario, events: ResolvedEvent[]) {
    this.spec = spec;
    this.events = events.filter((e) => e.device === spec.id).sort((a, b) => a.startMs - b.startMs || a.index - b.index);
    this.seed = scenario.seed;
    this.tickMs = scenario.tickMs;
    this.utcOffsetMinutes = scenario.utcOffsetMinutes;
    this.stream = hashString(spec.id);
    this.reset();
  }

  private reset(): void {
    this.lastTs = undefined;
    this.lastPower = 0;
    this.importKwh = this.spec.load?.initialImportKwh ?? 0;
    this.exportKwh = this.spec.load?.initialExportKwh ?? 0;
    this.demandSamples = [];
  }

  activeEvents(ts: number): ResolvedEvent[] {
    return this.events.filter((e) => isActive(e, ts));
  }

  /** The communication fault in force at `ts`, if any (the latest started wins). */
  commFaultAt(ts: number): CommFault | null {
    let found: CommFault | null = null;
    for (const e of this.events) if (e.params.type === 'comm_fault' && isActive(e, ts)) found = e.params;
    return found;
  }

  /**
   * The device's readings at `ts`. Calls should come in time order (energy integrates
   * between them); an earlier timestamp restarts the counters from t0's values.
   */
  valuesAt(ts: number): DeviceSnapshot {
    if (this.lastTs !== undefined && ts < this.lastTs) this.reset();
    if (this.spec.load) return this.meterAt(ts, this.spec.load);
    if (this.spec.terminal) return this.terminalAt(ts, this.spec.terminal);
    return { ts, values: {}, extras: {} };
  }

  private noise(channel: string, ts: number, sigma: number): number {
    return relativeNoiseAt(this.seed, this.stream ^ hashString(channel), ts, sigma, this.tickMs);
  }

  private meterAt(ts: number, load: MeterLoadSpec): DeviceSnapshot {
    const active = this.activeEvents(ts);
    let pf = Math.min(0.999, load.pf + this.noise('pf', ts, 0.004));
    let shares = load.shares.map((share, k) => share * (1 + this.noise(`share-${k}`, ts, 0.015)));
    const voltageFactor = [1, 1, 1];
    const bypassed = [false, false, false];
    for (const e of active) {
      const p = e.params;
      if (p.type === 'low_power_factor') pf = p.pf + this.noise('pf', ts, 0.004);
      else if (p.type === 'phase_unbalance') shares = [...p.shares];
      else if (p.type === 'voltage_sag' || p.type === 'voltage_swell')
        for (const ph of p.phases) voltageFactor[PHASES.indexOf(ph)] = p.factor;
      else if (p.type === 'meter_bypass') bypassed[PHASES.indexOf(p.phase)] = true;
    }
    const shareSum = shares.reduce((a, b) => a + b, 0);
    shares = shares.map((s) => s / shareSum);

    // The load's clean level, then the events that set it, then noise on top.
    let kva = load.baseKva * shapeFactor(load, ts, this.utcOffsetMinutes, this.seed, this.spec.id);
    for (const e of active) {
      const p = e.params;
      if (p.type === 'overload_ramp' || p.type === 'demand_above_contract') {
        const target = p.type === 'overload_ramp' ? p.targetKva : p.targetKw / pf;
        const r = p.rampMs > 0 ? Math.min(1, (ts - e.startMs) / p.rampMs) : 1;
        kva += (target - kva) * r;
      }
    }
    kva = Math.max(0, kva * (1 + this.noise('load', ts, load.noise)));

    const phases = PHASES.map((_, k): PhaseInput => ({
      volts: load.nominalVoltage * voltageFactor[k]! * (1 + this.noise(`v-${k}`, ts, load.voltageNoise)),
      kva: kva * shares[k]!,
      pf,
      bypassed: bypassed[k]!,
    })) as [PhaseInput, PhaseInput, PhaseInput];
    const frequency = load.frequencyHz + 0.02 * smoothNormalAt(this.seed, this.stream ^ hashString('f'), ts, 30_000);
    const { values, extras } = computeThreePhase(phases, frequency);

    this.integrate(ts, values.p_kw ?? 0);
    values.e_imp_kwh = this.importKwh;
    values.e_exp_kwh = this.exportKwh;
    values.demand_kw = this.demand(ts);
    return { ts, values, extras: { ...extras } };
  }

  private integrate(ts: number, powerKw: number): void {
    if (this.lastTs !== undefined) {
      const hours = (ts - this.lastTs) / 3_600_000;
      // Trapezoid, split by sign so import and export both only ever grow.
      const mean = (this.lastPower + powerKw) / 2;
      if (mean >= 0) this.importKwh += mean * hours;
      else this.exportKwh += -mean * hours;
    }
    this.lastTs = ts;
    this.lastPower = powerKw;
    const last = this.demandSamples[this.demandSamples.length - 1];
    if (!last || ts - last[0] >= DEMAND_STEP_MS) this.demandSamples.push([ts, this.importKwh]);
    while (this.demandSamples.length > 2 && ts - this.demandSamples[1]![0] >= DEMAND_WINDOW_MS)
      this.demandSamples.shift();
  }

  /** Average import power over the last 15 minutes (or since t0, if shorter), kW. */
  private demand(ts: number): number {
    const first = this.demandSamples[0];
    if (!first || ts - first[0] <= 0) return this.lastPower;
    return ((this.importKwh - first[1]) * 3_600_000) / (ts - first[0]);
  }

  private terminalAt(ts: number, terminal: TerminalSpec): DeviceSnapshot {
    let residual = terminal.residualMa;
    const rise = [0, 0, 0, 0];
    for (const e of this.activeEvents(ts)) {
      const p = e.params;
      if (p.type === 'leakage_step') residual = p.residualMa;
      else if (p.type === 'over_temperature') {
        const base = terminal.temperaturesC[p.channel - 1]!;
        rise[p.channel - 1] = Math.max(0, Math.min(p.maxC - base, (p.rateCPerMin * (ts - e.startMs)) / 60_000));
      }
    }
    const residualMa = Math.max(
      0,
      residual + terminal.residualNoiseMa * smoothNormalAt(this.seed, this.stream ^ hashString('ires'), ts, 20_000),
    );
    // Ambient swing of ±2 °C over the day, warmest at 15:00 local time.
    const hour = localTime(ts, this.utcOffsetMinutes).hour;
    const ambient = 2 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    const temps = terminal.temperaturesC.map(
      (base, k) =>
        base +
        ambient +
        rise[k]! +
        terminal.temperatureNoiseC * smoothNormalAt(this.seed, this.stream ^ hashString(`t${k}`), ts, 30_000),
    );
    const alarm =
      residualMa >= terminal.ratedResidualMa || temps.some((t) => t >= terminal.alarmTemperatureC)
        ? 2
        : residualMa >= terminal.prewarningResidualMa
          ? 1
          : 0;
    return {
      ts,
      values: {
        i_res_ma: residualMa,
        t1_c: temps[0]!,
        t2_c: temps[1]!,
        t3_c: temps[2]!,
        t4_c: temps[3]!,
        breaker: terminal.breaker,
      },
      extras: {
        rated_residual_ma: terminal.ratedResidualMa,
        prewarning_residual_ma: terminal.prewarningResidualMa,
        alarm_status: alarm,
      },
    };
  }
}
