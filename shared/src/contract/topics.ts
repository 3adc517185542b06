/** MQTT topic builders and parser (CONTRACT.md, "MQTT topics"). */
export const DEFAULT_TOPIC_PREFIX = 'gridsafe/v1';
export const GATEWAY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Topic suffix that marks a telemetry batch in the compact encoding (negotiated by topic). */
export const COMPACT_TELEMETRY_SUFFIX = 'compact';

export function isGatewayId(id: string): boolean {
  return GATEWAY_ID_PATTERN.test(id);
}

function gatewayRoot(prefix: string, gateway: string): string {
  if (!isGatewayId(gateway)) {
    throw new Error(`gateway id "${gateway}" is not valid: it must match ${GATEWAY_ID_PATTERN.source}`);
  }
  return `${prefix}/gw/${gateway}`;
}

export const topics = {
  telemetry: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) => `${gatewayRoot(prefix, gateway)}/telemetry`,
  compactTelemetry: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) =>
    `${gatewayRoot(prefix, gateway)}/telemetry/${COMPACT_TELEMETRY_SUFFIX}`,
  status: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) => `${gatewayRoot(prefix, gateway)}/status`,
  events: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) => `${gatewayRoot(prefix, gateway)}/events`,
  command: (gateway: string, name: string, prefix = DEFAULT_TOPIC_PREFIX) =>
    `${gatewayRoot(prefix, gateway)}/cmd/${name}`,
  /** Everything a gateway may publish or subscribe under. */
  gatewayFilter: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) => `${gatewayRoot(prefix, gateway)}/#`,
  commandFilter: (gateway: string, prefix = DEFAULT_TOPIC_PREFIX) => `${gatewayRoot(prefix, gateway)}/cmd/#`,
  /** What the cloud subscribes to: every gateway's uplink topics. */
  cloudFilters: (prefix = DEFAULT_TOPIC_PREFIX) => [
    `${prefix}/gw/+/telemetry`,
    `${prefix}/gw/+/telemetry/${COMPACT_TELEMETRY_SUFFIX}`,
    `${prefix}/gw/+/status`,
    `${prefix}/gw/+/events`,
  ],
};

export type ParsedTopic =
  | { gateway: string; kind: 'telemetry'; encoding: 'json' | 'compact' }
  | { gateway: string; kind: 'status' }
  | { gateway: string; kind: 'events' }
  | { gateway: string; kind: 'command'; name: string };

/** Parses a gridsafe topic; returns null for a topic outside the contract. */
export function parseTopic(topic: string, prefix = DEFAULT_TOPIC_PREFIX): ParsedTopic | null {
  if (!topic.startsWith(`${prefix}/gw/`)) return null;
  const parts = topic.slice(prefix.length + 4).split('/');
  const [gateway, kind, extra, ...rest] = parts;
  if (gateway === undefined || !isGatewayId(gateway) || rest.length > 0) return null;
  if (kind === 'telemetry' && extra === undefined) return { gateway, kind, encoding: 'json' };
  if (kind === 'telemetry' && extra === COMPACT_TELEMETRY_SUFFIX) return { gateway, kind, encoding: 'compact' };
  if ((kind === 'status' || kind === 'events') && extra === undefined) return { gateway, kind };
  if (kind === 'cmd' && extra !== undefined && /^[a-z0-9-]{1,64}$/.test(extra))
    return { gateway, kind: 'command', name: extra };
  return null;
}
