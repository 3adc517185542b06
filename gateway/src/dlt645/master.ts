/**
 * The DL/T 645-2007 master side of one exchange on a serial line: write a request frame
 * (with the wake-up preamble), collect bytes until the reply frame is whole, check it,
 * and follow up with 0x12 while the meter says more frames follow. Errors are the same
 * kinds as Modbus ones: no reply → timeout, bad checksum → crc, wrong shape → framing,
 * an abnormal reply (its error byte) → exception (as a Modbus exception would be).
 */
import {
  CONTROL_ABNORMAL,
  CONTROL_FUNCTION,
  CONTROL_MORE,
  CONTROL_READ,
  CONTROL_READ_ADDRESS,
  CONTROL_READ_FOLLOW_UP,
  CONTROL_REPLY,
  WILDCARD_ADDRESS,
  encodeFrame,
  scanFrame,
  type Dlt645Frame,
} from '@gridsafe/shared/dlt645/frame.js';
import { ERROR_NO_DATA, describeErrorByte, diBytes } from '@gridsafe/shared/dlt645/data.js';
import { EXCEPTION_ILLEGAL_ADDRESS, ModbusReadError } from '../modbus/errors.js';
import type { RawLine } from '../modbus/link.js';

/** Modbus exception 04 (slave device failure): what an abnormal reply other than "no requested data" counts as. */
const EXCEPTION_DEVICE_FAILURE = 4;
/** A runaway meter that keeps saying "more follows" is cut off here. */
const MAX_FOLLOW_UPS = 32;

export interface ExchangeOptions {
  /** Wake-up bytes (FE) before each request; FACTS.md: masters send 4. */
  preamble: number;
  timeoutMs: number;
}

/** Sends one frame and waits for the reply frame from `expectFrom` (any address when undefined). */
export function transact(
  line: RawLine,
  request: Dlt645Frame,
  expectFrom: string | undefined,
  options: ExchangeOptions,
): Promise<Dlt645Frame> {
  return new Promise((resolve, reject) => {
    let rx = Buffer.alloc(0);
    let lastBad: ModbusReadError | undefined;
    const finish = (error: ModbusReadError | undefined, frame?: Dlt645Frame) => {
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve(frame!);
    };
    const timer = setTimeout(
      () =>
        finish(
          lastBad ??
            // Bytes that never made a frame are a garbled reply (noise, or meters answering at once), not silence.
            (rx.length > 0
              ? new ModbusReadError('framing', `DL/T 645 reply: ${rx.length} bytes that make no whole frame`)
              : new ModbusReadError('timeout', 'no reply within the timeout')),
        ),
      options.timeoutMs,
    );
    const stop = line.onData((chunk) => {
      rx = Buffer.concat([rx, chunk]);
      for (;;) {
        const scan = scanFrame(rx);
        if (scan.kind === 'incomplete') return;
        if (scan.kind === 'bad' && scan.reason === 'checksum') {
          // A whole frame that fails its sum is the reply, broken: fail now, as a Modbus CRC error does.
          finish(new ModbusReadError('crc', `DL/T 645 reply: ${scan.detail}`));
          return;
        }
        if (scan.kind === 'bad') {
          // A 68 in noise before the reply: keep looking; report it only if no reply comes.
          lastBad ??= new ModbusReadError('framing', `DL/T 645 reply: ${scan.detail}`);
          rx = rx.subarray(scan.skip);
          continue;
        }
        rx = rx.subarray(scan.end);
        const frame = scan.frame;
        // Our own request echoed, or another meter's frame: not the reply.
        if ((frame.control & CONTROL_REPLY) === 0) continue;
        if (expectFrom !== undefined && frame.address !== expectFrom) continue;
        if ((frame.control & CONTROL_FUNCTION) !== request.control) {
          finish(
            new ModbusReadError(
              'framing',
              `DL/T 645 reply has control 0x${frame.control.toString(16)} to a 0x${request.control.toString(16)} request`,
            ),
          );
          return;
        }
        finish(undefined, frame);
        return;
      }
    });
    line.write(encodeFrame(request, options.preamble));
  });
}

function abnormal(frame: Dlt645Frame, what: string): ModbusReadError {
  const byte = frame.data[0] ?? 0;
  const code = (byte & ERROR_NO_DATA) !== 0 ? EXCEPTION_ILLEGAL_ADDRESS : EXCEPTION_DEVICE_FAILURE;
  return new ModbusReadError(
    'exception',
    `meter ${frame.address} refused ${what}: ${describeErrorByte(byte)} (abnormal reply, error byte 0x${byte.toString(16).padStart(2, '0')})`,
    code,
  );
}

/**
 * Reads one DI (0x11) and its follow-up frames (0x12 with a frame number counting from 1);
 * returns the data after the DI (and after each follow-up's frame number), joined.
 */
export async function readData(
  line: RawLine,
  address: string,
  di: string,
  options: ExchangeOptions,
): Promise<{ data: Buffer; frames: number }> {
  const diField = diBytes(di);
  let reply = await transact(line, { address, control: CONTROL_READ, data: diField }, address, options);
  const parts: Buffer[] = [];
  for (let seq = 0; ; seq++) {
    if ((reply.control & CONTROL_ABNORMAL) !== 0) throw abnormal(reply, `DI ${di}`);
    if (reply.data.length < 4 || !reply.data.subarray(0, 4).equals(diField))
      throw new ModbusReadError('framing', `DL/T 645 reply to DI ${di} carries another DI`);
    // A follow-up frame carries its frame number after the data (the standard's SEQ byte).
    parts.push(seq === 0 ? reply.data.subarray(4) : reply.data.subarray(4, reply.data.length - 1));
    if ((reply.control & CONTROL_MORE) === 0) return { data: Buffer.concat(parts), frames: seq + 1 };
    if (seq + 1 > MAX_FOLLOW_UPS)
      throw new ModbusReadError('framing', `DI ${di}: more than ${MAX_FOLLOW_UPS} follow-up frames`);
    reply = await transact(
      line,
      { address, control: CONTROL_READ_FOLLOW_UP, data: Buffer.concat([diField, Buffer.from([seq + 1])]) },
      address,
      options,
    );
  }
}

/** Read address (0x13) to the wildcard address: the one meter on the line answers with its address. */
export async function readAddress(line: RawLine, options: ExchangeOptions): Promise<string> {
  const reply = await transact(
    line,
    { address: WILDCARD_ADDRESS, control: CONTROL_READ_ADDRESS, data: Buffer.alloc(0) },
    undefined,
    options,
  );
  if ((reply.control & CONTROL_ABNORMAL) !== 0) throw abnormal(reply, 'read-address');
  return reply.address;
}
