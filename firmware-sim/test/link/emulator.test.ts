/** The link emulator with real sockets: transparency, bandwidth, latency, cuts, order, backpressure. */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkEmulator, cutWindows, type LinkEmulatorOptions } from '../../src/link/index.js';
import { client, until, upstream, type Upstream } from './sockets.js';

async function setup(
  t: Test,
  options: Partial<LinkEmulatorOptions> = {},
  echo = true,
): Promise<{ up: Upstream; link: LinkEmulator; port: number }> {
  const up = await upstream(echo);
  const link = new LinkEmulator({ target: { host: '127.0.0.1', port: up.port }, ...options });
  const port = await link.start();
  t.teardown(async () => {
    await link.close();
    await up.close();
  });
  return { up, link, port };
}

t.test('is transparent and counts every byte each way', async (t) => {
  const { link, port } = await setup(t);
  const c = await client(port);
  const payload = randomBytes(200_000);
  c.socket.write(payload);
  await until('the echo', () => c.bytes().length >= payload.length);
  t.ok(c.bytes().equals(payload), 'what came back is what was sent');
  const stats = link.stats();
  t.equal(stats.up.bytes, payload.length, 'up bytes');
  t.equal(stats.down.bytes, payload.length, 'down bytes');
  t.equal(stats.connections.active, 1);
  c.socket.end();
  await c.closed;
  await until('the connection to be forgotten', () => link.stats().connections.active === 0);
  t.equal(link.stats().up.droppedBytes, 0, 'nothing dropped on a clean close');
});

t.test('cannot go faster than its bandwidth', async (t) => {
  // 40 kbit/s = 5000 B/s; the bucket starts empty with a 1500 B burst.
  const { link, port } = await setup(t, { upBitsPerSecond: 40_000 }, false);
  const c = await client(port);
  const started = performance.now();
  c.socket.write(randomBytes(10_000));
  await until('all bytes across', () => link.stats().up.bytes === 10_000);
  const seconds = (performance.now() - started) / 1000;
  t.ok(
    seconds >= (10_000 - 1500) / 5000 - 0.05,
    `10 kB at 40 kbit/s took ${seconds.toFixed(2)} s (at least ${((10_000 - 1500) / 5000).toFixed(2)} s)`,
  );
  t.equal(link.stats().down.bytes, 0, 'the down lane was not used');
});

t.test('adds its one-way delay in each direction', async (t) => {
  const { port } = await setup(t, { latencyMs: 150 });
  const c = await client(port);
  const started = performance.now();
  c.socket.write('ping');
  await until('the echo', () => c.bytes().length === 4);
  const rtt = performance.now() - started;
  t.ok(rtt >= 295, `round trip ${rtt.toFixed(0)} ms through two 150 ms delays`);
});

t.test('keeps order under rate limit and delay, many connections sharing the link', async (t) => {
  const { port } = await setup(t, { upBitsPerSecond: 2_000_000, downBitsPerSecond: 2_000_000, latencyMs: 20 });
  const clients = await Promise.all([1, 2, 3].map(() => client(port)));
  const messages = 2000;
  for (const c of clients) {
    for (let i = 0; i < messages; i += 1) c.socket.write(`${i};`);
  }
  const expected = Array.from({ length: messages }, (_, i) => `${i};`).join('');
  await until('all echoes', () => clients.every((c) => c.bytes().length === expected.length), 20_000);
  for (const [i, c] of clients.entries())
    t.equal(c.bytes().toString(), expected, `connection ${i + 1}: every message, in order`);
});

t.test('a reset cut aborts connections, refuses new ones while down, and lets them through after', async (t) => {
  const { link, port, up } = await setup(t);
  const c = await client(port);
  c.socket.write('before');
  await until('the echo', () => c.bytes().toString() === 'before');
  const events: string[] = [];
  link.on('cut', (mode: string) => events.push(`cut:${mode}`));
  link.on('restore', () => events.push('restore'));
  link.cut('reset');
  const closed = await c.closed;
  t.equal(closed.error, 'ECONNRESET', 'the gateway side sees a reset');
  await until('the broker side to close', () => up.sockets.every((s) => s.destroyed));
  const refused = await new Promise<string>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.on('close', () => resolve('closed'));
  });
  t.match(refused, /ECONNRESET|closed/, `a new attempt while down fails (${refused})`);
  await sleep(50);
  link.restore();
  const again = await client(port);
  again.socket.write('after');
  await until('the echo after restore', () => again.bytes().toString() === 'after');
  const stats = link.stats();
  t.same(events, ['cut:reset', 'restore']);
  t.equal(stats.cuts, 1);
  t.equal(stats.connections.reset, 1);
  t.equal(stats.connections.refused, 1);
  t.ok(stats.downMs >= 40, `down for ${stats.downMs} ms`);
  t.equal(stats.state, 'up');
});

