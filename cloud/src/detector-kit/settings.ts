/**
 * Reads a detector's settings over its defaults and says exactly what is wrong
 * (`detectors.<name>.<field>`), so a field engineer can fix the config file.
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export type FieldSpec =
  | { kind: 'number'; default: number; min?: number; max?: number; integer?: boolean }
  | { kind: 'boolean'; default: boolean }
  | { kind: 'enum'; default: string; values: readonly string[] }
  | { kind: 'string'; default: string }
  | { kind: 'record'; default: Record<string, number>; min?: number; max?: number };

export type Schema = Record<string, FieldSpec>;

type ValueOf<F extends FieldSpec> = F extends { kind: 'number' }
  ? number
  : F extends { kind: 'boolean' }
    ? boolean
    : F extends { kind: 'enum' }
      ? string
      : F extends { kind: 'string' }
        ? string
        : Record<string, number>;

export type SettingsOf<S extends Schema> = { [K in keyof S]: ValueOf<S[K]> };

export function readSettings<S extends Schema>(
  detector: string,
  schema: S,
  raw: Record<string, unknown> | undefined,
): SettingsOf<S> {
  const out: Record<string, unknown> = {};
  const where = (field: string) => `detectors.${detector}.${field}`;
  const given = raw ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new SettingsError(`detectors.${detector} must be a mapping of setting names to values`);
  }
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      throw new SettingsError(
        `${where(key)} is not a setting of ${detector} (known: ${Object.keys(schema).join(', ')})`,
      );
    }
  }
  for (const [field, spec] of Object.entries(schema)) {
    const value = given[field];
    if (value === undefined) {
      out[field] = spec.default;
      continue;
    }
    switch (spec.kind) {
      case 'number':
        out[field] = checkNumber(where(field), value, spec.min, spec.max, spec.integer);
        break;
      case 'boolean':
        if (typeof value !== 'boolean')
          throw new SettingsError(`${where(field)} must be true or false (got ${JSON.stringify(value)})`);
        out[field] = value;
        break;
      case 'enum':
        if (typeof value !== 'string' || !spec.values.includes(value)) {
          throw new SettingsError(
            `${where(field)} must be one of ${spec.values.join(', ')} (got ${JSON.stringify(value)})`,
          );
        }
        out[field] = value;
        break;
      case 'string':
        if (typeof value !== 'string')
          throw new SettingsError(`${where(field)} must be a string (got ${JSON.stringify(value)})`);
        out[field] = value;
        break;
      case 'record': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new SettingsError(
            `${where(field)} must be a mapping of names to numbers (got ${JSON.stringify(value)})`,
          );
        }
        const rec: Record<string, number> = { ...spec.default };
        for (const [k, v] of Object.entries(value))
          rec[k] = checkNumber(`${where(field)}.${k}`, v, spec.min, spec.max, false);
        out[field] = rec;
        break;
      }
    }
  }
  return out as SettingsOf<S>;
}

function checkNumber(
  where: string,
  value: unknown,
  min: number | undefined,
  max: number | undefined,
  integer: boolean | undefined,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SettingsError(`${where} must be a number (got ${JSON.stringify(value)})`);
  if (min !== undefined && value < min) throw new SettingsError(`${where} must be at least ${min} (got ${value})`);
  if (max !== undefined && value > max) throw new SettingsError(`${where} must be at most ${max} (got ${value})`);
  if (integer && !Number.isInteger(value)) throw new SettingsError(`${where} must be a whole number (got ${value})`);
  return value;
}
