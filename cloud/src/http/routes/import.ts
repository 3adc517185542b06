/**
 * Bulk registry import from CSV (`POST /api/v1/import/{kind}`, `text/csv`): a header
 * row of the resource's field names, one resource per line. All or nothing: every
 * row is checked first (each problem named by line and field), then all are created
 * or updated in one transaction.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Ajv } from 'ajv';
import { allow } from '../auth.js';
import {
  customerSchema,
  deviceSchema,
  errorResponses,
  gatewayBodySchema,
  transformerSchema,
  json,
} from '../schemas.js';
import { HttpProblem, type Problem } from '../problem.js';
import { validationText } from '../validation-text.js';
import { CsvError, parseCsv } from '../csv.js';
import { needs } from '../services.js';

const SCHEMAS = {
  transformers: transformerSchema,
  customers: customerSchema,
  devices: deviceSchema,
  gateways: gatewayBodySchema,
} as const;
/** The registry kinds a CSV import fills. */
type ImportKind = keyof typeof SCHEMAS;
const ajv = new Ajv({ allErrors: false, strict: false });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]));
const MAX_ROWS = 100_000;

/** Text cells to the JSON types the schema asks for; an empty cell is an absent field. */
function typed(kind: ImportKind, fields: Record<string, string>): Record<string, unknown> {
  const properties = (SCHEMAS[kind] as { properties: Record<string, { type?: string; enum?: unknown[] }> }).properties;
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(fields)) {
    const value = raw.trim();
    if (value === '') continue;
    const type =
      properties[name]?.type ?? (properties[name]?.enum?.every((v) => typeof v === 'number') ? 'number' : undefined);
    if (type === 'number') out[name] = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) ? Number(value) : value;
    else if (type === 'boolean') out[name] = value === 'true' ? true : value === 'false' ? false : value;
    else out[name] = value;
  }
  return out;
}

export const importRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'registry', 'auditLog');
  const { registry, auditLog } = app;
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post<{ Params: { kind: ImportKind }; Body: string }>(
    '/api/v1/import/:kind',
    {
      schema: {
        tags: ['registry'],
        summary: 'Bulk import from CSV (header row of field names); all rows or none',
        consumes: ['text/csv'],
        params: {
          type: 'object',
          required: ['kind'],
          additionalProperties: false,
          properties: { kind: { enum: Object.keys(SCHEMAS) } },
        },
        response: {
          200: { type: 'object', properties: { kind: json.string, imported: json.integer } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const kind = request.params.kind;
      if (typeof request.body !== 'string')
        throw new HttpProblem(415, 'unsupported_media_type', { code: 'problem.csv_media_type' });
      let parsed;
      try {
        parsed = parseCsv(request.body);
      } catch (error) {
        if (error instanceof CsvError) throw new HttpProblem(400, 'bad_csv', error.text);
        throw error;
      }
      if (parsed.records.length > MAX_ROWS)
        throw new HttpProblem(400, 'too_many_rows', {
          code: 'problem.import_too_many_rows',
          params: { rows: parsed.records.length, limit: MAX_ROWS },
        });
      const validate = validators[kind] as ReturnType<typeof ajv.compile>;
      const errors: NonNullable<Problem['errors']> = [];
      const items = parsed.records.map((record) => {
        const item = typed(kind, record.fields);
        const first = validate(item) ? undefined : validate.errors?.[0];
        if (first) {
          const field =
            first.keyword === 'additionalProperties'
              ? String(first.params['additionalProperty'])
              : first.instancePath.slice(1) || (first.params['missingProperty'] as string | undefined) || '';
          const where = `line ${record.line}${field ? `, ${field}` : ''}`;
          errors.push({ where, ...validationText(first, where, 'column') });
        }
        return item;
      });
      const ids = new Map<string, number>();
      parsed.records.forEach((record, index) => {
        const id = String(items[index]?.['id'] ?? '');
        const other = ids.get(id);
        if (other !== undefined)
          errors.push({
            where: `line ${record.line}, id`,
            message: `"${id}" is also on line ${other}`,
            text: { code: 'problem.import_duplicate_id', params: { line: record.line, id, other } },
          });
        ids.set(id, record.line);
      });
      if (errors.length > 0) {
        throw new HttpProblem(
          400,
          'validation',
          `nothing imported: ${errors.length} problem(s), first: ${errors[0]?.where}: ${errors[0]?.message}`,
          errors.slice(0, 100),
          { code: 'problem.import_refused', params: { count: errors.length } },
        );
      }
      await registry.importAll(kind, items);
      await auditLog.record(request.user.name, 'import', kind, `${items.length} rows`, null);
      return { kind, imported: items.length };
    },
  );
};
