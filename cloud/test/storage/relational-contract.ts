/**
 * The relational store contract: registry, gateways, alerts (one open per type and
 * subject, even under a burst of concurrent raises), cases, detector state, ingest
 * ledger and API users. Runs on SQLite and on PostgreSQL with the same expectations.
 */
import type { AlertRecord } from '@gridsafe/shared';
import type { Test } from 'tap';
import type { RelationalDb } from '../../src/storage/relational/db.js';
import { RegistryStore } from '../../src/storage/relational/registry-store.js';
import { RegistryError } from '../../src/storage/relational/registry-entities.js';
import { SqlAlertStore, AlertLifecycleError } from '../../src/storage/relational/alert-store.js';
import { SqlCaseStore } from '../../src/storage/relational/case-store.js';
import { CaseService } from '../../src/cases/service.js';
import { CaseTransitionError } from '../../src/cases/errors.js';
import { AreaDirectory } from '../../src/registry/areas.js';
import { SqlDetectorStateStore } from '../../src/storage/relational/detector-state-store.js';
import { SqlIngestLedger } from '../../src/storage/relational/ingest-ledger.js';
import { ApiUserStore } from '../../src/security/api-users.js';
import { SqlSilenceStore } from '../../src/storage/relational/silence-store.js';

const T0 = Date.UTC(2026, 0, 1);

async function rejectsKind(t: Test, promise: Promise<unknown>, kind: string): Promise<void> {
  try {
    await promise;
    t.fail(`expected a "${kind}" error`);
  } catch (error) {
    t.equal((error as { kind?: string }).kind, kind, `refused as ${kind}`);
  }
}

