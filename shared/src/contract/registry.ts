/** Registry resources of the HTTP API (CONTRACT.md, "HTTP API, minimum"). */
import type { DeviceKind, Tariff } from './types.js';

export interface Transformer {
  id: string;
  site: string;
  ratedKva: number;
  /** IEC vector group, e.g. "Dyn11" or "Yyn0"; the unbalance limit depends on it. */
  vectorGroup?: string;
  /** Area used to route alerts to inspectors. */
  area?: string;
  /** Where it stands, WGS 84 degrees (the console's map of sites); both or neither. */
  lat?: number;
  lon?: number;
}

export interface Customer {
  id: string;
  name: string;
  contractKva: number;
  tariff: Tariff;
  /** A customer with generation may legitimately export; without it, reverse energy is a tamper sign. */
  hasGeneration?: boolean;
}

export interface Device {
  id: string;
  gateway: string;
  kind: DeviceKind;
  transformer?: string;
  customer?: string;
  /** Primary/secondary current ratio of the metering CT (e.g. 300/5 = 60). */
  ctRatio: number;
  ptRatio: number;
  /** Rated secondary current of the metering CT: 5 A or 1 A. */
  ctSecondaryA: number;
}
