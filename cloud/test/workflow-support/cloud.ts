/**
 * A real cloud with the workflow plugin, for workflow tests: temp data folder, free
 * ports, a registry with two areas, API users with tokens (inspectors in each area, an
 * auditor, an admin), and a gateway client that publishes telemetry through the broker.
 */
import type { Test } from 'tap';
import mqtt from 'mqtt';
import type { Reading } from '@gridsafe/shared';
import type { CloudHandle } from '../../src/service.js';
import { DEMO_METER, startTestCloud } from '../support/cloud.js';
import type { WorkflowHandle } from '../../src/workflow-plugin/plugin.js';
import { workflowStartOptions } from '../../src/workflow-plugin/start.js';
import { parseWorkflowSettings } from '../../src/workflow-plugin/settings.js';

export const SEED = {
  transformers: [
    { id: 'tx-001', site: 'North substation room 1', ratedKva: 100, vectorGroup: 'Dyn11', area: 'north' },
    { id: 'tx-002', site: 'South substation room 2', ratedKva: 200, vectorGroup: 'Dyn11', area: 'south' },
  ],
  customers: [
    { id: 'c-001', name: 'North Textile Co.', contractKva: 100, tariff: 'two_part' },
    { id: 'c-002', name: 'South Bakery', contractKva: 50, tariff: 'single' },
  ],
  devices: [
    DEMO_METER,
    ...['t-001', 't-002'].map((id) => ({
      id,
      gateway: 'gw-001',
      kind: 'terminal',
      transformer: 'tx-001',
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    })),
    {
      id: 'm-002',
      gateway: 'gw-002',
      kind: 'meter',
      transformer: 'tx-002',
      customer: 'c-002',
      ctRatio: 40,
      ptRatio: 1,
      ctSecondaryA: 5,
    },
    {
      id: 't-009',
      gateway: 'gw-002',
      kind: 'terminal',
      transformer: 'tx-002',
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    },
  ],
  gateways: [
    { id: 'gw-001', secret: 'gw-001-test-secret' },
    { id: 'gw-002', secret: 'gw-002-test-secret' },
  ],
};

export const TOKENS = {
  admin: 'admin-token-0123456789',
  li: 'li-token-0123456789abc',
  wang: 'wang-token-0123456789a',
  chen: 'chen-token-0123456789a',
  zhao: 'zhao-token-0123456789a',
  auditor: 'audit-token-0123456789',
} as const;
export type UserName = keyof typeof TOKENS;

export interface WorkflowCloud {
  cloud: CloudHandle;
  workflow: WorkflowHandle;
  dir: string;
  url: string;
  /** JSON API call as a user; returns status, content type and parsed body (any: tests read whatever JSON the route answers). */
  api(
    user: UserName | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any problem or record shape from it
  ): Promise<{ status: number; type: string; body: any }>;
  /** Publishes readings as gateway gw-001 (or gw-002) through the real broker; resolves when PUBACKed. */
  publish(readings: Reading[], gateway?: 'gw-001' | 'gw-002'): Promise<void>;
}

export async function startWorkflowCloud(t: Test, workflow: Record<string, unknown> = {}): Promise<WorkflowCloud> {
  let handle: WorkflowHandle | undefined;
  const cloud = await startTestCloud(t, {
    seed: SEED,
    config: {
      api: {
        auth: true,
        users: [
          { name: 'admin', role: 'admin', token: TOKENS.admin },
          { name: 'li', role: 'inspector', token: TOKENS.li, areas: ['north'] },
          { name: 'wang', role: 'inspector', token: TOKENS.wang, areas: ['north'] },
          { name: 'chen', role: 'inspector', token: TOKENS.chen, areas: ['north'] },
          { name: 'zhao', role: 'inspector', token: TOKENS.zhao, areas: ['south'] },
          { name: 'auditor', role: 'auditor', token: TOKENS.auditor },
        ],
      },
      http: { rateLimitPerMinute: 100_000 },
      workflow: {
        inspectors: {
          li: { name: 'Li Wei', skills: ['fire_safety'] },
          wang: { name: 'Wang Fang', skills: ['fire_safety', 'metering'] },
          chen: { name: 'Chen Jie', skills: ['high_voltage'], lead: true },
          zhao: { name: 'Zhao Lei', skills: ['fire_safety'] },
        },
        notifications: {
          groupWaitSeconds: 0.2,
          pollMs: 20,
          backoffBaseSeconds: 0.05,
          backoffMaxSeconds: 0.5,
          timeoutSeconds: 2,
        },
        ...workflow,
      },
    },
    start: (config) => workflowStartOptions(config, parseWorkflowSettings(config.workflow), (h) => (handle = h)),
  });
  const clients = new Map<string, mqtt.MqttClient>();
  const seqs = new Map<string, number>();
  // Registered after startTestCloud's (which closes the cloud): tap runs teardowns last first.
  t.teardown(async () => {
    for (const client of clients.values()) await client.endAsync(true);
  });
  if (!handle) throw new Error('the workflow plugin did not start');
  return {
    cloud,
    workflow: handle,
    dir: cloud.dir,
    url: cloud.httpUrl,
    async api(user, method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: { ...(user ? { authorization: `Bearer ${TOKENS[user]}` } : {}), ...headers },
      };
      if (body !== undefined) {
        if (Buffer.isBuffer(body)) init.body = body;
        else {
          init.body = JSON.stringify(body);
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
        }
      }
      const response = await fetch(`${cloud.httpUrl}${path}`, init);
      const type = response.headers.get('content-type') ?? '';
      const text = await response.text();
      return { status: response.status, type, body: /json/.test(type) && text ? JSON.parse(text) : text };
    },
    async publish(readings, gateway = 'gw-001') {
      let client = clients.get(gateway);
      if (!client) {
        const secret = SEED.gateways.find((g) => g.id === gateway)!.secret;
        client = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
          clientId: `${gateway}-test`,
          username: gateway,
          password: secret,
          reconnectPeriod: 0,
        });
        clients.set(gateway, client);
      }
      const seq = (seqs.get(gateway) ?? 0) + 1;
      seqs.set(gateway, seq);
      await client.publishAsync(
        `gridsafe/v1/gw/${gateway}/telemetry`,
        JSON.stringify({ gateway, seq, sentAt: Date.now(), readings }),
        { qos: 1 },
      );
    },
  };
}
