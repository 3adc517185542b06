/**
 * Sliding demand: minute averages of power, and the mean of the last N minutes as
 * each minute closes (FACTS.md: 15-minute demand period, 1-minute slide). Plain JSON state.
 */
export interface MeterDemand {
  /** The minute being accumulated (floor(ts / 60 s)). */
  minute: number;
  sumKw: number;
  sumKva: number;
  n: number;
  /** Closed minutes: [minute, mean kW, mean kVA], the most recent `window` of them. */
  mins: Array<[number, number, number]>;
  lastTs: number;
}

export const MINUTE = 60_000;

export function newMeterDemand(ts: number): MeterDemand {
  return { minute: Math.floor(ts / MINUTE), sumKw: 0, sumKva: 0, n: 0, mins: [], lastTs: ts };
}

/**
 * Adds a sample; returns the minutes closed by it (usually none or one). A sample
 * older than the meter's last one is dropped (demand is built in event-time order).
 */
export function addSample(m: MeterDemand, ts: number, kw: number, kva: number, window: number): number[] {
  if (ts < m.lastTs) return [];
  m.lastTs = ts;
  const minute = Math.floor(ts / MINUTE);
  const closed: number[] = [];
  if (minute > m.minute) {
    if (m.n > 0) {
      m.mins.push([m.minute, m.sumKw / m.n, m.sumKva / m.n]);
      closed.push(m.minute);
    }
    while (m.mins.length > 0 && m.mins[0]![0] <= minute - 1 - window) m.mins.shift();
    m.minute = minute;
    m.sumKw = 0;
    m.sumKva = 0;
    m.n = 0;
  }
  m.sumKw += kw;
  m.sumKva += kva;
  m.n++;
  return closed;
}

/** Demand ending with minute `minute`: mean over the window's closed minutes, if enough are there. */
export function demandAt(
  m: MeterDemand,
  minute: number,
  window: number,
  minCoverage: number,
): { kw: number; kva: number } | null {
  let kw = 0;
  let kva = 0;
  let n = 0;
  for (const [min, k, a] of m.mins) {
    if (min > minute - window && min <= minute) {
      kw += k;
      kva += a;
      n++;
    }
  }
  if (n < minCoverage) return null;
  return { kw: kw / n, kva: kva / n };
}
