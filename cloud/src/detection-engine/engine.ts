/**
 * The detection engine: feeds every stored batch, gateway event and clock tick to the
 * detector plugins in event-time order, with their per-subject state (state-cache.ts,
 * handed to the state store after each call; the host commits it between calls, see
 * runner.ts, so it survives a restart), and has what they ask carried out
 * (output-applier.ts). It keeps its own state too: each gateway's event clock, the
 * subjects with clock rules, the batches and events done, the quiet episodes. Calls are
 * queued and run one at a time.
 */
import { ALERT_TYPES, type AlertType, type GatewayEvent, type Reading, type TelemetryBatch } from '@gridsafe/shared';
import type {
  AnyDetector,
  DetectorContext,
  DetectorOutput,
  ReadingInput,
  SubjectRef,
} from '../detector-kit/detector.js';
import type { DetectionDependencies, DetectionEngine } from '../detector-kit/types.js';
import { EventClock, type EventClockState } from './event-clock.js';
import { addSeq, hasSeq, type SeqRanges } from './seq-ranges.js';
import { DEFAULT_QUIET_SECONDS, splitQuietSetting, type QuietEpisode } from './episodes.js';
import { OutputApplier } from './output-applier.js';
import { QuietEpisodes } from './quiet-episodes.js';
import { DetectorStateCache, type CachedState } from './state-cache.js';
import { parseDetectorSettings } from '../detector-kit/settings.js';

/** Detector name under which the engine keeps its own state (clock, subject index). */
const ENGINE_KEY = '_engine';

interface Slot {
  detector: AnyDetector;
  ctx: DetectorContext<unknown>;
}

interface EngineState {
  /** Event clock of each gateway. */
  clocks: Record<string, EventClockState>;
  /** Subjects per detector that have clock-driven rules, so a deadman still runs after a restart. */
  clocked: Record<string, SubjectRef[]>;
  /** Batch seqs processed per gateway, so a batch offered twice is processed once. */
  seqs?: Record<string, SeqRanges>;
  /** Event seqs processed per gateway (events are numbered apart from batches), likewise. */
  eventSeqs?: Record<string, SeqRanges>;
  /** Episodes whose condition cleared and whose alert resolves once their quiet period is over. */
  quiet?: Record<string, QuietEpisode>;
}

export interface EngineOptions {
  /** The plugins to run, chosen by the composition root (the engine knows no detector by name). */
  detectors: readonly AnyDetector[];
  /** Wall clock used to estimate event time between batches (tests pass a fake). */
  wallClock?: () => number;
  /** Subject under which the engine's own state is saved: one per detection partition in cluster mode. */
  stateKey?: string;
  /**
   * Cluster mode: whether this engine's partition owns a subject (fed through that
   * gateway). The engine still sees every batch and event of its gateways, so their event
   * clocks are whole, but runs the rules of its own subjects only.
   */
  owns?: (ref: SubjectRef, gateway: string) => boolean;
}

