/** JSON Schemas shared by the routes (and shown in the OpenAPI document), and the list answer they describe. */
import { DEVICE_KINDS, TARIFFS } from '@gridsafe/shared';

export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';

/** The plain JSON Schema leaves records are written with, so a record's schema reads one field a line. */
export const json = {
  string: { type: 'string' },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  stringOrNull: { type: ['string', 'null'] },
  integerOrNull: { type: ['integer', 'null'] },
  /** Any JSON object (evidence, detail, arguments), passed through as it is. */
  object: { type: 'object', additionalProperties: true },
  objectOrNull: { type: ['object', 'null'], additionalProperties: true },
  strings: { type: 'array', items: { type: 'string' } },
  id: { type: 'string', pattern: ID_PATTERN },
} as const;
export const idParam = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: ID_PATTERN, description: 'letters, digits, _ . : -; at most 64' } },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
} as const;

/** A list's querystring: its filters, then `limit` and `offset`. */
export const pagedQuery = <F extends Record<string, object>>(filters: F = {} as F) =>
  ({ type: 'object', additionalProperties: false, properties: { ...filters, ...pageQuery } }) as const;

/** A list's answer (pageOf's shape): the page found, with the `limit` and `offset` asked for. */
export const pageAnswer = <T>(page: { items: T[]; total: number }, query: { limit: number; offset: number }) => ({
  ...page,
  limit: query.limit,
  offset: query.offset,
});

export const pageOf = (item: object) =>
  ({
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: item },
      total: json.integer,
      limit: json.integer,
      offset: json.integer,
    },
  }) as const;

const id = json.id;
const positive = { type: 'number', exclusiveMinimum: 0, maximum: 1e9 } as const;

export const transformerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'site', 'ratedKva'],
  properties: {
    id,
    site: { type: 'string', minLength: 1, maxLength: 200 },
    ratedKva: positive,
    vectorGroup: { type: 'string', pattern: '^[A-Za-z]{1,3}[a-z]{0,3}[0-9]{0,2}$', maxLength: 12 },
    area: { type: 'string', minLength: 1, maxLength: 64 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
  // A position needs both: a lone latitude is a mistake, not half a position.
  dependencies: { lat: ['lon'], lon: ['lat'] },
} as const;

export const customerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'contractKva', 'tariff'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    contractKva: positive,
    tariff: { enum: [...TARIFFS] },
    hasGeneration: json.boolean,
  },
} as const;

export const deviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'gateway', 'kind', 'ctRatio', 'ptRatio', 'ctSecondaryA'],
  properties: {
    id,
    gateway: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    kind: { enum: [...DEVICE_KINDS] },
    transformer: id,
    customer: id,
    ctRatio: positive,
    ptRatio: positive,
    ctSecondaryA: { enum: [1, 5] },
  },
} as const;

export const gatewayBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    secret: {
      type: 'string',
      minLength: 12,
      maxLength: 256,
      description: 'MQTT password of the gateway; stored only as a scrypt hash',
    },
  },
} as const;

export const gatewayInfoSchema = {
  type: 'object',
  properties: {
    id: json.string,
    hasSecret: json.boolean,
    status: json.objectOrNull,
    statusAt: json.integerOrNull,
    lastSeenAt: json.integerOrNull,
  },
} as const;

export const alertSchema = {
  type: 'object',
  properties: {
    id: json.string,
    type: json.string,
    severity: json.string,
    state: json.string,
    subject: json.string,
    subjectKind: json.string,
    openedAt: json.integer,
    lastSeenAt: json.integer,
    acknowledgedAt: json.integerOrNull,
    resolvedAt: json.integerOrNull,
    evidence: json.object,
    notes: { type: 'array', items: json.object },
    occurrences: { type: 'integer', description: 'times the condition started in this episode' },
    firstOccurrenceAt: json.integer,
    lastOccurrenceAt: { type: 'integer', description: 'when the latest occurrence started' },
    occurrenceLog: {
      type: 'array',
      description: 'each occurrence: when it started and ended (null while it goes on), its highest severity',
      items: {
        type: 'object',
        properties: {
          startedAt: json.integer,
          endedAt: json.integerOrNull,
          severity: json.string,
        },
      },
    },
    silence: {
      type: ['object', 'null'],
      description: 'the silence or maintenance window it was raised in: hidden from the default list until `until`',
      properties: { id: json.string, reason: json.string, until: json.integer },
    },
  },
} as const;

/** The text of a comment or a note (one to 4000 characters). */
export const textBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
} as const;

/** The querystring of a time range, each end ms since 1970 or ISO 8601, with what its default is. */
export const timeRangeQuery = (from: string, to: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { from: { type: 'string', description: from }, to: { type: 'string', description: to } },
  }) as const;

export const noteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 2000 } },
} as const;

export const errorResponses = {
  400: { $ref: 'Problem#' },
  401: { $ref: 'Problem#' },
  403: { $ref: 'Problem#' },
  404: { $ref: 'Problem#' },
  409: { $ref: 'Problem#' },
} as const;
