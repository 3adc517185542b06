import t from 'tap';
import type { Detector } from '../../src/detector-kit/detector.js';
import { createDetectionEngine } from '../../src/detection-engine/engine.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, type GatewayEvent } from '@gridsafe/shared';
import { defineSettings } from '../../src/detector-kit/settings.js';
import { openRelational } from '../../src/storage/relational/db.js';
import { SqlDetectorStateStore } from '../../src/storage/relational/detector-state-store.js';
import { makeDeps, meter, MemoryState } from './fakes.js';
import { T0, batch, reading } from './series.js';

/** A probe detector: counts readings per device and raises when a value crosses 10. */
function probe(
  name: string,
  opts: { throwOn?: string; version?: number } = {},
): Detector<{ limit: number }, { seen: number[] }> {
  return {
    name,
    stateVersion: opts.version ?? 1,
    settings: defineSettings({ limit: Type.Number({ default: 10 }) }),
    subjectsOfReading: (input) => [{ subject: input.reading.device, kind: 'device' }],
    initialState: () => ({ seen: [] }),
    onReading(st, input, ref, ctx) {
      if (input.reading.device === opts.throwOn) throw new Error('boom');
      st.seen.push(input.reading.ts);
      const v = input.reading.values.p_kw ?? 0;
      if (v > ctx.settings.limit) {
        // `comm_loss` stands in for any type: the probe is not a real rule.
        return [
          {
            kind: 'raise',
            signal: {
              type: 'comm_loss',
              subject: ref.subject,
              subjectKind: 'device',
              severity: 'info',
              ts: input.reading.ts,
              evidence: { seen: st.seen.length },
            },
          },
        ];
      }
      return [];
    },
  };
}

const fleet = { devices: [meter('m-1'), meter('m-2')] };

t.test('readings reach each detector in event-time order within a batch; state is saved and reloaded', async (t) => {
  const state = new MemoryState();
  const deps = makeDeps(fleet, {}, state);
  const engine = createDetectionEngine(deps, { detectors: [probe('p')] });
  await engine.processBatch(
    batch([reading('m-1', T0 + 2000, {}), reading('m-1', T0, {}), reading('m-1', T0 + 1000, {})]),
  );
  const saved = (await state.load('p', 'm-1')) as { v: number; s: { seen: number[] } };
  t.same(saved.s.seen, [T0, T0 + 1000, T0 + 2000]);
  t.equal(saved.v, 1);
  const again = createDetectionEngine(deps, { detectors: [probe('p')] });
  await again.processBatch(batch([reading('m-1', T0 + 3000, {})]));
  t.same(
    ((await state.load('p', 'm-1')) as { s: { seen: number[] } }).s.seen.length,
    4,
    'continued from the saved state',
  );
});

t.test('state of an older shape is discarded, not misread', async (t) => {
  const state = new MemoryState();
  await state.save('p', 'm-1', { v: 1, s: { seen: [1, 2, 3] } });
  const engine = createDetectionEngine(makeDeps(fleet, {}, state), { detectors: [probe('p', { version: 2 })] });
  await engine.processBatch(batch([reading('m-1', T0, {})]));
  t.same(((await state.load('p', 'm-1')) as { s: { seen: number[] } }).s.seen, [T0]);
});

t.test('calls made without awaiting run one at a time, in order', async (t) => {
  const deps = makeDeps(fleet);
  const engine = createDetectionEngine(deps, { detectors: [probe('p')] });
  const all = [];
  for (let i = 0; i < 20; i++) all.push(engine.processBatch(batch([reading('m-1', T0 + i * 1000, { p_kw: 11 })])));
  await Promise.all(all);
  const raises = deps.alerts.calls.filter((c) => c.op === 'raise').map((c) => c.ts);
  t.same(
    raises,
    Array.from({ length: 20 }, (_, i) => T0 + i * 1000),
  );
  t.equal(deps.alerts.alerts.length, 1, 'one open alert for the subject');
  t.equal(deps.alerts.alerts[0]!.evidence['seen'], 20);
});

t.test('a failing detector is logged and does not stop the others or later readings', async (t) => {
  const deps = makeDeps(fleet);
  const engine = createDetectionEngine(deps, { detectors: [probe('bad', { throwOn: 'm-1' }), probe('good')] });
  await engine.processBatch(batch([reading('m-1', T0, { p_kw: 11 }), reading('m-2', T0 + 1, { p_kw: 11 })]));
  t.same(
    deps.alerts.calls.map((c) => c.subject),
    ['m-1', 'm-2', 'm-2'],
    'good saw m-1; bad and good saw m-2',
  );
});

t.test('suspect readings are skipped by detectors that do not ask for them', async (t) => {
  const deps = makeDeps(fleet);
  const engine = createDetectionEngine(deps, { detectors: [probe('p')] });
  await engine.processBatch(batch([reading('m-1', T0, { p_kw: 99 }, 'suspect')]));
  t.equal(deps.alerts.calls.length, 0);
});

