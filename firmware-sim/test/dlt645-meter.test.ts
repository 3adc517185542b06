/**
 * Simulated DL/T 645-2007 meters over a real socat pseudo-terminal pair at 2400 8E1, read
 * by a raw master written here with the shared codec: values as served, reply timing at
 * the wire's rate, follow-up frames, abnormal replies, comm faults, read-address and a
 * collision when two meters answer it; scenario mistakes named.
 */
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import {
  CONTROL_ABNORMAL,
  CONTROL_MORE,
  CONTROL_READ,
  CONTROL_READ_ADDRESS,
  CONTROL_READ_FOLLOW_UP,
  WILDCARD_ADDRESS,
  decodeValue,
  diBytes,
  encodeFrame,
  parseValueFormat,
  scanFrame,
  type Dlt645Frame,
} from '@gridsafe/shared';
import { startSimulator, wireTiming } from '../src/index.js';
import { profiles, quietLog, scenarioFrom, tempDir } from './support/helpers.js';
import { ptyPair } from './support/socat.js';

const TURNAROUND_MS = 3;
const scenario = (path: string) => `
seed: 3
tickMs: 60000
buses: [{ id: rs485, kind: rtu, path: ${path}, baudRate: 2400, parity: even, turnaroundMs: ${TURNAROUND_MS} }]
devices:
  - { id: d-1, profile: dlt645-3p, bus: rs485, address: "000000001234", maxFrameData: 8, preamble: 2, ctRatio: 20, load: { baseKva: 40, pf: 0.9 } }
  - { id: d-2, profile: dlt645-3p, bus: rs485, address: "000000001235", preamble: 0, load: { baseKva: 2 } }
`;

