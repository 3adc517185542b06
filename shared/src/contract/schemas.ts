/**
 * JSON Schemas (draft-07, as Fastify and ajv use) of the v1 payloads.
 * The same schemas serve validation on both sides and the cloud's OpenAPI document.
 */
import { QUANTITY_NAMES } from './quantities.js';
import { READING_QUALITIES } from './types.js';
import { GATEWAY_ID_PATTERN } from './topics.js';

const epochMs = { type: 'integer', minimum: 0, maximum: 8.64e15 } as const;
const deviceId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const gatewayId = { type: 'string', pattern: GATEWAY_ID_PATTERN.source } as const;

export const readingSchema = {
  $id: 'gridsafe/v1/reading',
  type: 'object',
  additionalProperties: false,
  required: ['device', 'ts', 'values', 'quality'],
  properties: {
    device: deviceId,
    ts: epochMs,
    values: {
      type: 'object',
      propertyNames: { enum: [...QUANTITY_NAMES] },
      additionalProperties: { type: 'number' },
    },
    quality: { enum: [...READING_QUALITIES] },
  },
} as const;

export const telemetryBatchSchema = {
  $id: 'gridsafe/v1/telemetry-batch',
  type: 'object',
  additionalProperties: false,
  required: ['gateway', 'seq', 'sentAt', 'readings'],
  properties: {
    gateway: gatewayId,
    seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    sentAt: epochMs,
    readings: { type: 'array', items: readingSchema },
  },
} as const;

export const gatewayStatusSchema = {
  $id: 'gridsafe/v1/gateway-status',
  type: 'object',
  required: ['state', 'since', 'version'],
  properties: {
    state: { enum: ['online', 'offline'] },
    since: epochMs,
    version: { type: 'string', maxLength: 64 },
    health: { type: 'object' },
  },
} as const;

export const gatewayEventSchema = {
  $id: 'gridsafe/v1/gateway-event',
  type: 'object',
  required: ['gateway', 'seq', 'ts', 'type'],
  properties: {
    gateway: gatewayId,
    seq: { type: 'integer', minimum: 0 },
    ts: epochMs,
    device: deviceId,
    type: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    detail: { type: 'object' },
  },
} as const;