export function relationalContract(t: Test, open: () => Promise<RelationalDb>): void {
  const withDb = (name: string, body: (t: Test, rdb: RelationalDb) => Promise<void>) =>
    t.test(name, async (t) => {
      const rdb = await open();
      t.teardown(() => rdb.close());
      await body(t, rdb);
    });

  withDb('registry: create, replace, conflicts, references, the detection view', async (t, rdb) => {
    const registry = new RegistryStore(rdb);
    await registry.refresh();
    await registry.putTransformer(
      { id: 'tx-1', site: 'Room 1', ratedKva: 100, vectorGroup: 'Dyn11', area: 'north' },
      'create',
    );
    await registry.putCustomer({ id: 'c-1', name: 'Mill', contractKva: 80, tariff: 'two_part' }, 'create');
    await registry.putDevice(
      {
        id: 'm-1',
        gateway: 'gw-1',
        kind: 'meter',
        transformer: 'tx-1',
        customer: 'c-1',
        ctRatio: 60,
        ptRatio: 1,
        ctSecondaryA: 5,
      },
      'create',
    );
    await t.rejects(
      registry.putTransformer({ id: 'tx-1', site: 'x', ratedKva: 1 }, 'create'),
      RegistryError,
      'a second create conflicts',
    );
    await rejectsKind(
      t,
      registry.putDevice(
        { id: 'm-2', gateway: 'gw-1', kind: 'meter', transformer: 'nope', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
        'create',
      ),
      'invalid_reference',
    );
    await rejectsKind(
      t,
      registry.putCustomer({ id: 'c-9', name: 'x', contractKva: 1, tariff: 'single' }, 'replace'),
      'not_found',
    );
    await registry.putTransformer(
      { id: 'tx-1', site: 'Room 1', ratedKva: 160, vectorGroup: 'Dyn11', area: 'north' },
      'replace',
    );
    t.equal(registry.transformer('tx-1')?.ratedKva, 160, 'the view sees the change');
    t.same(
      registry.devicesOnTransformer('tx-1').map((d) => d.id),
      ['m-1'],
    );
    t.same(
      registry.devicesOfCustomer('c-1').map((d) => d.id),
      ['m-1'],
    );
    t.same(
      registry.devicesOfGateway('gw-1').map((d) => d.id),
      ['m-1'],
    );
    const areas = new AreaDirectory(registry);
    t.equal(areas.areaOf('m-1'), 'north');
    t.equal(areas.areaOf('c-1'), 'north');
    await rejectsKind(t, registry.deleteTransformer('tx-1'), 'conflict');
    const page = await registry.listDevices(10, 0, { transformer: 'tx-1' });
    t.equal(page.total, 1);
    await registry.deleteDevice('m-1');
    await registry.deleteTransformer('tx-1');
    t.equal(registry.transformer('tx-1'), undefined);
    const fresh = new RegistryStore(rdb);
    await fresh.refresh();
    t.same(
      fresh.customer('c-1'),
      { id: 'c-1', name: 'Mill', contractKva: 80, tariff: 'two_part' },
      'a second instance loads the same registry',
    );
  });

  withDb('gateways: secrets are stored hashed and verified', async (t, rdb) => {
    const registry = new RegistryStore(rdb);
    await registry.putGateway('gw-1', 'a-long-secret-1');
    t.equal(await registry.verifyGatewaySecret('gw-1', 'a-long-secret-1'), true);
    t.equal(await registry.verifyGatewaySecret('gw-1', 'a-long-secret-2'), false);
    t.equal(await registry.verifyGatewaySecret('gw-2', 'a-long-secret-1'), false);
    const row = await rdb.db.selectFrom('gateways').selectAll().where('id', '=', 'gw-1').executeTakeFirstOrThrow();
    t.match(row.secret_hash, /^scrypt\$16384\$8\$1\$/);
    t.notMatch(row.secret_hash, 'a-long-secret-1');
    await registry.recordGatewayStatus('gw-1', { state: 'online', since: T0, version: '1' }, T0);
    t.match(await registry.getGateway('gw-1'), { hasSecret: true, status: { state: 'online' }, lastSeenAt: T0 });
    t.equal(await registry.verifyGatewaySecret('gw-1', 'a-long-secret-1'), true, 'a status does not touch the secret');
  });

  withDb('alerts: one open per type and subject, even when raised concurrently', async (t, rdb) => {
    const alerts = new SqlAlertStore(rdb);
    const signal = (ts: number, severity: 'warning' | 'critical' | 'info' = 'warning') => ({
      type: 'overload' as const,
      subject: 'tx-1',
      subjectKind: 'transformer' as const,
      severity,
      ts,
      evidence: { ts },
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => alerts.raise(signal(T0 + i))));
    t.equal(results.filter((r) => r.opened).length, 1, 'exactly one raise opened it');
    const rows = await rdb.db.selectFrom('alerts').selectAll().execute();
    t.equal(rows.length, 1, 'one row');
    t.equal(rows[0]?.last_seen_at, T0 + 19);
    await alerts.raise(signal(T0 + 100, 'critical'));
    await alerts.raise(signal(T0 + 200, 'info'));
    const open = (await alerts.list({ state: 'open' }, 10, 0)).items;
    t.equal(open.length, 1);
    t.equal(open[0]?.severity, 'critical', 'severity rises, never falls');
    t.equal(open[0]?.openedAt, T0);
    t.equal(open[0]?.lastSeenAt, T0 + 200);
    // Another type or subject is another alert.
    await alerts.raise({ ...signal(T0 + 300), type: 'residual_current' });
    await alerts.raise({ ...signal(T0 + 300), subject: 'tx-2' });
    t.equal((await alerts.list({}, 10, 0)).total, 3);
    // Acknowledged still counts as open for raise; clear resolves it; the next raise opens a new one.
    const id = open[0]?.id as string;
    await alerts.transition(id, 'acknowledged', 'ann', 'looking');
    t.equal((await alerts.raise(signal(T0 + 400))).opened, false);
    const cleared = await alerts.clear('overload', 'tx-1', T0 + 500, { kva: 80 });
    t.match(cleared, { id, state: 'resolved', resolvedAt: T0 + 500, evidence: { cleared: { kva: 80 } } });
    t.equal(await alerts.clear('overload', 'tx-1', T0 + 600, {}), null);
    const again = await alerts.raise(signal(T0 + 700));
    t.equal(again.opened, true);
    t.not(again.alert.id, id);
    await t.rejects(alerts.transition(id, 'resolved', 'ann', undefined), AlertLifecycleError);
    await rejectsKind(t, alerts.transition('al-missing', 'acknowledged', 'ann', undefined), 'not_found');
    const page = await alerts.list({ type: 'overload', subject: 'tx-1' }, 1, 1);
    t.equal(page.total, 2);
    t.equal(page.items[0]?.id, id, 'newest first, so the older one is second');
    t.equal((await alerts.list({ from: T0 + 650 }, 10, 0)).total, 1, 'from: still seen at or after');
    t.equal((await alerts.list({ subjects: ['tx-2'] }, 10, 0)).total, 1);
    t.equal((await alerts.list({ subjects: [] }, 10, 0)).total, 0);
  });

  withDb('alerts: an episode that pauses and returns is one alert with an occurrence log', async (t, rdb) => {
    const alerts = new SqlAlertStore(rdb);
    const changes: string[] = [];
    alerts.events.on('change', (_a, change: string) => changes.push(change));
    const signal = (ts: number, severity: 'warning' | 'critical' = 'warning') => ({
      type: 'ct_secondary_overlimit' as const,
      subject: 'm-1',
      subjectKind: 'device' as const,
      severity,
      ts,
      evidence: { ts },
    });
    const { alert } = await alerts.raise(signal(T0));
    t.match(alert, { occurrences: 1, firstOccurrenceAt: T0, lastOccurrenceAt: T0 });
    t.match(await alerts.pause('ct_secondary_overlimit', 'm-1', T0 + 100, { a: 4 }), {
      state: 'open',
      occurrences: 1,
      occurrenceLog: [{ startedAt: T0, endedAt: T0 + 100, severity: 'warning' }],
      evidence: { cleared: { a: 4 } },
    });
    t.equal(await alerts.pause('ct_secondary_overlimit', 'm-1', T0 + 150, {}), null, 'already paused');
    const back = await alerts.raise(signal(T0 + 1000, 'critical'));
    t.equal(back.opened, false, 'the same alert continues');
    t.equal(back.alert.id, alert.id);
    await alerts.raise(signal(T0 + 1100));
    const record = await alerts.get(alert.id);
    t.match(record, {
      state: 'open',
      severity: 'critical',
      occurrences: 2,
      firstOccurrenceAt: T0,
      lastOccurrenceAt: T0 + 1000,
      lastSeenAt: T0 + 1100,
      occurrenceLog: [
        { startedAt: T0, endedAt: T0 + 100, severity: 'warning' },
        { startedAt: T0 + 1000, endedAt: null, severity: 'critical' },
      ],
    });
    // A person may resolve it while it goes on: the present occurrence ends then.
    const resolved = await alerts.transition(alert.id, 'resolved', 'ann', 'CT replaced', T0 + 2000);
    t.match(resolved.occurrenceLog[1], { startedAt: T0 + 1000, endedAt: T0 + 2000 });
    t.equal((await alerts.raise(signal(T0 + 3000))).opened, true, 'then the next raise is a new alert');
    // Paused, then resolved by detection when the quiet period is over: the pause's evidence stays.
    await alerts.pause('ct_secondary_overlimit', 'm-1', T0 + 3100, { a: 3 });
    const closed = await alerts.clear('ct_secondary_overlimit', 'm-1', T0 + 90_000, { quietSeconds: 86.9 });
    t.match(closed, { state: 'resolved', resolvedAt: T0 + 90_000, evidence: { cleared: { a: 3 } } });
    t.match((closed as AlertRecord).occurrenceLog, [{ startedAt: T0 + 3000, endedAt: T0 + 3100 }]);
    t.same(changes, ['opened', 'paused', 'recurred', 'updated', 'resolved', 'opened', 'paused', 'resolved']);
  });

  withDb('cases: one open case per customer, evidence merged, only allowed moves', async (t, rdb) => {
    // The moves are the case service's rule, applied inside the store's transaction.
    const cases = new CaseService(new SqlCaseStore(rdb), { customer: () => undefined });
    const evidence = (first: number, last: number, max: number) => ({
      customer: 'c-1',
      contractKva: 100,
      maxDemandKw: max,
      excessKva: max - 100,
      firstSeen: first,
      lastSeen: last,
      demandSeries: [[first, max] as [number, number], [last, max - 1] as [number, number]],
      detail: { note: `seen ${max}` },
    });
    const [a, b] = await Promise.all([
      cases.openOrUpdate(evidence(T0, T0 + 900_000, 150)),
      cases.openOrUpdate(evidence(T0 + 900_000, T0 + 1_800_000, 234.2)),
    ]);
    t.equal(a, b, 'the same case');
    const record = await cases.get(a);
    t.match(record, { state: 'new', maxDemandKw: 234.2, excessKva: 134.2, firstSeen: T0, lastSeen: T0 + 1_800_000 });
    t.equal(record?.demandSeries.length, 3, 'series merged by timestamp');
    await t.rejects(cases.transition(a, 'confirmed', 'aud', 'sure'), CaseTransitionError, 'not reviewed yet');
    await cases.transition(a, 'under_review', 'aud', undefined);
    await cases.transition(a, 'field_check', 'aud', 'send someone');
    await rejectsKind(t, cases.transition(a, 'dismissed', 'aud', undefined), 'note_required');
    const confirmed = await cases.transition(a, 'confirmed', 'aud', 'larger transformer found');
    t.equal(confirmed.state, 'confirmed');
    const history = await cases.history(a);
    t.same(
      history.map((h) => [h.action, h.from, h.to]),
      [
        ['opened', null, 'new'],
        ['evidence', null, null],
        ['transition', 'new', 'under_review'],
        ['transition', 'under_review', 'field_check'],
        ['transition', 'field_check', 'confirmed'],
      ],
    );
    // A confirmed case is closed: new evidence opens a new case.
    const next = await cases.openOrUpdate(evidence(T0 + 86_400_000, T0 + 86_400_000, 140));
    t.not(next, a);
    t.equal((await cases.list({ customer: 'c-1' }, 10, 0)).total, 2);
    t.equal((await cases.list({ state: 'new' }, 10, 0)).items[0]?.id, next);
  });

  withDb('detector state survives a new store instance', async (t, rdb) => {
    const state = new SqlDetectorStateStore(rdb);
    t.equal(await state.load('overload', 'tx-1'), undefined);
    await state.save('overload', 'tx-1', { since: T0, samples: [1, 2, 3] });
    await state.save('overload', 'tx-1', { since: T0 + 1, samples: [4] });
    await state.save('overload', 'tx-2', null);
    t.same(
      await state.load('overload', 'tx-1'),
      { since: T0 + 1, samples: [4] },
      'unsaved state is served from memory',
    );
    t.equal(
      await new SqlDetectorStateStore(rdb).load('overload', 'tx-1'),
      undefined,
      'written behind: not yet committed',
    );
    await state.flush();
    t.same(await new SqlDetectorStateStore(rdb).load('overload', 'tx-1'), { since: T0 + 1, samples: [4] });
    t.equal(await state.load('overload', 'tx-2'), null);
    // A flush of more subjects than one upsert statement holds, over rows already stored.
    for (let i = 0; i < 1234; i++) await state.save('suspected_tamper', `m-${i}`, { n: i });
    await state.save('overload', 'tx-1', { since: T0 + 2, samples: [] });
    await state.flush();
    const fresh = new SqlDetectorStateStore(rdb);
    t.same(await fresh.load('overload', 'tx-1'), { since: T0 + 2, samples: [] }, 'an existing row is updated');
    t.same(await fresh.load('suspected_tamper', 'm-0'), { n: 0 });
    t.same(await fresh.load('suspected_tamper', 'm-1233'), { n: 1233 }, 'every chunk is written');
    // The state object is kept, not copied: what is committed is the state as the flush finds it.
    const live = { since: T0 + 3, samples: [1] };
    await state.save('overload', 'tx-3', live);
    live.samples.push(2);
    t.same(await state.load('overload', 'tx-3'), { since: T0 + 3, samples: [1, 2] }, 'served as it is now');
    await state.flush();
    live.samples.push(3);
    t.same(
      await new SqlDetectorStateStore(rdb).load('overload', 'tx-3'),
      { since: T0 + 3, samples: [1, 2] },
      'serialized at the flush: later changes wait for the next save and flush',
    );
  });

  withDb('detector state deletions are written behind, in the same commit as the saves', async (t, rdb) => {
    const state = new SqlDetectorStateStore(rdb);
    await state.save('consumption_anomaly', 'm-1#baseline', { v: 4, s: { rev: 1 } });
    for (let i = 0; i < 1234; i++) await state.save('suspected_tamper', `m-${i}#baseline`, { n: i });
    await state.flush();
    await state.save('seasonal_baseline', 'm-1', { rev: 1 });
    await state.delete('consumption_anomaly', 'm-1#baseline');
    await state.delete('overload', 'never-saved');
    t.equal(await state.load('consumption_anomaly', 'm-1#baseline'), undefined, 'a queued deletion is served');
    t.ok(
      await new SqlDetectorStateStore(rdb).load('consumption_anomaly', 'm-1#baseline'),
      'written behind: still there until the flush',
    );
    // More deletions than one statement holds, and one of them saved again since.
    for (let i = 0; i < 1234; i++) await state.delete('suspected_tamper', `m-${i}#baseline`);
    await state.save('suspected_tamper', 'm-7#baseline', { n: 'again' });
    await state.flush();
    const fresh = new SqlDetectorStateStore(rdb);
    t.equal(await fresh.load('consumption_anomaly', 'm-1#baseline'), undefined, 'deleted');
    t.same(await fresh.load('seasonal_baseline', 'm-1'), { rev: 1 }, 'with the save before it');
    t.equal(await fresh.load('suspected_tamper', 'm-0#baseline'), undefined);
    t.equal(await fresh.load('suspected_tamper', 'm-1233#baseline'), undefined, 'every chunk is deleted');
    t.same(await fresh.load('suspected_tamper', 'm-7#baseline'), { n: 'again' }, 'the last word wins');
  });

  withDb('ingest ledger: each (gateway, seq) once, pending until detected', async (t, rdb) => {
    const ledger = new SqlIngestLedger(rdb);
    const batch = (seq: number) => ({
      gateway: 'gw-1',
      seq,
      sentAt: T0,
      readings: [{ device: 'm-1', ts: T0 + seq, values: { p_kw: seq }, quality: 'good' as const }],
    });
    t.equal(await ledger.isKnown('gw-1', 1), false);
    t.equal(await ledger.record(batch(1), T0), true);
    t.equal(await ledger.record(batch(1), T0 + 1), false, 'a second record is a duplicate');
    t.equal(await ledger.isKnown('gw-1', 1), true);
    t.equal(await ledger.isKnown('gw-2', 1), false);
    await ledger.record(batch(2), T0 + 2);
    await ledger.record(batch(Number.MAX_SAFE_INTEGER - 1), T0 + 3);
    t.same(
      (await ledger.pending(10)).map((b) => b.seq),
      [1, 2, Number.MAX_SAFE_INTEGER - 1],
    );
    await ledger.markDetected([{ gateway: 'gw-1', seq: 1 }]);
    t.same(
      (await ledger.pending(10)).map((b) => b.seq),
      [2, Number.MAX_SAFE_INTEGER - 1],
    );
    t.same((await ledger.pending(10))[0], batch(2), 'the pending batch is kept whole');
    t.equal(await ledger.lastSeq('gw-1'), Number.MAX_SAFE_INTEGER - 1);
    t.equal(await ledger.lastSeq('gw-9'), null);
    t.same(await ledger.recorded('gw-1'), [1, 2, Number.MAX_SAFE_INTEGER - 1]);
    // Concurrent records of one (gateway, seq): exactly one wins, even inside one group commit.
    const results = await Promise.all([
      ledger.record(batch(7), T0),
      ledger.record(batch(7), T0),
      ledger.record(batch(8), T0),
    ]);
    t.same(results, [true, false, true]);
  });

  withDb('API users: tokens stored hashed, roles and areas', async (t, rdb) => {
    const users = new ApiUserStore(rdb);
    await users.put({ name: 'ann', role: 'inspector', areas: ['north'] }, 'ann-token-0123456789');
    const { token } = await users.create({ name: 'bob', role: 'auditor', areas: [] });
    t.same(await users.authenticate('ann-token-0123456789'), { name: 'ann', role: 'inspector', areas: ['north'] });
    t.same(await users.authenticate(token), { name: 'bob', role: 'auditor', areas: [] });
    t.equal(await users.authenticate('ann-token-0123456780'), null);
    const rows = await rdb.db.selectFrom('api_users').selectAll().execute();
    t.notOk(rows.some((row) => row.token_hash.includes('ann-token') || row.token_id.includes('ann-token')));
    t.same(
      (await users.list()).map((u) => u.name),
      ['ann', 'bob'],
    );
    t.equal(await users.remove('ann'), true);
    t.equal(await users.authenticate('ann-token-0123456789'), null);
  });

  withDb(
    'silences: alerts opened in one are marked; the site covers its devices and customers; ending early',
    async (t, rdb) => {
      const registry = new RegistryStore(rdb);
      await registry.putTransformer({ id: 'tx-1', site: 'Room 1', ratedKva: 100, area: 'north' }, 'create');
      await registry.putTransformer({ id: 'tx-2', site: 'Room 2', ratedKva: 100, area: 'south' }, 'create');
      await registry.putCustomer({ id: 'c-1', name: 'Mill', contractKva: 80, tariff: 'two_part' }, 'create');
      const device = { gateway: 'gw-1', kind: 'meter' as const, ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 };
      await registry.putDevice({ ...device, id: 'm-1', transformer: 'tx-1', customer: 'c-1' }, 'create');
      await registry.putDevice({ ...device, id: 'm-2', transformer: 'tx-2' }, 'create');
      const silences = new SqlSilenceStore(rdb);
      const alerts = new SqlAlertStore(rdb);
      const site = await silences.create({
        kind: 'maintenance',
        target: 'tx-1',
        targetKind: 'transformer',
        startsAt: T0,
        endsAt: T0 + 3_600_000,
        reason: 'transformer oil change',
        createdBy: 'li',
        createdAt: T0 - 60_000,
      });
      const raise = (type: 'overload' | 'capacity_violation' | 'residual_current', subject: string, ts: number) =>
        alerts.raise({ type, subject, subjectKind: 'device', severity: 'warning', ts, evidence: {} });
      const before = (await raise('overload', 'tx-1', T0 - 1)).alert as AlertRecord;
      t.equal(before.silence, null, 'an alert from before the window is not silenced');
      const inside = { id: site.id, reason: 'transformer oil change', until: T0 + 3_600_000 };
      t.same(((await raise('residual_current', 'm-1', T0 + 10)).alert as AlertRecord).silence, inside, 'its device');
      t.same(
        ((await raise('capacity_violation', 'c-1', T0 + 20)).alert as AlertRecord).silence,
        inside,
        'its customer',
      );
      t.equal(
        ((await raise('residual_current', 'm-2', T0 + 30)).alert as AlertRecord).silence,
        null,
        'not another site',
      );

      const at = T0 + 60_000;
      const hidden = await alerts.list({ silenced: { mode: 'only', at } }, 10, 0);
      t.same(hidden.items.map((a) => a.subject).sort(), ['c-1', 'm-1']);
      const shown = await alerts.list({ silenced: { mode: 'exclude', at } }, 10, 0);
      t.same(shown.items.map((a) => a.subject).sort(), ['m-2', 'tx-1']);
      t.equal(
        (await alerts.list({ silenced: { mode: 'exclude', at: T0 + 3_600_000 } }, 10, 0)).total,
        4,
        'all after it',
      );

      t.same(
        (await silences.list({ activeAt: at }, 10, 0)).items.map((s) => s.id),
        [site.id],
        'in force',
      );
      t.equal((await silences.list({ targets: ['tx-2'] }, 10, 0)).total, 0);
      const ended = await silences.end(site.id, 'wang', at);
      t.match(ended, { endedAt: at, endedBy: 'wang' });
      t.equal((await silences.list({ activeAt: at + 1 }, 10, 0)).total, 0, 'no longer in force');
      t.equal(
        (await alerts.list({ silenced: { mode: 'exclude', at: at + 1 } }, 10, 0)).total,
        4,
        'its alerts show again',
      );
      t.equal(
        ((await raise('overload', 'm-1', at + 10)).alert as AlertRecord).silence,
        null,
        'a new alert is not silenced',
      );
      t.same(await silences.end(site.id, 'li', at + 5), ended, 'ending twice changes nothing');
      t.equal(await silences.end('si-none', 'li', at), undefined);
    },
  );
}