/** A minimal master: writes a frame, collects bytes until a whole frame (or a broken one) or the timeout. */
class RawMaster {
  private rx = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.rx = Buffer.concat([this.rx, chunk]);
      this.waiter?.();
    });
  }
  async exchange(
    frame: Dlt645Frame,
    timeoutMs = 1000,
  ): Promise<{ frame?: Dlt645Frame; bad?: string; raw: Buffer; ms: number }> {
    this.rx = Buffer.alloc(0);
    const sent = performance.now();
    this.port.write(encodeFrame(frame, 4));
    const deadline = sent + timeoutMs;
    for (;;) {
      const scan = scanFrame(this.rx);
      if (scan.kind === 'frame') return { frame: scan.frame, raw: this.rx, ms: performance.now() - sent };
      if (scan.kind === 'bad') return { bad: scan.reason, raw: this.rx, ms: performance.now() - sent };
      const left = deadline - performance.now();
      if (left <= 0) return { raw: this.rx, ms: timeoutMs };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

async function setUp(t: { teardown: (fn: () => Promise<void> | void) => void }) {
  const dir = tempDir(t);
  const pty = await ptyPair(dir, t);
  const sim = await startSimulator(scenarioFrom(scenario(pty.a)), { logger: quietLog, profiles });
  t.teardown(() => sim.stop());
  const port = new SerialPort({ path: pty.b, baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 });
  await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
  t.teardown(() => new Promise<void>((resolve) => port.close(() => resolve())));
  return { sim, master: new RawMaster(port) };
}

const read = (address: string, di: string): Dlt645Frame => ({ address, control: CONTROL_READ, data: diBytes(di) });

t.test('reads answer the served values, at the wire rate, with follow-up frames past the frame limit', async (t) => {
  const { sim, master } = await setUp(t);
  const { charMs, t35Ms } = wireTiming({ baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 });
  const voltage = await master.exchange(read('000000001234', '02010100'));
  t.equal(voltage.frame?.control, 0x91, 'a normal reply to a read');
  t.equal(voltage.frame?.address, '000000001234');
  const served = sim.current('d-1').values;
  t.equal(decodeValue(voltage.frame!.data.subarray(4), parseValueFormat('XXX.X'), false), served.v_a);
  // 4 FE + 16 bytes out; 2 FE + 12 + 4 DI + 2 data bytes back; one silence and the turnaround between.
  const wire = (20 + 20) * charMs + t35Ms + TURNAROUND_MS;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push((await master.exchange(read('000000001234', '02010200'))).ms);
  const median = times.sort((a, b) => a - b)[1]!;
  t.ok(
    median >= wire - 2 && median <= wire + 30,
    `request to whole reply ${median.toFixed(1)} ms (median of 3), wire ${wire.toFixed(1)} ms`,
  );

  // The current block is 9 bytes: 8 in the first frame (more follows), the last in a 0x12 follow-up.
  const first = await master.exchange(read('000000001234', '0202FF00'));
  t.equal(first.frame!.control, 0x91 | CONTROL_MORE, 'more frames follow');
  t.equal(first.frame!.data.length, 4 + 8);
  const next = await master.exchange({
    address: '000000001234',
    control: CONTROL_READ_FOLLOW_UP,
    data: Buffer.concat([diBytes('0202FF00'), Buffer.from([1])]),
  });
  t.equal(next.frame!.control, 0x92, 'the last follow-up frame says no more');
  t.same(next.frame!.data.subarray(4 + 1), Buffer.from([1]), 'one data byte, then the frame number');
  const block = Buffer.concat([first.frame!.data.subarray(4), next.frame!.data.subarray(4, 5)]);
  const format = parseValueFormat('XXX.XXX');
  const currents = [0, 3, 6].map((at) => decodeValue(block.subarray(at, at + 3), format, true) * 20);
  const now = sim.current('d-1').values;
  t.same(
    currents.map((v) => Number(v.toPrecision(12))),
    [now.i_a, now.i_b, now.i_c],
    'the joined block decodes to the served currents (CT 20)',
  );
});

t.test('abnormal replies, faults, read-address and a collision', async (t) => {
  const { sim, master } = await setUp(t);
  const unknown = await master.exchange(read('000000001235', '02090100'));
  t.equal(unknown.frame!.control, 0x91 | CONTROL_ABNORMAL, 'a DI the meter lacks: abnormal reply');
  t.same(unknown.frame!.data, Buffer.from([0x02]), 'error byte: no requested data');
  sim.setFault('d-2', { fault: 'exception', code: 4 });
  const refused = await master.exchange(read('000000001235', '02010100'));
  t.same([refused.frame!.control, refused.frame!.data[0]], [0xd1, 0x01], 'an exception fault: error byte "other"');
  sim.setFault('d-2', { fault: 'bad_crc' });
  t.equal((await master.exchange(read('000000001235', '02010100'))).bad, 'checksum');
  sim.setFault('d-2', { fault: 'no_reply' });
  const silent = await master.exchange(read('000000001235', '02010100'), 400);
  t.same([silent.frame, silent.raw.length], [undefined, 0], 'no reply');
  sim.setFault('d-2', null);
  t.equal(
    (await master.exchange(read('000000009999', '02010100'), 400)).raw.length,
    0,
    'no meter has that address: silence',
  );
  // Every meter answers read-address to AA..AA: two at once garble each other.
  const collided = await master.exchange({
    address: WILDCARD_ADDRESS,
    control: CONTROL_READ_ADDRESS,
    data: Buffer.alloc(0),
  });
  t.ok(
    collided.frame === undefined && collided.raw.length > 0,
    `two meters answering read-address collide: ${collided.raw.length} bytes heard, no frame (${collided.bad ?? 'timeout'})`,
  );
  // Wildcard digits reach only the meters they match.
  const one = await master.exchange(read('AAAAAAAAAA35', '02010100'));
  t.equal(one.frame?.address, '000000001235', 'a wildcard address picks the one meter it matches');
});

t.test('scenario mistakes about DL/T 645 meters are named', async (t) => {
  const base = (device: string) => `
buses: [{ id: rs485, kind: rtu, path: /tmp/none, baudRate: 2400 }, { id: tcp-1, kind: tcp, port: 0 }]
devices:
  - ${device}
`;
  t.throws(
    () => scenarioFrom(base('{ id: d-1, profile: dlt645-3p, bus: rs485, address: "12", load: { baseKva: 1 } }')),
    /address.*12 digits/,
  );
  t.throws(
    () =>
      scenarioFrom(base('{ id: d-1, profile: dlt645-3p, bus: tcp-1, address: "000000000001", load: { baseKva: 1 } }')),
    /not an RTU bus; DL\/T 645 meters need one/,
  );
  t.throws(
    () =>
      scenarioFrom(
        base('{ id: d-1, profile: dlt645-3p, bus: rs485, unit: 3, address: "000000000001", load: { baseKva: 1 } }'),
      ),
    /has an address, not a Modbus unit/,
  );
  t.throws(
    () =>
      scenarioFrom(
        base('{ id: m-1, profile: dtsu666, bus: rs485, unit: 1, address: "000000000001", load: { baseKva: 1 } }'),
      ),
    /applies to DL\/T 645 meters only/,
  );
});
