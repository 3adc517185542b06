/**
 * The one validator of configuration and settings blocks: a TypeBox schema compiled by
 * ajv, defaults filled in, every problem collected and named `file:line:col: field: message`.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Type, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { durationFits, type DurationRange } from './duration.js';
import { ConfigError } from './error.js';
import { sizeFits, type SizeRange } from './size.js';
import { explain } from './explain.js';
import { problemAt, type ConfigSource, type FieldPath } from './source.js';

// allowUnionTypes: a field may be `{ type: ['string', 'null'] }` (a name, or null for none).
const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, verbose: true, allowUnionTypes: true });
ajv.addKeyword({
  keyword: 'durationMs',
  schemaType: 'object',
  validate: (range: DurationRange, value: unknown) => durationFits(value, range),
});
ajv.addKeyword({
  keyword: 'sizeBytes',
  schemaType: 'object',
  validate: (range: SizeRange, value: unknown) => sizeFits(value, range),
});
/** What a `pattern` means in words, for the message (annotation only). */
ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });

const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorOf(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** A mapping of known fields only: an unknown one (a typo) is refused, with the likely intended name. */
export function Section<P extends TProperties>(
  properties: P,
  options: { description?: string; default?: Record<string, unknown> } = {},
): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** One of a few values (a plain JSON Schema `enum`: one clear message, where a union of literals gives one per literal). */
export function OneOf<const T extends readonly (string | number)[]>(
  values: T,
  options: { default?: T[number]; description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ enum: [...values], ...options });
}

/**
 * Problems of `data` (found at `at` in `source`) against `schema`, each as
 * `file:line:col: field: message`, ordered as they appear in the file. Fills defaults into `data`.
 */
export function schemaProblems(schema: TSchema, data: unknown, source: ConfigSource, at: FieldPath = []): string[] {
  const validate = validatorOf(schema);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: Array<{ text: string; order: string }> = [];
  for (const error of validate.errors ?? []) {
    const { path, atKey, message } = explain(error, data);
    const text = problemAt(source, [...at, ...path], message, atKey);
    if (seen.has(text)) continue;
    seen.add(text);
    problems.push({ text, order: source.where([...at, ...path], atKey) });
  }
  return problems.sort((a, b) => compareWhere(a.order, b.order)).map((p) => p.text);
}

/** `file:12:3` before `file:9:1` sorts by line and column, not as text. */
function compareWhere(a: string, b: string): number {
  const pa = /:(\d+):(\d+)$/.exec(a);
  const pb = /:(\d+):(\d+)$/.exec(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}

/** `data` checked against `schema` with defaults filled in; a ConfigError listing every problem otherwise. */
export function checkSchema<T extends TSchema>(
  schema: T,
  data: unknown,
  source: ConfigSource,
  at: FieldPath = [],
  headline?: string,
): Static<T> {
  const problems = schemaProblems(schema, data, source, at);
  if (problems.length > 0) throw new ConfigError(problems, headline);
  return data as Static<T>;
}
