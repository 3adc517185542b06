/** A gateway as the registry answers it (GET /api/v1/gateways): never its secret, only whether it has one. */
import type { GatewayStatus } from '../types.js';

export interface GatewayRecord {
  id: string;
  hasSecret: boolean;
  /** The last status it reported (CONTRACT.md status message), null before the first. */
  status: GatewayStatus | null;
  statusAt: number | null;
  lastSeenAt: number | null;
}
