/** Steps the uplink tests share: wait for the path to carry data, drain, stop in order, and read the final figures. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { tail, waitFor } from '@gridsafe/testkit';
import { gatewayStatus, type Cloud, type Gateway, type GatewayStatusView } from './system.js';

/** Waits until the cloud has stored `n` batches since it started. */
export async function untilStored(
  cloud: Cloud,
  n: number,
  timeoutMs: number,
  what = `${n} batches stored`,
): Promise<void> {
  await waitFor(
    what,
    async () => ((await cloud.metric('gridsafe_ingest_batches_total')) >= n ? true : undefined),
    timeoutMs,
    200,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(cloud.proc)}`);
  });
}

/** Waits for a status sent after `since` whose outbox is empty (the backlog has drained). */
export async function untilDrained(
  cloud: Cloud,
  gateway: Gateway,
  since: number,
  timeoutMs: number,
): Promise<GatewayStatusView> {
  return waitFor(
    'the gateway outbox to drain',
    async () => {
      const info = await cloud.api<{ status: GatewayStatusView | null; statusAt: number | null }>(
        `/api/v1/gateways/gw-up`,
      );
      return info.statusAt !== null && info.statusAt > since && info.status?.health?.outbox?.batches === 0
        ? info.status
        : undefined;
    },
    timeoutMs,
    250,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(gateway.proc)}\n${tail(cloud.proc)}`);
  });
}

export interface GatewayFinal {
  lastSeq: number;
  unsentBatches: number;
  /** Readings the gateway took in its last run (its batcher's count). */
  taken: number;
  status: GatewayStatusView;
}

/** SIGTERM to the gateway; its closing log line and the offline status it sends last. */
export async function stopGateway(t: Test, cloud: Cloud, gateway: Gateway): Promise<GatewayFinal> {
  const { code } = await gateway.proc.stop();
  t.equal(code, 0, 'the gateway stopped cleanly');
  const stopped = gateway.proc.lines().find((l) => l['msg'] === 'gateway stopped');
  if (!stopped) throw new Error(`the gateway did not log its stop\n${tail(gateway.proc)}`);
  const status = await waitFor(
    'the offline status with its health',
    async () => {
      const s = await gatewayStatus(cloud);
      return s?.state === 'offline' && s.health?.readings ? s : undefined;
    },
    10_000,
    200,
  );
  return {
    lastSeq: stopped['lastSeq'] as number,
    unsentBatches: stopped['unsentBatches'] as number,
    taken: status.health?.readings?.readings ?? Number.NaN,
    status,
  };
}

/** The backlog size the gateway saw at its last reconnect (its log). */
export function lastBacklog(gateway: Gateway): number {
  const connects = gateway.proc.lines().filter((l) => l['msg'] === 'connected to the broker');
  return (connects[connects.length - 1]?.['backlogBatches'] as number | undefined) ?? 0;
}

export { sleep };
