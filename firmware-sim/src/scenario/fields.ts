/**
 * Reading untyped scenario documents field by field, so that every mistake is reported
 * with the file, the line and the field path, and what was expected.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';

export type Path = Array<string | number>;

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${source}${line !== undefined ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'ScenarioError';
  }
}

export function formatPath(path: Path): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}

/** The document and a way to find the line of any path in it. */
export class SourceDoc {
  readonly source: string;
  readonly data: unknown;
  private readonly doc: Document | undefined;
  private readonly lines: LineCounter | undefined;

  private constructor(source: string, data: unknown, doc?: Document, lines?: LineCounter) {
    this.source = source;
    this.data = data;
    this.doc = doc;
    this.lines = lines;
  }

  /** Parses YAML (JSON is a subset of it) keeping positions for messages. */
  static parse(text: string, source: string): SourceDoc {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line ?? (error.pos ? lines.linePos(error.pos[0]).line : undefined);
      throw new ScenarioError(source, line, '', `not valid YAML or JSON: ${error.message.split('\n')[0]}`);
    }
    return new SourceDoc(source, doc.toJS(), doc, lines);
  }

  /** A document built in code (the embedded demo): no lines to report. */
  static fromData(data: unknown, source: string): SourceDoc {
    return new SourceDoc(source, data);
  }

  lineOf(path: Path): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }

  fail(path: Path, problem: string): never {
    throw new ScenarioError(this.source, this.lineOf(path), formatPath(path), problem);
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

  /** A duration: seconds as a number, or text such as "500ms", "10s", "5m", "2h", "1d", "1h30m". */
  duration(key: string, fallback?: number): number {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is required (a duration such as 30s, 5m, 2h)');
    }
    const ms = parseDuration(v);
    if (ms === undefined)
      this.fail(
        key,
        `must be a duration (seconds as a number, or text such as 500ms, 10s, 5m, 2h, 1d), got ${describe(v)}`,
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

export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(match[1]) * unit[match[2]!]!;
  return total;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
