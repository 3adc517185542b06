/**
 * Checks across the fields of a config section that its schema cannot express (a duration
 * in whole days, a cron expression, one field bounded by another), collected so every
 * problem is reported at once, each named `file:line:col: <section>.<field>`.
 */
import nodeCron from 'node-cron';
import {
  ConfigError,
  checkSchema,
  problemAt,
  toMs,
  type ConfigSource,
  type FieldPath,
  type Static,
  type TSchema,
} from '@gridsafe/shared';

/**
 * A section's fields as its schema checks them (defaults filled in; `raw` is copied, never
 * changed), and the collector for the checks across its fields.
 */
export function readSection<T extends TSchema>(
  schema: T,
  raw: unknown,
  source: ConfigSource,
  at: FieldPath,
): { fields: Static<T>; check: SectionProblems } {
  return {
    fields: checkSchema(schema, structuredClone(raw ?? {}), source, at),
    check: new SectionProblems(source, at),
  };
}

export class SectionProblems {
  private readonly problems: string[] = [];

  constructor(
    private readonly source: ConfigSource,
    /** Where the section sits in the file, e.g. ['forecast']. */
    private readonly at: FieldPath,
  ) {}

  add(path: FieldPath, message: string): void {
    this.problems.push(problemAt(this.source, [...this.at, ...path], message));
  }

  /** A duration the schema accepted, as a whole number of `unit` (a problem when it is not one). */
  whole(field: string, text: string, unitMs: number, unit: string): number {
    const ms = toMs(text);
    if (ms % unitMs !== 0) this.add([field], `"${text}" must be a whole number of ${unit}`);
    return Math.round(ms / unitMs);
  }

  /** A node-cron schedule (a problem when it is not one). */
  cron(field: string, expression: string, example: string): void {
    if (!nodeCron.validate(expression)) this.add([field], `"${expression}" is not a cron expression like "${example}"`);
  }

  /** Throws a ConfigError listing every problem found, if any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
