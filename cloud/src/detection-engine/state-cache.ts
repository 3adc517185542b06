/**
 * Detectors' per-subject state, cached in memory and written behind: a call reads the
 * cached state (loading it, or starting afresh when the stored shape is older), marks it
 * changed, and `flush` hands what changed to the store after the call. Large `coldParts`
 * are saved apart and only when their `rev` moved, cold parts first, so a saved hot state
 * never points at a part that was not written.
 *
 * What is handed to the store is one object per subject and part, made once, that gives
 * the state as it is when the store serializes it (`toJSON`): the store commits when the
 * host says (detection-engine/runner.ts), so a subject touched by many calls in between
 * is serialized once, and a call costs no copy.
 */
import type { AnyDetector, DetectorContext, SubjectRef } from '../detector-kit/detector.js';
import type { DetectorStateStore } from '../detector-kit/types.js';

/** What the store keeps for a subject: the state's shape version and the state. */
interface Persisted {
  v: number;
  s: unknown;
}

/** A subject's cached state. */
export interface CachedState {
  readonly detector: string;
  readonly subject: string;
  readonly state: unknown;
  /** `rev` of each cold part as last handed to the store. */
  readonly savedRevs: Record<string, number>;
  readonly coldParts: readonly string[];
  /** Handed to the store on each save: the hot state (without cold parts) as it is then. */
  readonly persisted: { toJSON(): Persisted };
  /** Handed to the store when a cold part's `rev` moved. */
  readonly persistedParts: Record<string, { toJSON(): Persisted }>;
}

function cachedState(
  detector: AnyDetector,
  subject: string,
  state: unknown,
  savedRevs: Record<string, number>,
): CachedState {
  const v = detector.stateVersion;
  const coldParts = detector.coldParts ?? [];
  const whole = state as Record<string, unknown>;
  const hot = () => {
    if (coldParts.length === 0) return state;
    const fields: Record<string, unknown> = {};
    for (const field in whole) if (!coldParts.includes(field)) fields[field] = whole[field];
    return fields;
  };
  return {
    detector: detector.name,
    subject,
    state,
    savedRevs,
    coldParts,
    persisted: { toJSON: () => ({ v, s: hot() }) },
    persistedParts: Object.fromEntries(coldParts.map((part) => [part, { toJSON: () => ({ v, s: whole[part] }) }])),
  };
}

export class DetectorStateCache {
  /** Per detector, per subject: looked up on every call, so no key is built for it. */
  private readonly cache = new Map<AnyDetector, Map<string, CachedState>>();
  private readonly dirty = new Set<CachedState>();

  constructor(private readonly store: DetectorStateStore) {}

  /** The subject's state when it is cached (no store read). */
  cached(detector: AnyDetector, ref: SubjectRef): CachedState | undefined {
    return this.cache.get(detector)?.get(ref.subject);
  }

  /** Loads the subject's state from the store (or starts it afresh) and caches it. */
  async load(detector: AnyDetector, ctx: DetectorContext<unknown>, ref: SubjectRef): Promise<CachedState> {
    const saved = (await this.store.load(detector.name, ref.subject)) as Persisted | undefined;
    const coldParts = detector.coldParts ?? [];
    const savedRevs: Record<string, number> = {};
    let state: unknown;
    if (saved && typeof saved === 'object' && saved.v === detector.stateVersion) {
      state = saved.s;
      for (const part of coldParts) {
        const stored = (await this.store.load(detector.name, `${ref.subject}#${part}`)) as Persisted | undefined;
        if (!stored || stored.v !== detector.stateVersion) {
          state = undefined; // a part missing or of another shape: the whole state starts afresh
          break;
        }
        (state as Record<string, unknown>)[part] = stored.s;
        savedRevs[part] = (stored.s as { rev: number }).rev;
      }
    } else if (saved !== undefined) {
      ctx.log.info({ subject: ref.subject }, 'stored detector state has an older shape; starting afresh');
    }
    if (state === undefined) {
      state = detector.initialState(ref, ctx);
      for (const part of coldParts) delete savedRevs[part];
    }
    const entry = cachedState(detector, ref.subject, state, savedRevs);
    let subjects = this.cache.get(detector);
    if (!subjects) this.cache.set(detector, (subjects = new Map()));
    subjects.set(ref.subject, entry);
    return entry;
  }

  /** The subject's state was handed to a rule call: save it at the next flush. */
  touched(entry: CachedState): void {
    this.dirty.add(entry);
  }

  async flush(): Promise<void> {
    // Saves are issued in order (a cold part before the hot state that points at it) and
    // awaited together: a write-behind store answers at once, and a call awaited one by one
    // would cost a microtask turn for each of the hundreds of subjects a batch touches.
    const saves: Array<Promise<void>> = [];
    for (const entry of this.dirty) {
      for (const part of entry.coldParts) {
        const rev = ((entry.state as Record<string, unknown>)[part] as { rev: number }).rev;
        if (entry.savedRevs[part] === rev) continue;
        saves.push(this.store.save(entry.detector, `${entry.subject}#${part}`, entry.persistedParts[part]));
        entry.savedRevs[part] = rev;
      }
      saves.push(this.store.save(entry.detector, entry.subject, entry.persisted));
    }
    this.dirty.clear();
    await Promise.all(saves);
  }
}
