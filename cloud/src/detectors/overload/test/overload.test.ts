import t from 'tap';
import { createDetectionEngine } from '../../../detection-engine/engine.js';
import { overload } from '../index.js';
import { makeDeps, meter, MemoryState } from '../../../../test/detection/fakes.js';
import { T0, feed, feedSteps, reading, steps } from '../../../../test/detection/series.js';

const fleet = {
  transformers: [{ id: 'tx-1', site: 's', ratedKva: 100 }],
  devices: [meter('m-1', { transformer: 'tx-1' }), meter('m-2', { transformer: 'tx-1' })],
};
const S = 1000;

/** An ambient profile at one temperature all year and all day. */
const flat = (c: number) => ({ monthlyMeanC: Array(12).fill(c), hourlyOffsetK: Array(24).fill(0) });

/** The rule tests run at a constant 20 °C ambient unless they set their own. */
function engineFor(settings: Record<string, Record<string, unknown>> = {}, state?: MemoryState) {
  const own = settings['overload'] ?? {};
  const deps = makeDeps(fleet, { ...settings, overload: { ambientProfiles: { default: flat(20) }, ...own } }, state);
  return { deps, engine: createDetectionEngine(deps, { detectors: [overload], wallClock: () => 0 }) };
}

t.test('load exactly at the rating never raises; strictly above it for holdSeconds does', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 60 } });
  await feedSteps(engine, 'm-1', T0, 10, 360, () => ({ s_kva: 100 }));
  t.equal(deps.alerts.alerts.length, 0, 'an hour at exactly 1.0 p.u.');

  const start = T0 + 3600 * S;
  await feedSteps(engine, 'm-1', start, 10, 13, () => ({ s_kva: 101 }));
  const [alert] = deps.alerts.ofType('overload');
  t.ok(alert, 'opened');
  t.equal(alert!.openedAt, start + 60 * S, 'at the first reading 60 s after the load crossed');
  t.equal(alert!.subject, 'tx-1');
  t.equal(alert!.severity, 'info', 'above the rating, thermally within the normal cyclic limits');
  t.match(alert!.evidence, { loadKva: 101, ratedKva: 100, pu: 1.01, since: start, minutesToLimit: null });
});

t.test('one second short of the hold does not raise', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 60 } });
  const over = steps('m-1', T0, 1, 60, () => ({ s_kva: 120 })); // 0..59 s above
  await feed(engine, [...over, reading('m-1', T0 + 60 * S, { s_kva: 90 })]);
  t.equal(deps.alerts.alerts.length, 0);
});

t.test('apparent power is summed over the meters, from p and q when s is absent', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 0 } });
  await feed(engine, [reading('m-1', T0, { p_kw: 48, q_kvar: 36 })]);
  t.equal(deps.alerts.alerts.length, 0, '60 kVA alone is within the rating');
  await feed(engine, [reading('m-2', T0 + S, { s_kva: 50 })]);
  // 60 kVA (48, 36) + 50 kVA = 110 kVA on 100 kVA
  t.equal(deps.alerts.ofType('overload').length, 1);
  t.match(deps.alerts.alerts[0]!.evidence, { loadKva: 110, pu: 1.1, meters: { 'm-1': 60, 'm-2': 50 } });
});

t.test('a meter that stopped reporting no longer counts towards the load', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 0, meterStaleSeconds: 600 } });
  await feed(engine, [reading('m-1', T0, { s_kva: 60 }), reading('m-2', T0 + 601 * S, { s_kva: 50 })]);
  t.equal(deps.alerts.alerts.length, 0, 'm-1 is 601 s old, beyond the 600 s allowance');
});

t.test(
  'hysteresis: stays open in the band between clearAtPu and raiseAtPu, resolves after clearSeconds below it',
  async (t) => {
    const { deps, engine } = engineFor({ overload: { holdSeconds: 60, clearSeconds: 120 } });
    await feedSteps(engine, 'm-1', T0, 10, 10, () => ({ s_kva: 110 }));
    t.equal(deps.alerts.open('overload', 'tx-1')?.state, 'open');
    await feedSteps(engine, 'm-1', T0 + 100 * S, 10, 100, () => ({ s_kva: 97 }));
    t.ok(deps.alerts.open('overload', 'tx-1'), 'still open at 0.97 p.u. (band 0.95..1.0)');
    const low = T0 + 1100 * S;
    await feedSteps(engine, 'm-1', low, 10, 12, () => ({ s_kva: 95 }));
    t.equal(deps.alerts.open('overload', 'tx-1')?.pausedAt, null, '110 s at 0.95: not yet');
    await feed(engine, [reading('m-1', low + 120 * S, { s_kva: 95 })]);
    const a = deps.alerts.ofType('overload')[0]!;
    t.equal(a.pausedAt, low + 120 * S, 'the occurrence ends; the episode is quiet');
    t.equal(a.state, 'open', 'resolved only after the quiet period');
  },
);

