/** Precision, recall, F1 and median detection delay per detector against the labelled episodes. */
import type { Alert, AlertOccurrence, AlertType } from '@gridsafe/shared';
import { HOUR, MIN, SCORED, type Episode } from './plan.js';

export interface ScoredAlert {
  /** The alert this occurrence belongs to (one alert per episode may have several). */
  alert: string;
  type: AlertType;
  subject: string;
  openedAt: number;
  resolvedAt: number | null;
  severity: string;
  evidence?: Record<string, unknown>;
}

/**
 * Each occurrence of an alert is scored as a detection: a condition that pauses and
 * returns continues the same alert (CONTRACT.md), and its return is what an inspector
 * sees in the alert's occurrence log. Alerts per episode count distinct alerts.
 */
export function occurrencesOf(a: Alert & { occurrenceLog: AlertOccurrence[] }): ScoredAlert[] {
  return a.occurrenceLog.map((o) => ({
    alert: a.id,
    type: a.type,
    subject: a.subject,
    openedAt: o.startedAt,
    resolvedAt: o.endedAt ?? a.resolvedAt,
    severity: o.severity,
    evidence: a.evidence,
  }));
}

export interface DetectorScore {
  events: number;
  detected: number;
  alerts: number;
  truePositives: number;
  falsePositives: number;
  tolerated: number;
  precision: number;
  recall: number;
  f1: number;
  delaySeconds: number | null;
}

/** How long after an episode ends an alert still counts as its detection. */
const GRACE: Partial<Record<AlertType, number>> = {
  overload: 2 * HOUR, // the hot-spot lags the load
  consumption_anomaly: 4 * HOUR, // hourly blocks and a CUSUM
  suspected_tamper: 2 * HOUR,
  capacity_violation: HOUR,
};
const DEFAULT_GRACE = 30 * MIN;
const EARLY = MIN;

function inWindow(a: ScoredAlert, e: Episode): boolean {
  return a.openedAt >= e.start - EARLY && a.openedAt <= e.end + (GRACE[a.type] ?? DEFAULT_GRACE);
}

/** Whether an episode tolerates this alert: "type@subject", or "type@subject#info" for an info alert only. */
function tolerates(e: Episode, a: ScoredAlert, key: string): boolean {
  return e.tolerate.includes(key) || (a.severity === 'info' && e.tolerate.includes(`${key}#info`));
}

export function score(
  alerts: ScoredAlert[],
  episodes: Episode[],
): {
  detectors: Record<string, DetectorScore>;
  falseAlarms: ScoredAlert[];
  missed: Episode[];
  /** Per episode id, per expected "type@subject": the distinct alerts (ids) whose occurrences detected it. */
  hits: Map<number, Map<string, Set<string>>>;
} {
  const detectors: Record<string, DetectorScore> = {};
  const falseAlarms: ScoredAlert[] = [];
  const missed: Episode[] = [];
  const hitCounts = new Map<number, Map<string, Set<string>>>();
  for (const type of SCORED) {
    const expected = episodes.filter((e) => e.expect.some((x) => x.startsWith(`${type}@`)));
    const mine = alerts.filter((a) => a.type === type);
    const firstHit = new Map<number, number>();
    let tp = 0;
    let fp = 0;
    let tolerated = 0;
    for (const a of mine) {
      const key = `${type}@${a.subject}`;
      const hits = expected.filter((e) => e.expect.includes(key) && inWindow(a, e));
      if (hits.length > 0) {
        tp++;
        for (const e of hits) {
          if (!firstHit.has(e.id) || firstHit.get(e.id)! > a.openedAt) firstHit.set(e.id, a.openedAt);
          const perKey = hitCounts.get(e.id) ?? hitCounts.set(e.id, new Map()).get(e.id)!;
          (perKey.get(key) ?? perKey.set(key, new Set()).get(key)!).add(a.alert);
        }
      } else if (episodes.some((e) => tolerates(e, a, key) && inWindow(a, e))) tolerated++;
      else {
        fp++;
        falseAlarms.push(a);
      }
    }
    const delays = expected
      .filter((e) => firstHit.has(e.id))
      .map((e) => Math.max(0, firstHit.get(e.id)! - e.start) / 1000)
      .sort((x, y) => x - y);
    for (const e of expected) if (!firstHit.has(e.id)) missed.push(e);
    const precision = tp + fp === 0 ? (expected.length === 0 ? 1 : 0) : tp / (tp + fp);
    const recall = expected.length === 0 ? 1 : firstHit.size / expected.length;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    detectors[type] = {
      events: expected.length,
      detected: firstHit.size,
      alerts: mine.length,
      truePositives: tp,
      falsePositives: fp,
      tolerated,
      precision: r3(precision),
      recall: r3(recall),
      f1: r3(f1),
      delaySeconds: delays.length === 0 ? null : Math.round(median(delays)),
    };
  }
  return { detectors, falseAlarms, missed, hits: hitCounts };
}

/** Alerts per ground-truth episode: over every (episode, expected type@subject) that was detected, the mean number of distinct alerts. */
export function alertsPerEpisode(hits: Map<number, Map<string, Set<string>>>): number {
  let pairs = 0;
  let alerts = 0;
  for (const perKey of hits.values())
    for (const ids of perKey.values()) {
      pairs++;
      alerts += ids.size;
    }
  return pairs === 0 ? 0 : r3(alerts / pairs);
}

export interface ClassScore {
  kind: string;
  benign: boolean;
  episodes: number;
  /** Episodes with every expected alert raised (benign: episodes with no false alarm). */
  passed: number;
  /** Alerts that detected its episodes (benign: false alarms on its subjects during it or within 4 h after). */
  alerts: number;
}

/** Scores per episode class: detections for real episodes, false alarms for look-alikes. */
export function scoreByClass(
  episodes: Episode[],
  result: ReturnType<typeof score>,
  subjectsOf: (device: string) => string[],
): ClassScore[] {
  const byKind = new Map<string, ClassScore>();
  for (const e of episodes) {
    if (e.expect.length === 0 && !e.benign) continue;
    const c =
      byKind.get(e.kind) ??
      byKind.set(e.kind, { kind: e.kind, benign: e.benign, episodes: 0, passed: 0, alerts: 0 }).get(e.kind)!;
    c.episodes++;
    if (e.benign) {
      const subjects = subjectsOf(e.device);
      const falseAlarms = result.falseAlarms.filter(
        (a) => subjects.includes(a.subject) && a.openedAt >= e.start && a.openedAt <= e.end + 4 * HOUR,
      ).length;
      c.alerts += falseAlarms;
      if (falseAlarms === 0) c.passed++;
    } else {
      const perKey = result.hits.get(e.id);
      if (e.expect.every((k) => perKey?.has(k))) c.passed++;
      for (const ids of perKey?.values() ?? []) c.alerts += ids.size;
    }
  }
  return [...byKind.values()];
}

/** capacity_violation alerts on a customer during (or the day after) one of its benign look-alikes, not explained by a real excess. */
export function benignCapacityViolations(
  alerts: ScoredAlert[],
  episodes: Episode[],
  customerOf: (device: string) => string | undefined,
): number {
  return alerts.filter((a) => {
    if (a.type !== 'capacity_violation') return false;
    const real = episodes.some((e) => e.expect.includes(`capacity_violation@${a.subject}`) && inWindow(a, e));
    if (real) return false;
    return episodes.some(
      (e) => e.benign && customerOf(e.device) === a.subject && a.openedAt >= e.start && a.openedAt <= e.end + 24 * HOUR,
    );
  }).length;
}

function median(xs: number[]): number {
  const m = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
