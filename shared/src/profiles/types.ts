/** Device profiles: a meter or terminal model's register map as data (DESIGN.md, "Device profiles are data"). */
import type { DeviceKind } from '../contract/types.js';
import type { Quantity } from '../contract/quantities.js';
import type { Dlt645Map } from './dlt645.js';

export const REGISTER_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'int64', 'uint64', 'float64'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/**
 * Byte order of a value, in Telegraf's notation: ABCD is big-endian words of
 * big-endian bytes (Modbus' own order), CDAB reverses the order of the words, BADC swaps
 * the bytes within each word, DCBA does both (reverses everything). 16-bit values use
 * the first two letters; 64-bit values apply the same two rules to their four words.
 */
export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ByteOrder = (typeof BYTE_ORDERS)[number];

/** Read Holding Registers (3) or Read Input Registers (4). */
export type ReadFunction = 3 | 4;

/** Which transformer ratio turns the device's value into a primary-side value. */
export const PRIMARY_CONVERSIONS = ['none', 'ct', 'pt', 'ctpt'] as const;
export type PrimaryConversion = (typeof PRIMARY_CONVERSIONS)[number];

export interface RegisterDefinition {
  quantity: Quantity;
  function: ReadFunction;
  address: number;
  type: RegisterType;
  byteOrder: ByteOrder;
  /** Multiplier from the raw register value to the quantity's unit (before CT/PT ratios). */
  scale: number;
  primary: PrimaryConversion;
  /** Physically plausible range after scaling, before ratios; outside it the reading is `suspect`. */
  validRange: [number, number];
}

/** A register that is not a canonical quantity (settings, status words), served by the simulator. */
export interface SettingDefinition {
  name: string;
  function: ReadFunction;
  address: number;
  type: RegisterType;
  byteOrder: ByteOrder;
  description: string;
}

/** How the device is read: Modbus registers, or DL/T 645-2007 data identifiers on a serial bus. */
export const PROFILE_PROTOCOLS = ['modbus', 'dlt645'] as const;
export type ProfileProtocol = (typeof PROFILE_PROTOCOLS)[number];

/** Registers first..last (inclusive) of one function code that the device refuses to read (exception 2). */
export interface RegisterHole {
  function: ReadFunction;
  first: number;
  last: number;
}

export interface DeviceProfile {
  id: string;
  model: string;
  kind: DeviceKind;
  protocol: ProfileProtocol;
  /** Where the map comes from and how sure we are of it. */
  source: string;
  /** Most registers one request may read (some devices read fewer than Modbus' 125). */
  maxRegistersPerRequest: number;
  /** Modbus registers (empty for a DL/T 645 profile). */
  registers: RegisterDefinition[];
  settings: SettingDefinition[];
  /** The DI map of a DL/T 645 profile. */
  dlt645?: Dlt645Map;
  /** Unreadable ranges between mapped registers: a read must never span them. */
  holes: RegisterHole[];
}
