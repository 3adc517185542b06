/**
 * Strict RTU framing, the simulator's default (Modbus over Serial Line V1.02 §2.5.1.1):
 * each malformed request kind is written raw on a socat pseudo-terminal and gets no
 * reply, while a sound request after it does. The lenient mode answers the same bytes.
 *
 * - a request split by a pause longer than 3.5 characters: two frames, neither a request;
 * - a request with a gap between 1.5 and 3.5 characters inside (300 baud, where that gap
 *   is 55-128 ms and a test's timers can hit it): one frame, void;
 * - two requests with no silence between them; garbage then a request; a request then
 *   trailing garbage: one frame that is not the length of one request;
 * - a request with a bad CRC.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { waitFor } from '@gridsafe/testkit';
import { crcOk, startSimulator, wireTiming, withCrc, type SimulatorHandle } from '../src/index.js';
import { profiles, quietLog, scenarioFrom, tempDir } from './support/helpers.js';
import { ptyPair } from './support/socat.js';

/** Read 2 registers of the RCM-4 terminal at unit 3: a sound 8-byte request; its reply is 9 bytes. */
const REQUEST = withCrc(Buffer.from([3, 3, 0, 0, 0, 2]));
const GARBAGE = Buffer.from([0x55, 0xaa, 0x13, 0x37, 0x00]);

async function openPort(path: string, baudRate: number, t: { teardown: (fn: () => Promise<void>) => void }) {
  const port = new SerialPort({ path, baudRate, parity: 'even', autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  t.teardown(() => new Promise<void>((resolve) => port.close(() => resolve())));
  return port;
}

/** Runs `send`, then collects what comes back within `windowMs`. */
async function replyTo(port: SerialPort, send: () => Promise<void>, windowMs: number): Promise<Buffer> {
  let rx = Buffer.alloc(0);
  const onData = (d: Buffer) => (rx = Buffer.concat([rx, d]));
  port.on('data', onData);
  await send();
  await sleep(windowMs);
  port.off('data', onData);
  return rx;
}

async function busAt(
  t: Parameters<typeof tempDir>[0] & { teardown: (fn: () => Promise<void>) => void },
  baudRate: number,
  framing?: 'lenient',
): Promise<{ sim: SimulatorHandle; port: SerialPort }> {
  const pty = await ptyPair(tempDir(t), t);
  const sim = await startSimulator(
    scenarioFrom(`
seed: 2
buses: [{ id: rs485, kind: rtu, path: ${pty.a}, baudRate: ${baudRate}, parity: even, turnaroundMs: 3${framing ? `, framing: ${framing}` : ''} }]
devices: [{ id: t-3, profile: gridsafe-rcm4, bus: rs485, unit: 3 }]
`),
    { logger: quietLog, profiles },
  );
  t.teardown(() => sim.stop());
  return { sim, port: await openPort(pty.b, baudRate, t) };
}

t.test('at 9600 baud the strict simulator drops each malformed request and answers a sound one', async (t) => {
  const { sim, port } = await busAt(t, 9600);
  const counters = () => sim.rtuCounters('rs485');
  const sound = await replyTo(port, async () => void port.write(REQUEST), 300);
  t.ok(sound.length === 9 && crcOk(sound), 'a sound request is answered');

  const cases: Array<[string, () => Promise<void>, 'badLengthFrames' | 'crcErrors', number]> = [
    [
      'a request split by a pause longer than 3.5 characters',
      async () => {
        const before = counters().badLengthFrames;
        port.write(REQUEST.subarray(0, 4));
        // The first half must have ended as a frame of its own (the silence ended it) before the rest goes.
        await waitFor('the first half dropped', () => counters().badLengthFrames > before, 2000, 2);
        port.write(REQUEST.subarray(4));
      },
      'badLengthFrames',
      2,
    ],
    [
      'two requests with no silence between them',
      async () => void port.write(Buffer.concat([REQUEST, REQUEST])),
      'badLengthFrames',
      1,
    ],
    ['garbage then a request', async () => void port.write(Buffer.concat([GARBAGE, REQUEST])), 'badLengthFrames', 1],
    [
      'a request then trailing garbage',
      async () => void port.write(Buffer.concat([REQUEST, GARBAGE])),
      'badLengthFrames',
      1,
    ],
    [
      'a request with a bad CRC',
      async () => {
        const bad = Buffer.from(REQUEST);
        bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
        port.write(bad);
      },
      'crcErrors',
      1,
    ],
  ];
  for (const [name, send, counter, frames] of cases) {
    const before = counters()[counter];
    const rx = await replyTo(port, send, 300);
    t.equal(rx.length, 0, `${name}: no reply`);
    t.equal(counters()[counter] - before, frames, `${name}: ${frames} frame(s) counted as ${counter}`);
    const after = await replyTo(port, async () => void port.write(REQUEST), 300);
    t.ok(after.length === 9 && crcOk(after), `${name}: the next sound request is answered`);
  }
});

t.test('a gap of more than 1.5 characters inside a request voids it (300 baud)', async (t) => {
  const { sim, port } = await busAt(t, 300);
  const { charMs, t15Ms, t35Ms } = wireTiming({ baudRate: 300, parity: 'even', dataBits: 8, stopBits: 1 });
  const gapMs = (t15Ms + t35Ms) / 2;
  const window = 2 * (REQUEST.length + 9) * charMs + 2 * t35Ms + 300;
  const before = sim.rtuCounters('rs485').brokenFrames;
  const rx = await replyTo(
    port,
    async () => {
      port.write(REQUEST.subarray(0, 4));
      // The first half is on the wire for 4 characters; then a gap of about 2.5 characters.
      await sleep(4 * charMs + gapMs);
      port.write(REQUEST.subarray(4));
    },
    window,
  );
  t.equal(
    rx.length,
    0,
    `a ${gapMs.toFixed(0)} ms gap (t1.5 ${t15Ms.toFixed(0)} ms, t3.5 ${t35Ms.toFixed(0)} ms): no reply`,
  );
  t.equal(sim.rtuCounters('rs485').brokenFrames - before, 1, 'counted as a broken frame');
  const sound = await replyTo(port, async () => void port.write(REQUEST), window);
  t.ok(sound.length === 9 && crcOk(sound), 'a sound request at 300 baud is answered');
});

t.test('the lenient mode answers what the strict one drops', async (t) => {
  const { port } = await busAt(t, 9600, 'lenient');
  const split = await replyTo(
    port,
    async () => {
      port.write(REQUEST.subarray(0, 4));
      await sleep(20);
      port.write(REQUEST.subarray(4));
    },
    300,
  );
  t.ok(split.length === 9 && crcOk(split), 'a request split by a 20 ms pause is answered');
  const twice = await replyTo(port, async () => void port.write(Buffer.concat([REQUEST, REQUEST])), 400);
  t.equal(twice.length, 18, 'two requests with no silence: both answered');
  const junk = await replyTo(port, async () => void port.write(Buffer.concat([GARBAGE, REQUEST])), 300);
  t.ok(junk.length === 9 && crcOk(junk), 'garbage then a request: the request is answered');
});
