/**
 * Line-loss settings and their defaults. FACTS.md "Transformer-area line loss (台区线损)":
 * 0–10 % is the commonly used qualified band, > 10 % high loss (高损), < 0 negative loss
 * (负损); some provinces use other bounds, so the band is per area (see band-store.ts).
 */
export interface LossBand {
  /** Lowest qualified loss rate, % (below: negative/low loss). */
  lowPct: number;
  /** Highest qualified loss rate, % (above: high loss). */
  highPct: number;
}

export interface LineLossSettings {
  /** Band used for an area with none of its own (FACTS.md: 0–10 %, [M]). */
  defaultBand: LossBand;
  /** Share of the area's meters with complete readings a day needs before it is judged (0..1). */
  minCoverage: number;
  /** Consecutive out-of-band days (with coverage) that open `line_loss_abnormal`. */
  runDays: number;
  /** A meter reading gap longer than this makes the meter's day incomplete, ms. */
  maxGapMs: number;
  /** A counter that does not move for this many hours in a day, on a meter that usually consumes, is stuck. */
  stuckHours: number;
  /** ... where "usually consumes" means a median daily energy of at least this, kWh. */
  stuckMinDailyKwh: number;
  /** Days of history the cause analysis looks at (correlations, typical energy). */
  windowDays: number;
  /** A customer whose consumption correlates with the area's loss at or below this is a theft lead. */
  theftMaxCorrelation: number;
  /** A customer whose fall in consumption explains at least this share of the excess loss is a theft lead. */
  theftMinExplainedShare: number;
  /** How many ranked candidates the alert names. */
  candidates: number;
  /** A change of the area's meter set this many days before an abnormal run points at mapping. */
  mappingLookbackDays: number;
  /** Offset of local time from UTC, minutes: days are local days (default +8 h, China Standard Time). */
  utcOffsetMinutes: number;
  /** node-cron expression (UTC) of the daily run; it computes every finished day not yet stored. */
  cron: string;
  /** How many past days the first run (or a run after downtime) catches up at most. */
  catchUpDays: number;
}

export const DEFAULT_LINE_LOSS_SETTINGS: LineLossSettings = {
  defaultBand: { lowPct: 0, highPct: 10 },
  // Judging a day on a few meters would flag every communication gap as high loss.
  minCoverage: 0.9,
  runDays: 1,
  // Two missed 15-minute reads in a row is more than a read retry.
  maxGapMs: 45 * 60_000,
  stuckHours: 12,
  stuckMinDailyKwh: 1,
  windowDays: 28,
  theftMaxCorrelation: -0.5,
  // Half: a bypass explains about all of the excess; the rest of the customers about none.
  theftMinExplainedShare: 0.5,
  candidates: 5,
  mappingLookbackDays: 3,
  utcOffsetMinutes: 480,
  // 00:20 China time: the day's last readings have arrived by then.
  cron: '20 16 * * *',
  catchUpDays: 31,
};

/** Settings over the defaults; throws naming the field that is wrong. */
export function parseLineLossSettings(raw: Partial<LineLossSettings> | undefined): LineLossSettings {
  const s: LineLossSettings = { ...DEFAULT_LINE_LOSS_SETTINGS, ...(raw ?? {}) };
  const fail = (field: string, why: string) => {
    throw new Error(`lineLoss.${field}: ${why}`);
  };
  if (!(s.defaultBand.lowPct < s.defaultBand.highPct)) fail('defaultBand', 'lowPct must be below highPct');
  if (!(s.minCoverage >= 0 && s.minCoverage <= 1)) fail('minCoverage', 'must be from 0 to 1');
  if (!(Number.isInteger(s.runDays) && s.runDays >= 1)) fail('runDays', 'must be a whole number of at least 1');
  if (!(s.maxGapMs > 0)) fail('maxGapMs', 'must be positive');
  if (!(s.stuckHours > 0 && s.stuckHours <= 24)) fail('stuckHours', 'must be from 0 (exclusive) to 24');
  if (!(Number.isInteger(s.windowDays) && s.windowDays >= 3))
    fail('windowDays', 'must be a whole number of at least 3');
  if (!(s.theftMaxCorrelation >= -1 && s.theftMaxCorrelation <= 0)) fail('theftMaxCorrelation', 'must be from -1 to 0');
  if (!(Number.isInteger(s.candidates) && s.candidates >= 1))
    fail('candidates', 'must be a whole number of at least 1');
  if (!(Number.isInteger(s.catchUpDays) && s.catchUpDays >= 1))
    fail('catchUpDays', 'must be a whole number of at least 1');
  return s;
}
