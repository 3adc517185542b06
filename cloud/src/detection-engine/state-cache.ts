/**
 * Detectors' per-subject state, cached in memory and written behind: a call reads the
 * cached state (loading it, or starting afresh when the stored shape is older), marks it
 * changed, and `flush` saves what changed after the batch. Large `coldParts` are saved
 * apart and only when their `rev` moved, cold parts first, so a saved hot state never
 * points at a part that was not written.
 */
import type { AnyDetector, DetectorContext, SubjectRef } from '../detector-kit/detector.js';
import type { DetectorStateStore } from '../detector-kit/types.js';

interface Cached {
  version: number;
  state: unknown;
  /** `rev` of each cold part as last saved. */
  savedRevs: Record<string, number>;
  coldParts: readonly string[];
}

/** What the store keeps for a subject: the state's shape version and the state. */
interface Persisted {
  v: number;
  s: unknown;
}

const key = (detector: string, subject: string) => `${detector}\u0000${subject}`;

export class DetectorStateCache {
  private readonly cache = new Map<string, Cached>();
  private readonly dirty = new Set<string>();

  constructor(private readonly store: DetectorStateStore) {}

  /** The subject's state; `loaded` is true when it was not cached before this call. */
  async get(
    detector: AnyDetector,
    ctx: DetectorContext<unknown>,
    ref: SubjectRef,
  ): Promise<{ state: unknown; loaded: boolean }> {
    const k = key(detector.name, ref.subject);
    const hit = this.cache.get(k);
    if (hit) return { state: hit.state, loaded: false };
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
    this.cache.set(k, { version: detector.stateVersion, state, savedRevs, coldParts });
    return { state, loaded: true };
  }

  /** The subject's state was handed to a rule call: save it at the next flush. */
  touched(detector: string, subject: string): void {
    this.dirty.add(key(detector, subject));
  }

  async flush(): Promise<void> {
    for (const k of this.dirty) {
      const [detector, subject] = k.split('\u0000') as [string, string];
      const hit = this.cache.get(k);
      if (!hit) continue;
      if (hit.coldParts.length === 0) {
        await this.store.save(detector, subject, { v: hit.version, s: hit.state } satisfies Persisted);
        continue;
      }
      const whole = hit.state as Record<string, unknown>;
      const hot: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(whole)) if (!hit.coldParts.includes(field)) hot[field] = value;
      for (const part of hit.coldParts) {
        const value = whole[part] as { rev: number };
        if (hit.savedRevs[part] === value.rev) continue;
        await this.store.save(detector, `${subject}#${part}`, { v: hit.version, s: value } satisfies Persisted);
        hit.savedRevs[part] = value.rev;
      }
      await this.store.save(detector, subject, { v: hit.version, s: hot } satisfies Persisted);
    }
    this.dirty.clear();
  }
}
