/**
 * The one duration type of every gridsafe configuration file.
 *
 * Grammar: one or more parts `<number><unit>`, units from largest to smallest, each at
 * most once, no spaces: `d` (day), `h`, `m` (minute), `s`, `ms`. The number is a
 * whole or decimal number. Examples: `500ms`, `5s`, `1.5s`, `1h30m`, `2d`, `1m30s250ms`.
 * A bare number is refused: `pollInterval: 5` read as milliseconds by one program and as
 * seconds by another was the reason for this type; with a unit it cannot be misread.
 */
import { Type, type TUnsafe } from '@sinclair/typebox';

const PART = '(\\d+(?:\\.\\d+)?)';
/** Groups in unit order d, h, m, s, ms; `m` never swallows the `m` of `ms` because `s` must then follow digits. */
const GRAMMAR = new RegExp(`^(?:${PART}d)?(?:${PART}h)?(?:${PART}m(?!s))?(?:${PART}s)?(?:${PART}ms)?$`);
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000, 1] as const;

/** Milliseconds of a duration text, or undefined when it does not follow the grammar. */
export function parseDuration(text: string): number | undefined {
  const match = GRAMMAR.exec(text);
  if (!match || text === '') return undefined;
  let total = 0;
  UNIT_MS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * unit;
  });
  return total;
}

/** The shortest text of the grammar for a whole number of milliseconds (normalised config output). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, name] of [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ] as const) {
    if (rest >= unit) {
      out += `${Math.floor(rest / unit)}${name}`;
      rest %= unit;
    }
  }
  return out;
}

/** Limits of a duration field, as duration texts (checked by the `durationMs` keyword, in ms). */
export interface DurationOptions {
  min?: string;
  max?: string;
  default?: string;
  description?: string;
}

/** The range a `durationMs` keyword carries. */
export interface DurationRange {
  minimum?: number;
  maximum?: number;
}

function limitMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`duration limit "${text}" does not follow the duration grammar`);
  return ms;
}

/**
 * A duration field of a schema. Its value stays the text (so a normalised config reads
 * as written); `toMs` converts it once the whole config is valid.
 */
export function Duration(options: DurationOptions = {}): TUnsafe<string> {
  const range: DurationRange = {};
  const minimum = limitMs(options.min);
  const maximum = limitMs(options.max);
  if (minimum !== undefined) range.minimum = minimum;
  if (maximum !== undefined) range.maximum = maximum;
  return Type.Unsafe<string>({
    durationMs: range,
    ...(options.default !== undefined ? { default: options.default } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

/** Milliseconds of a duration that the schema has already accepted. */
export function toMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`"${text}" is not a duration; it should have been refused by its schema`);
  return ms;
}

/** The `durationMs` keyword's check: the grammar, then the range. */
export function durationFits(value: unknown, range: DurationRange): boolean {
  if (typeof value !== 'string') return false;
  const ms = parseDuration(value);
  if (ms === undefined) return false;
  return !((range.minimum !== undefined && ms < range.minimum) || (range.maximum !== undefined && ms > range.maximum));
}
