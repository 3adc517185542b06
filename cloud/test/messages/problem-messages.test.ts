/**
 * Refusals a person reads carry a catalogue message beside the English detail (issue 15):
 * an unknown thing, a registry refusal, a CSV import line and a request-schema field, each
 * with its code and values, over a real socket; the English detail is what it always was.
 */
import t from 'tap';
import type { Message } from '@gridsafe/shared';
import { formatMessage } from '../../src/messages/catalog.js';
import { startTestCloud } from '../support/cloud.js';

interface ProblemBody {
  detail: string;
  message?: Message;
  errors?: Array<{ where: string; message: string; text?: Message }>;
}

const send = (body: string, method = 'POST', type = 'application/json'): RequestInit => ({
  method,
  headers: { 'content-type': type },
  body,
});

t.test('each kind of refusal names its code and values', async (t) => {
  const cloud = await startTestCloud(t);
  const problem = async (path: string, init?: RequestInit) =>
    (await (await cloud.api(path, init)).json()) as ProblemBody;

  // (a) an unknown thing
  const unknown = await problem('/api/v1/transformers/tx-ghost/loading');
  t.same(unknown.message, { code: 'problem.not_found', params: { what: 'transformer', id: 'tx-ghost' } });
  t.equal(unknown.detail, 'transformer "tx-ghost" does not exist');
  t.equal(formatMessage(unknown.message!, 'zh'), '变压器 tx-ghost 不存在');

  // (b) a registry refusal: a device naming a transformer nobody registered
  const device = {
    id: 'm-r',
    gateway: 'gw-001',
    kind: 'meter',
    transformer: 'tx-ghost',
    ctRatio: 1,
    ptRatio: 1,
    ctSecondaryA: 5,
  };
  const reference = await problem('/api/v1/devices', send(JSON.stringify(device)));
  t.same(reference.message, {
    code: 'problem.reference_not_registered',
    params: { what: 'device', id: 'm-r', refWhat: 'transformer', refId: 'tx-ghost' },
  });
  t.equal(reference.detail, 'device "m-r": transformer "tx-ghost" is not registered');
  const tx = JSON.stringify({ id: 'tx-r', site: 'x', ratedKva: 100 });
  await cloud.api('/api/v1/transformers', send(tx));
  const twice = await problem('/api/v1/transformers', send(tx));
  t.same(twice.message, { code: 'problem.already_exists', params: { what: 'transformer', id: 'tx-r' } });
  t.equal(twice.detail, 'transformer "tx-r" already exists (change it with PUT)');

  const renamed = await problem(
    '/api/v1/transformers/tx-r',
    send(JSON.stringify({ id: 'tx-s', site: 'x', ratedKva: 100 }), 'PUT'),
  );
  t.same(renamed.message, { code: 'problem.id_mismatch', params: { body: 'tx-s', path: 'tx-r' } });

  // (c) a CSV import, line by line
  const csv = 'id,site,ratedKva\ntx-c1,a,100\ntx-c1,b,-5\n';
  const lines = await problem('/api/v1/import/transformers', send(csv, 'POST', 'text/csv'));
  t.same(lines.message, { code: 'problem.import_refused', params: { count: 2 } });
  t.match(lines.errors, [
    {
      where: 'line 3, ratedKva',
      message: 'must be > 0',
      text: { code: 'validation.exclusiveMinimum', params: { where: 'line 3, ratedKva', limit: 0 } },
    },
    {
      where: 'line 3, id',
      message: '"tx-c1" is also on line 2',
      text: { code: 'problem.import_duplicate_id', params: { line: 3, id: 'tx-c1', other: 2 } },
    },
  ]);

  const unclosed = await problem(
    '/api/v1/import/transformers',
    send('id,site,ratedKva\ntx-c,"unclosed,100\n', 'POST', 'text/csv'),
  );
  t.same(unclosed.message, { code: 'csv.unclosed_quote', params: { line: 2 } });
  t.equal(unclosed.detail, 'line 2: a quoted field is not closed');

  // (d) a request-schema field
  const invalid = await problem(
    '/api/v1/transformers',
    send(JSON.stringify({ id: 'tx-v', site: 'x', ratedKva: '100' })),
  );
  t.same(invalid.errors?.[0]?.text, {
    code: 'validation.type',
    params: { where: 'body/ratedKva', type: 'number' },
  });
  t.same(invalid.message, invalid.errors?.[0]?.text, 'the first field is the message of the whole refusal');
  t.match(invalid.detail, /^the body is not valid: body\/ratedKva must be number/);
  t.equal(formatMessage(invalid.message!, 'en'), 'body/ratedKva must be number');
  t.equal(formatMessage(invalid.message!, 'zh'), 'body/ratedKva：类型应为 number');
  const missing = await problem('/api/v1/transformers', send(JSON.stringify({ id: 'tx-v', site: 'x' })));
  t.same(missing.errors?.[0]?.text, { code: 'validation.required', params: { where: 'body', field: 'ratedKva' } });
});
