/**
 * A gateway as the command tests see it: a real MQTT client logged in as the gateway and
 * subscribed to its commands, recording what it receives and answering with events; and
 * the API calls that ask for and list commands.
 */
import type { Test } from 'tap';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { connectGateway } from './cloud.js';

export interface ReceivedCommand {
  topic: string;
  payload: string;
}

export async function commandSubscriber(t: Test, mqttUrl: string, gateway: string, secret: string) {
  const client = await connectGateway(t, mqttUrl, gateway, secret);
  const received: ReceivedCommand[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
  await client.subscribeAsync(topics.commandFilter(gateway), { qos: 1 });
  let seq = 0;
  return {
    received,
    /** Publishes a `command_done` / `command_rejected` event as the gateway program does. */
    answer: (type: 'command_done' | 'command_rejected', detail: Record<string, unknown>) =>
      client.publishAsync(
        topics.events(gateway),
        JSON.stringify({ gateway, seq: ++seq, ts: Date.now(), type, detail }),
        { qos: 1 },
      ),
  };
}

type Api = (path: string, init?: RequestInit) => Promise<Response>;

export function askCommand(api: Api, gateway: string, body: unknown): Promise<Response> {
  return api(`/api/v1/gateways/${gateway}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface CommandRecord {
  id: string;
  name: string;
  state: string;
  args: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  sentAt: number | null;
  finishedAt: number | null;
}

export async function commandsOf(api: Api, gateway: string): Promise<CommandRecord[]> {
  const response = await api(`/api/v1/gateways/${gateway}/commands`);
  return ((await response.json()) as { items: CommandRecord[] }).items;
}

/** Waits until the command is in `state`, and answers its record. */
export async function commandInState(api: Api, gateway: string, id: string, state: string): Promise<CommandRecord> {
  return waitFor(
    `command ${id} ${state}`,
    async () => (await commandsOf(api, gateway)).find((c) => c.id === id && c.state === state),
    30_000,
  );
}
