/**
 * How a simulated DL/T 645 meter answers a request frame (FACTS.md "DL/T 645-2007"):
 * read (0x11) a DI → its data, split into follow-up frames (0x12) when longer than the
 * meter's frame limit; read address (0x13) → its address; a DI it does not have → an
 * abnormal reply with "no requested data". Comm faults apply as on Modbus: no reply,
 * an abnormal reply for `exception`, a broken checksum for `bad_crc`.
 */
import {
  CONTROL_ABNORMAL,
  CONTROL_MORE,
  CONTROL_READ,
  CONTROL_READ_ADDRESS,
  CONTROL_READ_FOLLOW_UP,
  CONTROL_REPLY,
  ERROR_NO_DATA,
  ERROR_OTHER,
  addressBytes,
  diText,
  type Dlt645Frame,
} from '@gridsafe/shared';
import type { FaultAction } from '../protocol/faults.js';
import type { MeterImage } from './meter-image.js';

/** The communication address (NNNNNNNNNNNN), which every meter serves whatever its profile. */
const DI_ADDRESS = '04000401';
/** Modbus exception 2 (illegal data address) in a scenario's `exception` fault maps to "no requested data". */
const EXCEPTION_ILLEGAL_ADDRESS = 2;

export class MeterProtocol {
  /** The data being sent in follow-up frames, fixed when its first frame went out. */
  private pending: { di: string; data: Buffer } | undefined;

  constructor(
    readonly address: string,
    private readonly image: MeterImage,
    /** Data bytes per frame (after the DI) before the rest goes in follow-up frames. */
    private readonly maxFrameData: number,
  ) {}

  /** The reply to `request`, or null for none (a function it does not answer, or a `no_reply` fault). */
  answer(request: Dlt645Frame, action: FaultAction): Dlt645Frame | null {
    if (action.kind === 'no_reply') return null;
    const fn = request.control;
    if (fn !== CONTROL_READ && fn !== CONTROL_READ_FOLLOW_UP && fn !== CONTROL_READ_ADDRESS) return null;
    if (action.kind === 'exception')
      return this.abnormal(fn, action.code === EXCEPTION_ILLEGAL_ADDRESS ? ERROR_NO_DATA : ERROR_OTHER);
    if (fn === CONTROL_READ_ADDRESS) return this.reply(fn, addressBytes(this.address));
    if (request.data.length < 4) return this.abnormal(fn, ERROR_OTHER);
    const diField = request.data.subarray(0, 4);
    const di = diText(diField);
    if (fn === CONTROL_READ) {
      const data = di === DI_ADDRESS ? addressBytes(this.address) : this.image.read(di);
      if (!data) return this.abnormal(fn, ERROR_NO_DATA);
      this.pending = { di, data };
      return this.chunk(fn, diField, data, 0);
    }
    const seq = request.data[4];
    if (seq === undefined || seq < 1 || this.pending?.di !== di) return this.abnormal(fn, ERROR_NO_DATA);
    return this.chunk(fn, diField, this.pending.data, seq);
  }

  private chunk(fn: number, diField: Buffer, data: Buffer, seq: number): Dlt645Frame {
    const part = data.subarray(seq * this.maxFrameData, (seq + 1) * this.maxFrameData);
    if (seq > 0 && part.length === 0) return this.abnormal(fn, ERROR_NO_DATA);
    const more = (seq + 1) * this.maxFrameData < data.length;
    const body = seq === 0 ? Buffer.concat([diField, part]) : Buffer.concat([diField, part, Buffer.from([seq])]);
    return { address: this.address, control: fn | CONTROL_REPLY | (more ? CONTROL_MORE : 0), data: body };
  }

  private reply(fn: number, data: Buffer): Dlt645Frame {
    return { address: this.address, control: fn | CONTROL_REPLY, data };
  }

  private abnormal(fn: number, errorByte: number): Dlt645Frame {
    return { address: this.address, control: fn | CONTROL_REPLY | CONTROL_ABNORMAL, data: Buffer.from([errorByte]) };
  }
}
