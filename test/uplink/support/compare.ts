/**
 * Reading by reading: what the store holds against what the simulator served and what
 * the gateway says it took. Each check returns problems as text, so a failure says which
 * reading, which seq, which gap.
 */
import { readFileSync } from 'node:fs';
import type { StoreContents, StoredReading } from './store.js';

interface ServedState {
  ts: number;
  device: string;
  values: Record<string, number>;
}

export function readServed(path: string): Map<string, ServedState[]> {
  const byDevice = new Map<string, ServedState[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const state = JSON.parse(line) as ServedState;
    byDevice.set(state.device, [...(byDevice.get(state.device) ?? []), state]);
  }
  return byDevice;
}

/** float32 registers scaled by ratios agree to about 7 significant digits. */
const close = (stored: number, served: number) => Math.abs(stored - served) <= 1e-6 * Math.max(1, Math.abs(served));

/** Every stored value is one the simulator served around the reading's time (no invented or altered value). */
export function unservedValues(readings: readonly StoredReading[], served: Map<string, ServedState[]>): string[] {
  const problems: string[] = [];
  for (const reading of readings) {
    const states = served.get(reading.device) ?? [];
    // A reading of two register blocks may straddle a tick: match each quantity in the states around it.
    const candidates = states.filter((s) => s.ts <= reading.ts + 1000 && s.ts >= reading.ts - 3000);
    const wrong = Object.entries(reading.values).filter(
      ([q, v]) => !candidates.some((s) => s.values[q] !== undefined && close(v, s.values[q] as number)),
    );
    if (wrong.length > 0)
      problems.push(
        `${reading.device} ${new Date(reading.ts).toISOString()}: ${wrong.map(([q, v]) => `${q}=${v}`).join(' ')} never served`,
      );
  }
  return problems;
}

/** Gaps between consecutive readings of a device longer than `maxGapMs`, outside the allowed windows. */
export function holes(
  readings: readonly StoredReading[],
  maxGapMs: number,
  allowed: Array<[number, number]> = [],
): string[] {
  const problems: string[] = [];
  const byDevice = new Map<string, number[]>();
  for (const r of readings) byDevice.set(r.device, [...(byDevice.get(r.device) ?? []), r.ts]);
  for (const [device, times] of byDevice) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) {
      const [a, b] = [times[i - 1] as number, times[i] as number];
      if (b - a <= maxGapMs) continue;
      if (allowed.some(([from, to]) => a >= from - maxGapMs && b <= to + maxGapMs)) continue;
      problems.push(
        `${device}: no reading from ${new Date(a).toISOString()} to ${new Date(b).toISOString()} (${b - a} ms)`,
      );
    }
  }
  return problems;
}

/**
 * The ledger against the gateway's seqs: every seq from 1 to lastSeq stored exactly once
 * (except those the overflow policy dropped), and the readings of the stored batches all
 * in the store: if a batch had been stored twice, or the same readings sent under two
 * seqs, the store (keyed by device and ts) would hold fewer rows than the ledger counts.
 */
export function ledgerProblems(
  store: StoreContents,
  lastSeq: number,
  dropped: ReadonlySet<number> = new Set(),
): string[] {
  const problems: string[] = [];
  const seqs = store.ledger.map((row) => row.seq);
  const missing: number[] = [];
  for (let seq = 1; seq <= lastSeq; seq += 1) if (!dropped.has(seq) && !seqs.includes(seq)) missing.push(seq);
  if (missing.length > 0)
    problems.push(
      `seqs never stored: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` (${missing.length} in all)` : ''}`,
    );
  const beyond = seqs.filter((s) => s > lastSeq);
  if (beyond.length > 0) problems.push(`seqs stored that the gateway never gave out: ${beyond.join(', ')}`);
  const ledgerReadings = store.ledger.reduce((n, row) => n + row.readings, 0);
  if (ledgerReadings !== store.readings.length) {
    problems.push(
      `the ledger counts ${ledgerReadings} readings in its batches but the store holds ${store.readings.length}: some reading was stored twice or lost`,
    );
  }
  return problems;
}

/** Seqs given out while the link was down (the backlog) must arrive oldest first. */
export function backlogOrderProblems(store: StoreContents, backlog: readonly number[]): string[] {
  const arrival = store.ledger
    .filter((row) => backlog.includes(row.seq))
    .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
  const out: string[] = [];
  for (let i = 1; i < arrival.length; i += 1) {
    if ((arrival[i] as { seq: number }).seq < (arrival[i - 1] as { seq: number }).seq)
      out.push(`backlog seq ${arrival[i]?.seq} arrived after seq ${arrival[i - 1]?.seq}`);
  }
  return out;
}
