/**
 * The plugin interface every detector implements. A detector is a pure rule over its
 * own per-subject state: the engine loads and saves the state, feeds readings and
 * events in event-time order, and carries out what the rule asks (raise, clear, case).
 * Keeping the rules free of I/O is what makes them testable on hand-made series and
 * makes a replay give the same answer as live data.
 */
import type { AlertType, Device, GatewayEvent, Logger, Reading, SubjectKind } from '@gridsafe/shared';
import type { DetectorSettings } from './settings.js';
import type { AlertSignal, CapacityCaseEvidence, RegistryView } from './types.js';

export interface SubjectRef {
  subject: string;
  kind: SubjectKind;
}

/** What a rule asks the engine to do, in order. */
export type DetectorOutput =
  | { kind: 'raise'; signal: AlertSignal }
  | { kind: 'clear'; type: AlertType; subject: string; ts: number; evidence: Record<string, unknown> }
  | { kind: 'case'; evidence: CapacityCaseEvidence };

/** One reading as a detector sees it: with the gateway it came through and its registry entry. */
export interface ReadingInput {
  gateway: string;
  reading: Reading;
  /** Undefined when the device is not (yet) in the registry. */
  device: Device | undefined;
}

export interface DetectorContext<S> {
  registry: RegistryView;
  settings: S;
  log: Logger;
}

/** A large part of a subject's state, with a `rev` its rules bump on every change. */
export interface StatePart {
  rev: number;
}

/**
 * How a shared part is named, made, saved and read back. The engine keeps one object per
 * area and subject, gives it to each detector's state under the field's name, and saves
 * it in the state store under the area's name.
 */
export interface SharedPart<S = unknown, P extends StatePart = StatePart> {
  /** The area from the detector's settings: detectors naming the same area for a subject share one part. */
  area(settings: S): string;
  create(settings: S): P;
  /** What is saved: plain JSON. */
  encode(part: P): unknown;
  /** The part from what was saved (or from the older form a detector saved alone), or why it cannot be read. */
  decode(saved: unknown, settings: S): P | { unreadable: string };
}

/**
 * A detector plugin. `St` must be plain JSON (it is persisted through the state store);
 * bump `stateVersion` when its shape changes and old state is discarded on load.
 */
export interface Detector<S = unknown, St = unknown> {
  readonly name: string;
  readonly stateVersion: number;
  /** Its settings: a TypeBox schema with defaults, and how the rule's settings are built from them (settings.ts). */
  readonly settings: DetectorSettings<S>;
  /**
   * Top-level fields of the state that are large and change rarely (a seasonal baseline),
   * each saved apart, only when its `rev` moved, and shared with every detector that names
   * the same area for the subject (`SharedPart`): one object, learnt and saved once.
   */
  readonly sharedParts?: Readonly<Record<string, SharedPart<S>>>;
  /**
   * The state (without its shared parts) as saved and read back, where a compact form
   * pays; without it the state is saved as it is. `decode` must also read what was saved
   * before `encode` existed for this `stateVersion`, and throws on what it cannot read
   * (the state then starts afresh, logged).
   */
  readonly savedForm?: { encode(state: St): unknown; decode(saved: unknown): St };
  /** Suspect readings (out of physical range, per the gateway) are skipped unless this is true. */
  readonly acceptsSuspect?: boolean;
  /** The subjects a reading feeds (none: the detector ignores it). */
  subjectsOfReading?(input: ReadingInput, ctx: DetectorContext<S>): SubjectRef[];
  subjectsOfEvent?(event: GatewayEvent, ctx: DetectorContext<S>): SubjectRef[];
  initialState(ref: SubjectRef, ctx: DetectorContext<S>): St;
  onReading?(state: St, input: ReadingInput, ref: SubjectRef, ctx: DetectorContext<S>): DetectorOutput[];
  onEvent?(state: St, event: GatewayEvent, ref: SubjectRef, ctx: DetectorContext<S>): DetectorOutput[];
  /**
   * Silence rules (deadman). Called for this detector's subjects of kind 'gateway' after
   * each batch or event of that gateway and on every tick, with that gateway's event
   * clock: its latest reading or event time, moved on between batches at wall-clock
   * speed by ticks (never past the wall clock). Live, silence is noticed as it happens;
   * in a fast replay, time is set by the data.
   */
  onClock?(state: St, clock: number, ref: SubjectRef, ctx: DetectorContext<S>): DetectorOutput[];
}

/** Erases the type parameters so detectors of different shapes fit in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds detectors of many setting/state shapes; each is checked where it is defined.
export type AnyDetector = Detector<any, any>;
