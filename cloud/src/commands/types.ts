/**
 * Commands to gateways (CONTRACT.md topic `gridsafe/v1/gw/{gw}/cmd/{name}`): the shape
 * the store keeps and the API answers. A command is queued when asked for, sent once the
 * instance holding the gateway's MQTT connection has published it, and done or failed
 * when the gateway answers with a `command_done` or `command_rejected` event.
 */

/** The commands the gateway program carries out (gateway/src/gateway.ts). */
export const GATEWAY_COMMAND_NAMES = ['read-now', 'reload-config', 'discover-dlt645'] as const;
export type GatewayCommandName = (typeof GATEWAY_COMMAND_NAMES)[number];

export const GATEWAY_COMMAND_STATES = ['queued', 'sent', 'done', 'failed'] as const;
export type GatewayCommandState = (typeof GATEWAY_COMMAND_STATES)[number];

export interface GatewayCommand {
  id: string;
  name: GatewayCommandName;
  /** Sent as the JSON payload (empty payload when null). */
  args: Record<string, unknown> | null;
  gateway: string;
  requestedBy: string;
  requestedAt: number;
  state: GatewayCommandState;
  sentAt: number | null;
  finishedAt: number | null;
  /** The gateway's answer: its event's detail (a rejection's reason). */
  result: Record<string, unknown> | null;
}
