/**
 * The work-order service on a real SQLite database and real files: routing, the state
 * machine with time to acknowledge and resolve, refusals that change nothing, photo
 * checks by content, and escalation exactly once under a running node-cron job.
 */
import { BUILTIN_ALERT_TYPE_META } from '../../src/detectors/index.js';
import { defaultSkills } from '../../src/workorders/routing.js';
import t, { type Test } from 'tap';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AlertType, createLogger, type Inspector, type Severity, type ApiUser } from '@gridsafe/shared';
import * as notificationMigration from '../../src/notifications/migration.js';
import * as workOrderMigration from '../../src/workorders/migration.js';
import * as routingMessageMigration from '../../src/workorders/migration-routing-message.js';
import { LiveBus, type LiveEvent } from '../../src/notifications/live-bus.js';
import { NotificationQueue } from '../../src/notifications/queue.js';
import type { NotificationTables } from '../../src/notifications/tables.js';
import { WorkflowError } from '../../src/workorders/errors.js';
import { startEscalationJob } from '../../src/workorders/escalation.js';
import { WorkOrderService, type AlertLike } from '../../src/workorders/service.js';
import { DEFAULT_WORK_ORDER_SETTINGS } from '../../src/workorders/settings.js';
import type { WorkOrderTables } from '../../src/workorders/tables.js';
import { tempSqlite } from '../workflow-support/db.js';
import { waitFor } from '@gridsafe/testkit';

const log = createLogger('test', { level: 'silent' });
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(200, 7),
  Buffer.from([0xff, 0xd9]),
]);

const team: Inspector[] = [
  { id: 'li', name: 'Li', areas: ['north'], skills: ['fire_safety'], lead: false, active: true },
  { id: 'wang', name: 'Wang', areas: ['north'], skills: ['fire_safety', 'metering'], lead: false, active: true },
  { id: 'chen', name: 'Chen', areas: ['north'], skills: ['high_voltage'], lead: true, active: true },
  { id: 'zhao', name: 'Zhao', areas: ['south'], skills: ['fire_safety'], lead: false, active: true },
];
const places: Record<string, { area: string | null; site: string | null }> = {
  't-001': { area: 'north', site: 'Room 1' },
  't-002': { area: 'north', site: 'Room 1' },
  'm-009': { area: 'south', site: 'Room 9' },
};
const actor = (name: string, role: ApiUser['role'] = 'inspector'): ApiUser => ({
  name,
  role,
  areas: team.find((i) => i.id === name)?.areas ?? [],
});

let alertSeq = 0;
const alert = (type: AlertType, subject: string, severity: Severity = 'critical'): AlertLike => ({
  id: `al-${++alertSeq}`,
  type,
  severity,
  state: 'open',
  subject,
  openedAt: Date.now(),
  lastSeenAt: Date.now(),
  resolvedAt: null,
  evidence: { i_res_ma: 520 },
  occurrences: 1,
  firstOccurrenceAt: Date.now(),
  lastOccurrenceAt: Date.now(),
});

async function setup(t: Test, clock?: () => number) {
  const tmp = await tempSqlite<WorkOrderTables & NotificationTables>([
    notificationMigration,
    workOrderMigration,
    routingMessageMigration,
  ]);
  t.teardown(() => tmp.close());
  const bus = new LiveBus();
  const live: LiveEvent[] = [];
  bus.subscribe((e) => live.push(e));
  const synced: Array<[string, string, string]> = [];
  const queue = new NotificationQueue(tmp.db as never, { groupWaitMs: 0, groupedKinds: [] });
  await tmp.db
    .insertInto('webhooks')
    .values({
      id: 'wh-1',
      url: 'http://127.0.0.1:9/',
      secret: 's',
      kinds: '[]',
      areas: '[]',
      enabled: 1,
      created_at: 0,
    })
    .execute();
  const service = new WorkOrderService({
    defaultSkillOf: defaultSkills(BUILTIN_ALERT_TYPE_META),
    db: tmp.db,
    settings: { ...DEFAULT_WORK_ORDER_SETTINGS, attachments: { maxBytes: 4096, maxPerOrder: 3 } },
    attachmentsDir: join(tmp.dir, 'attachments'),
    inspectors: { list: async () => team },
    locate: (subject) => places[subject] ?? { area: null, site: null },
    alerts: {
      acknowledge: async (id, who) => void synced.push([id, 'acknowledged', who]),
      resolve: async (id, who) => void synced.push([id, 'resolved', who]),
    },
    queue,
    bus,
    log,
    ...(clock ? { now: clock } : {}),
  });
  const outbox = async () =>
    (await tmp.db.selectFrom('notification_outbox').select(['kind']).execute()).map((r) => r.kind);
  return { tmp, service, live, synced, outbox };
}

