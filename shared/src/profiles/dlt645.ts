/**
 * DL/T 645-2007 profiles: a meter model's data identifiers (DIs) mapped to canonical
 * quantities, as data. Items name a canonical quantity (sent as telemetry) or a status
 * figure (maximum demand with its time, status words: reported in `meter_status` events).
 * Blocks name a DI that answers several items at once, in the order listed.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { describeSchemaError } from '../contract/validate.js';
import { QUANTITY_NAMES, type Quantity } from '../contract/quantities.js';
import { DEVICE_KINDS } from '../contract/types.js';
import { PRIMARY_CONVERSIONS, type DeviceProfile, type PrimaryConversion } from './types.js';
import { parseValueFormat, type ValueFormat } from '../dlt645/data.js';

export interface Dlt645Item {
  /** As printed in the standard, DI3 first: `02010100`. */
  di: string;
  format: ValueFormat;
  /** The top bit of the highest byte is the sign (current, power, power factor). */
  signed: boolean;
  /** A canonical quantity, sent as telemetry ... */
  quantity?: Quantity;
  /** ... or a status figure, reported in `meter_status` events when it changes. */
  status?: string;
  /** A `YYMMDDhhmm` time follows the value (maximum demand). */
  withTime: boolean;
  primary: PrimaryConversion;
  /** Plausible range after scaling, before ratios (canonical quantities only). */
  validRange: [number, number] | undefined;
}

export interface Dlt645Block {
  di: string;
  /** The DIs of the items it answers, in the order of its data. */
  items: string[];
}

export interface Dlt645Map {
  items: Dlt645Item[];
  blocks: Dlt645Block[];
}

const diSchema = { type: 'string', pattern: '^[0-9A-Fa-f]{8}$' } as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'protocol', 'model', 'kind', 'source', 'items'],
  properties: {
    $comment: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    protocol: { const: 'dlt645' },
    model: { type: 'string', minLength: 1 },
    kind: { enum: [...DEVICE_KINDS] },
    source: { type: 'string', minLength: 1 },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['di', 'format'],
        properties: {
          di: diSchema,
          format: { type: 'string' },
          signed: { type: 'boolean' },
          quantity: { enum: [...QUANTITY_NAMES] },
          status: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
          time: { const: 'YYMMDDhhmm' },
          primary: { enum: [...PRIMARY_CONVERSIONS] },
          validRange: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        },
      },
    },
    blocks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['di', 'items'],
        properties: { di: diSchema, items: { type: 'array', items: diSchema, minItems: 2 } },
      },
    },
  },
} as const;

// Compiled on first use: the gateway's polling imports this module for itemBytes only.
let validate: ValidateFunction | undefined;

interface RawItem {
  di: string;
  format: string;
  signed?: boolean;
  quantity?: Quantity;
  status?: string;
  time?: 'YYMMDDhhmm';
  primary?: PrimaryConversion;
  validRange?: [number, number];
}
interface RawProfile {
  id: string;
  model: string;
  kind: DeviceProfile['kind'];
  source: string;
  items: RawItem[];
  blocks?: Dlt645Block[];
}

/** Checks a DL/T 645 profile document; `fail(path, problem)` throws the caller's error. */
export function parseDlt645Profile(document: unknown, fail: (problem: string) => never): DeviceProfile {
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
  if (!validate(document)) fail(describeSchemaError(validate.errors));
  const raw = document as unknown as RawProfile;
  const seen = new Set<string>();
  const items = raw.items.map((item, i): Dlt645Item => {
    const at = `/items/${i}`;
    const di = item.di.toUpperCase();
    if (seen.has(di)) fail(`${at}/di: ${di} is listed twice`);
    seen.add(di);
    if ((item.quantity === undefined) === (item.status === undefined))
      fail(`${at}: give either "quantity" (a canonical quantity) or "status" (a figure for meter_status events)`);
    let format: ValueFormat;
    try {
      format = parseValueFormat(item.format);
    } catch (error) {
      fail(`${at}/format: ${(error as Error).message}`);
    }
    if (item.quantity !== undefined && item.validRange === undefined)
      fail(`${at}: a canonical quantity needs a validRange`);
    if (item.validRange && !(item.validRange[0] < item.validRange[1]))
      fail(`${at}/validRange: the low end must be below the high end`);
    return {
      di,
      format,
      signed: item.signed ?? false,
      ...(item.quantity !== undefined ? { quantity: item.quantity } : {}),
      ...(item.status !== undefined ? { status: item.status } : {}),
      withTime: item.time !== undefined,
      primary: item.primary ?? 'none',
      validRange: item.validRange,
    };
  });
  const blocks = (raw.blocks ?? []).map((block, i): Dlt645Block => {
    const di = block.di.toUpperCase();
    if (seen.has(di)) fail(`/blocks/${i}/di: ${di} is also an item`);
    const members = block.items.map((m) => m.toUpperCase());
    members.forEach((m, k) => {
      if (!seen.has(m)) fail(`/blocks/${i}/items/${k}: ${m} is not among the profile's items`);
    });
    return { di, items: members };
  });
  return {
    id: raw.id,
    model: raw.model,
    kind: raw.kind,
    source: raw.source,
    protocol: 'dlt645',
    maxRegistersPerRequest: 125,
    registers: [],
    settings: [],
    holes: [],
    dlt645: { items, blocks },
  };
}

/** Bytes an item takes in a reply: its value, and its time when it has one. */
export function itemBytes(item: Dlt645Item): number {
  return item.format.bytes + (item.withTime ? 5 : 0);
}
