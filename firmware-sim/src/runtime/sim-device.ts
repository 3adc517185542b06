/** A simulated device as the buses see it: its timeline, its register image, and its faults. */
import type { DeviceProfile, Quantity } from '@gridsafe/shared';
import { DeviceTimeline } from '../model/device-model.js';
import { answerPdu, exceptionPdu } from '../protocol/pdu.js';
import { FaultDice, type FaultAction } from '../protocol/faults.js';
import { DeviceRegisters } from '../registers/device-registers.js';
import type { CommFault, DeviceSpec } from '../scenario/types.js';

export interface DeviceReply {
  /** What the fault dice decided for this request. */
  action: FaultAction;
  /** The response PDU to send (already an exception PDU for `exception`), or null for no reply. */
  pdu: Buffer | null;
}

export interface DeviceCounters {
  requests: number;
  replies: number;
  faults: Record<string, number>;
}

export class SimDevice {
  readonly spec: DeviceSpec;
  readonly registers: DeviceRegisters;
  readonly timeline: DeviceTimeline;
  private readonly dice: FaultDice;
  /** Set through the API; overrides the scenario's comm faults while set. */
  private manualFault: CommFault | null | undefined;
  private served: Partial<Record<Quantity, number>> = {};
  private servedSince = 0;
  readonly counters: DeviceCounters = { requests: 0, replies: 0, faults: {} };

  constructor(spec: DeviceSpec, profile: DeviceProfile, timeline: DeviceTimeline, seed: number) {
    this.spec = spec;
    this.timeline = timeline;
    this.registers = new DeviceRegisters(profile, spec.ctRatio, spec.ptRatio);
    this.dice = new FaultDice(seed, spec.id);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Moves the device to its state at `ts`; returns the values now served (primary units). */
  tick(ts: number): Partial<Record<Quantity, number>> {
    this.served = this.registers.update(this.timeline.valuesAt(ts));
    this.servedSince = ts;
    return this.served;
  }

  /** The values served since `since` (primary units, as a gateway decodes them). */
  current(): { since: number; values: Partial<Record<Quantity, number>> } {
    return { since: this.servedSince, values: { ...this.served } };
  }

  /** Sets (or, with null, clears) a comm fault regardless of the scenario; undefined returns to the scenario's. */
  setFault(fault: CommFault | null | undefined): void {
    this.manualFault = fault;
  }

  faultAt(now: number): CommFault | null {
    return this.manualFault !== undefined ? this.manualFault : this.timeline.commFaultAt(now);
  }

  handle(pdu: Buffer, now: number): DeviceReply {
    this.counters.requests++;
    const action = this.dice.decide(this.faultAt(now));
    if (action.kind !== 'none') this.counters.faults[action.kind] = (this.counters.faults[action.kind] ?? 0) + 1;
    if (action.kind === 'no_reply') return { action, pdu: null };
    this.counters.replies++;
    if (action.kind === 'exception') return { action, pdu: exceptionPdu(pdu[0] ?? 0, action.code) };
    return { action, pdu: answerPdu(this.registers, pdu) };
  }
}