t.test('settings naming no detector, or a bad value, stop the engine at start-up', async (t) => {
  t.throws(
    () => createDetectionEngine(makeDeps(fleet, { nosuch: {} }), { detectors: [probe('p')] }),
    /detectors\.nosuch names no detector/,
  );
  t.throws(
    () => createDetectionEngine(makeDeps(fleet, { p: { limit: 'x' } }), { detectors: [probe('p')] }),
    /detectors\.p\.limit: must be a number, got "x"/,
  );
});

t.test('the built-in detectors load with their defaults, one of each kind named in the contract', async (t) => {
  const { BUILTIN_DETECTORS } = await import('../../src/detectors/index.js');
  const { ALERT_TYPES } = await import('@gridsafe/shared');
  // The forecast and the line-loss analysis raise their own types; every other type is a detector's.
  const raisedElsewhere: string[] = [
    (await import('../../src/forecast/meta.js')).meta.type,
    (await import('../../src/lineloss/meta.js')).meta.type,
  ];
  t.same(
    BUILTIN_DETECTORS.map((d) => d.name).sort(),
    ALERT_TYPES.filter((type) => !raisedElsewhere.includes(type)).sort(),
  );
  const deps = makeDeps(fleet);
  const engine = createDetectionEngine(deps, { detectors: BUILTIN_DETECTORS });
  await engine.processBatch(
    batch([reading('m-1', T0, { p_kw: 1, v_a: 220, v_b: 220, v_c: 220, i_a: 1, i_b: 1, i_c: 1 })]),
  );
  await engine.tick(T0 + 1000);
  t.equal(deps.alerts.calls.length, 0);
});

t.test(
  'a batch offered again (after a crash, before its mark was written) is processed once, even across a restart',
  async (t) => {
    const state = new MemoryState();
    const deps = makeDeps(fleet, {}, state);
    const engine = createDetectionEngine(deps, { detectors: [probe('p')] });
    const b1 = batch([reading('m-1', T0, {})]);
    const b2 = batch([reading('m-1', T0 + 1000, {})]);
    await engine.processBatch(b2);
    await engine.processBatch(b1); // older seq, arriving late: new to detection
    await engine.processBatch(b2);
    const again = createDetectionEngine(makeDeps(fleet, {}, state), { detectors: [probe('p')] });
    await again.processBatch(b1);
    await again.processBatch(b2);
    t.same(((await state.load('p', 'm-1')) as { s: { seen: number[] } }).s.seen, [T0 + 1000, T0]);
  },
);

/**
 * Raises on `comm_lost` and clears on `comm_restored`, whatever came before: unlike the
 * real comm_loss rule, it has no memory that would hide an event handled twice.
 */
const eventProbe: Detector<Record<string, never>, { events: number }> = {
  name: 'event_probe',
  stateVersion: 1,
  settings: defineSettings({}),
  subjectsOfEvent: (event) => (event.device ? [{ subject: event.device, kind: 'device' }] : []),
  initialState: () => ({ events: 0 }),
  onEvent(st, event, ref) {
    st.events++;
    const signal = { type: 'comm_loss' as const, subject: ref.subject, subjectKind: 'device' as const };
    if (event.type === 'comm_lost')
      return [{ kind: 'raise', signal: { ...signal, severity: 'info', ts: event.ts, evidence: {} } }];
    if (event.type === 'comm_restored')
      return [{ kind: 'clear', type: 'comm_loss', subject: ref.subject, ts: event.ts, evidence: {} }];
    return [];
  },
};

