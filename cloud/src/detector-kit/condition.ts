/**
 * Debounce before opening, hysteresis before resolving, severity that may rise while
 * open: the alert life cycle every rule shares, in event time and as plain JSON state.
 *
 * A rule says, for each sample, whether the raise condition holds (`active`), whether
 * the clear condition holds (`cleared`; a stricter threshold than the raise one gives
 * hysteresis), and the severity it would raise at. The tracker answers whether to
 * raise (open, or update an open alert) or clear now. FACTS.md "Alerts": pending period
 * before firing, keep-firing before resolving, a separate clear threshold.
 */
import type { Severity } from '@gridsafe/shared';

export interface ConditionState {
  phase: 'idle' | 'pending' | 'active' | 'clearing';
  /** Event time the present phase began (ms). */
  since: number;
  /** Event time of the sample last seen (ms). */
  lastTs: number;
  /** When the condition first held in this episode (ms): the alert's "since". */
  episodeStart: number;
  /** Highest severity raised in this episode. */
  severity: Severity | null;
  /** Event time of the last raise sent to the store, for periodic refreshes. */
  lastRaisedAt: number;
}

export interface ConditionTiming {
  /** The condition must hold this long before the alert opens (debounce). */
  raiseAfterMs: number;
  /** The clear condition must hold this long before the alert resolves. */
  clearAfterMs: number;
  /** While open, re-raise at most this often to refresh lastSeenAt and evidence. */
  refreshMs: number;
  /** A gap between samples longer than this restarts a pending debounce (we cannot say it held). */
  maxGapMs: number;
}

export interface ConditionSample {
  ts: number;
  active: boolean;
  cleared: boolean;
  severity: Severity;
}

export type ConditionDecision =
  | { action: 'raise'; opened: boolean; severity: Severity; since: number }
  | { action: 'clear'; since: number }
  | { action: 'none' };

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function maxSeverity(a: Severity | null, b: Severity): Severity {
  return a === null || RANK[b] > RANK[a] ? b : a;
}

export function initialCondition(): ConditionState {
  return {
    phase: 'idle',
    since: 0,
    lastTs: Number.NEGATIVE_INFINITY,
    episodeStart: 0,
    severity: null,
    lastRaisedAt: 0,
  };
}

const PHASES: ReadonlyArray<ConditionState['phase']> = ['idle', 'pending', 'active', 'clearing'];

/** A tracker as saved compactly: [phase, since, lastTs, episodeStart, severity, lastRaisedAt]. */
export type PackedCondition = [number, number, number | null, number, Severity | null, number];

export function packCondition(c: ConditionState): PackedCondition {
  return [PHASES.indexOf(c.phase), c.since, c.lastTs, c.episodeStart, c.severity, c.lastRaisedAt];
}

/** A tracker from its packed form, or from the object form saved before (read as it is). */
export function unpackCondition(saved: PackedCondition | ConditionState): ConditionState {
  if (!Array.isArray(saved)) return saved;
  const [phase, since, lastTs, episodeStart, severity, lastRaisedAt] = saved;
  const known = PHASES[phase];
  if (known === undefined) throw new Error(`condition phase ${phase} is not one of 0-3`);
  // A lastTs of −∞ (nothing seen yet) is saved as null by JSON, as in the object form.
  return { phase: known, since, lastTs: lastTs ?? Number.NEGATIVE_INFINITY, episodeStart, severity, lastRaisedAt };
}

export function isOpen(state: ConditionState): boolean {
  return state.phase === 'active' || state.phase === 'clearing';
}

/**
 * Advances the tracker by one sample. Samples older than the last one are ignored
 * (the engine feeds event-time order; a stray late sample must not rewind a debounce).
 */
export function stepCondition(
  state: ConditionState,
  sample: ConditionSample,
  timing: ConditionTiming,
): ConditionDecision {
  const { ts } = sample;
  if (ts < state.lastTs) return { action: 'none' };
  const gap = ts - state.lastTs;
  state.lastTs = ts;
  switch (state.phase) {
    case 'idle':
    case 'pending': {
      if (!sample.active) {
        state.phase = 'idle';
        state.severity = null;
        return { action: 'none' };
      }
      if (state.phase === 'idle' || gap > timing.maxGapMs) {
        state.phase = 'pending';
        state.since = ts;
        state.episodeStart = ts;
        state.severity = null;
      }
      state.severity = maxSeverity(state.severity, sample.severity);
      if (ts - state.since >= timing.raiseAfterMs) {
        state.phase = 'active';
        state.since = ts;
        state.lastRaisedAt = ts;
        return { action: 'raise', opened: true, severity: state.severity, since: state.episodeStart };
      }
      return { action: 'none' };
    }
    case 'active':
    case 'clearing': {
      if (sample.cleared) {
        if (state.phase === 'active') {
          state.phase = 'clearing';
          state.since = ts;
        }
        if (ts - state.since >= timing.clearAfterMs) {
          const since = state.episodeStart;
          state.phase = 'idle';
          state.since = ts;
          state.severity = null;
          return { action: 'clear', since };
        }
        return { action: 'none' };
      }
      // Not cleared: back to (or still) active. In the hysteresis band the alert stays open.
      if (state.phase === 'clearing') {
        state.phase = 'active';
        state.since = ts;
      }
      if (sample.active) {
        const rose = state.severity === null || RANK[sample.severity] > RANK[state.severity];
        if (rose || ts - state.lastRaisedAt >= timing.refreshMs) {
          state.severity = maxSeverity(state.severity, sample.severity);
          state.lastRaisedAt = ts;
          return { action: 'raise', opened: false, severity: state.severity, since: state.episodeStart };
        }
      }
      return { action: 'none' };
    }
  }
}
