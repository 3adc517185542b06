/**
 * comm_loss: a deadman per device and per gateway, from the gateway's own events
 * (comm_lost / comm_restored) and from silence in event time. See README.md.
 *
 * State is kept per gateway, so one rule sees all of a gateway's devices: when the
 * whole gateway falls silent, one gateway alert is raised instead of one per device.
 */
import type { GatewayEvent, SubjectKind } from '@gridsafe/shared';
import type { Detector, DetectorContext, DetectorOutput, SubjectRef } from '../../detector-kit/detector.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, type SettingsOf } from '../../detector-kit/settings.js';

const SETTINGS = defineSettings({
  /**
   * A device is silent once its gateway has delivered other readings for this long
   * without one from it. 300 s: five polls at the usual 60 s interval, so one missed
   * poll or a slow reply never raises it.
   */
  deviceAllowanceSeconds: Type.Number({ default: 300, minimum: 1 }),
  /**
   * A gateway is silent once its own clock has run this long with nothing from it
   * (FACTS.md: Kapacitor deadman). It must exceed the gateway's publish interval.
   */
  gatewayAllowanceSeconds: Type.Number({ default: 600, minimum: 1 }),
  /** Raise on the gateway's comm_lost event for a device at once (the gateway has already retried). */
  trustGatewayEvents: Type.Boolean({ default: true }),
});
export type CommSettings = SettingsOf<typeof SETTINGS>;

export interface CommState {
  /** Latest reading from the gateway (the yardstick for its devices' silence). */
  gatewayLast: number | null;
  /** Latest reading or event from the gateway: proof it is alive (its events are sent at once, its readings in batches). */
  gatewayAlive?: number | null;
  gatewayLost: boolean;
  /** Per device: last reading, whether it is reported lost (and from when). */
  devices: Record<string, { last: number | null; lost: 'silence' | 'event' | null; lostAt?: number }>;
}

type Ctx = DetectorContext<CommSettings>;

function raise(subject: string, kind: SubjectKind, ts: number, evidence: Record<string, unknown>): DetectorOutput {
  return {
    kind: 'raise',
    signal: { type: 'comm_loss', subject, subjectKind: kind, severity: 'warning', ts, evidence },
  };
}
function clear(subject: string, ts: number, evidence: Record<string, unknown>): DetectorOutput {
  return { kind: 'clear', type: 'comm_loss', subject, ts, evidence };
}

export const commLoss: Detector<CommSettings, CommState> = {
  name: 'comm_loss',
  stateVersion: 1,
  // Any reading, even one the gateway doubts, proves the link and the device are alive.
  acceptsSuspect: true,
  settings: SETTINGS,
  subjectsOfReading: (input) => [{ subject: input.gateway, kind: 'gateway' }],
  subjectsOfEvent: (event) => [{ subject: event.gateway, kind: 'gateway' }],
  initialState: () => ({ gatewayLast: null, gatewayAlive: null, gatewayLost: false, devices: {} }),

  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const ts = input.reading.ts;
    const out: DetectorOutput[] = [];
    const gwAllow = s.gatewayAllowanceSeconds * 1000;
    // A gap found when data resumes (no tick saw it live, e.g. in a replay): raise and resolve it.
    const alive = st.gatewayLast === null ? null : Math.max(st.gatewayLast, st.gatewayAlive ?? st.gatewayLast);
    if (alive !== null && !st.gatewayLost && ts - alive > gwAllow) {
      out.push(
        raise(ref.subject, 'gateway', alive + gwAllow, {
          gateway: ref.subject,
          lastSeen: alive,
          allowanceSeconds: s.gatewayAllowanceSeconds,
        }),
      );
      st.gatewayLost = true;
    }
    if (st.gatewayLost) {
      out.push(
        clear(ref.subject, ts, {
          gateway: ref.subject,
          resumedAt: ts,
          silentSeconds: st.gatewayLast === null ? null : Math.round((ts - st.gatewayLast) / 1000),
        }),
      );
      st.gatewayLost = false;
    }
    st.gatewayLast = Math.max(st.gatewayLast ?? ts, ts);
    const id = input.reading.device;
    const dev = (st.devices[id] ??= { last: null, lost: null });
    // A reading from before the loss (still in a batch on its way when the event came) proves nothing.
    if (dev.lost !== null && ts > (dev.lostAt ?? Number.NEGATIVE_INFINITY)) {
      out.push(clear(id, ts, { device: id, gateway: ref.subject, resumedAt: ts, lastSeen: dev.last }));
      dev.lost = null;
    }
    dev.last = Math.max(dev.last ?? ts, ts);
    return out;
  },

  onEvent(st, event: GatewayEvent, ref, ctx) {
    if (st.gatewayAlive === undefined || st.gatewayAlive === null || event.ts > st.gatewayAlive)
      st.gatewayAlive = event.ts;
    const id = event.device;
    if (!id || !ctx.settings.trustGatewayEvents) return [];
    const dev = (st.devices[id] ??= { last: null, lost: null });
    if (event.type === 'comm_lost') {
      // A late event older than readings already seen from the device is history, not news.
      if (dev.last !== null && dev.last > event.ts) return [];
      if (dev.lost !== null) return [];
      dev.lost = 'event';
      dev.lostAt = event.ts;
      return [
        raise(id, 'device', event.ts, {
          device: id,
          gateway: ref.subject,
          source: 'gateway event',
          lastSeen: dev.last,
          detail: event.detail ?? {},
        }),
      ];
    }
    // The device answered at this time, whatever the batches still on their way say.
    if (event.type === 'comm_restored') dev.last = Math.max(dev.last ?? event.ts, event.ts);
    if (event.type === 'comm_restored' && dev.lost !== null) {
      dev.lost = null;
      return [clear(id, event.ts, { device: id, gateway: ref.subject, source: 'gateway event' })];
    }
    return [];
  },

  onClock(st, now, ref: SubjectRef, ctx: Ctx) {
    const s = ctx.settings;
    const out: DetectorOutput[] = [];
    if (st.gatewayLast === null) return out;
    const alive = Math.max(st.gatewayLast, st.gatewayAlive ?? st.gatewayLast);
    if (!st.gatewayLost && now - alive > s.gatewayAllowanceSeconds * 1000) {
      st.gatewayLost = true;
      const at = alive + s.gatewayAllowanceSeconds * 1000;
      out.push(
        raise(ref.subject, 'gateway', at, {
          gateway: ref.subject,
          lastSeen: alive,
          allowanceSeconds: s.gatewayAllowanceSeconds,
        }),
      );
    }
    // A device is silent while its gateway goes on delivering: judged on the gateway's data, not the tick.
    const allow = s.deviceAllowanceSeconds * 1000;
    for (const [id, dev] of Object.entries(st.devices)) {
      const registered = ctx.registry.device(id);
      if (!registered || registered.gateway !== ref.subject) {
        delete st.devices[id]; // moved or decommissioned: no longer this gateway's to watch
        continue;
      }
      if (dev.last === null || dev.lost !== null) continue;
      if (st.gatewayLast - dev.last > allow) {
        dev.lost = 'silence';
        dev.lostAt = dev.last + allow;
        out.push(
          raise(id, 'device', dev.last + allow, {
            device: id,
            gateway: ref.subject,
            source: 'silence',
            lastSeen: dev.last,
            allowanceSeconds: s.deviceAllowanceSeconds,
          }),
        );
      }
    }
    return out;
  },
};
