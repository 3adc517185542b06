/**
 * Request logging keeps a terminal readable: successful reads (the console's polls and
 * files) are logged at debug, writes and refused requests at info.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { startTestCloud } from './support/cloud.js';

t.test('successful reads at debug; writes and refusals at info', async (t) => {
  const lines: Array<{
    level: number;
    msg: string;
    req?: { method: string; url: string };
    res?: { statusCode: number };
  }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const cloud = await startTestCloud(t, { start: { log: pino({ level: 'debug' }, stream) } });
  await cloud.api('/api/v1/alerts');
  await cloud.api('/api/v1/transformers/no-such');
  await cloud.api('/api/v1/customers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'c-9', name: 'Bakery', contractKva: 50, tariff: 'single' }),
  });
  const completed = (url: string, method = 'GET') =>
    lines.find((line) => line.msg === 'request completed' && line.req?.url === url && line.req.method === method);
  const DEBUG = 20;
  const INFO = 30;
  t.equal(completed('/api/v1/alerts')?.level, DEBUG, 'a successful read');
  t.equal(completed('/api/v1/transformers/no-such')?.level, INFO, 'a refused read (404)');
  t.equal(completed('/api/v1/customers', 'POST')?.level, INFO, 'a write');
  t.equal(completed('/api/v1/customers', 'POST')?.res?.statusCode, 201);
  t.notOk(
    lines.some((line) => line.msg === 'incoming request'),
    'one line per request, not two',
  );
});
