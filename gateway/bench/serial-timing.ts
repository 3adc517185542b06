/**
 * Where a DL/T 645 read's time goes, seen from the gateway (bench:serial): a serial link
 * that notes when each request is written and each reply chunk arrives, and the averages
 * of (request written → reply's last byte) and (reply's last byte → next request).
 * Against the line-rate limit the first holds the request and reply on the wire, the
 * meter's 3.5-character silence and turnaround; the second is the master's own delay
 * (it keeps no silence between DL/T 645 frames).
 */
import type { SerialBusConfig } from '../src/config/types.js';
import { ModbusSerialLink, type RawLine } from '../src/modbus/link.js';

export interface ReadTiming {
  reads: number;
  /** Request written → last byte of its reply, ms (average). */
  exchangeMs: number;
  /** Last byte of a reply → the next request written, ms (average). */
  turnMs: number;
}

export class TimedSerialLink extends ModbusSerialLink {
  private readonly events: Array<{ write: boolean; at: number }> = [];

  constructor(bus: SerialBusConfig) {
    super(bus);
  }

  override rawLine(): RawLine | undefined {
    const line = super.rawLine();
    if (!line) return undefined;
    return {
      write: (bytes) => {
        this.events.push({ write: true, at: performance.now() });
        line.write(bytes);
      },
      onData: (listener) =>
        line.onData((chunk) => {
          this.events.push({ write: false, at: performance.now() });
          listener(chunk);
        }),
    };
  }

  /** Forgets what was noted so far (the warm-up). */
  reset(): void {
    this.events.length = 0;
  }

  timing(): ReadTiming {
    let exchange = 0;
    let turn = 0;
    let reads = 0;
    for (let i = 0; i < this.events.length; i++) {
      if (!this.events[i]!.write) continue;
      let j = i + 1;
      while (j < this.events.length && !this.events[j]!.write) j++;
      const lastByte = this.events[j - 1]!;
      // A request with no reply, or the last one (no next request), tells nothing here.
      if (j === i + 1 || j >= this.events.length) continue;
      exchange += lastByte.at - this.events[i]!.at;
      turn += this.events[j]!.at - lastByte.at;
      reads++;
    }
    return { reads, exchangeMs: exchange / reads, turnMs: turn / reads };
  }
}
