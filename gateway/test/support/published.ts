/** What a gateway under test published on the test broker: readings, events and its latest status. */
import { decodeJsonTelemetry, type GatewayEvent, type Reading } from '@gridsafe/shared';
import type { TestBroker } from './broker.js';

export function publishedReadings(broker: TestBroker, gatewayId: string): Reading[] {
  return broker.on('/telemetry').flatMap((p) => {
    const decoded = decodeJsonTelemetry(p.payload, { expectedGateway: gatewayId });
    if (!decoded.ok) throw new Error(decoded.message);
    return decoded.value.readings;
  });
}

export const publishedEvents = (broker: TestBroker): GatewayEvent[] =>
  broker.on('/events').map((p) => JSON.parse(p.payload.toString()) as GatewayEvent);

/** The fields of a device's status the tests look at. */
export interface DeviceHealth {
  state: string;
  requests: number;
  ok: number;
  polls: number;
  latePolls: number;
  overruns: number;
  skippedRequests: number;
  requestsPerPoll: number;
  intervalMs: number;
  busTimeMs: number;
  busShare: number;
  errors: Record<string, number>;
  holes: Array<{ function: number; first: number; last: number; learned: boolean }>;
}

export interface GatewayHealth {
  devices: Record<string, DeviceHealth>;
  buses: Record<string, { busTimeMs: number; connects: number; errors: Record<string, number> }>;
}

/** The health of the latest retained status (throws before the first). */
export function lastHealth(broker: TestBroker): GatewayHealth {
  const last = broker.on('/status').at(-1);
  if (!last) throw new Error('no status yet');
  return (JSON.parse(last.payload.toString()) as { health: GatewayHealth }).health;
}