t.test('an alert becomes a routed work order, once', async (t) => {
  const { service, live, outbox } = await setup(t);
  const a = alert('residual_current', 't-001');
  const first = await service.createForAlert(a);
  t.equal(first.created, true);
  t.match(first.workOrder, {
    alertId: a.id,
    area: 'north',
    site: 'Room 1',
    skill: 'fire_safety',
    assignee: 'li',
    state: 'open',
    severity: 'critical',
  });
  t.equal(first.workOrder.ackDeadlineAt - first.workOrder.createdAt, DEFAULT_WORK_ORDER_SETTINGS.ackWithinMs.critical);
  const again = await Promise.all([
    service.createForAlert(a),
    service.onAlertChange(a, 'opened'),
    service.createForAlert(a),
  ]);
  t.same(
    again.filter((r) => r && 'created' in r && r.created),
    [],
    'never a second order for one alert',
  );
  t.equal((await service.list(actor('li'), {}, 50, 0)).total, 1);
  // The next fire-safety alert goes to the other qualified inspector (li now has one open).
  t.equal((await service.createForAlert(alert('over_temperature', 't-002'))).workOrder.assignee, 'wang');
  t.equal((await service.createForAlert(alert('overload', 't-002'))).workOrder.assignee, 'chen', 'high-voltage skill');
  t.match((await service.createForAlert(alert('overload', 'x-unknown'))).workOrder, {
    assignee: null,
    routing: /no area/,
  });
  t.same(
    await outbox(),
    ['alert.opened', 'alert.opened', 'alert.opened', 'alert.opened'],
    'one notification per new order',
  );
  t.ok(
    live.some((e) => e.type === 'workorder' && e.action === 'created'),
    'watchers told',
  );
});

t.test('open → acknowledged → on_site → resolved, with times and alert kept in step', async (t) => {
  let now = 1_800_000_000_000;
  const { service, synced } = await setup(t, () => now);
  const a = alert('residual_current', 't-001');
  const { workOrder } = await service.createForAlert(a);
  now += 120_000;
  const acked = await service.transition(actor('wang'), workOrder.id, 'acknowledged', 'on my way');
  t.match(
    acked,
    { state: 'acknowledged', assignee: 'wang', timeToAckMs: 120_000 },
    'an inspector of the area takes it by acknowledging',
  );
  now += 600_000;
  t.match(await service.transition(actor('wang'), workOrder.id, 'on_site', undefined), {
    state: 'on_site',
    onSiteAt: now,
  });
  await service.addNote(actor('wang'), workOrder.id, 'leakage on feeder 3, insulation damaged');
  now += 1_800_000;
  const done = await service.transition(actor('wang'), workOrder.id, 'resolved', 'cable replaced, 40 mA after');
  t.match(done, { state: 'resolved', timeToResolveMs: 2_520_000, resolution: 'cable replaced, 40 mA after' });
  t.same(synced, [
    [a.id, 'acknowledged', 'wang'],
    [a.id, 'resolved', 'wang'],
  ]);
  const { events } = await service.get(actor('li'), workOrder.id);
  t.same(
    events.map((e) => e.action),
    ['created', 'assigned', 'acknowledged', 'on_site', 'note', 'resolved'],
  );
  t.same(
    events.map((e) => e.actor),
    ['system', 'routing', 'wang', 'wang', 'wang', 'wang'],
  );
});