t.test('a stall moves nothing, holds new connections, and loses nothing when the link returns', async (t) => {
  const { link, port, up } = await setup(t);
  const c = await client(port);
  c.socket.write('a');
  await until('the first echo', () => c.bytes().toString() === 'a');
  link.cut('stall');
  c.socket.write('b');
  const late = connect({ port, host: '127.0.0.1' });
  late.on('error', () => undefined);
  const lateData: Buffer[] = [];
  late.on('data', (d: Buffer) => lateData.push(d));
  late.write('held');
  await sleep(300);
  t.equal(c.bytes().toString(), 'a', 'nothing crossed during the stall');
  t.equal(up.sockets.length, 1, 'the held connection did not reach the broker');
  t.equal(link.stats().state, 'stall');
  link.restore();
  await until(
    'the held bytes to cross',
    () => c.bytes().toString() === 'ab' && Buffer.concat(lateData).toString() === 'held',
  );
  t.equal(up.sockets.length, 2, 'the held connection reached the broker after the stall');
  t.equal(link.stats().up.droppedBytes, 0, 'nothing was lost');
  late.destroy();
});

t.test('follows a schedule of cuts by itself', async (t) => {
  const { link, port } = await setup(t, {
    schedule: { kind: 'windows', windows: [{ atMs: 150, forMs: 250, mode: 'reset' }] },
  });
  const c = await client(port);
  const events: Array<[string, number]> = [];
  const started = performance.now();
  link.on('cut', () => events.push(['cut', performance.now() - started]));
  link.on('restore', () => events.push(['restore', performance.now() - started]));
  const closed = await c.closed;
  t.equal(closed.error, 'ECONNRESET', 'the scheduled cut reset the connection');
  await until('the restore', () => events.length === 2, 5000);
  t.same(
    events.map(([e]) => e),
    ['cut', 'restore'],
  );
  const [, cutAt] = events[0]!;
  const [, restoreAt] = events[1]!;
  t.ok(restoreAt - cutAt >= 245, `down for ${(restoreAt - cutAt).toFixed(0)} ms (scheduled 250)`);
  t.equal(link.stats().state, 'up');
});

t.test('random cuts are reproducible from the seed', async (t) => {
  const take = (seed: number) => {
    const windows = cutWindows({ kind: 'random', meanUpMs: 60_000, meanDownMs: 10_000, seed, mode: 'stall' });
    return Array.from({ length: 2000 }, () => windows.next().value!);
  };
  const a = take(5);
  t.same(a, take(5), 'same seed, same cuts');
  t.not(JSON.stringify(a), JSON.stringify(take(6)), 'another seed, other cuts');
  const meanDown = a.reduce((s, w) => s + w.forMs, 0) / a.length;
  t.ok(meanDown > 8_500 && meanDown < 11_500, `mean down time ${meanDown.toFixed(0)} ms (asked 10000)`);
  t.ok(
    a.every((w, i) => i === 0 || w.atMs >= a[i - 1]!.atMs + a[i - 1]!.forMs),
    'windows never overlap',
  );
  const periodic = cutWindows({ kind: 'periodic', everyMs: 1000, forMs: 100, mode: 'reset' });
  t.same(
    [periodic.next().value, periodic.next().value].map((w) => w?.atMs),
    [1000, 2000],
  );
  t.throws(
    () =>
      new LinkEmulator({
        target: { host: '127.0.0.1', port: 1 },
        schedule: { kind: 'periodic', everyMs: 100, forMs: 100, mode: 'reset' },
      }),
    /shorter than the period/,
  );
});

t.test('a slow link pushes back on the sender instead of buffering without bound', async (t) => {
  const { link, port } = await setup(t, { upBitsPerSecond: 4_000_000 }, false);
  const c = await client(port);
  const total = 1_500_000;
  let maxQueued = 0;
  const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, link.stats().up.queuedBytes)), 5);
  t.teardown(() => clearInterval(sampler));
  c.socket.write(randomBytes(total));
  await until('all bytes across', () => link.stats().up.bytes === total, 20_000);
  t.ok(maxQueued <= 256 * 1024, `at most ${maxQueued} bytes were queued in the emulator while ${total} crossed`);
});
