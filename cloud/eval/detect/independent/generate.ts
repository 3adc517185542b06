/**
 * Readings of the independent family, from physics rather than from the firmware-sim:
 * each customer's true load (class shape × the day it really is × weather × AR(1) noise ×
 * machines switching), what its meter sees (tamper changes the meter, not the load),
 * the energy registers integrated from the metered power (or tampered), the transformer
 * meter as the sum of true loads plus unmetered load and losses, site voltages that sag
 * with load, the terminal's leakage and joint temperatures, and missing readings.
 */
import { type GatewayEvent, type Reading, type ReadingValues, seededRandom } from '@gridsafe/shared';
import { DAY, HOUR, MIN, type Episode } from '../plan.js';
import type { Generated } from '../generate.js';
import { COOLING_PER_10K, Weather, dayKind, shapeAt, solarShare, works } from './shapes.js';
import type { CustomerSpec, IndependentPlan, SiteSpec } from './plan.js';

const NOMINAL_V = 220;
/** Polls that must fail before the gateway reports a device lost (three at 1 minute). */
const LOST_AFTER_MS = 3 * MIN;

interface PhaseFlow {
  /** Active and reactive power per phase, kW and kvar (signed: negative is export). */
  p: [number, number, number];
  q: [number, number, number];
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function active(list: Episode[], ts: number, kind: string): Episode | undefined {
  return list.find((e) => e.kind === kind && ts >= e.start && ts < e.end);
}

function ramp(ts: number, e: Episode, ms: number): number {
  return Math.min(1, (ts - e.start) / ms);
}

/** One customer's true three-phase flow at a time, before its meter. */
class CustomerLoad {
  private ar = 0;
  private machines = 0.5;
  private readonly dayLevel: number[] = [];
  private readonly dayCloud: number[] = [];

  constructor(
    private readonly c: CustomerSpec,
    private readonly rand: () => number,
    days: number,
  ) {
    for (let d = 0; d <= days; d++) {
      this.dayLevel.push(Math.exp(0.05 * gaussian(rand)));
      this.dayCloud.push(0.3 + 0.7 * rand());
    }
  }

