/** A simulated device as the buses see it: its timeline, its register image, and its faults. */
import type { DeviceProfile, Dlt645Frame, Quantity } from '@gridsafe/shared';
import { MeterImage } from '../dlt645/meter-image.js';
import { MeterProtocol } from '../dlt645/meter-protocol.js';
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
  /** A DL/T 645 meter's data and how it answers frames (undefined for a Modbus device). */
  private readonly image: MeterImage | undefined;
  readonly meter: MeterProtocol | undefined;

  constructor(
    spec: DeviceSpec,
    profile: DeviceProfile,
    timeline: DeviceTimeline,
    seed: number,
    utcOffsetMinutes = 480,
  ) {
    this.spec = spec;
    this.timeline = timeline;
    this.registers = new DeviceRegisters(profile, spec.ctRatio, spec.ptRatio);
    this.dice = new FaultDice(seed, spec.id);
    if (spec.dlt645) {
      this.image = new MeterImage(profile, spec.ctRatio, spec.ptRatio, utcOffsetMinutes);
      this.meter = new MeterProtocol(spec.dlt645.address, this.image, spec.dlt645.maxFrameData);
    }
  }

  get id(): string {
    return this.spec.id;
  }

  /** Moves the device to its state at `ts`; returns the values now served (primary units). */
  tick(ts: number): Partial<Record<Quantity, number>> {
    const snapshot = this.timeline.valuesAt(ts);
    this.served = this.image ? this.image.update(snapshot) : this.registers.update(snapshot);
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

  private decide(now: number): FaultAction {
    this.counters.requests++;
    const action = this.dice.decide(this.faultAt(now));
    if (action.kind !== 'none') this.counters.faults[action.kind] = (this.counters.faults[action.kind] ?? 0) + 1;
    return action;
  }

  /** A DL/T 645 request addressed to this meter: the reply frame (null: none) and the fault decided. */
  handleDlt645(request: Dlt645Frame, now: number): { action: FaultAction; frame: Dlt645Frame | null } {
    const action = this.decide(now);
    const frame = this.meter?.answer(request, action) ?? null;
    if (frame) this.counters.replies++;
    return { action, frame };
  }

  handle(pdu: Buffer, now: number): DeviceReply {
    const action = this.decide(now);
    if (action.kind === 'no_reply') return { action, pdu: null };
    this.counters.replies++;
    if (action.kind === 'exception') return { action, pdu: exceptionPdu(pdu[0] ?? 0, action.code) };
    return { action, pdu: answerPdu(this.registers, pdu) };
  }
}
