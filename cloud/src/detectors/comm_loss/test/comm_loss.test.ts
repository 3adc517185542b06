import t from 'tap';
import type { GatewayEvent } from '@gridsafe/shared';
import { commLoss } from '../index.js';
import { createDetectionEngine } from '../../../detection-engine/engine.js';
import { engineWith, makeDeps, meter, MemoryState } from '../../../../test/detection/fakes.js';
import { T0, batch, feed, reading } from '../../../../test/detection/series.js';

const fleet = { devices: [meter('m-1'), meter('m-2'), meter('m-9', { gateway: 'gw-2' })] };
const S = 1000;
const both = (ts: number, skip?: string) =>
  [reading('m-1', ts, {}), reading('m-2', ts, {})].filter((r) => r.device !== skip);
const ev = (type: string, ts: number, device = 'm-1'): GatewayEvent => ({ gateway: 'gw-1', seq: ts, ts, device, type });

t.test(
  'a device silent while its gateway goes on delivering: raised at lastSeen + 300 s, resolved when it reads again',
  async (t) => {
    const { deps, engine } = await engineWith([commLoss], fleet);
    for (let i = 0; i <= 5; i++) await feed(engine, both(T0 + i * 60 * S, i > 0 ? 'm-1' : undefined));
    t.equal(deps.alerts.alerts.length, 0, 'm-1 silent 300 s: not beyond the allowance');
    await feed(engine, both(T0 + 301 * S, 'm-1'));
    const a = deps.alerts.open('comm_loss', 'm-1')!;
    t.equal(a.openedAt, T0 + 300 * S);
    t.match(a.evidence, { source: 'silence', lastSeen: T0 });
    await feed(engine, both(T0 + 400 * S));
    t.equal(deps.alerts.alerts[0]!.state, 'resolved');
    t.equal(deps.alerts.alerts[0]!.resolvedAt, T0 + 400 * S);
  },
);

t.test(
  "the gateway's own events raise and clear at once; a late event older than the readings is ignored",
  async (t) => {
    const { deps, engine } = await engineWith([commLoss], fleet);
    await feed(engine, both(T0));
    await engine.processEvent(ev('comm_lost', T0 + 30 * S));
    t.match(deps.alerts.open('comm_loss', 'm-1')!, { openedAt: T0 + 30 * S, evidence: { source: 'gateway event' } });
    await engine.processEvent(ev('comm_restored', T0 + 90 * S));
    t.equal(deps.alerts.alerts[0]!.state, 'resolved');
    await feed(engine, both(T0 + 120 * S));
    await engine.processEvent(ev('comm_lost', T0 + 100 * S));
    t.equal(deps.alerts.alerts.length, 1);
  },
);

t.test('a silent gateway raises one gateway alert (not one per device) from the tick, live', async (t) => {
  let wall = T0;
  const deps = makeDeps(fleet);
  const engine = createDetectionEngine(deps, { detectors: [commLoss], wallClock: () => wall });
  await feed(engine, both(T0));
  wall = T0 + 600 * S;
  await engine.tick(wall);
  t.equal(deps.alerts.alerts.length, 0);
  wall = T0 + 601 * S;
  await engine.tick(wall);
  t.same(
    deps.alerts.alerts.map((a) => [a.subject, a.openedAt]),
    [['gw-1', T0 + 600 * S]],
  );
  await feed(engine, both(T0 + 700 * S));
  t.equal(deps.alerts.alerts[0]!.state, 'resolved');
});

t.test(
  'replaying old data fast never looks like silence; a gap in it is found when data resumes, with the same times',
  async (t) => {
    let wall = Date.UTC(2030, 0, 1);
    const deps = makeDeps(fleet);
    const engine = createDetectionEngine(deps, { detectors: [commLoss], wallClock: () => wall });
    for (let i = 0; i < 30; i++) {
      await feed(engine, both(T0 + i * 60 * S));
      wall += 5;
      await engine.tick(wall);
    }
    t.equal(deps.alerts.alerts.length, 0, 'a month-old backlog, ticks in between');
    await feed(engine, both(T0 + 3600 * S));
    t.same(
      deps.alerts.alerts.map((a) => [a.subject, a.openedAt, a.resolvedAt]),
      [['gw-1', T0 + 29 * 60 * S + 600 * S, T0 + 3600 * S]],
    );
  },
);

t.test("a gateway's backlog replayed after another gateway's month does not look silent", async (t) => {
  const { deps, engine } = await engineWith([commLoss], fleet);
  for (let i = 0; i < 60; i++) await engine.processBatch(batch([reading('m-9', T0 + i * 300 * S, {})], 'gw-2'));
  await feed(engine, both(T0));
  await feed(engine, both(T0 + 60 * S));
  t.equal(deps.alerts.alerts.length, 0);
});

t.test("the deadman survives a restart, and the cloud's own downtime is not silence", async (t) => {
  const state = new MemoryState();
  let wall = T0;
  const one = createDetectionEngine(makeDeps(fleet, {}, state), { detectors: [commLoss], wallClock: () => wall });
  await feed(one, both(T0));
  wall = T0 + 3 * 3600 * S; // the cloud was down for three hours
  const deps = makeDeps(fleet, {}, state);
  const two = createDetectionEngine(deps, { detectors: [commLoss], wallClock: () => wall });
  await two.tick(wall);
  t.equal(deps.alerts.alerts.length, 0, 'restart: event time resumes where it stopped');
  wall += 601 * S;
  await two.tick(wall);
  t.equal(
    deps.alerts.open('comm_loss', 'gw-1')?.openedAt,
    T0 + 600 * S,
    'the gateway known before the restart is still watched',
  );
});

t.test('readings taken before the loss, arriving after the event in a batch, do not resolve it', async (t) => {
  const { deps, engine } = await engineWith([commLoss], fleet);
  await feed(engine, both(T0));
  await engine.processEvent(ev('comm_lost', T0 + 240 * S)); // published at once
  await feed(engine, [...both(T0 + 60 * S), ...both(T0 + 120 * S, 'm-1'), ...both(T0 + 300 * S, 'm-1')]); // the batch that was on its way
  const a = deps.alerts.ofType('comm_loss');
  t.equal(a.length, 1);
  t.equal(a[0]!.state, 'open', 'still open');
  t.equal(a[0]!.openedAt, T0 + 240 * S);
  await feed(engine, both(T0 + 600 * S));
  t.equal(a[0]!.state, 'resolved');
  t.equal(deps.alerts.alerts.length, 1, 'one alert for the episode');
});
