/**
 * China's working calendar as data (FACTS.md "China's working calendar"): public holidays
 * and adjusted working days (调休) are announced each year by the State Council's General
 * Office, so each year is a file, `cloud/calendars/<year>.json`, naming the notice it
 * comes from. A deployment adds a year without code: drop a file in that folder, or list
 * files of its own in a baseline detector's `calendarFiles` setting.
 *
 * File: `{ "year": 2025, "source": "<the notice>", "holidays": [{ "name": "...", "dates":
 * ["2025-10-01", ...] }], "workingDays": ["2025-09-28", ...] }` (JSON or YAML).
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigSource, Type, checkSchema, problemAt, type Static } from '@gridsafe/shared';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const CALENDAR_FILE = Type.Object(
  {
    year: Type.Integer({ minimum: 1990, maximum: 2200 }),
    /** The notice the dates come from (e.g. 国办发明电〔2024〕12号). */
    source: Type.String({ minLength: 1 }),
    holidays: Type.Array(
      Type.Object(
        { name: Type.String({ minLength: 1 }), dates: Type.Array(Type.String({ pattern: DATE }), { minItems: 1 }) },
        { additionalProperties: false },
      ),
    ),
    /** Weekend days worked instead (调休). */
    workingDays: Type.Array(Type.String({ pattern: DATE })),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
type CalendarFile = Static<typeof CALENDAR_FILE>;

/** The calendar the baselines use: which local dates are holidays and which weekend days are worked. */
export interface WorkingCalendar {
  holidays: ReadonlySet<string>;
  workingDays: ReadonlySet<string>;
  /** Years covered, each with its source, for the log and the evidence. */
  years: ReadonlyMap<number, string>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** The calendars shipped with gridsafe: cloud/calendars (from src/detector-kit, or from dist/src/detector-kit once built). */
export const BUILTIN_CALENDAR_DIR = join(
  HERE,
  ...(basename(dirname(dirname(HERE))) === 'dist' ? ['..', '..', '..'] : ['..', '..']),
  'calendars',
);

function isDate(text: string): boolean {
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Reads and checks one year's file; a ConfigError names the file, line and field of each problem. */
export function readCalendarFile(path: string): CalendarFile {
  const source = ConfigSource.fromFile(path);
  const file = checkSchema(CALENDAR_FILE, source.data, source, [], `${path}: not a working-calendar file`);
  const problems: string[] = [];
  const holidays = new Set<string>();
  file.holidays.forEach((h, i) =>
    h.dates.forEach((d, j) => {
      if (!isDate(d) || !d.startsWith(`${file.year}-`))
        problems.push(problemAt(source, ['holidays', i, 'dates', j], `${d} is not a date of ${file.year}`));
      holidays.add(d);
    }),
  );
  file.workingDays.forEach((d, j) => {
    if (!isDate(d) || !d.startsWith(`${file.year}-`))
      problems.push(problemAt(source, ['workingDays', j], `${d} is not a date of ${file.year}`));
    if (holidays.has(d)) problems.push(problemAt(source, ['workingDays', j], `${d} is also listed as a holiday`));
  });
  if (problems.length > 0) throw new ConfigError(problems, `${path}: not a working-calendar file`);
  return file;
}

/** The built-in years plus the extra files; a year given twice must agree, or it is an error naming both files. */
export function loadWorkingCalendar(extraFiles: readonly string[], builtinDir = BUILTIN_CALENDAR_DIR): WorkingCalendar {
  const files = [
    ...readdirSync(builtinDir)
      .filter((f) => /\.(json|ya?ml)$/.test(f))
      .sort()
      .map((f) => join(builtinDir, f)),
    ...extraFiles,
  ];
  const holidays = new Set<string>();
  const workingDays = new Set<string>();
  const years = new Map<number, string>();
  const from = new Map<number, string>();
  for (const path of files) {
    const file = readCalendarFile(path);
    const earlier = from.get(file.year);
    if (earlier !== undefined) {
      // A deployment may restate a year (e.g. a corrected notice) only by replacing it, never by adding to it.
      throw new ConfigError([
        `${path}: the year ${file.year} is already given by ${earlier}; keep one file per year (remove or rename the other)`,
      ]);
    }
    from.set(file.year, path);
    years.set(file.year, file.source);
    for (const h of file.holidays) for (const d of h.dates) holidays.add(d);
    for (const d of file.workingDays) workingDays.add(d);
  }
  return { holidays, workingDays, years };
}
