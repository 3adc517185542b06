/**
 * A command to a gateway reaches it whichever instance it is connected to: two cluster
 * instances on one PostgreSQL (and InfluxDB), the gateway's MQTT connection on one, the
 * API call on the other (cluster/command-relay.ts: NOTIFY, and the holder publishes);
 * and a command queued through one instance goes out when the gateway connects to the other.
 */
import t from 'tap';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startPostgres } from './support/postgres.js';
import { startInfluxd } from './support/influxd.js';
import { DEMO_SEED, startTestCloud } from './support/cloud.js';
import { askCommand, commandInState, commandSubscriber } from './support/gateway-commands.js';

t.test('a command asked through one instance reaches the gateway connected to another', async (t) => {
  const postgres = await startPostgres();
  t.teardown(() => postgres.stop());
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const env = {
    GRIDSAFE_CLUSTER: 'true',
    GRIDSAFE_DATABASE_URL: await postgres.createDatabase('commands'),
    GRIDSAFE_INFLUX_URL: influxd.url,
    GRIDSAFE_INFLUX_DATABASE: 'commands',
  };
  const a = await startTestCloud(t, { env });
  const b = await startTestCloud(t, { env });
  const [gw1, gw2] = DEMO_SEED.gateways as [{ id: string; secret: string }, { id: string; secret: string }];

  const onA = await commandSubscriber(t, a.mqttUrl, gw1.id, gw1.secret);
  const asked = await askCommand(b.api, gw1.id, { name: 'read-now' });
  t.equal(asked.status, 202, 'instance b accepts the command');
  const readNow = (await asked.json()) as { id: string };
  await waitFor('the command on instance a', () => onA.received.length === 1, 30_000);
  t.same(onA.received[0], { topic: topics.command(gw1.id, 'read-now'), payload: '' });
  await commandInState(b.api, gw1.id, readNow.id, 'sent');
  await onA.answer('command_done', { command: 'read-now', readings: 1 });
  await commandInState(b.api, gw1.id, readNow.id, 'done');

  const queued = (await (await askCommand(a.api, gw2.id, { name: 'reload-config' })).json()) as { id: string };
  await commandInState(b.api, gw2.id, queued.id, 'queued');
  const onB = await commandSubscriber(t, b.mqttUrl, gw2.id, gw2.secret);
  await waitFor('the queued command when the gateway connects to b', () => onB.received.length === 1, 30_000);
  t.equal(onB.received[0]?.topic, topics.command(gw2.id, 'reload-config'));
  await commandInState(a.api, gw2.id, queued.id, 'sent');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(onA.received.length + onB.received.length, 2, 'each command published once, by one instance');
});
