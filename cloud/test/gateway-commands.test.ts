/**
 * Commands to gateways on one instance (SQLite): asked through the API, received by a
 * real MQTT client logged in as the gateway (at once when it is connected, on connect
 * when it is not), closed by the gateway's command_done / command_rejected event; bad
 * requests answered with what is wrong; who may ask, and the audit trail.
 */
import t from 'tap';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { DEMO_SEED, startTestCloud } from './support/cloud.js';
import { startWorkflowCloud } from './workflow-support/cloud.js';
import { askCommand, commandInState, commandSubscriber, commandsOf } from './support/gateway-commands.js';

const SECRET = DEMO_SEED.gateways[0]!.secret;

t.test('a command reaches the gateway, queued until it connects, and closes on its answer', async (t) => {
  const cloud = await startTestCloud(t);
  const api = cloud.api;

  const unknownGateway = await askCommand(api, 'gw-404', { name: 'read-now' });
  t.equal(unknownGateway.status, 404, 'an unknown gateway: 404');
  const unknownName = await askCommand(api, 'gw-001', { name: 'reboot' });
  t.equal(unknownName.status, 400, 'an unknown command: 400');
  t.match(((await unknownName.json()) as { detail: string }).detail, /unknown command "reboot".*read-now/);

  const queued = await askCommand(api, 'gw-001', { name: 'read-now', args: { devices: ['m-001'] } });
  t.equal(queued.status, 202);
  const readNow = (await queued.json()) as { id: string; state: string };
  t.equal(readNow.state, 'queued', 'stored while the gateway is away');
  t.equal((await commandsOf(api, 'gw-001'))[0]?.state, 'queued', 'and still queued: nobody to send it to');

  const gateway = await commandSubscriber(t, cloud.mqttUrl, 'gw-001', SECRET);
  await waitFor('the queued command on connect', () => gateway.received.length === 1, 30_000);
  t.same(gateway.received[0], { topic: topics.command('gw-001', 'read-now'), payload: '{"devices":["m-001"]}' });
  await commandInState(api, 'gw-001', readNow.id, 'sent');

  const reload = (await (await askCommand(api, 'gw-001', { name: 'reload-config' })).json()) as { id: string };
  await waitFor('the command sent while connected', () => gateway.received.length === 2, 30_000);
  t.same(gateway.received[1], { topic: topics.command('gw-001', 'reload-config'), payload: '' }, 'no args: empty');

  await gateway.answer('command_done', { command: 'read-now', readings: 1 });
  const done = await commandInState(api, 'gw-001', readNow.id, 'done');
  t.same(done.result, { command: 'read-now', readings: 1 }, "the gateway's answer kept");
  await gateway.answer('command_rejected', { command: 'reload-config', reason: 'config file unreadable' });
  const failed = await commandInState(api, 'gw-001', reload.id, 'failed');
  t.equal(failed.result?.['reason'], 'config file unreadable');
  t.equal(gateway.received.length, 2, 'each command published once');
});

t.test("admins and the gateway's area's inspectors ask commands, audited; others are refused", async (t) => {
  const wf = await startWorkflowCloud(t);
  const ask = (user: 'admin' | 'li' | 'zhao' | 'auditor', gateway: string) =>
    wf.api(user, 'POST', `/api/v1/gateways/${gateway}/commands`, { name: 'read-now' });
  t.equal((await ask('li', 'gw-001')).status, 202, "an inspector of gw-001's area");
  t.equal((await ask('zhao', 'gw-001')).status, 403, 'an inspector of another area');
  t.equal((await ask('auditor', 'gw-001')).status, 403, 'an auditor');
  t.equal((await ask('admin', 'gw-001')).status, 202, 'an admin');
  const audit = await wf.cloud.ctx.rdb.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'target_id'])
    .where('target_kind', '=', 'gateways')
    .where('action', '=', 'command')
    .orderBy('at')
    .execute();
  t.same(
    audit.map((row) => [row.actor, row.target_id]),
    [
      ['li', 'gw-001'],
      ['admin', 'gw-001'],
    ],
    'each accepted command audited, none of the refused',
  );
});