t.test(
  'an event offered again after its state was committed (a takeover before its mark) is processed once',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gridsafe-engine-'));
    const rdb = await openRelational({ kind: 'sqlite', path: join(dir, 'state.sqlite') });
    t.teardown(async () => {
      await rdb.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // The alerts outlive the engines, as the shared alert store does across instances.
    const alerts = makeDeps(fleet).alerts;
    const owner = () => {
      const state = new SqlDetectorStateStore(rdb);
      const engine = createDetectionEngine({ ...makeDeps(fleet), alerts, state }, { detectors: [eventProbe] });
      return { state, engine };
    };
    const ev = (seq: number, type: string): GatewayEvent => ({
      gateway: 'gw-1',
      seq,
      ts: T0 + seq * 1000,
      device: 'm-1',
      type,
    });
    const first = owner();
    await first.engine.processEvent(ev(1, 'comm_lost'));
    await first.engine.processEvent(ev(2, 'comm_restored'));
    await first.state.flush();
    t.same(
      alerts.alerts.map((a) => [a.openedAt, a.resolvedAt]),
      [[T0 + 1000, T0 + 2000]],
    );

    const next = owner();
    await next.engine.processEvent(ev(1, 'comm_lost'));
    await next.engine.processEvent(ev(2, 'comm_restored'));
    t.equal(alerts.alerts.length, 1, 'no second alert opened by the repeat');
    t.equal(alerts.calls.length, 2, 'the repeats asked the alert store nothing');
    await next.engine.processEvent(ev(3, 'comm_lost'));
    t.same(
      alerts.alerts.map((a) => [a.openedAt, a.state]),
      [
        [T0 + 1000, 'resolved'],
        [T0 + 3000, 'open'],
      ],
      'the next event is processed',
    );
    await next.state.flush();
    const saved = (await new SqlDetectorStateStore(rdb).load('event_probe', 'm-1')) as { s: { events: number } };
    t.equal(saved.s.events, 3, 'the rule saw each event once');

    // Engine state saved before events were recorded (no eventSeqs) still loads, batch seqs and all.
    const older = new SqlDetectorStateStore(rdb);
    const { eventSeqs, ...before } = (await older.load('_engine', 'engine')) as Record<string, unknown>;
    t.ok(eventSeqs, 'event seqs are saved with the engine state');
    await older.save('_engine', 'engine', before);
    await older.flush();
    const upgraded = owner();
    await upgraded.engine.processEvent(ev(4, 'comm_restored'));
    t.equal(alerts.open('comm_loss', 'm-1'), undefined, 'an event after the upgrade is processed');
  },
);

t.test('seq ranges merge and stay small', async (t) => {
  const { addSeq, hasSeq } = await import('../../src/detection-engine/seq-ranges.js');
  const r: Array<[number, number]> = [];
  for (const s of [5, 3, 4, 10, 1, 2, 7]) addSeq(r, s);
  t.same(r, [
    [1, 5],
    [7, 7],
    [10, 10],
  ]);
  t.ok(hasSeq(r, 4) && !hasSeq(r, 6) && !hasSeq(r, 11));
  for (let s = 100; s < 400; s += 2) addSeq(r, s);
  t.ok(r.length <= 64);
  t.ok(hasSeq(r, 398) && !hasSeq(r, 399));
});

t.test('the same data as one late backlog, gateway after gateway, gives the same alerts as live', async (t) => {
  const { BUILTIN_DETECTORS } = await import('../../src/detectors/index.js');
  const { steps: mk } = await import('./series.js');
  const fleet2 = {
    transformers: [{ id: 'tx-1', site: 's', ratedKva: 100 }],
    customers: [{ id: 'c-1', name: 'c', contractKva: 100, tariff: 'two_part' as const }],
    devices: [
      meter('m-1', { transformer: 'tx-1', customer: 'c-1' }),
      { ...meter('t-2', { gateway: 'gw-2' }), kind: 'terminal' as const },
    ],
  };
  const MIN = 60_000;
  const m1 = mk('m-1', T0, 60, 600, (i) => {
    const p = i > 100 && i < 300 ? 150 : 60;
    const amps = (p * 1000) / (3 * 220 * 0.95);
    return { p_kw: p, q_kvar: p * 0.33, v_a: 220, v_b: 220, v_c: 220, i_a: amps, i_b: amps, i_c: amps, pf: 0.95 };
  }).filter((r) => r.ts < T0 + 400 * MIN || r.ts > T0 + 440 * MIN); // a 40-minute silence
  const t2 = mk('t-2', T0 + 7000, 60, 600, (i) => ({ i_res_ma: i > 200 && i < 230 ? 450 : 120, t1_c: 40 }));
  const chunk = (rs: typeof m1, n: number) =>
    Array.from({ length: Math.ceil(rs.length / n) }, (_, k) => rs.slice(k * n, k * n + n));
  const run = async (order: 'live' | 'backlog') => {
    const deps = makeDeps(fleet2);
    const engine = createDetectionEngine(deps, { detectors: BUILTIN_DETECTORS, wallClock: () => 0 });
    if (order === 'live') {
      const a = chunk(m1, 5).map((rs) => ({ gw: 'gw-1', rs }));
      const b = chunk(t2, 5).map((rs) => ({ gw: 'gw-2', rs }));
      const all = [...a, ...b].sort((x, y) => x.rs.at(-1)!.ts - y.rs.at(-1)!.ts);
      for (const { gw, rs } of all) await engine.processBatch(batch(rs, gw));
    } else {
      for (const rs of chunk(t2, 60)) await engine.processBatch(batch(rs, 'gw-2'));
      for (const rs of chunk(m1, 60)) await engine.processBatch(batch(rs, 'gw-1'));
    }
    return deps.alerts.alerts.map((a) => `${a.type} ${a.subject} ${a.openedAt} ${a.resolvedAt} ${a.severity}`).sort();
  };
  const live = await run('live');
  const backlog = await run('backlog');
  t.ok(live.length >= 4, `alerts: ${live.join('; ')}`);
  t.same(backlog, live);
});
