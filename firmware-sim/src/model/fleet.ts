/**
 * The whole scenario on a clock: one timeline per device and the labelled ground truth.
 * Usable without any server (time compression): ask for a device's values at any
 * timestamp, in order, as fast as the CPU allows.
 */
import { loadBuiltinProfiles, type DeviceProfile, type Quantity } from '@gridsafe/shared';
import type { EventSpec, Scenario, TimeRef } from '../scenario/types.js';
import { DeviceTimeline, type DeviceSnapshot, type ResolvedEvent } from './device-model.js';
import { DeviceRegisters } from '../registers/device-registers.js';
import { MeterImage } from '../dlt645/meter-image.js';

/** One labelled injected event, as written to the ground-truth file. */
export interface TruthRecord {
  device: string;
  event: string;
  /** ms since the epoch. */
  start: number;
  /** ms since the epoch; null when it lasts until the simulation ends. */
  end: number | null;
  [detail: string]: unknown;
}

export function resolveTime(ref: TimeRef, t0: number): number {
  return 'offsetMs' in ref ? t0 + ref.offsetMs : ref.absoluteMs;
}

export function resolveEvents(events: EventSpec[], t0: number): ResolvedEvent[] {
  return events.map((e, index) => {
    const startMs = resolveTime(e.at, t0);
    return {
      index,
      device: e.device,
      startMs,
      endMs: e.durationMs === null ? null : startMs + e.durationMs,
      params: e.params,
    };
  });
}

export class FleetModel {
  readonly scenario: Scenario;
  readonly t0: number;
  readonly events: ResolvedEvent[];
  readonly timelines = new Map<string, DeviceTimeline>();
  /** What each device serves: a Modbus register image or a DL/T 645 meter's data. */
  private readonly registers = new Map<string, DeviceRegisters | MeterImage>();

  /** `t0` defaults to the scenario's `start`, or now. */
  constructor(
    scenario: Scenario,
    t0: number = scenario.startMs ?? Date.now(),
    profiles: Map<string, DeviceProfile> = loadBuiltinProfiles(),
  ) {
    this.scenario = scenario;
    this.t0 = t0;
    this.events = resolveEvents(scenario.events, t0);
    for (const spec of scenario.devices) {
      this.timelines.set(spec.id, new DeviceTimeline(spec, scenario, this.events));
      const profile = profiles.get(spec.profile);
      if (profile)
        this.registers.set(
          spec.id,
          spec.dlt645
            ? new MeterImage(profile, spec.ctRatio, spec.ptRatio, scenario.utcOffsetMinutes)
            : new DeviceRegisters(profile, spec.ctRatio, spec.ptRatio),
        );
    }
  }

  private timeline(deviceId: string): DeviceTimeline {
    const timeline = this.timelines.get(deviceId);
    if (!timeline) throw new Error(`no device "${deviceId}" in scenario ${this.scenario.source}`);
    return timeline;
  }

  /** The device's true readings at `ts` (primary units, full precision). Call in time order for each device. */
  valuesAt(deviceId: string, ts: number): DeviceSnapshot {
    return this.timeline(deviceId).valuesAt(ts);
  }

  /**
   * What the device's registers would serve at `ts`, decoded to primary units as a
   * gateway decodes them (float32 and integer rounding included), and whether a comm
   * fault would stop a read. Call in time order for each device.
   */
  servedAt(deviceId: string, ts: number): { values: Partial<Record<Quantity, number>>; commFault: string | null } {
    const timeline = this.timeline(deviceId);
    const registers = this.registers.get(deviceId);
    const snapshot = timeline.valuesAt(ts);
    const fault = timeline.commFaultAt(ts);
    return { values: registers ? registers.update(snapshot) : snapshot.values, commFault: fault ? fault.fault : null };
  }

  /** Labelled ground truth of every injected event, in start order. */
  truth(): TruthRecord[] {
    return this.events.map((e) => truthRecord(this.scenario, e)).sort((a, b) => a.start - b.start);
  }
}

export function truthRecord(scenario: Scenario, e: ResolvedEvent): TruthRecord {
  const { type, ...params } = e.params;
  const spec = scenario.devices.find((d) => d.id === e.device);
  const context: Record<string, unknown> = {};
  if (spec?.transformer) {
    context['transformer'] = spec.transformer;
    const tx = scenario.transformers.find((t) => t.id === spec.transformer);
    if (tx) context['ratedKva'] = tx.ratedKva;
  }
  if (spec?.customer) {
    context['customer'] = spec.customer;
    const customer = scenario.customers.find((c) => c.id === spec.customer);
    if (customer) context['contractKva'] = customer.contractKva;
  }
  if (spec && type === 'demand_above_contract') {
    // The CT secondary current the target implies: the screening signal of FACTS.md (rated 5 A).
    const volts = spec.load?.nominalVoltage ?? 230;
    const pf = spec.load?.pf ?? 1;
    context['ctSecondaryA'] = (((params as { targetKw: number }).targetKw / pf) * 1000) / (3 * volts) / spec.ctRatio;
  }
  return { device: e.device, event: type, start: e.startMs, end: e.endMs, ...params, ...context };
}