t.test('a flap back above the clear threshold restarts the clearing wait', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 0, clearSeconds: 60 } });
  await feed(engine, [reading('m-1', T0, { s_kva: 110 })]);
  await feed(engine, [
    reading('m-1', T0 + 10 * S, { s_kva: 90 }),
    reading('m-1', T0 + 50 * S, { s_kva: 96 }),
    reading('m-1', T0 + 80 * S, { s_kva: 90 }),
  ]);
  await feed(engine, [reading('m-1', T0 + 139 * S, { s_kva: 90 })]);
  t.equal(deps.alerts.open('overload', 'tx-1')?.pausedAt, null, '59 s since the last time above 0.95');
  await feed(engine, [reading('m-1', T0 + 140 * S, { s_kva: 90 })]);
  t.equal(deps.alerts.open('overload', 'tx-1')?.pausedAt, T0 + 140 * S);
  t.equal(deps.alerts.alerts.length, 1, 'one alert, never two');
});

t.test('severity rises to critical at the current limit of the loading mode, on the same alert', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 60, warningHorizonMinutes: 0 } });
  await feedSteps(engine, 'm-1', T0, 10, 7, () => ({ s_kva: 120 }));
  t.equal(deps.alerts.open('overload', 'tx-1')?.severity, 'info');
  await feedSteps(engine, 'm-1', T0 + 70 * S, 10, 3, () => ({ s_kva: 149 }));
  t.equal(
    deps.alerts.open('overload', 'tx-1')?.severity,
    'info',
    '1.49 p.u. is under the 1.5 p.u. normal-cyclic limit (no forecast horizon)',
  );
  await feed(engine, [reading('m-1', T0 + 100 * S, { s_kva: 150 })]);
  t.equal(deps.alerts.open('overload', 'tx-1')?.severity, 'critical', '1.5 p.u.: FACTS.md normal cyclic current limit');
  t.equal(deps.alerts.alerts.length, 1);
});

t.test('long-time emergency mode moves the current limit to 1.8 p.u.', async (t) => {
  const { deps, engine } = engineFor({
    overload: { holdSeconds: 0, loadingMode: 'long_emergency', warningHorizonMinutes: 0 },
  });
  await feed(engine, [reading('m-1', T0, { s_kva: 170 })]);
  t.equal(deps.alerts.open('overload', 'tx-1')?.severity, 'info');
  await feed(engine, [reading('m-1', T0 + S, { s_kva: 180 })]);
  t.equal(deps.alerts.open('overload', 'tx-1')?.severity, 'critical');
});

t.test(
  'a sustained moderate overload heats the hot-spot past 120 °C and becomes critical with a forecast on the way',
  async (t) => {
    const { deps, engine } = engineFor({ overload: { holdSeconds: 300 } });
    await feedSteps(engine, 'm-1', T0, 60, 60, () => ({ s_kva: 50 }));
    await feedSteps(engine, 'm-1', T0 + 3600 * S, 60, 600, () => ({ s_kva: 130 }));
    const a = deps.alerts.ofType('overload')[0]!;
    t.equal(a.severity, 'critical');
    const raises = deps.alerts.calls.filter((c) => c.op === 'raise');
    t.equal(raises[0]!.severity, 'info', 'opened as info: at 20 °C the limit is 4 h away');
    t.ok(
      raises.some((c) => c.severity === 'warning'),
      'then a warning, 2 h before it',
    );
    const firstCritical = raises.find((c) => c.severity === 'critical')!;
    t.ok(firstCritical.ts > T0 + 3600 * S + 30 * 60 * S, 'the oil takes time to heat');
    t.ok((a.evidence['hotSpotC'] as number) >= 120);
    t.equal(a.evidence['minutesToLimit'], 0);
  },
);