t.test('disallowed moves are refused with a reason and change nothing', async (t) => {
  const { service, tmp } = await setup(t);
  const { workOrder } = await service.createForAlert(alert('residual_current', 't-001'));
  const snapshot = async () =>
    JSON.stringify([
      await tmp.db.selectFrom('work_orders').selectAll().execute(),
      await tmp.db.selectFrom('work_order_events').selectAll().execute(),
    ]);
  const before = await snapshot();
  const refused = async (p: Promise<unknown>, code: string, message: RegExp, status: number) => {
    const error = await p.then(
      () => null,
      (e: unknown) => e,
    );
    t.type(error, WorkflowError);
    t.match(error, { code, status, message });
  };
  await refused(
    service.transition(actor('zhao'), workOrder.id, 'acknowledged', undefined),
    'out_of_area',
    /is in area north; zhao covers south/,
    403,
  );
  await refused(service.addNote(actor('zhao'), workOrder.id, 'x'), 'out_of_area', /area north/, 403);
  await refused(service.get(actor('zhao'), workOrder.id), 'out_of_area', /area north/, 403);
  await refused(
    service.transition({ name: 'audit', role: 'auditor', areas: [] }, workOrder.id, 'acknowledged', undefined),
    'forbidden',
    /auditors can read/,
    403,
  );
  await refused(
    service.transition(actor('li'), workOrder.id, 'resolved', 'done'),
    'not_allowed',
    /cannot move from open to resolved/,
    409,
  );
  await refused(
    service.transition(actor('li'), workOrder.id, 'on_site', undefined),
    'not_allowed',
    /open to on_site/,
    409,
  );
  await refused(
    service.transition(actor('li'), 'wo-nope', 'acknowledged', undefined),
    'not_found',
    /does not exist/,
    404,
  );
  await refused(
    service.reassign(actor('li'), workOrder.id, 'wang', undefined),
    'forbidden',
    /only an admin or the lead/,
    403,
  );
  await refused(
    service.reassign(actor('chen'), workOrder.id, 'zhao', undefined),
    'out_of_area',
    /zhao does not cover area north/,
    403,
  );
  await refused(
    service.addAttachment(actor('li'), workOrder.id, Buffer.concat([JPEG, Buffer.alloc(5000)]), 'big.jpg'),
    'too_large',
    /at most 4096 bytes/,
    413,
  );
  await refused(
    service.addAttachment(actor('li'), workOrder.id, Buffer.from('%PDF-1.4 not a photo'), 'photo.jpg'),
    'unsupported_type',
    /not a JPEG, PNG, WebP or HEIC image/,
    415,
  );
  await refused(service.addAttachment(actor('zhao'), workOrder.id, JPEG, 'p.jpg'), 'out_of_area', /area north/, 403);
  t.equal(await snapshot(), before, 'database unchanged');
  t.notOk(
    existsSync(join(tmp.dir, 'attachments', workOrder.id)) &&
      readdirSync(join(tmp.dir, 'attachments', workOrder.id)).length > 0,
    'no file written',
  );
  await service.transition(actor('li'), workOrder.id, 'acknowledged', undefined);
  await refused(service.transition(actor('li'), workOrder.id, 'resolved', '  '), 'note_required', /needs a note/, 422);
});

