import t from 'tap';
import { parseTopic, topics } from '../src/index.js';

t.test('builds and parses every v1 topic', async (t) => {
  t.equal(topics.telemetry('gw-001'), 'gridsafe/v1/gw/gw-001/telemetry');
  t.same(parseTopic(topics.telemetry('gw-001')), { gateway: 'gw-001', kind: 'telemetry', encoding: 'json' });
  t.same(parseTopic(topics.compactTelemetry('gw_2')), { gateway: 'gw_2', kind: 'telemetry', encoding: 'compact' });
  t.same(parseTopic(topics.status('A1')), { gateway: 'A1', kind: 'status' });
  t.same(parseTopic(topics.events('A1')), { gateway: 'A1', kind: 'events' });
  t.same(parseTopic(topics.command('A1', 'read-now')), { gateway: 'A1', kind: 'command', name: 'read-now' });
  t.equal(topics.status('x', 'site/a'), 'site/a/gw/x/status', 'the prefix is configurable');
});

t.test('refuses topics outside the contract', async (t) => {
  for (const topic of [
    'gridsafe/v1/gw/gw-001',
    'gridsafe/v1/gw/gw-001/telemetry/extra/more',
    'gridsafe/v2/gw/a/status',
    'gridsafe/v1/gw/a b/status',
    'gridsafe/v1/gw/a/unknown',
    'gridsafe/v1/gw/a/telemetry/gzip',
  ]) {
    t.equal(parseTopic(topic), null, topic);
  }
  t.throws(() => topics.telemetry('bad/id'), /not valid/);
});