t.test(
  'tiers: info above the rating, warning once a limit is forecast within the horizon, critical at it',
  async (t) => {
    // 1.25 p.u. at 20 °C from 0.6 p.u.: the hot-spot reaches 120 °C after about 5 h.
    const run = async (horizon: number) => {
      const { deps, engine } = engineFor({ overload: { holdSeconds: 300, warningHorizonMinutes: horizon } });
      await feedSteps(engine, 'm-1', T0, 60, 60, () => ({ s_kva: 60 }));
      await feedSteps(engine, 'm-1', T0 + 3600 * S, 60, 400, () => ({ s_kva: 125 }));
      const raises = deps.alerts.calls.filter((c) => c.op === 'raise');
      const first = (severity: string) => raises.find((c) => c.severity === severity)?.ts;
      return { info: first('info'), warning: first('warning'), critical: first('critical'), deps };
    };
    const twoHours = await run(120);
    t.ok(twoHours.info !== undefined && twoHours.warning !== undefined && twoHours.critical !== undefined);
    t.ok(twoHours.info! < twoHours.warning!, 'info first: within the limits, none forecast within 2 h');
    const lead = (twoHours.critical! - twoHours.warning!) / 60_000;
    t.ok(lead > 100 && lead <= 121, `warning about 2 h before the limit (${lead} min)`);
    t.match(twoHours.deps.alerts.alerts[0]!.evidence, { minutesToLimit: 0, hotSpotC: Number });
    const halfHour = await run(30);
    t.ok(halfHour.warning! > twoHours.warning!, 'a shorter horizon warns later');
    t.equal(halfHour.critical, twoHours.critical, 'the limit is the limit');
  },
);

t.test('110 % for 15 minutes on a hot afternoon never warns; aboveRating: none raises nothing', async (t) => {
  const hot = { ambientProfiles: { default: flat(35) } };
  const day = [
    ...steps('m-1', T0, 60, 6 * 60, () => ({ s_kva: 70 })),
    ...steps('m-1', T0 + 6 * 3600 * S, 60, 15, () => ({ s_kva: 110 })),
    ...steps('m-1', T0 + 6 * 3600 * S + 15 * 60 * S, 60, 120, () => ({ s_kva: 70 })),
  ];
  const info = engineFor({ overload: hot });
  await feed(info.engine, day);
  t.same(
    info.deps.alerts.calls.filter((c) => c.op === 'raise').map((c) => c.severity),
    ['info', 'info'],
    'an info alert only (opened, refreshed), never a warning',
  );
  const none = engineFor({ overload: { ...hot, aboveRating: 'none' } });
  await feed(none.engine, day);
  t.equal(none.deps.alerts.alerts.length, 0);
});

t.test('135 % for two hours on a hot afternoon reaches warning, then critical, with the default profile', async (t) => {
  // No profile configured: the documented default (ambient.ts); a July afternoon in China Standard Time.
  const deps = makeDeps(fleet, { overload: {} });
  const engine = createDetectionEngine(deps, { detectors: [overload], wallClock: () => 0 });
  const july = Date.UTC(2025, 6, 15, 3, 0, 0); // 11:00 local
  await feedSteps(engine, 'm-1', july, 60, 180, () => ({ s_kva: 75 }));
  const start = july + 3 * 3600 * S; // 14:00 local
  await feedSteps(engine, 'm-1', start, 60, 120, () => ({ s_kva: 135 }));
  const raises = deps.alerts.calls.filter((c) => c.op === 'raise');
  t.equal(raises[0]!.severity, 'warning', 'a limit within 2 h from the start');
  t.ok(
    raises.some((c) => c.severity === 'critical'),
    'critical before the two hours are over',
  );
  const a = deps.alerts.alerts[0]!;
  t.equal(a.evidence['ambientSource'], 'profile:default');
  t.ok((a.evidence['ambientC'] as number) > 30, `ambient ${a.evidence['ambientC']} °C: a July afternoon`);
});

t.test('a gap longer than maxGapSeconds restarts the hold', async (t) => {
  const { deps, engine } = engineFor({ overload: { holdSeconds: 300, maxGapSeconds: 900 } });
  await feedSteps(engine, 'm-1', T0, 10, 21, () => ({ s_kva: 110 })); // 0..200 s
  await feedSteps(engine, 'm-1', T0 + 1200 * S, 10, 21, () => ({ s_kva: 110 })); // after a 1000 s gap, 200 s more
  t.equal(deps.alerts.alerts.length, 0);
  await feedSteps(engine, 'm-1', T0 + 1410 * S, 10, 10, () => ({ s_kva: 110 }));
  t.equal(deps.alerts.alerts[0]?.openedAt, T0 + 1500 * S, '300 s after the restart of the hold');
});

t.test('state survives a restart: the hold started before it is honoured after it', async (t) => {
  const series = steps('m-1', T0, 10, 40, () => ({ s_kva: 110 }));
  const state = new MemoryState();
  const first = engineFor({ overload: { holdSeconds: 300 } }, state);
  await feed(first.engine, series.slice(0, 20));
  t.equal(first.deps.alerts.alerts.length, 0);
  const second = engineFor({ overload: { holdSeconds: 300 } }, state);
  await feed(second.engine, series.slice(20));
  t.equal(second.deps.alerts.alerts[0]?.openedAt, T0 + 300 * S);
});