  at(ts: number, day: number, ambientC: number, own: Episode[]): PhaseFlow {
    const c = this.c;
    this.ar = 0.92 * this.ar + 0.012 * gaussian(this.rand);
    if (this.rand() < 1 / 45) this.machines = this.rand();
    const working = works(c.cls, dayKind(ts), c.saturdayShift);
    const weather = 1 + (COOLING_PER_10K[c.cls] * (ambientC - 26)) / 10;
    const scale =
      c.peakShare * c.contractKva * this.dayLevel[day]! * weather * (1 + this.ar) * (0.97 + 0.06 * this.machines);
    let kw = scale * shapeAt(c.cls, working, ts);
    const drop = active(own, ts, 'genuine_drop');
    if (drop) {
      const rest = scale * shapeAt(c.cls, false, ts);
      kw = rest + (drop.params['processShare'] as number) * Math.max(0, kw - rest);
    }
    const night = active(own, ts, 'night_running');
    if (night) kw += (night.params['addShare'] as number) * c.contractKva * ramp(ts, night, 10 * MIN);
    const excess = active(own, ts, 'capacity_excess');
    if (excess) kw = Math.max(kw, (excess.params['targetKw'] as number) * ramp(ts, excess, 15 * MIN) * (1 + this.ar));
    let pf = c.pf + 0.01 * Math.sin(ts / (3 * HOUR));
    const cap = active(own, ts, 'capacitor_failed');
    if (cap) pf = cap.params['pf'] as number;
    let qKvar = kw * Math.tan(Math.acos(Math.min(0.999, pf)));
    const start = active(own, ts, 'motor_start');
    if (start) {
      // One motor of a quarter of the load starting at several times its rating, power factor about 0.35.
      const startKva = (start.params['factor'] as number) * 0.25 * kw;
      kw += 0.35 * startKva;
      qKvar += 0.94 * startKva;
    }
    const pv = c.pvKwp * solarShare(ts) * this.dayCloud[day]! * (0.85 + 0.15 * this.rand());
    const lost = active(own, ts, 'phase_supply_lost');
    const p = c.shares.map((sh) => kw * sh - pv / 3) as [number, number, number];
    const q = c.shares.map((sh) => qKvar * sh) as [number, number, number];
    if (lost) {
      const k = lost.params['phase'] as number;
      p[k] = 0;
      q[k] = 0;
    }
    return { p, q };
  }
}

function sum3(x: readonly number[]): number {
  return x[0]! + x[1]! + x[2]!;
}

export function generateIndependent(plan: IndependentPlan): Generated {
  const rand = seededRandom(plan.seed * 104_729 + 3);
  const days = Math.round((plan.end - plan.start) / DAY);
  const weather = new Weather(plan.start, days, rand, plan.hotDays);
  const readings = new Map<string, Reading[]>();
  const events = new Map<string, GatewayEvent[]>();
  const truthValues = new Map<string, Array<{ ts: number; secondaryA: number }>>();
  const meterEvents: NonNullable<Generated['meterEvents']> = [];
  let count = 0;
  const byDevice = new Map<string, Episode[]>();
  for (const e of plan.episodes) (byDevice.get(e.device) ?? byDevice.set(e.device, []).get(e.device)!).push(e);
  const own = (dev: string) => byDevice.get(dev) ?? [];

  for (const site of plan.sites) {
    const out: Reading[] = [];
    const evs: GatewayEvent[] = [];
    readings.set(site.gateway, out);
    events.set(site.gateway, evs);
    const loads = site.customers.map((c) => new CustomerLoad(c, rand, days));
    const registers = new Map<string, { imp: number; exp: number; lastP: number | null }>();
    for (const [k, dev] of [site.meter, ...site.customers.map((c) => c.device)].entries())
      registers.set(dev, { imp: 5_000 + k * 3_100 + site.n * 777, exp: 0, lastP: null });
    const outages = plan.episodes.filter((e) => e.kind === 'outage' && e.params['gateway'] === site.gateway);
    const siteEpisodes = own(site.meter);
    let txPu = 0.5;
    let wander = 0;
    let holeUntil = 0;
    const jointC = [0, 0, 0];
    for (const e of [...site.customers.map((c) => c.device), site.terminal].flatMap((d) => own(d)))
      if (e.kind === 'device_fault' || e.kind === 'meter_replacement') {
        evs.push({
          gateway: site.gateway,
          seq: 0,
          ts: e.start + LOST_AFTER_MS,
          device: e.device,
          type: 'comm_lost',
          detail: { reason: 'no reply' },
        });
        evs.push({
          gateway: site.gateway,
          seq: 0,
          ts: e.end + 5_000,
          device: e.device,
          type: 'comm_restored',
          detail: {},
        });
      }
    for (const dev of [site.meter, ...site.customers.map((c) => c.device)]) truthValues.set(dev, []);

    for (let ts = plan.start; ts < plan.end; ts += plan.stepMs) {
      const day = Math.floor((ts - plan.start) / DAY);
      const ambient = weather.at(ts);
      const siteDown = outages.some((o) => ts >= o.start && ts < o.end);
      // Site voltage per phase: no-load level, a drop with the transformer's load, slow wander, noise.
      wander = 0.995 * wander + 0.0006 * gaussian(rand);
      const vPu: number[] = [0, 1, 2].map(() => site.voltagePu - 0.035 * txPu + wander + 0.0015 * gaussian(rand));
      const hover = active(siteEpisodes, ts, 'voltage_hover') ?? active(siteEpisodes, ts, 'voltage_high_within_limit');
      if (hover)
        for (let k = 0; k < 3; k++)
          vPu[k] =
            (hover.params['pu'] as number) +
            0.002 * Math.sin((2 * Math.PI * ts) / (2 * HOUR)) +
            0.0012 * gaussian(rand);
      const dev = active(siteEpisodes, ts, 'voltage_deviation');
      if (dev)
        for (const ph of dev.params['phases'] as string[])
          vPu['abc'.indexOf(ph)] = (dev.params['pu'] as number) + 0.002 * gaussian(rand);

      // Customers: true flow, then what each meter sees.
      const txP = [0, 0, 0];
      const txQ = [0, 0, 0];
      site.customers.forEach((c, j) => {
        const eps = own(c.device);
        const flow = loads[j]!.at(ts, day, ambient, eps);
        for (let k = 0; k < 3; k++) {
          txP[k]! += flow.p[k]!;
          txQ[k]! += flow.q[k]!;
        }
        const v = vPu.map((x, k) => NOMINAL_V * x * (1 - (0.004 * Math.max(0, flow.p[k]!)) / (c.contractKva / 3)));
        const lost = active(eps, ts, 'phase_supply_lost');
        if (lost) v[lost.params['phase'] as number] = 1.5 * rand();
        const p = [...flow.p];
        const q = [...flow.q];
        let i = [0, 1, 2].map((k) => (Math.hypot(p[k]!, q[k]!) * 1000) / Math.max(1, v[k]!));
        if (lost) i[lost.params['phase'] as number] = 0;
        const shunt = active(eps, ts, 'shunt');
        if (shunt) {
          const f = shunt.params['factor'] as number;
          i = i.map((x) => x * f);
          for (let k = 0; k < 3; k++) {
            p[k] = p[k]! * f;
            q[k] = q[k]! * f;
          }
        }
        const bypass = active(eps, ts, 'phase_bypass');
        if (bypass) {
          const k = bypass.params['phase'] as number;
          i[k] = 0;
          p[k] = 0;
          q[k] = 0;
        }
        const reversed = active(eps, ts, 'ct_reversed');
        if (reversed) {
          const k = reversed.params['phase'] as number;
          p[k] = -p[k]!;
          q[k] = -q[k]!;
        }
        const vLoss = active(eps, ts, 'voltage_loss');
        if (vLoss) {
          // The voltage lead of one phase opened: the meter sees (almost) no voltage, so no power, on it.
          const k = vLoss.params['phase'] as number;
          const ratio = (vLoss.params['residualV'] as number) / v[k]!;
          v[k] = vLoss.params['residualV'] as number;
          p[k] = p[k]! * ratio;
          q[k] = q[k]! * ratio;
        }
        const pTot = sum3(p);
        const reg = registers.get(c.device)!;
        const replaced = active(eps, ts, 'meter_replacement');
        const silent = siteDown || !!active(eps, ts, 'device_fault') || !!replaced;
        if (replaced && ts === replaced.start + 20 * MIN) {
          const newKwh = replaced.params['newStartKwh'] as number;
          meterEvents.push({
            device: c.device,
            at: ts,
            kind: 'replacement',
            oldReadingKwh: Math.round(reg.imp * 100) / 100,
            newReadingKwh: newKwh,
            by: 'eval technician',
          });
          reg.imp = newKwh;
          reg.exp = 0;
        }
        integrate(reg, pTot, eps, ts, plan.stepMs);
        const truth = truthValues.get(c.device)!;
        truth.push({ ts, secondaryA: silent ? Number.NaN : Math.max(...i) / c.ctRatio });
        if (silent) return;
        const sTot = Math.hypot(pTot, sum3(q));
        const sent = emit(out, c.device, ts, rand, {
          v_a: v[0]!,
          v_b: v[1]!,
          v_c: v[2]!,
          i_a: i[0]!,
          i_b: i[1]!,
          i_c: i[2]!,
          p_kw: pTot,
          p_a_kw: p[0]!,
          p_b_kw: p[1]!,
          p_c_kw: p[2]!,
          q_kvar: sum3(q),
          pf: sTot > 0.01 ? pTot / sTot : 1,
          f_hz: 50 + 0.02 * gaussian(rand),
          e_imp_kwh: Math.round(reg.imp * 100) / 100,
          e_exp_kwh: Math.round(reg.exp * 100) / 100,
        });
        if (sent) count++;
      });

      // The transformer: true customer flows, unmetered load, extra load of its episodes, losses.
      const unmetered = site.unmeteredKva * shapeAt('residential', true, ts);
      for (let k = 0; k < 3; k++) {
        txP[k]! += unmetered / 3;
        txQ[k]! += (unmetered / 3) * 0.3;
      }
      const s0 = Math.hypot(sum3(txP), sum3(txQ));
      const over = active(siteEpisodes, ts, 'overload_hot_afternoon') ?? active(siteEpisodes, ts, 'overload_brief');
      if (over) {
        const target = (over.params['pu'] as number) * site.ratedKva * (1 + 0.01 * gaussian(rand));
        const extra = Math.max(0, target - s0) * ramp(ts, over, over.kind === 'overload_brief' ? 2 * MIN : 10 * MIN);
        for (let k = 0; k < 3; k++) {
          txP[k]! += (extra * 0.92) / 3;
          txQ[k]! += (extra * 0.39) / 3;
        }
      }
      const unb = active(siteEpisodes, ts, 'phase_unbalance');
      if (unb) {
        const k = unb.params['phase'] as number;
        txP[k]! += (unb.params['extraShare'] as number) * (sum3(txP) / 3) * ramp(ts, unb, 5 * MIN);
      }
      for (let k = 0; k < 3; k++) {
        txP[k]! *= 1.015;
        txQ[k]! *= 1.03;
      }
      const txS = Math.hypot(sum3(txP), sum3(txQ));
      txPu = txS / site.ratedKva;
      const v = vPu.map((x) => NOMINAL_V * x);
      const i = [0, 1, 2].map((k) => (Math.hypot(txP[k]!, txQ[k]!) * 1000) / v[k]!);
      const reg = registers.get(site.meter)!;
      integrate(reg, sum3(txP), [], ts, plan.stepMs);
      truthValues.get(site.meter)!.push({ ts, secondaryA: siteDown ? Number.NaN : Math.max(...i) / site.ctRatio });
      if (!siteDown) {
        if (rand() < 0.0005) holeUntil = ts + (2 + Math.floor(rand() * 2)) * MIN;
        const sent = emit(
          out,
          site.meter,
          ts,
          rand,
          {
            v_a: v[0]!,
            v_b: v[1]!,
            v_c: v[2]!,
            i_a: i[0]!,
            i_b: i[1]!,
            i_c: i[2]!,
            p_a_kw: txP[0]!,
            p_b_kw: txP[1]!,
            p_c_kw: txP[2]!,
            p_kw: sum3(txP),
            q_kvar: sum3(txQ),
            s_kva: txS,
            pf: sum3(txP) / txS,
            f_hz: 50 + 0.02 * gaussian(rand),
            e_imp_kwh: Math.round(reg.imp * 100) / 100,
            e_exp_kwh: Math.round(reg.exp * 100) / 100,
          },
          ts < holeUntil,
        );
        if (sent) count++;
        if (terminalReading(out, site, jointC, own(site.terminal), ts, ambient, txPu, rand)) count++;
      }
    }
    out.sort((a, b) => a.ts - b.ts || a.device.localeCompare(b.device));
    evs.sort((a, b) => a.ts - b.ts);
    evs.forEach((e, k) => (e.seq = k + 1));
  }
  return { readings, events, truthValues, count, meterEvents };
}

/** Energy registers: the metered power integrated, unless a register tamper episode says otherwise. */
function integrate(
  reg: { imp: number; exp: number; lastP: number | null },
  p: number,
  eps: Episode[],
  ts: number,
  stepMs: number,
): void {
  const back = eps.find((e) => e.kind === 'register_backward' && ts === e.start);
  if (back) reg.imp = back.params['toZero'] ? 0 : reg.imp * (1 - (back.params['stepShare'] as number));
  if (reg.lastP !== null) {
    const mean = (reg.lastP + p) / 2;
    let kwh = (Math.abs(mean) * stepMs) / HOUR;
    if (active(eps, ts, 'register_stall')) kwh = 0;
    const creep = active(eps, ts, 'register_creep');
    if (creep) kwh *= creep.params['factor'] as number;
    if (mean >= 0) reg.imp += kwh;
    else reg.exp += kwh;
  }
  reg.lastP = p;
}

/** Pushes a reading unless it is missing (a dropped poll, or a short hole); returns whether it was sent. */
function emit(
  out: Reading[],
  device: string,
  ts: number,
  rand: () => number,
  values: Record<string, number>,
  hole = false,
): boolean {
  if (hole || rand() < 0.002) return false;
  const v: ReadingValues = {};
  for (const [q, x] of Object.entries(values)) (v as Record<string, number>)[q] = Math.round(x * 1000) / 1000;
  out.push({ device, ts: ts + (device.length % 7) * 1000, values: v, quality: 'good' });
  return true;
}

function terminalReading(
  out: Reading[],
  site: SiteSpec,
  jointC: number[],
  eps: Episode[],
  ts: number,
  ambient: number,
  txPu: number,
  rand: () => number,
): boolean {
  const hours = ((ts + 8 * HOUR) % DAY) / HOUR;
  // Leakage follows humidity (highest at dawn) around the site's own background.
  let ma = 95 + site.n * 12 + 35 * Math.max(0, Math.cos(((hours - 5) / 24) * 2 * Math.PI)) + 5 * gaussian(rand);
  const leak = active(eps, ts, 'leakage');
  if (leak) ma = (leak.params['ma'] as number) + 6 * gaussian(rand);
  const damp = active(eps, ts, 'leakage_damp');
  if (damp) ma = ma + ((damp.params['ma'] as number) - ma) * ramp(ts, damp, 40 * MIN);
  // Joints approach ambient + a rise with the square of the load, with a 20-minute time constant.
  const steady = [0, 1, 2].map((k) => ambient + 5 + k + 18 * txPu * txPu);
  const alpha = 1 - Math.exp(-1 / 20);
  for (let k = 0; k < 3; k++) jointC[k] = jointC[k] === 0 ? steady[k]! : jointC[k]! + alpha * (steady[k]! - jointC[k]!);
  const joints = jointC.map((x) => x + 0.3 * gaussian(rand));
  for (const kind of ['hot_joint', 'warm_joint']) {
    const e = active(eps, ts, kind);
    if (!e) continue;
    const k = (e.params['channel'] as number) - 1;
    const rate = kind === 'hot_joint' ? 2.5 : 0.2; // °C per minute
    joints[k] = Math.min(e.params['maxC'] as number, joints[k]! + rate * ((ts - e.start) / MIN));
  }
  return emit(out, site.terminal, ts, rand, {
    i_res_ma: ma,
    t1_c: joints[0]!,
    t2_c: joints[1]!,
    t3_c: joints[2]!,
    t4_c: ambient + 0.2 * gaussian(rand),
    breaker: 1,
  });
}