export function createDetectionEngine(deps: DetectionDependencies, options: EngineOptions): DetectionEngine {
  const detectors = options.detectors;
  const wallClock = options.wallClock ?? Date.now;
  const stateKey = options.stateKey ?? 'engine';
  const owns = options.owns;
  const log = deps.log.child({ component: 'detection' });
  // Quiet period of each alert type (episodes.ts); a detector named after its type may set its own.
  const quietSeconds: Partial<Record<AlertType, number>> = { ...DEFAULT_QUIET_SECONDS };
  const slots: Slot[] = detectors.map((detector) => {
    const type = (ALERT_TYPES as readonly string[]).includes(detector.name) ? (detector.name as AlertType) : undefined;
    const { quietSeconds: quiet, rest } = splitQuietSetting(detector.name, type, deps.settings[detector.name]);
    if (type) quietSeconds[type] = quiet;
    return {
      detector,
      // Settings are validated here, at start-up: a bad value stops the cloud with its name.
      ctx: {
        registry: deps.registry,
        settings: parseDetectorSettings(detector, rest),
        log: log.child({ detector: detector.name }),
      },
    };
  });
  const unknownKeys = Object.keys(deps.settings).filter((k) => !detectors.some((d) => d.name === k));
  if (unknownKeys.length > 0) {
    throw new Error(
      `detectors.${unknownKeys[0]} names no detector (known: ${detectors.map((d) => d.name).join(', ')})`,
    );
  }

  const cache = new DetectorStateCache(deps.state);
  // One event clock per gateway: silence is judged on a gateway's own time line, so a
  // backlog from one gateway replayed after another's gives the same alerts as live.
  const clocks = new Map<string, EventClock>();
  const clockOf = (gateway: string) => {
    let c = clocks.get(gateway);
    if (!c) clocks.set(gateway, (c = new EventClock()));
    return c;
  };
  let clocked: Map<string, Map<string, SubjectRef>> = new Map();
  let seqs: Record<string, SeqRanges> = {};
  let eventSeqs: Record<string, SeqRanges> = {};
  let engineLoaded = false;
  let engineDirty = false;
  // Alert and case changes carried out so far: the host saves state promptly after one.
  let changes = 0;
  const quiet = new QuietEpisodes(() => (engineDirty = true));
  const applier = new OutputApplier(deps.alerts, deps.cases, quiet, quietSeconds);

  async function loadEngine(): Promise<void> {
    if (engineLoaded) return;
    engineLoaded = true;
    const saved = (await deps.state.load(ENGINE_KEY, stateKey)) as EngineState | undefined;
    if (saved && typeof saved === 'object' && saved.clocks) {
      for (const [gw, c] of Object.entries(saved.clocks)) clockOf(gw).restore(c, wallClock());
      clocked = new Map(
        Object.entries(saved.clocked ?? {}).map(([d, refs]) => [d, new Map(refs.map((r) => [r.subject, r]))]),
      );
      seqs = saved.seqs ?? {};
      // Saved before events were recorded: an event offered again just after the upgrade runs again.
      eventSeqs = saved.eventSeqs ?? {};
      quiet.restore(saved.quiet);
    }
  }

  /** A subject's state the first time it is asked for: loaded, and its clock rules remembered. */
  async function load(slot: Slot, ref: SubjectRef): Promise<CachedState> {
    const entry = await cache.load(slot.detector, slot.ctx, ref);
    if (slot.detector.onClock) {
      let refs = clocked.get(slot.detector.name);
      if (!refs) clocked.set(slot.detector.name, (refs = new Map()));
      if (!refs.has(ref.subject)) {
        refs.set(ref.subject, ref);
        engineDirty = true;
      }
    }
    return entry;
  }

  /**
   * Runs one rule call; a failing detector is logged and never stops the others. Returns
   * a promise only when there is something to wait for (a state to load, outputs to carry
   * out): most calls have neither, and cost no turn of the microtask queue.
   */
  function run(
    slot: Slot,
    ref: SubjectRef,
    gateway: string,
    call: (state: unknown) => DetectorOutput[] | undefined,
  ): Promise<void> | undefined {
    if (owns && !owns(ref, gateway)) return undefined;
    const entry = cache.cached(slot.detector, ref);
    if (entry) return callRule(slot, entry, ref, gateway, call);
    return load(slot, ref).then(
      (loaded) => callRule(slot, loaded, ref, gateway, call),
      (err: unknown) => failed(slot, ref, err),
    );
  }

  function callRule(
    slot: Slot,
    entry: CachedState,
    ref: SubjectRef,
    gateway: string,
    call: (state: unknown) => DetectorOutput[] | undefined,
  ): Promise<void> | undefined {
    let outputs: DetectorOutput[] | undefined;
    try {
      outputs = call(entry.state);
      cache.touched(entry);
    } catch (err) {
      failed(slot, ref, err);
      return undefined;
    }
    if (!outputs || outputs.length === 0) return undefined;
    changes++;
    return applier.apply(outputs, gateway, slot.ctx.log).catch((err: unknown) => failed(slot, ref, err));
  }

  function failed(slot: Slot, ref: SubjectRef, err: unknown): void {
    slot.ctx.log.error({ err, subject: ref.subject }, 'detector failed on this input; other detectors carry on');
  }

  async function flush(): Promise<void> {
    await cache.flush();
    if (engineDirty) {
      const saved: EngineState = {
        clocks: Object.fromEntries([...clocks].map(([gw, c]) => [gw, c.snapshot()])),
        clocked: Object.fromEntries([...clocked].map(([d, refs]) => [d, [...refs.values()]])),
        seqs,
        eventSeqs,
        quiet: quiet.snapshot(),
      };
      await deps.state.save(ENGINE_KEY, stateKey, saved);
      engineDirty = false;
    }
  }

  /** Silence rules: each gateway subject is judged on its own gateway's clock (all of them, or one). */
  async function runClock(only?: string): Promise<void> {
    for (const slot of slots) {
      const onClock = slot.detector.onClock;
      const refs = clocked.get(slot.detector.name);
      if (!onClock || !refs) continue;
      for (const ref of refs.values()) {
        if (ref.kind !== 'gateway' || (only !== undefined && ref.subject !== only)) continue;
        const now = clocks.get(ref.subject)?.now();
        if (now === null || now === undefined) continue;
        const pending = run(slot, ref, ref.subject, (state) => onClock.call(slot.detector, state, now, ref, slot.ctx));
        if (pending) await pending;
      }
    }
  }

  async function handleReading(gateway: string, reading: Reading): Promise<void> {
    const input: ReadingInput = { gateway, reading, device: deps.registry.device(reading.device) };
    for (const slot of slots) {
      const d = slot.detector;
      if (!d.onReading || !d.subjectsOfReading) continue;
      if (reading.quality === 'suspect' && !d.acceptsSuspect) continue;
      const onReading = d.onReading;
      for (const ref of d.subjectsOfReading(input, slot.ctx)) {
        const pending = run(slot, ref, gateway, (state) => onReading.call(d, state, input, ref, slot.ctx));
        if (pending) await pending;
      }
    }
  }

  /**
   * Resolves the alerts of this gateway's quiet episodes whose quiet period is over by
   * event time `now`, at the moment it ended: the same answer however the data is batched.
   */
  async function closeQuiet(gateway: string, now: number): Promise<void> {
    for (const episode of quiet.takeDue(gateway, now)) {
      changes++;
      const alert = await deps.alerts.clear(episode.type, episode.subject, episode.due, {
        clearedAt: episode.clearedAt,
        quietSeconds: (episode.due - episode.clearedAt) / 1000,
      });
      if (alert) log.info({ alert: alert.id, type: alert.type, subject: alert.subject }, 'alert resolved');
    }
  }

  /**
   * Records a batch's or event's seq as processed; false when it was already. The host may
   * offer it again after a crash or a takeover between the state commit and its mark.
   */
  function firstTime(done: Record<string, SeqRanges>, what: 'batch' | 'event', gateway: string, seq: number): boolean {
    const ranges = (done[gateway] ??= []);
    if (hasSeq(ranges, seq)) {
      log.debug({ gateway, seq }, `${what} already processed; skipped`);
      return false;
    }
    addSeq(ranges, seq);
    engineDirty = true;
    return true;
  }

  async function processBatch(batch: TelemetryBatch): Promise<void> {
    await loadEngine();
    if (!firstTime(seqs, 'batch', batch.gateway, batch.seq)) return;
    // Event-time order inside the batch; a stable sort keeps equal timestamps in wire order.
    const readings = [...batch.readings].sort((a, b) => a.ts - b.ts);
    const clock = clockOf(batch.gateway);
    let quietChecked = Number.NEGATIVE_INFINITY;
    for (const reading of readings) {
      // Quiet periods end in event time, before the reading that comes after them is judged.
      if (reading.ts > quietChecked) {
        await closeQuiet(batch.gateway, reading.ts);
        quietChecked = reading.ts;
      }
      await handleReading(batch.gateway, reading);
      if (clock.observe(reading.ts, wallClock())) engineDirty = true;
    }
    await runClock(batch.gateway);
    await flush();
  }

  async function processEvent(event: GatewayEvent): Promise<void> {
    await loadEngine();
    if (!firstTime(eventSeqs, 'event', event.gateway, event.seq)) return;
    await closeQuiet(event.gateway, event.ts);
    for (const slot of slots) {
      const d = slot.detector;
      if (!d.onEvent || !d.subjectsOfEvent) continue;
      const onEvent = d.onEvent;
      for (const ref of d.subjectsOfEvent(event, slot.ctx)) {
        const pending = run(slot, ref, event.gateway, (state) => onEvent.call(d, state, event, ref, slot.ctx));
        if (pending) await pending;
      }
    }
    if (clockOf(event.gateway).observe(event.ts, wallClock())) engineDirty = true;
    await runClock(event.gateway);
    await flush();
  }

  async function tick(now: number): Promise<void> {
    await loadEngine();
    for (const clock of clocks.values()) {
      const before = clock.now();
      clock.tick(now);
      if (clock.now() !== before) engineDirty = true;
    }
    for (const [gateway, clock] of clocks) {
      const now = clock.now();
      if (now !== null) await closeQuiet(gateway, now);
    }
    await runClock();
    await flush();
  }

  // One call at a time, in the order the core made them, whatever the caller awaits.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return (...args: A) => {
      const next = queue.then(() => fn(...args));
      queue = next.catch(() => undefined);
      return next;
    };
  }

  return {
    processBatch: serial(processBatch),
    processEvent: serial(processEvent),
    tick: serial(tick),
    changes: () => changes,
  };
}
