/**
 * Communication faults a device can show, decided per request. Deterministic with the
 * scenario's seed: the n-th request to a device gets the same fate on every run.
 */
import type { CommFault } from '../scenario/types.js';
import { hashString, uniformAt } from '../model/random.js';

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'no_reply' }
  | { kind: 'exception'; code: number }
  | { kind: 'slow_reply'; delayMs: number }
  | { kind: 'bad_crc' }
  | { kind: 'garbage'; bytes: Buffer };

export class FaultDice {
  private readonly seed: number;
  private readonly stream: number;
  private requestNo = 0;

  constructor(seed: number, deviceId: string) {
    this.seed = seed;
    this.stream = hashString(`${deviceId}/faults`);
  }

  decide(fault: CommFault | null): FaultAction {
    const n = this.requestNo++;
    if (!fault) return { kind: 'none' };
    if (fault.probability < 1 && uniformAt(this.seed, this.stream, n) >= fault.probability) return { kind: 'none' };
    switch (fault.fault) {
      case 'no_reply':
        return { kind: 'no_reply' };
      case 'exception':
        return { kind: 'exception', code: fault.code };
      case 'slow_reply':
        return { kind: 'slow_reply', delayMs: fault.delayMs };
      case 'bad_crc':
        return { kind: 'bad_crc' };
      case 'garbage': {
        const bytes = Buffer.alloc(fault.garbageBytes);
        for (let i = 0; i < bytes.length; i++)
          bytes[i] = Math.floor(uniformAt(this.seed, this.stream ^ 0xa5a5a5a5, n * 256 + i) * 256);
        return { kind: 'garbage', bytes };
      }
    }
  }
}
