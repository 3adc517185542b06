/**
 * Turns one ajv error into a sentence a field engineer can act on: what the field must
 * be and what it is, with the near-miss for a misspelt field name.
 */
import type { ErrorObject } from 'ajv';
import type { DurationRange } from './duration.js';
import { formatDuration } from './duration.js';

type SchemaNode = Record<string, unknown>;

/** The field path of an ajv error, array positions as numbers, and whether it points at a key. */
export interface Explained {
  path: Array<string | number>;
  atKey: boolean;
  message: string;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** ajv's JSON Pointer as path parts; a part is a number where the data there is a list. */
export function pathOf(pointer: string, data: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const index = Array.isArray(node) && /^\d+$/.test(part) ? Number(part) : part;
    out.push(index);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[index] : undefined;
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a text',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  null: 'null',
};

function rangeText(schema: SchemaNode): string {
  const min = (schema['minimum'] ?? schema['exclusiveMinimum']) as number | undefined;
  const max = (schema['maximum'] ?? schema['exclusiveMaximum']) as number | undefined;
  const above = schema['exclusiveMinimum'] !== undefined;
  const below = schema['exclusiveMaximum'] !== undefined;
  if (min !== undefined && max !== undefined) {
    if (above || below) return ` ${above ? 'above' : 'from'} ${min} and ${below ? 'below' : 'at most'} ${max}`;
    return ` from ${min} to ${max}`;
  }
  if (min !== undefined) return above ? ` above ${min}` : ` of at least ${min}`;
  if (max !== undefined) return below ? ` below ${max}` : ` of at most ${max}`;
  return '';
}

function numberWhat(schema: SchemaNode): string {
  return `${schema['type'] === 'integer' ? 'a whole number' : 'a number'}${rangeText(schema)}`;
}

function durationText(value: unknown, range: DurationRange): string {
  const limits =
    range.minimum !== undefined && range.maximum !== undefined
      ? ` from ${formatDuration(range.minimum)} to ${formatDuration(range.maximum)}`
      : range.minimum !== undefined
        ? ` of at least ${formatDuration(range.minimum)}`
        : range.maximum !== undefined
          ? ` of at most ${formatDuration(range.maximum)}`
          : '';
  if (typeof value === 'number')
    return `${value} has no unit: say ${value}s or ${value}ms, whichever you mean (a duration${limits}: units d h m s ms, e.g. 500ms, 30s, 1h30m)`;
  return `must be a duration${limits} (units d h m s ms, largest first, e.g. 500ms, 30s, 1h30m, 2d), got ${describeValue(value)}`;
}

/** The known key a typo most likely meant (edit distance at most 2, or a third of the name: holdSecs, holdSeconds). */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Needs an ajv compiled with `verbose: true` (errors carry the data and the schema). */
export function explain(error: ErrorObject, root: unknown): Explained {
  const path = pathOf(error.instancePath, root);
  const schema = (error.parentSchema ?? {}) as SchemaNode;
  const data: unknown = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((schema['properties'] ?? {}) as SchemaNode);
      const hint = closest(key, known);
      return {
        path: [...path, key],
        atKey: true,
        message: `is not a known field${hint ? ` (did you mean "${hint}"?)` : ''}; known here: ${known.join(', ') || 'none'}`,
      };
    }
    case 'required':
      return { path: [...path, String(params['missingProperty'])], atKey: false, message: 'is missing' };
    case 'type':
      if (schema['type'] === 'number' || schema['type'] === 'integer')
        return { path, atKey: false, message: `must be ${numberWhat(schema)}, got ${describeValue(data)}` };
      return {
        path,
        atKey: false,
        message: `must be ${String(params['type'])
          .split(',')
          .map((type) => TYPE_WORDS[type] ?? type)
          .join(' or ')}, got ${describeValue(data)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, atKey: false, message: `must be ${numberWhat(schema)}, got ${String(data)}` };
    case 'multipleOf':
      return {
        path,
        atKey: false,
        message: `must be a multiple of ${String(params['multipleOf'])}, got ${String(data)}`,
      };
    case 'minLength':
      return {
        path,
        atKey: false,
        message:
          params['limit'] === 1
            ? 'must not be empty'
            : `must be at least ${String(params['limit'])} characters long, got ${String(data).length}`,
      };
    case 'maxLength':
      return { path, atKey: false, message: `must be at most ${String(params['limit'])} characters long` };
    case 'pattern':
      return {
        path,
        atKey: false,
        message: `${describeValue(data)} ${typeof schema['hint'] === 'string' ? schema['hint'] : `must match ${String(params['pattern'])}`}`,
      };
    case 'enum':
      return {
        path,
        atKey: false,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}; got ${describeValue(data)}`,
      };
    case 'const':
      return {
        path,
        atKey: false,
        message: `must be ${describeValue(params['allowedValue'])}, got ${describeValue(data)}`,
      };
    case 'minItems':
      return { path, atKey: false, message: `must list at least ${String(params['limit'])} item(s)` };
    case 'maxItems':
      return { path, atKey: false, message: `must list at most ${String(params['limit'])} item(s)` };
    case 'uniqueItems':
      return {
        path,
        atKey: false,
        message: `lists the same item twice (items ${String(params['j'])} and ${String(params['i'])})`,
      };
    case 'sizeBytes': {
      const range = (schema['sizeBytes'] ?? {}) as { minimum?: number; maximum?: number };
      const limits = `${range.minimum !== undefined ? ` of at least ${range.minimum}` : ''}${range.maximum !== undefined ? `${range.minimum !== undefined ? ' and' : ''} of at most ${range.maximum}` : ''}`;
      return {
        path,
        atKey: false,
        message: `must be a size${limits} bytes, such as 65536, 64KiB or 256MiB, got ${describeValue(data)}`,
      };
    }
    case 'durationMs':
      return { path, atKey: false, message: durationText(data, (schema['durationMs'] ?? {}) as DurationRange) };
    default:
      return { path, atKey: false, message: error.message ?? 'is not valid' };
  }
}
