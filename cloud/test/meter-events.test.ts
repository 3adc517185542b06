/**
 * Recorded meter events over the real cloud (issue 11): the API records a meter
 * replacement (old and new register, time, who) and refuses bad input with a clear
 * problem; a register reset that was recorded stays silent, the same reset unrecorded
 * raises suspected_tamper (readings through MQTT, detection as the service wires it).
 */
import t, { type Test } from 'tap';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { batch, connectGateway, reading, startTestCloud, type TestCloud } from './support/cloud.js';
import { suspectedTamper } from '../src/detectors/suspected_tamper/index.js';

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const HOUR = 3_600_000;
const replacement = (at: number) => ({
  kind: 'replacement',
  at,
  oldReadingKwh: 8123.4,
  newReadingKwh: 0.2,
  by: 'technician Li',
  note: 'meter swapped after a lightning strike',
});

async function problem(t: Test, response: Response, status: number, detail: RegExp) {
  t.equal(response.status, status);
  const body = (await response.json()) as { detail: string };
  t.match(body.detail, detail);
}

t.test('the API records a meter replacement and lists it; bad input is refused with what, where, why', async (t) => {
  const cloud = await startTestCloud(t);
  const at = Date.UTC(2025, 5, 2, 8, 0, 0);
  const created = await cloud.api('/api/v1/devices/m-001/meter-events', json(replacement(at)));
  t.equal(created.status, 201);
  t.match(await created.json(), {
    device: 'm-001',
    kind: 'replacement',
    at,
    oldReadingKwh: 8123.4,
    by: 'technician Li',
  });
  const list = (await (await cloud.api('/api/v1/devices/m-001/meter-events')).json()) as { items: unknown[] };
  t.match(list.items, [{ device: 'm-001', at, newReadingKwh: 0.2, recordedBy: String, recordedAt: Number }]);

  await problem(t, await cloud.api('/api/v1/devices/m-404/meter-events', json(replacement(at))), 404, /m-404/);
  await problem(
    t,
    await cloud.api('/api/v1/devices/m-001/meter-events', json({ ...replacement(at), kind: 'swap' })),
    400,
    /kind/,
  );
  await problem(
    t,
    await cloud.api('/api/v1/devices/m-001/meter-events', json({ ...replacement(at), oldReadingKwh: -5 })),
    400,
    /oldReadingKwh/,
  );
  await problem(
    t,
    await cloud.api('/api/v1/devices/m-001/meter-events', json({ ...replacement(at), by: undefined })),
    400,
    /by/,
  );
  await problem(
    t,
    await cloud.api('/api/v1/devices/m-001/meter-events', json(replacement(Date.UTC(1990, 0, 1)))),
    400,
    /at .*2000-01-01/,
  );
  const after = (await (await cloud.api('/api/v1/devices/m-001/meter-events')).json()) as { items: unknown[] };
  t.equal(after.items.length, 1, 'nothing refused was stored');
});

/** Two hours of minute readings of a 30 kW load, its register from `fromKwh`, starting at `start`. */
function hours(start: number, count: number, fromKwh: number) {
  return Array.from({ length: count * 60 }, (_, i) =>
    reading('m-001', start + i * 60_000, {
      v_a: 220,
      v_b: 220,
      v_c: 220,
      i_a: 45.5,
      i_b: 45.5,
      i_c: 45.5,
      p_a_kw: 10,
      p_b_kw: 10,
      p_c_kw: 10,
      p_kw: 30,
      e_imp_kwh: Math.round((fromKwh + (30 * i) / 60) * 100) / 100,
    }),
  );
}

async function replay(t: Test, cloud: TestCloud, start: number) {
  const gw = await connectGateway(t, cloud.mqttUrl, 'gw-001', 'gw-001-demo-secret');
  // Before: register at 8,000 kWh; then the meter is swapped (register back to 0.2) and the load goes on.
  const before = hours(start, 2, 8000);
  const afterSwap = hours(start + 2 * HOUR + 30 * 60_000, 4, 0.2);
  let seq = 1;
  for (const readings of [before, afterSwap.slice(0, 120), afterSwap.slice(120)])
    await gw.publishAsync(topics.telemetry('gw-001'), JSON.stringify(batch('gw-001', seq++, readings)), { qos: 1 });
  // Detection has seen everything once suspected_tamper's saved state holds the last reading.
  const last = afterSwap.at(-1)!.ts;
  await waitFor('detection to reach the last reading', async () => {
    const row = await cloud.ctx.rdb.db
      .selectFrom('detector_state')
      .select('state')
      .where('detector', '=', 'suspected_tamper')
      .where('subject', '=', 'm-001')
      .executeTakeFirst();
    // The state as the detector saves it (its compact form), read back as the engine reads it.
    return (
      row !== undefined &&
      suspectedTamper.savedForm!.decode((JSON.parse(row.state) as { s: unknown }).s).register.lastTs === last
    );
  });
}

t.test('a recorded replacement keeps suspected_tamper silent; the same reset unrecorded raises it', async (t) => {
  const start = Date.UTC(2025, 5, 2, 0, 0, 0);
  const recorded = await startTestCloud(t);
  const res = await recorded.api(
    '/api/v1/devices/m-001/meter-events',
    json(replacement(start + 2 * HOUR + 10 * 60_000)),
  );
  t.equal(res.status, 201);
  await replay(t, recorded, start);
  const quiet = (await (await recorded.api('/api/v1/alerts?type=suspected_tamper')).json()) as { items: unknown[] };
  t.equal(quiet.items.length, 0, 'recorded: no alert');

  const unrecorded = await startTestCloud(t);
  await replay(t, unrecorded, start);
  const raised = await waitFor('a suspected_tamper alert', async () => {
    const page = (await (await unrecorded.api('/api/v1/alerts?type=suspected_tamper')).json()) as {
      items: Array<{ subject: string; evidence: Record<string, unknown> }>;
    };
    return page.items[0];
  });
  t.match(raised, { subject: 'm-001', evidence: { signatures: ['register_backward'], registerStep: { toKwh: 0.2 } } });
});
