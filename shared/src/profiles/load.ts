/**
 * Loads device profiles from JSON data files and checks them, so that adding a meter
 * model is adding a file. Errors name the file and the field.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { Ajv } from 'ajv';
import { describeSchemaError } from '../contract/validate.js';
import { QUANTITY_NAMES } from '../contract/quantities.js';
import { DEVICE_KINDS } from '../contract/types.js';
import {
  BYTE_ORDERS,
  PRIMARY_CONVERSIONS,
  REGISTER_TYPES,
  type DeviceProfile,
  type RegisterDefinition,
  type RegisterHole,
  type SettingDefinition,
} from './types.js';
import { registerCount } from './register-codec.js';
import { parseDlt645Profile } from './dlt645.js';

/** Where the shipped profiles live: shared/profiles, reached from src/profiles or dist/src/profiles. */
export const BUILTIN_PROFILE_DIR = fileURLToPath(
  new URL(import.meta.url.includes('/dist/src/') ? '../../../profiles/' : '../../profiles/', import.meta.url),
);

const address = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: 65535 },
    { type: 'string', pattern: '^0x[0-9A-Fa-f]{1,4}$' },
  ],
};
const common = {
  address,
  function: { enum: [3, 4] },
  type: { enum: [...REGISTER_TYPES] },
  byteOrder: { enum: [...BYTE_ORDERS] },
};

const profileFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'model', 'kind', 'source', 'registers'],
  properties: {
    $comment: { type: 'string' },
    protocol: { const: 'modbus' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    model: { type: 'string', minLength: 1 },
    kind: { enum: [...DEVICE_KINDS] },
    source: { type: 'string', minLength: 1 },
    maxRegistersPerRequest: { type: 'integer', minimum: 1, maximum: 125 },
    defaults: { type: 'object', additionalProperties: false, properties: common },
    registers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['quantity', 'address', 'validRange'],
        properties: {
          ...common,
          quantity: { enum: [...QUANTITY_NAMES] },
          scale: { type: 'number', not: { const: 0 } },
          primary: { enum: [...PRIMARY_CONVERSIONS] },
          validRange: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        },
      },
    },
    settings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'address', 'description'],
        properties: {
          ...common,
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
          description: { type: 'string' },
        },
      },
    },
    holes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['first', 'last'],
        properties: { function: common.function, first: address, last: address, $comment: { type: 'string' } },
      },
    },
  },
} as const;

const validateProfileFile = new Ajv({ allErrors: false, strict: false }).compile(profileFileSchema);

type RawRegister = {
  address: number | string;
  function?: 3 | 4;
  type?: RegisterDefinition['type'];
  byteOrder?: RegisterDefinition['byteOrder'];
};
interface RawProfile {
  id: string;
  model: string;
  kind: DeviceProfile['kind'];
  source: string;
  maxRegistersPerRequest?: number;
  defaults?: Omit<RawRegister, 'address'>;
  registers: Array<
    RawRegister & {
      quantity: RegisterDefinition['quantity'];
      scale?: number;
      primary?: RegisterDefinition['primary'];
      validRange: [number, number];
    }
  >;
  settings?: Array<RawRegister & { name: string; description: string }>;
  holes?: Array<{ function?: 3 | 4; first: number | string; last: number | string }>;
}

export class ProfileError extends Error {
  constructor(where: string, problem: string) {
    super(`device profile ${where}: ${problem}`);
    this.name = 'ProfileError';
  }
}

