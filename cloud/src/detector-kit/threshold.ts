/**
 * The common shape of a limit rule: a value against a raise threshold, a stricter
 * clear threshold (hysteresis), an optional critical tier, and the debounce timings.
 * Rules that fit it (residual current, temperature, power factor, CT secondary, ...)
 * stay a few lines long and behave alike.
 */
import { type AlertType, type Severity, type SubjectKind, Type } from '@gridsafe/shared';
import type { DetectorOutput } from './detector.js';
import { stepCondition, type ConditionState, type ConditionTiming } from './condition.js';

export interface ThresholdRule {
  type: AlertType;
  subject: string;
  subjectKind: SubjectKind;
  /** 'above': raise when value > raiseAt; 'below': raise when value < raiseAt. */
  direction: 'above' | 'below';
  raiseAt: number;
  /** Must be on the safe side of raiseAt; the alert resolves once the value is there for clearAfterMs. */
  clearAt: number;
  /** Beyond this (in the same direction) the alert is critical; otherwise `severity`. */
  criticalAt?: number;
  severity?: Severity;
  timing: ConditionTiming;
}

export function thresholdStep(
  cond: ConditionState,
  ts: number,
  value: number,
  rule: ThresholdRule,
  evidence: (since: number) => Record<string, unknown>,
): DetectorOutput[] {
  const beyond = (v: number, limit: number) => (rule.direction === 'above' ? v > limit : v < limit);
  const safe = (v: number, limit: number) => (rule.direction === 'above' ? v <= limit : v >= limit);
  const active = beyond(value, rule.raiseAt);
  const critical =
    rule.criticalAt !== undefined && (rule.direction === 'above' ? value >= rule.criticalAt : value <= rule.criticalAt);
  const severity: Severity = critical ? 'critical' : (rule.severity ?? 'warning');
  const decision = stepCondition(cond, { ts, active, cleared: safe(value, rule.clearAt), severity }, rule.timing);
  if (decision.action === 'raise') {
    return [
      {
        kind: 'raise',
        signal: {
          type: rule.type,
          subject: rule.subject,
          subjectKind: rule.subjectKind,
          severity: decision.severity,
          ts,
          evidence: evidence(decision.since),
        },
      },
    ];
  }
  if (decision.action === 'clear') {
    return [{ kind: 'clear', type: rule.type, subject: rule.subject, ts, evidence: evidence(decision.since) }];
  }
  return [];
}

/** Timing settings every limit rule shares, in seconds as configured. */
export function timingOf(s: {
  holdSeconds: number;
  clearSeconds: number;
  refreshSeconds: number;
  maxGapSeconds: number;
}): ConditionTiming {
  return {
    raiseAfterMs: s.holdSeconds * 1000,
    clearAfterMs: s.clearSeconds * 1000,
    refreshMs: s.refreshSeconds * 1000,
    maxGapMs: s.maxGapSeconds * 1000,
  };
}

/** The four timing fields, for a detector's settings schema, with its own debounce defaults. */
export function timingSchema(holdSeconds: number, clearSeconds: number) {
  return {
    /** The condition must hold this long (event time) before the alert opens. */
    holdSeconds: Type.Number({ default: holdSeconds, minimum: 0 }),
    /** The clear condition must hold this long before the alert resolves. */
    clearSeconds: Type.Number({ default: clearSeconds, minimum: 0 }),
    /** While open, lastSeenAt and evidence are refreshed at most this often. */
    refreshSeconds: Type.Number({ default: 300, minimum: 1 }),
    /** A gap between readings longer than this restarts the hold. */
    maxGapSeconds: Type.Number({ default: 900, minimum: 1 }),
  };
}
