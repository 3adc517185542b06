/**
 * Line-loss settings: the `lineLoss` section of the cloud's config file (TypeBox, checked
 * by shared's validator with the rest of the file, durations in the shared Duration
 * grammar), and the settings the analysis reads, derived from it. FACTS.md
 * "Transformer-area line loss (台区线损)": 0–10 % is the commonly used qualified band,
 * > 10 % high loss (高损), < 0 negative loss (负损); some provinces use other bounds, so the
 * band is per area: in the config file (`bands`) or set through the API (day-store.ts).
 */
import { ConfigSource, Duration, Section, Type, toMs, type FieldPath, type Static } from '@gridsafe/shared';
import { readSection } from '../config/section-problems.js';
import { DAY_MS } from './local-day.js';

const HOUR_MS = 3_600_000;

export interface LossBand {
  /** Lowest qualified loss rate, % (below: negative/low loss). */
  lowPct: number;
  /** Highest qualified loss rate, % (above: high loss). */
  highPct: number;
}

/** An area's band from the config file, with the rule it comes from. */
export interface AreaBand extends LossBand {
  source: string;
}

export interface LineLossSettings {
  /** Band used for an area with none of its own (FACTS.md: 0–10 %, [M]). */
  defaultBand: LossBand;
  /** Bands of areas by area name (a band set through the API takes precedence). */
  bands: Record<string, AreaBand>;
  /** Share of the area's meters with complete readings a day needs before it is judged (0..1). */
  minCoverage: number;
  /** Consecutive out-of-band days (with coverage) that open `line_loss_abnormal`. */
  runDays: number;
  /** A meter reading gap longer than this makes the meter's day incomplete, ms. */
  maxGapMs: number;
  /** A counter that does not move for this many hours (may be a fraction) in a day, on a meter that usually consumes, is stuck. */
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

const lossPct = Type.Number({ minimum: -100, maximum: 100 });

/** The `lineLoss` section of the config file; every field has its default. */
export const LINE_LOSS_SCHEMA = Section({
  // 00:20 China time: the day's last readings have arrived by then.
  cron: Type.String({
    minLength: 1,
    default: '20 16 * * *',
    description: 'node-cron schedule (UTC) of the daily pass',
  }),
  defaultBand: Section({ lowPct: lossPct, highPct: lossPct }, { default: { lowPct: 0, highPct: 10 } }),
  bands: Type.Record(
    Type.String({ minLength: 1 }),
    Section({ lowPct: lossPct, highPct: lossPct, source: Type.String({ minLength: 1, maxLength: 500 }) }),
    { default: {}, description: "areas' own bands, each with the rule it comes from" },
  ),
  // Judging a day on a few meters would flag every communication gap as high loss.
  minCoverage: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
  runDays: Type.Integer({ minimum: 1, maximum: 31, default: 1 }),
  // Two missed 15-minute reads in a row is more than a read retry.
  maxGap: Duration({
    min: '1m',
    max: '1d',
    default: '45m',
    description: 'a longer reading gap makes a meter day incomplete',
  }),
  stuck: Duration({ min: '1h', max: '1d', default: '12h', description: 'a counter flat this long in a day is stuck' }),
  stuckMinDailyKwh: Type.Number({ minimum: 0, default: 1 }),
  window: Duration({
    min: '3d',
    max: '366d',
    default: '28d',
    description: 'history the cause analysis reads, whole days',
  }),
  theftMaxCorrelation: Type.Number({ minimum: -1, maximum: 0, default: -0.5 }),
  // Half: a bypass explains about all of the excess; the rest of the customers about none.
  theftMinExplainedShare: Type.Number({ minimum: 0, maximum: 1, default: 0.5 }),
  candidates: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  mappingLookback: Duration({
    max: '90d',
    default: '3d',
    description: 'registry changes this far back point at mapping, whole days',
  }),
  utcOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840, default: 480 }),
  catchUp: Duration({
    min: '1d',
    max: '366d',
    default: '31d',
    description: 'days a pass after downtime catches up at most',
  }),
});

export type LineLossFileSettings = Static<typeof LINE_LOSS_SCHEMA>;

/**
 * The line-loss settings from the `lineLoss` section (`raw`, placed at `lineLoss` in
 * `source`), defaults filled in; a ConfigError naming `file:line:col: lineLoss.<field>`
 * for every problem otherwise. `raw` is copied, never changed.
 */
export function lineLossSettingsOf(
  raw: unknown,
  source: ConfigSource = ConfigSource.fromData({ lineLoss: raw }, 'line-loss settings'),
): LineLossSettings {
  const { fields: f, check } = readSection(LINE_LOSS_SCHEMA, raw, source, ['lineLoss']);
  const band = (path: FieldPath, b: LossBand) => {
    if (!(b.lowPct < b.highPct)) check.add(path, `lowPct (${b.lowPct}) must be below highPct (${b.highPct})`);
  };
  check.cron('cron', f.cron, '20 16 * * *');
  band(['defaultBand'], f.defaultBand);
  for (const [area, b] of Object.entries(f.bands)) band(['bands', area], b);
  const windowDays = check.whole('window', f.window, DAY_MS, 'days');
  const mappingLookbackDays = check.whole('mappingLookback', f.mappingLookback, DAY_MS, 'days');
  const catchUpDays = check.whole('catchUp', f.catchUp, DAY_MS, 'days');
  check.throwIfAny();
  return {
    defaultBand: f.defaultBand,
    bands: f.bands,
    minCoverage: f.minCoverage,
    runDays: f.runDays,
    maxGapMs: toMs(f.maxGap),
    stuckHours: toMs(f.stuck) / HOUR_MS,
    stuckMinDailyKwh: f.stuckMinDailyKwh,
    windowDays,
    theftMaxCorrelation: f.theftMaxCorrelation,
    theftMinExplainedShare: f.theftMinExplainedShare,
    candidates: f.candidates,
    mappingLookbackDays,
    utcOffsetMinutes: f.utcOffsetMinutes,
    cron: f.cron,
    catchUpDays,
  };
}

/** The settings when the config file has no `lineLoss` section. */
export const DEFAULT_LINE_LOSS_SETTINGS: LineLossSettings = lineLossSettingsOf({});