/** Checks a parsed profile document and fills in its defaults. `where` names it in errors. */
export function parseProfile(document: unknown, where: string): DeviceProfile {
  if ((document as { protocol?: unknown } | null)?.protocol === 'dlt645')
    return parseDlt645Profile(document, (problem) => {
      throw new ProfileError(where, problem);
    });
  if (!validateProfileFile(document)) throw new ProfileError(where, describeSchemaError(validateProfileFile.errors));
  const raw = document as unknown as RawProfile;
  const defaults = raw.defaults ?? {};
  const toAddress = (a: number | string) => (typeof a === 'string' ? Number.parseInt(a, 16) : a);
  const resolve = (reg: RawRegister, path: string) => {
    const fn = reg.function ?? defaults.function;
    const type = reg.type ?? defaults.type;
    if (fn === undefined) throw new ProfileError(where, `${path}: no function code, and the profile has no default`);
    if (type === undefined) throw new ProfileError(where, `${path}: no type, and the profile has no default`);
    return {
      function: fn,
      address: toAddress(reg.address),
      type,
      byteOrder: reg.byteOrder ?? defaults.byteOrder ?? 'ABCD',
    };
  };
  const registers = raw.registers.map((reg, i): RegisterDefinition => {
    const [low, high] = reg.validRange;
    if (!(low < high))
      throw new ProfileError(where, `/registers/${i}/validRange: the low end must be below the high end`);
    return {
      quantity: reg.quantity,
      ...resolve(reg, `/registers/${i}`),
      scale: reg.scale ?? 1,
      primary: reg.primary ?? 'none',
      validRange: [low, high],
    };
  });
  const settings = (raw.settings ?? []).map((s, i): SettingDefinition => ({
    name: s.name,
    description: s.description,
    ...resolve(s, `/settings/${i}`),
  }));
  const entries = [
    ...registers.map((r) => ({ label: r.quantity, ...r })),
    ...settings.map((s) => ({ label: s.name, ...s })),
  ];
  checkOverlaps(where, entries);
  const holes = (raw.holes ?? []).map((h, i): RegisterHole => {
    const fn = h.function ?? defaults.function;
    if (fn === undefined)
      throw new ProfileError(where, `/holes/${i}: no function code, and the profile has no default`);
    const hole = { function: fn, first: toAddress(h.first), last: toAddress(h.last) };
    if (hole.last < hole.first) throw new ProfileError(where, `/holes/${i}: "last" must not be below "first"`);
    const inside = entries.find(
      (e) =>
        e.function === hole.function && e.address <= hole.last && e.address + registerCount(e.type) - 1 >= hole.first,
    );
    if (inside)
      throw new ProfileError(
        where,
        `/holes/${i}: 0x${hole.first.toString(16)}-0x${hole.last.toString(16)} covers "${inside.label}", which the profile maps`,
      );
    return hole;
  });
  return {
    id: raw.id,
    model: raw.model,
    kind: raw.kind,
    protocol: 'modbus',
    source: raw.source,
    maxRegistersPerRequest: raw.maxRegistersPerRequest ?? 125,
    registers,
    settings,
    holes,
  };
}

function checkOverlaps(
  where: string,
  entries: Array<{ label: string; function: number; address: number; type: RegisterDefinition['type'] }>,
): void {
  const taken = new Map<string, string>();
  for (const entry of entries) {
    for (let k = 0; k < registerCount(entry.type); k++) {
      const key = `${entry.function}:${entry.address + k}`;
      const other = taken.get(key);
      if (other !== undefined) {
        throw new ProfileError(
          where,
          `"${entry.label}" overlaps "${other}" at FC ${entry.function} register 0x${(entry.address + k).toString(16)}`,
        );
      }
      taken.set(key, entry.label);
    }
  }
}

export function loadProfileFile(path: string): DeviceProfile {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ProfileError(path, `cannot be read as JSON: ${(error as Error).message}`);
  }
  const profile = parseProfile(document, path);
  if (`${profile.id}.json` !== basename(path))
    throw new ProfileError(path, `its id "${profile.id}" must match the file name`);
  return profile;
}

/** Loads every profile in a folder, keyed by id. */
export function loadProfileDir(dir: string): Map<string, DeviceProfile> {
  const profiles = new Map<string, DeviceProfile>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const profile = loadProfileFile(join(dir, file));
    profiles.set(profile.id, profile);
  }
  return profiles;
}

export function loadBuiltinProfiles(): Map<string, DeviceProfile> {
  return loadProfileDir(BUILTIN_PROFILE_DIR);
}
