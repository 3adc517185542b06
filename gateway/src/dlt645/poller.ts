/**
 * Polls one DL/T 645 meter: its planned reads (blocks, then single DIs) go over the
 * serial bus as exchanges in turn with the Modbus requests, each retried as a Modbus
 * request would be; reachability, backoff and comm_lost/comm_restored are the
 * DevicePoller's. Status figures (maximum demand with its time, status words) are not
 * canonical quantities: a `meter_status` event carries them whenever they change.
 */
import type { Logger, Reading } from '@gridsafe/shared';
import type { DeviceConfig } from '../config/types.js';
import type { Bus } from '../modbus/bus.js';
import { EXCEPTION_ILLEGAL_ADDRESS } from '../modbus/errors.js';
import { DevicePoller, type DeviceCommState, type DeviceEventSink } from '../poll/device-poller.js';
import type { DecodedValue } from '../poll/decode.js';
import { readData } from './master.js';
import { decodeDlt645Read, planDlt645Reads, type Dlt645Read, type StatusFigure } from './reads.js';

export class Dlt645Poller extends DevicePoller {
  readonly reads: Dlt645Read[];
  private readonly meter: NonNullable<DeviceConfig['dlt645']>;
  private lastStatus = '';
  private followUpFrames = 0;

  constructor(
    device: DeviceConfig,
    bus: Bus,
    onReading: (reading: Reading) => void,
    onEvent: DeviceEventSink,
    log: Logger,
    /** The comm state of the device's poller before a reload (a lost meter still gets comm_restored). */
    previous?: DeviceCommState,
  ) {
    super(device, bus, onReading, onEvent, log, previous);
    if (!device.dlt645) throw new Error(`device ${device.id} has no DL/T 645 address`);
    this.meter = device.dlt645;
    this.reads = planDlt645Reads(device.profile);
  }

  protected override async readAll(decoded: DecodedValue[]): Promise<{ anyOk: boolean; readAt: number | undefined }> {
    const options = { preamble: this.meter.preamble, timeoutMs: this.device.polling.timeoutMs };
    const status: Record<string, StatusFigure> = {};
    const results = await this.firstThenRest(
      this.reads,
      async (read) => {
        const outcome = await this.readWithRetries({ address: this.meter.address, di: read.di }, (submit) =>
          this.bus.submitExchange(async (line) => {
            const { data, frames } = await readData(line, this.meter.address, read.di, options);
            this.followUpFrames += frames - 1;
            // Decoded inside the exchange so that data the profile cannot read counts (and retries) as framing.
            const values: DecodedValue[] = [];
            const figures: Record<string, StatusFigure> = {};
            decodeDlt645Read(read, data, this.device, this.meter.utcOffsetMinutes, values, figures);
            return { values, figures };
          }, submit),
        );
        // Said here: the Modbus side leaves exception 2 to its hole finder, which DL/T 645 has no use for.
        if (
          !outcome.ok &&
          outcome.error.kind === 'exception' &&
          outcome.error.exceptionCode === EXCEPTION_ILLEGAL_ADDRESS
        )
          this.log.warn(
            { device: this.device.id, di: read.di, err: outcome.error.message },
            'meter has no data for a DI',
          );
        // An abnormal reply is an answer: the meter is there, it lacks that DI.
        return {
          outcome,
          error: outcome.ok ? undefined : outcome.error,
          answered: outcome.ok || outcome.error.kind === 'exception',
        };
      },
      true,
    );
    let readAt: number | undefined;
    let anyOk = false;
    for (const { outcome } of results) {
      if (!this.noteOutcome(outcome)) continue;
      anyOk = true;
      readAt = readAt === undefined ? outcome.sentAt : Math.min(readAt, outcome.sentAt);
      decoded.push(...outcome.value.values);
      Object.assign(status, outcome.value.figures);
    }
    this.reportStatus(status);
    return { anyOk, readAt };
  }

  private reportStatus(status: Record<string, StatusFigure>): void {
    if (Object.keys(status).length === 0) return;
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.onEvent(this.device.id, 'meter_status', { address: this.meter.address, ...status });
  }

  override health(): Record<string, unknown> {
    return {
      ...super.health(),
      protocol: 'dlt645',
      address: this.meter.address,
      requestsPerPoll: this.reads.length,
      followUpFrames: this.followUpFrames,
    };
  }
}
