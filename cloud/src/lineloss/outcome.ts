/**
 * What the latest stored day means for the area's `line_loss_abnormal` alert: raise (a
 * run of `runDays` out-of-band days with coverage), clear (the latest day is back in
 * band with coverage), or hold (a day without enough coverage says nothing either way).
 */
import type { AlertSignal } from '../detector-kit/types.js';
import type { AreaDay } from './area-day.js';
import { isAbnormal } from './balance.js';
import { classifyCause } from './causes.js';
import type { LineLossSettings } from './settings.js';

export type LineLossOutcome =
  | { kind: 'raise'; signal: AlertSignal }
  | { kind: 'clear'; ts: number; evidence: Record<string, unknown> }
  | { kind: 'hold' };

const dayFigures = (d: AreaDay) => ({
  day: d.day,
  suppliedKwh: d.suppliedKwh,
  soldKwh: d.soldKwh,
  lossKwh: d.lossKwh,
  ratePct: d.ratePct,
  coverage: d.coverage,
  status: d.status,
});

/** `days`: the area's stored days in order, the latest last (the window the analysis may use). */
export function lineLossOutcome(days: AreaDay[], s: LineLossSettings): LineLossOutcome {
  const latest = days[days.length - 1];
  if (!latest || latest.status === 'low_coverage' || latest.status === 'no_supply') return { kind: 'hold' };
  if (!isAbnormal(latest.status)) return { kind: 'clear', ts: latest.dayEnd, evidence: dayFigures(latest) };
  let first = days.length - 1;
  while (first > 0 && isAbnormal((days[first - 1] as AreaDay).status)) first--;
  const run = days.slice(first);
  if (run.length < s.runDays) return { kind: 'hold' };
  const history = days.slice(0, first);
  const finding = classifyCause(history, run, s);
  return {
    kind: 'raise',
    signal: {
      type: 'line_loss_abnormal',
      subject: latest.transformer,
      subjectKind: 'transformer',
      severity: 'warning',
      ts: latest.dayEnd,
      evidence: {
        area: latest.area,
        band: latest.band,
        since: run[0]?.day,
        days: run.map(dayFigures),
        cause: finding.cause,
        signal: finding.signal,
        candidates: finding.candidates,
      },
    },
  };
}
