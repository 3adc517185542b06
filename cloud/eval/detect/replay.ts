/**
 * Replays generated data through the real ingest path: a cloud started in-process
 * (embedded aedes broker, SQLite stores, the detection engine as the service wires it),
 * gateways as MQTT clients publishing QoS 1 batches and events, many times real speed.
 * Two ways: "live" (15-minute batches from all gateways interleaved in time order) and
 * "backlog" (each gateway's whole run as hour-long batches, all gateways at once, as
 * after a long uplink outage).
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, topics, type GatewayEvent, type Reading, type TelemetryBatch } from '@gridsafe/shared';
import { startCloud, type CloudHandle } from '../../src/service.js';
import { localCloudConfig } from '../../test/support/cloud.js';
import type { FleetPlan } from './plan.js';
import type { Generated } from './generate.js';
import { occurrencesOf, type ScoredAlert } from './score.js';

export type ReplayMode = 'live' | 'backlog';

export interface ReplayResult {
  alerts: ScoredAlert[];
  cases: Array<{ customer: string; contractKva: number; maxDemandKw: number; excessKva: number }>;
  seconds: number;
  batches: number;
}

type Message =
  | { at: number; gateway: string; kind: 'batch'; batch: TelemetryBatch }
  | { at: number; gateway: string; kind: 'event'; event: GatewayEvent }
  | { at: number; gateway: string; kind: 'registry'; change: FleetPlan['registryChanges'][number] }
  | { at: number; gateway: string; kind: 'meter_event'; event: NonNullable<Generated['meterEvents']>[number] };

function messages(plan: FleetPlan, gen: Generated, gateway: string, batchMs: number): Message[] {
  const out: Message[] = [];
  const readings = gen.readings.get(gateway) ?? [];
  let seq = 1;
  let i = 0;
  for (let w = plan.start; w < plan.end; w += batchMs) {
    const chunk: Reading[] = [];
    while (i < readings.length && readings[i]!.ts < w + batchMs) chunk.push(readings[i++]!);
    if (chunk.length === 0) continue;
    const sentAt = w + batchMs;
    out.push({ at: sentAt, gateway, kind: 'batch', batch: { gateway, seq: seq++, sentAt, readings: chunk } });
  }
  for (const event of gen.events.get(gateway) ?? []) out.push({ at: event.ts, gateway, kind: 'event', event });
  for (const change of plan.registryChanges)
    if (change.device.gateway === gateway) out.push({ at: change.at, gateway, kind: 'registry', change });
  for (const event of gen.meterEvents ?? [])
    if (plan.registry.devices.find((d) => d.id === event.device)?.gateway === gateway)
      out.push({ at: event.at, gateway, kind: 'meter_event', event });
  // A gateway's outbox keeps its order: events and batches by the time they were produced.
  return out.sort((a, b) => a.at - b.at || (a.kind === 'batch' ? 1 : 0) - (b.kind === 'batch' ? 1 : 0));
}

async function drained(cloud: CloudHandle): Promise<void> {
  // Ingest acknowledges after storage; detection follows from its own queue.
  for (let quiet = 0; quiet < 3;) {
    await sleep(50);
    quiet = cloud.detection.depth === 0 ? quiet + 1 : 0;
  }
}

export async function replay(
  plan: FleetPlan,
  gen: Generated,
  mode: ReplayMode,
  settings: Record<string, Record<string, unknown>>,
): Promise<ReplayResult> {
  // tmpfs when there is one: the evaluation measures detection, not the disk's fsync.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, `gridsafe-eval-${mode}-`));
  const config = localCloudConfig(dir, { seed: plan.registry, config: { detectors: settings } });
  const log = createLogger('eval-cloud', { level: process.env['GRIDSAFE_EVAL_LOG_LEVEL'] ?? 'warn' });
  const cloud = await startCloud(config, { log });
  const clients = new Map<string, MqttClient>();
  const started = Date.now();
  let batches = 0;
  try {
    for (const gw of plan.registry.gateways) {
      clients.set(
        gw.id,
        await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
          clientId: `${gw.id}-eval`,
          username: gw.id,
          password: gw.secret,
          reconnectPeriod: 0,
        }),
      );
    }
    const send = async (m: Message) => {
      const client = clients.get(m.gateway)!;
      if (m.kind === 'batch') {
        await client.publishAsync(topics.telemetry(m.gateway), JSON.stringify(m.batch), { qos: 1 });
        batches++;
      } else if (m.kind === 'event') {
        await client.publishAsync(topics.events(m.gateway), JSON.stringify(m.event), { qos: 1 });
      } else if (m.kind === 'meter_event') {
        // The technician records the replacement (old and new register) through the API.
        const { device, ...body } = m.event;
        const res = await fetch(`${cloud.httpUrl}/api/v1/devices/${device}/meter-events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`meter event of ${device} refused: ${res.status} ${await res.text()}`);
      } else {
        // The operator registers the new meter's CT once detection has caught up to the swap.
        await drained(cloud);
        const res = await fetch(`${cloud.httpUrl}/api/v1/devices/${m.change.device.id}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(m.change.device),
        });
        if (!res.ok)
          throw new Error(`registry update of ${m.change.device.id} failed: ${res.status} ${await res.text()}`);
      }
    };
    if (mode === 'live') {
      const all = plan.registry.gateways.flatMap((g) => messages(plan, gen, g.id, 15 * 60_000));
      all.sort((a, b) => a.at - b.at);
      for (const m of all) await send(m);
    } else {
      await Promise.all(
        plan.registry.gateways.map(async (g) => {
          for (const m of messages(plan, gen, g.id, 60 * 60_000)) await send(m);
        }),
      );
    }
    await drained(cloud);
    const { items } = await cloud.ctx.alerts.list({}, 100_000, 0);
    const alerts: ScoredAlert[] = items.flatMap(occurrencesOf);
    const caseList = await cloud.ctx.cases.list({}, 10_000, 0);
    const cases = caseList.items.map((c) => ({
      customer: c.customer,
      contractKva: c.contractKva,
      maxDemandKw: c.maxDemandKw,
      excessKva: c.excessKva,
    }));
    return { alerts, cases, seconds: (Date.now() - started) / 1000, batches };
  } finally {
    for (const c of clients.values()) await c.endAsync(true).catch(() => undefined);
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