t.test('terminals without power readings on the transformer are ignored; unknown transformers too', async (t) => {
  const deps = makeDeps(
    {
      transformers: [{ id: 'tx-1', site: 's', ratedKva: 100 }],
      devices: [
        meter('m-1', { transformer: 'tx-1' }),
        { ...meter('t-1', { transformer: 'tx-1' }), kind: 'terminal' },
        meter('m-9', { transformer: 'tx-9' }),
      ],
    },
    { overload: { holdSeconds: 0 } },
  );
  const engine = createDetectionEngine(deps, { detectors: [overload], wallClock: () => 0 });
  await feed(engine, [
    reading('t-1', T0, { t1_c: 40 }),
    reading('m-9', T0, { s_kva: 500 }),
    reading('m-1', T0 + S, { s_kva: 90 }),
  ]);
  t.equal(deps.alerts.alerts.length, 0);
});

t.test('an ambient sensor on the transformer replaces the configured ambient', async (t) => {
  const deps = makeDeps(
    {
      transformers: [{ id: 'tx-1', site: 's', ratedKva: 100 }],
      devices: [meter('m-1', { transformer: 'tx-1' }), { ...meter('t-1', { transformer: 'tx-1' }), kind: 'terminal' }],
    },
    { overload: { holdSeconds: 0, ambientQuantity: 't4_c' } },
  );
  const engine = createDetectionEngine(deps, { detectors: [overload], wallClock: () => 0 });
  await feed(engine, [reading('t-1', T0, { t4_c: 35 }), reading('m-1', T0 + S, { s_kva: 110 })]);
  t.match(deps.alerts.alerts[0]?.evidence, { ambientC: 35, ambientSource: 'sensor:t4_c' });
  // The sensor silent beyond meterStaleSeconds: the site's profile takes over.
  await feed(engine, [reading('m-1', T0 + 2000 * S, { s_kva: 111 })]);
  t.match(deps.alerts.alerts[0]?.evidence, { ambientSource: 'profile:default' });
});

t.test('a site has its own ambient profile: monthly means and hourly offsets, in local time', async (t) => {
  const hourly = Array.from({ length: 24 }, (_, h) => (h === 14 ? 3 : 0));
  const deps = makeDeps(fleet, {
    overload: {
      holdSeconds: 0,
      ambientProfiles: {
        sites: { s: { monthlyMeanC: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], hourlyOffsetK: hourly } },
      },
    },
  });
  const engine = createDetectionEngine(deps, { detectors: [overload], wallClock: () => 0 });
  // 06:30 UTC on 2 June is 14:30 in China Standard Time: June's 6 °C + 3 K.
  await feed(engine, [reading('m-1', Date.UTC(2025, 5, 2, 6, 30), { s_kva: 110 })]);
  t.match(deps.alerts.alerts[0]?.evidence, { ambientC: 9, ambientSource: 'profile:s' });
});

t.test('settings are checked with the field named', async (t) => {
  t.throws(
    () => engineFor({ overload: { holdSeconds: 'ten' } }),
    /detectors\.overload\.holdSeconds: must be a number of at least 0, got "ten"/,
  );
  t.throws(
    () => engineFor({ overload: { holdSecs: 10 } }),
    /detectors\.overload\.holdSecs: is not a known field \(did you mean "holdSeconds"\?\)/,
  );
  t.throws(
    () => engineFor({ overload: { clearAtPu: 1.2 } }),
    /detectors\.overload\.clearAtPu: 1\.2 must not be above raiseAtPu/,
  );
  t.throws(
    () => engineFor({ overload: { loadingMode: 'party' } }),
    /loadingMode: must be one of normal, long_emergency, short_emergency; got "party"/,
  );
  t.throws(
    () => engineFor({ overload: { ambientProfiles: { default: { monthlyMeanC: [20, 20] } } } }),
    /detectors\.overload\.ambientProfiles\.default\.monthlyMeanC: must list at least 12 item\(s\)/,
  );
  t.throws(
    () =>
      engineFor({
        overload: { ambientProfiles: { sites: { s: { monthlyMeanC: flat(20).monthlyMeanC, hourlyOffsetK: [1] } } } },
      }),
    /ambientProfiles\.sites\.s\.hourlyOffsetK: must list at least 24 item\(s\)/,
  );
  t.throws(
    () => engineFor({ overload: { aboveRating: 'warning' } }),
    /aboveRating: must be one of info, none; got "warning"/,
  );
});