t.test('photos: stored on disk with their checksum, listed on the order', async (t) => {
  const { service, tmp } = await setup(t);
  const { workOrder } = await service.createForAlert(alert('residual_current', 't-001'));
  const att = await service.addAttachment(actor('li'), workOrder.id, JPEG, '../../etc/passwd.jpg');
  t.match(att, { mime: 'image/jpeg', size: JPEG.length, author: 'li' });
  t.notMatch(att.fileName, /\//, 'file name cleaned');
  const file = await service.attachmentFile(actor('wang'), workOrder.id, att.id);
  t.ok(file.path.startsWith(join(tmp.dir, 'attachments')));
  t.same(readFileSync(file.path), JPEG, 'bytes on disk as uploaded');
  const { attachments, events } = await service.get(actor('li'), workOrder.id);
  t.equal(attachments.length, 1);
  t.equal(events.at(-1)!.action, 'attachment');
  await service.addAttachment(actor('li'), workOrder.id, JPEG, 'b.jpg');
  await service.addAttachment(actor('li'), workOrder.id, JPEG, 'c.jpg');
  await t.rejects(service.addAttachment(actor('li'), workOrder.id, JPEG, 'd.jpg'), /already has 3 photos/);
});

t.test('reassign by the area lead; alert changes made elsewhere are followed', async (t) => {
  const { service } = await setup(t);
  const a = alert('residual_current', 't-001');
  const { workOrder } = await service.createForAlert(a);
  await service.transition(actor('li'), workOrder.id, 'acknowledged', undefined);
  const moved = await service.reassign(actor('chen'), workOrder.id, 'wang', 'li is off sick');
  t.match(moved, { assignee: 'wang', state: 'open', acknowledgedAt: null }, 'the new assignee must acknowledge');
  await service.onAlertChange(
    {
      ...a,
      severity: 'critical',
      state: 'acknowledged',
      notes: [{ actor: 'wang', action: 'acknowledged', note: 'seen' }],
    },
    'acknowledged',
  );
  t.match((await service.get(actor('li'), workOrder.id)).workOrder, { state: 'acknowledged', assignee: 'wang' });
  await service.onAlertChange(
    { ...a, state: 'resolved', notes: [{ actor: 'detection', action: 'cleared' }] },
    'resolved',
  );
  t.equal(
    (await service.get(actor('li'), workOrder.id)).workOrder.state,
    'acknowledged',
    'a condition clearing by itself does not close the order',
  );
  await service.onAlertChange(
    { ...a, state: 'resolved', notes: [{ actor: 'admin', action: 'resolved', note: 'duplicate of another alert' }] },
    'resolved',
  );
  t.match((await service.get(actor('li'), workOrder.id)).workOrder, {
    state: 'resolved',
    resolution: 'duplicate of another alert',
  });

  const b = alert('over_temperature', 't-002', 'info');
  const order = (await service.createForAlert(b)).workOrder;
  await service.onAlertChange({ ...b, severity: 'critical' }, 'updated');
  const risen = (await service.get(actor('li'), order.id)).workOrder;
  t.equal(risen.severity, 'critical');
  t.equal(
    risen.ackDeadlineAt,
    order.createdAt + DEFAULT_WORK_ORDER_SETTINGS.ackWithinMs.critical,
    'the tighter deadline applies',
  );
});

t.test('escalation happens once, under a running cron job', async (t) => {
  let now = Date.now();
  const { service, outbox, live } = await setup(t, () => now);
  const late = (await service.createForAlert(alert('residual_current', 't-001'))).workOrder;
  const acked = (await service.createForAlert(alert('over_temperature', 't-002'))).workOrder;
  await service.transition(actor('wang'), acked.id, 'acknowledged', undefined);
  const early = (await service.createForAlert(alert('overload', 't-002', 'info'))).workOrder;
  t.same(await service.escalateDue(), [], 'nothing due yet');
  now += DEFAULT_WORK_ORDER_SETTINGS.ackWithinMs.critical + 1;
  const passes: number[] = [];
  const job = startEscalationJob('* * * * * *', async () => passes.push((await service.escalateDue()).length), log);
  t.teardown(() => job.stop());
  await waitFor('three escalation passes', () => passes.length >= 3, 8_000, 100);
  await job.stop();
  t.equal(
    passes.reduce((a, b) => a + b, 0),
    1,
    `one escalation over ${passes.length} passes`,
  );
  t.same(
    await Promise.all([service.escalateDue(), service.escalateDue()]),
    [[], []],
    'concurrent passes escalate nothing more',
  );
  const got = (await service.get(actor('li'), late.id)).workOrder;
  t.match(got, { escalatedTo: 'chen', state: 'open' }, 'to the area lead');
  t.ok(got.escalatedAt);
  t.equal(
    (await service.get(actor('li'), acked.id)).workOrder.escalatedAt,
    null,
    'acknowledged orders are not escalated',
  );
  t.equal((await service.get(actor('li'), early.id)).workOrder.escalatedAt, null, 'an info order has longer');
  t.equal((await outbox()).filter((k) => k === 'alert.escalated').length, 1, 'one escalation notification');
  t.equal(live.filter((e) => e.action === 'escalated').length, 1);
  const { events } = await service.get(actor('li'), late.id);
  t.equal(events.filter((e) => e.action === 'escalated').length, 1);
  await sleep(10);
});

t.test('a paused alert that recurs keeps its one work order (one alert per episode)', async (t) => {
  const { service, tmp } = await setup(t);
  const a = alert('ct_secondary_overlimit', 't-001', 'warning');
  await service.onAlertChange(a, 'opened');
  const [order] = await tmp.db.selectFrom('work_orders').selectAll().execute();
  // The condition paused overnight and came back, worse: the same alert, a new occurrence.
  await service.onAlertChange(a, 'paused');
  await service.onAlertChange({ ...a, severity: 'critical', occurrences: 2 }, 'recurred');
  const orders = await tmp.db.selectFrom('work_orders').selectAll().execute();
  t.equal(orders.length, 1, 'no second order');
  t.equal(orders[0]!.id, order!.id);
  t.equal(orders[0]!.severity, 'critical', 'the recurrence raised the severity of the same order');
});
