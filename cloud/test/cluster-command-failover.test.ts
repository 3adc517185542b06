/**
 * A command published through an instance that then dies still reaches the gateway
 * (issue 13): two CLI instances in cluster mode on one PostgreSQL and InfluxDB. The
 * gateway's connection is on instance a, the command is asked through b and published by
 * a, then a is SIGKILLed before the gateway answers (its broker session, with the message,
 * dies with it). The gateway connects to b, and b sends the unanswered command again
 * (commands/service.ts), once: not again while it waits for the answer, and the answer
 * closes it.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startInstance, startSharedStores, type Instance } from './support/cluster.js';
import { DEMO_SEED } from './support/cloud.js';
import { askCommand, commandInState, commandSubscriber } from './support/gateway-commands.js';
import { RESEND_AFTER_MS } from '../src/commands/service.js';

const apiOf = (instance: Instance) => (path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${instance.httpPort}${path}`, init);
const mqttOf = (instance: Instance) => `mqtt://127.0.0.1:${instance.mqttPort}`;

t.test('a command sent through an instance SIGKILLed before the answer is sent again by the next', async (t) => {
  const { dir, env } = await startSharedStores(t, 'failover', 2);
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(DEMO_SEED));
  // The first applies the migrations and the seed; the second joins it.
  const a = await startInstance(t, 'cloud-a', env('cloud-a', seedFile));
  const b = await startInstance(t, 'cloud-b', env('cloud-b'));
  const gateway = DEMO_SEED.gateways[0] as { id: string; secret: string };

  const onA = await commandSubscriber(t, mqttOf(a), gateway.id, gateway.secret);
  const asked = await askCommand(apiOf(b), gateway.id, { name: 'read-now' });
  t.equal(asked.status, 202, 'instance b accepts the command');
  const command = (await asked.json()) as { id: string };
  await waitFor('the command on instance a', () => onA.received.length === 1, 30_000);
  await commandInState(apiOf(b), gateway.id, command.id, 'sent');

  // a dies before the gateway answers; the gateway's next connection is on b.
  await a.proc.kill();
  const killedAt = Date.now();
  const onB = await commandSubscriber(t, mqttOf(b), gateway.id, gateway.secret);
  await waitFor('the command sent again through b', () => onB.received.length === 1, 30_000, 100);
  t.same(
    onB.received[0],
    { topic: topics.command(gateway.id, 'read-now'), payload: '' },
    `the same command sent again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
  );

  // b's own sending is delivered by b's session: not repeated while the answer is awaited.
  await new Promise((resolve) => setTimeout(resolve, RESEND_AFTER_MS + 6000));
  t.equal(onB.received.length, 1, 'sent again once, not once per check');
  await onB.answer('command_done', { command: 'read-now', readings: 1 });
  await commandInState(apiOf(b), gateway.id, command.id, 'done');
});
