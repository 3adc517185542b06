/**
 * Reading untyped scenario documents field by field, so that every mistake is reported
 * as `file:line:col: field: problem` (the shared ConfigSource and formatter of every
 * gridsafe program), with what was expected.
 */
import { ConfigError, ConfigSource, describeValue, parseDuration, problemAt, type FieldPath } from '@gridsafe/shared';

export type Path = Array<string | number>;

/** A scenario mistake: a ConfigError with one problem, so every program reports it alike. */
export class ScenarioError extends ConfigError {
  constructor(problem: string) {
    super([problem], 'the scenario is not valid');
    this.name = 'ScenarioError';
  }
}

/** The document and a way to place any path in it. */
export class SourceDoc {
  private constructor(private readonly config: ConfigSource) {}

  get source(): string {
    return this.config.name;
  }

  get data(): unknown {
    return this.config.data;
  }

  /** Parses YAML (JSON is a subset of it) keeping positions for messages. */
  static parse(text: string, source: string): SourceDoc {
    try {
      return new SourceDoc(ConfigSource.fromText(text, source));
    } catch (error) {
      if (error instanceof ConfigError) throw new ScenarioError(error.problems[0]!);
      throw error;
    }
  }

  /** A document built in code (the embedded demo): no lines to report. */
  static fromData(data: unknown, source: string): SourceDoc {
    return new SourceDoc(ConfigSource.fromData(data, source));
  }

  fail(path: FieldPath, problem: string): never {
    throw new ScenarioError(problemAt(this.config, path, problem));
  }
}

/** A typed view of one object in the document. */
export class Fields {
  constructor(
    readonly src: SourceDoc,
    readonly path: Path,
    readonly value: Record<string, unknown>,
  ) {}

  static of(src: SourceDoc, path: Path, value: unknown, allowed: readonly string[]): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      src.fail(path, `must be a mapping (key: value), got ${describe(value)}`);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) src.fail([...path, key], `unknown field; expected one of: ${allowed.join(', ')}`);
    }
    return new Fields(src, path, record);
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  fail(key: string, problem: string): never {
    this.src.fail([...this.path, key], problem);
  }

  raw(key: string): unknown {
    return this.value[key];
  }

  string(key: string, fallback?: string, pattern?: RegExp, patternText?: string): string {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is required');
    }
    if (typeof v !== 'string' || v.length === 0) this.fail(key, `must be a non-empty string, got ${describe(v)}`);
    if (pattern && !pattern.test(v)) this.fail(key, `"${v}" is not ${patternText ?? `of the form ${pattern}`}`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  number(key: string, fallback: number | undefined, min: number, max: number, integer = false): number {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is required');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, got ${describe(v)}`);
    if (integer && !Number.isInteger(v)) this.fail(key, `must be a whole number, got ${v}`);
    if (v < min || v > max) this.fail(key, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }

  oneOf<T extends string | number>(key: string, choices: readonly T[], fallback?: T): T {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, `is required (one of: ${choices.join(', ')})`);
    }
    if (!choices.includes(v as T)) this.fail(key, `must be one of: ${choices.join(', ')}; got ${describe(v)}`);
    return v as T;
  }

  list(key: string, required = false): unknown[] {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (required) this.fail(key, 'is required (a list)');
      return [];
    }
    if (!Array.isArray(v)) this.fail(key, `must be a list, got ${describe(v)}`);
    return v;
  }

  numbers(key: string, length: number, min: number, max: number): number[] | undefined {
    if (!this.has(key)) return undefined;
    const v = this.list(key);
    if (v.length !== length) this.fail(key, `must list exactly ${length} numbers, got ${v.length}`);
    return v.map((item, i) => {
      if (typeof item !== 'number' || !Number.isFinite(item) || item < min || item > max)
        this.src.fail([...this.path, key, i], `must be a number between ${min} and ${max}, got ${describe(item)}`);
      return item;
    });
  }

  /** A duration in the shared grammar (500ms, 10s, 5m, 1h30m, 2d); a bare number has no unit and is refused. */
  duration(key: string, fallback?: number): number {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is required (a duration such as 30s, 5m, 2h)');
    }
    if (typeof v === 'number')
      this.fail(
        key,
        `${v} has no unit: say ${v}s or ${v}ms, whichever you mean (units d h m s ms, e.g. 500ms, 30s, 1h30m)`,
      );
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined)
      this.fail(
        key,
        `must be a duration (units d h m s ms, largest first, e.g. 500ms, 30s, 1h30m, 2d), got ${describe(v)}`,
      );
    return ms;
  }

  /** A point in time: a duration after t0, or an ISO 8601 timestamp. */
  time(key: string): { offsetMs: number } | { absoluteMs: number } {
    const v = this.value[key];
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v)) {
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) this.fail(key, `"${v}" is not a valid ISO 8601 timestamp`);
      return { absoluteMs: ms };
    }
    return { offsetMs: this.duration(key) };
  }
}

/** What a value is, for messages (the shared wording). */
export const describe = describeValue;
