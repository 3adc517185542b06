/**
 * Reads typed fields out of a config document, collecting every problem (with the
 * file, line and field) instead of stopping at the first, so an engineer fixes them in one go.
 */
import { parseDuration, parseSize } from '../util/units.js';
import { closest } from '@gridsafe/shared';
import { formatPath, type ConfigSource, type FieldPath } from './source.js';

type Obj = Record<string, unknown>;

export class FieldReader {
  readonly problems: string[] = [];

  constructor(readonly source: ConfigSource) {}

  problem(path: FieldPath, message: string, atKey = false): void {
    this.problems.push(`${this.source.where(path, atKey)}: ${formatPath(path)}: ${message}`);
  }

  /** The object at `path` (or undefined when absent); flags keys that are not in `known`. */
  object(value: unknown, path: FieldPath, known: readonly string[], required = false): Obj | undefined {
    if (value === undefined || value === null) {
      if (required) this.problem(path, 'is missing');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problem(path, `must be a mapping of fields, got ${describe(value)}`);
      return undefined;
    }
    const obj = value as Obj;
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        this.problem(
          [...path, key],
          `is not a known field${hint ? ` (did you mean "${hint}"?)` : ''}; known here: ${known.join(', ')}`,
          true,
        );
      }
    }
    return obj;
  }

  array(value: unknown, path: FieldPath, required = false): unknown[] {
    if (value === undefined || value === null) {
      if (required) this.problem(path, 'is missing');
      return [];
    }
    if (!Array.isArray(value)) {
      this.problem(path, `must be a list, got ${describe(value)}`);
      return [];
    }
    return value;
  }

  string(
    obj: Obj | undefined,
    key: string,
    path: FieldPath,
    fallback?: string,
    pattern?: RegExp,
    patternText?: string,
  ): string | undefined {
    const value = obj?.[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.problem([...path, key], 'is missing');
      return fallback;
    }
    if (typeof value !== 'string' || value.length === 0) {
      this.problem([...path, key], `must be a non-empty text, got ${describe(value)}`);
      return fallback;
    }
    if (pattern && !pattern.test(value)) {
      this.problem([...path, key], `"${value}" ${patternText ?? `must match ${pattern.source}`}`);
      return fallback;
    }
    return value;
  }

  optionalString(obj: Obj | undefined, key: string, path: FieldPath): string | undefined {
    const value = obj?.[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.problem([...path, key], `must be a text, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  number(
    obj: Obj | undefined,
    key: string,
    path: FieldPath,
    fallback: number | undefined,
    opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
  ): number {
    const value = obj?.[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) {
        this.problem([...path, key], 'is missing');
        return Number.NaN;
      }
      return fallback;
    }
    const what = opts.integer ? 'a whole number' : 'a number';
    const range = rangeText(opts);
    if (typeof value !== 'number' || !Number.isFinite(value) || (opts.integer && !Number.isInteger(value))) {
      this.problem([...path, key], `must be ${what}${range}, got ${describe(value)}`);
      return fallback ?? Number.NaN;
    }
    const belowMin = opts.min !== undefined && (opts.exclusiveMin ? value <= opts.min : value < opts.min);
    if (belowMin || (opts.max !== undefined && value > opts.max)) {
      this.problem([...path, key], `must be ${what}${range}, got ${value}`);
      return fallback ?? Number.NaN;
    }
    return value;
  }

  duration(
    obj: Obj | undefined,
    key: string,
    path: FieldPath,
    fallback: number,
    opts: { min?: number; max?: number } = {},
  ): number {
    const value = obj?.[key];
    if (value === undefined || value === null) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined) {
      this.problem(
        [...path, key],
        `must be a duration such as 500ms, 2s, 5m or a number of milliseconds, got ${describe(value)}`,
      );
      return fallback;
    }
    if ((opts.min !== undefined && ms < opts.min) || (opts.max !== undefined && ms > opts.max)) {
      this.problem([...path, key], `must be between ${opts.min ?? 0} ms and ${opts.max ?? '∞'} ms, got ${ms} ms`);
      return fallback;
    }
    return ms;
  }

  size(
    obj: Obj | undefined,
    key: string,
    path: FieldPath,
    fallback: number,
    opts: { min?: number; max?: number } = {},
  ): number {
    const value = obj?.[key];
    if (value === undefined || value === null) return fallback;
    const bytes = parseSize(value);
    if (bytes === undefined) {
      this.problem([...path, key], `must be a size such as 65536, 64KiB or 256MiB, got ${describe(value)}`);
      return fallback;
    }
    if ((opts.min !== undefined && bytes < opts.min) || (opts.max !== undefined && bytes > opts.max)) {
      this.problem([...path, key], `must be between ${opts.min ?? 0} and ${opts.max ?? '∞'} bytes, got ${bytes}`);
      return fallback;
    }
    return bytes;
  }

  oneOf<T extends string | number>(
    obj: Obj | undefined,
    key: string,
    path: FieldPath,
    allowed: readonly T[],
    fallback: T | undefined,
  ): T {
    const value = obj?.[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) {
        this.problem([...path, key], `is missing; one of ${allowed.join(', ')}`);
        return allowed[0]!;
      }
      return fallback;
    }
    if (!allowed.includes(value as T)) {
      this.problem([...path, key], `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
      return fallback ?? allowed[0]!;
    }
    return value as T;
  }

  boolean(obj: Obj | undefined, key: string, path: FieldPath, fallback: boolean): boolean {
    const value = obj?.[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.problem([...path, key], `must be true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }
}

function rangeText(opts: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (opts.min !== undefined && opts.max !== undefined)
    return opts.exclusiveMin ? ` above ${opts.min} and at most ${opts.max}` : ` from ${opts.min} to ${opts.max}`;
  if (opts.min !== undefined) return opts.exclusiveMin ? ` above ${opts.min}` : ` of at least ${opts.min}`;
  if (opts.max !== undefined) return ` of at most ${opts.max}`;
  return '';
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}
