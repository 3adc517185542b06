/** Comm faults over Modbus TCP, seen with a raw socket: what a gateway's TCP master would get. */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator } from '../src/index.js';
import { profiles, quietLog, scenarioFrom } from './support/helpers.js';

const scenario = scenarioFrom(`
seed: 4
buses: [{ id: lan, kind: tcp, host: 127.0.0.1, port: 0 }]
devices:
  - { id: m, profile: dtsu666, bus: lan, unit: 1, ctRatio: 60, load: { baseKva: 60 } }
  - { id: r, profile: gridsafe-rcm4, bus: lan, unit: 2 }
events:
  - { device: r, type: comm_fault, at: 0s, duration: 1s, fault: exception, code: 6 }
`);

/** One MBAP request for 2 holding registers at `address` of `unit`; collects what arrives within the window. */
async function exchange(socket: Socket, unit: number, address: number, windowMs = 200): Promise<Buffer> {
  let rx = Buffer.alloc(0);
  const onData = (d: Buffer) => (rx = Buffer.concat([rx, d]));
  socket.on('data', onData);
  socket.write(Buffer.from([0x12, 0x34, 0, 0, 0, 6, unit, 3, address >> 8, address & 0xff, 0, 2]));
  await sleep(windowMs);
  socket.off('data', onData);
  return rx;
}

t.test('each comm fault over TCP', async (t) => {
  const sim = await startSimulator(scenario, { logger: quietLog, profiles });
  t.teardown(() => sim.stop());
  const socket = connect({ host: '127.0.0.1', port: sim.tcp[0]!.port });
  await new Promise((resolve) => socket.once('connect', resolve));
  t.teardown(() => socket.destroy());

  const busy = await exchange(socket, 2, 0);
  t.same(
    [...busy],
    [0x12, 0x34, 0, 0, 0, 3, 2, 0x83, 6],
    'the scenario makes unit 2 busy (exception 6) for its first second',
  );
  await sleep(900);
  t.equal((await exchange(socket, 2, 0)).length, 13, 'then it answers: 7-byte MBAP header + 6-byte PDU');

  const normal = await exchange(socket, 1, 0x2000);
  t.equal(normal.length, 13);
  t.equal(normal.readUInt16BE(4), 7, 'MBAP length = unit + PDU');

  sim.setFault('m', { fault: 'no_reply' });
  t.equal((await exchange(socket, 1, 0x2000)).length, 0, 'no_reply: nothing');
  t.equal((await exchange(socket, 2, 0)).length, 13, 'while unit 2 behind the same port answers');
  sim.setFault('m', { fault: 'bad_crc' });
  const corrupt = await exchange(socket, 1, 0x2000);
  t.equal(corrupt.readUInt16BE(4), 10, 'bad_crc on TCP: the length field claims 3 bytes that never come');
  // That frame poisons the stream for a master that trusts the length; start a new connection as a master would.
  const fresh = connect({ host: '127.0.0.1', port: sim.tcp[0]!.port });
  await new Promise((resolve) => fresh.once('connect', resolve));
  t.teardown(() => fresh.destroy());
  for (const code of [2, 3, 6]) {
    sim.setFault('m', { fault: 'exception', code });
    const ex = await exchange(fresh, 1, 0x2000);
    t.same([...ex.subarray(7)], [0x83, code], `exception ${code}`);
  }
  sim.setFault('m', { fault: 'slow_reply', delayMs: 400 });
  let late = Buffer.alloc(0);
  const onLate = (d: Buffer) => (late = Buffer.concat([late, d]));
  t.equal((await exchange(fresh, 1, 0x2000, 200)).length, 0, 'slow_reply: nothing within 200 ms');
  fresh.on('data', onLate);
  await sleep(400);
  fresh.off('data', onLate);
  t.equal(late.length, 13, 'and the reply 400 ms late');
  sim.setFault('m', { fault: 'garbage', garbageBytes: 10 });
  const junk = await exchange(fresh, 1, 0x2000, 200);
  t.equal(junk.length, 10 + 13, 'garbage: 10 random bytes, then the reply');
  t.same([...junk.subarray(10, 12)], [0x12, 0x34], 'the reply follows the garbage');
  sim.setFault('m', null);
  t.equal((await exchange(fresh, 1, 0x2000)).length, 13, 'cleared: normal');
  t.match(sim.counters('m').faults, { no_reply: 1, bad_crc: 1, exception: 3, slow_reply: 1, garbage: 1 });
  t.match(sim.counters('r').faults, { exception: 1 }, 'the scenario fault was counted');

  // A frame that is not Modbus TCP closes the connection.
  const closed = new Promise((resolve) => fresh.once('close', resolve));
  fresh.write(Buffer.from([0, 1, 0x55, 0x55, 0, 6, 1, 3, 0, 0, 0, 1]));
  await closed;
  t.pass('bad protocol id: connection closed');
});
