/**
 * Detectors' per-subject state, cached in memory and written behind: a call reads the
 * cached state (loading it, or starting afresh when the stored shape is older), marks it
 * changed, and `flush` hands what changed to the store after the call. Large
 * `sharedParts` (a seasonal baseline) are kept once per area and subject, given to every
 * detector that names that area, and saved apart, only when their `rev` moved, parts
 * first, so a saved state never points at a part that was not written. A part first read
 * from a detector's own row of before sharing (`${subject}#${field}`) is saved under its
 * area, and that row deleted after it (the store commits the two together, in order).
 *
 * What is handed to the store is one object per subject and part, made once, that gives
 * the state as it is when the store serializes it (`toJSON`): the store commits when the
 * host says (detection-engine/runner.ts), so a subject touched by many calls in between
 * is serialized once, and a call costs no copy.
 */
import type { AnyDetector, DetectorContext, SharedPart, StatePart, SubjectRef } from '../detector-kit/detector.js';
import type { DetectorStateStore } from '../detector-kit/types.js';

/** What the store keeps for a subject: the state's shape version and the state. */
interface Persisted {
  v: number;
  s: unknown;
}

/** A part shared by the detectors of one subject, saved under its area's name. */
interface SharedEntry {
  readonly area: string;
  readonly subject: string;
  readonly part: StatePart;
  /** `rev` as last handed to the store. */
  savedRev: number | null;
  /** The area row was missing when loaded: each detector's row from before sharing goes once it is saved. */
  readonly migrating: boolean;
  /** Those rows, deleted at the next flush. */
  readonly legacyRows: Array<{ detector: string; subject: string }>;
  readonly persisted: { toJSON(): unknown };
}

/** A subject's cached state. */
export interface CachedState {
  readonly detector: string;
  readonly subject: string;
  readonly state: unknown;
  readonly shared: readonly SharedEntry[];
  /** Handed to the store on each save: the state without its shared parts, as it is then. */
  readonly persisted: { toJSON(): Persisted };
}

function cachedState(detector: AnyDetector, subject: string, state: unknown, shared: SharedEntry[]): CachedState {
  const v = detector.stateVersion;
  const fields = Object.keys(detector.sharedParts ?? {});
  const whole = state as Record<string, unknown>;
  const encode = detector.savedForm?.encode;
  const own = () => {
    let out: unknown = state;
    if (fields.length > 0) {
      const fieldsOwn: Record<string, unknown> = {};
      for (const field in whole) if (!fields.includes(field)) fieldsOwn[field] = whole[field];
      out = fieldsOwn;
    }
    return encode ? encode.call(detector.savedForm, out) : out;
  };
  return { detector: detector.name, subject, state, shared, persisted: { toJSON: () => ({ v, s: own() }) } };
}

export class DetectorStateCache {
  /** Per detector, per subject: looked up on every call, so no key is built for it. */
  private readonly cache = new Map<AnyDetector, Map<string, CachedState>>();
  /** Per area, per subject. */
  private readonly shared = new Map<string, Map<string, SharedEntry>>();
  private readonly dirty = new Set<CachedState>();

  constructor(private readonly store: DetectorStateStore) {}

  /** The subject's state when it is cached (no store read). */
  cached(detector: AnyDetector, ref: SubjectRef): CachedState | undefined {
    return this.cache.get(detector)?.get(ref.subject);
  }

  /** Loads the subject's state from the store (or starts it afresh) and caches it. */
  async load(detector: AnyDetector, ctx: DetectorContext<unknown>, ref: SubjectRef): Promise<CachedState> {
    const saved = (await this.store.load(detector.name, ref.subject)) as Persisted | undefined;
    let state: Record<string, unknown> | undefined;
    const current = saved !== undefined && typeof saved === 'object' && saved.v === detector.stateVersion;
    if (current) {
      try {
        state = (detector.savedForm ? detector.savedForm.decode(saved.s) : saved.s) as Record<string, unknown>;
      } catch (err) {
        ctx.log.warn({ err, subject: ref.subject }, 'stored detector state unreadable; starting afresh');
      }
    } else if (saved !== undefined) {
      ctx.log.info({ subject: ref.subject }, 'stored detector state has an older shape; starting afresh');
    }
    state ??= detector.initialState(ref, ctx) as Record<string, unknown>;
    const shared: SharedEntry[] = [];
    for (const [field, part] of Object.entries(detector.sharedParts ?? {})) {
      // Before parts were shared, a detector saved its own under `${subject}#${field}`.
      const legacy = current ? `${ref.subject}#${field}` : undefined;
      const entry = await this.sharedEntry(detector, part as SharedPart, ctx, ref.subject, legacy);
      state[field] = entry.part;
      shared.push(entry);
    }
    const entry = cachedState(detector, ref.subject, state, shared);
    let subjects = this.cache.get(detector);
    if (!subjects) this.cache.set(detector, (subjects = new Map()));
    subjects.set(ref.subject, entry);
    return entry;
  }

  private async sharedEntry(
    detector: AnyDetector,
    part: SharedPart,
    ctx: DetectorContext<unknown>,
    subject: string,
    legacy: string | undefined,
  ): Promise<SharedEntry> {
    const area = part.area(ctx.settings);
    let subjects = this.shared.get(area);
    if (!subjects) this.shared.set(area, (subjects = new Map()));
    const known = subjects.get(subject);
    if (known) {
      // Another detector sharing the part may have its own old copy too (a missing row deletes as nothing).
      if (known.migrating && legacy !== undefined) known.legacyRows.push({ detector: detector.name, subject: legacy });
      return known;
    }
    let stored = await this.store.load(area, subject);
    let savedHere = stored !== undefined;
    const migrating = stored === undefined && legacy !== undefined;
    const legacyRows: SharedEntry['legacyRows'] = [];
    if (migrating) {
      const old = (await this.store.load(detector.name, legacy)) as Persisted | undefined;
      if (old !== undefined) legacyRows.push({ detector: detector.name, subject: legacy });
      if (old?.v === detector.stateVersion) stored = old.s;
    }
    let value: StatePart | undefined;
    if (stored !== undefined) {
      const decoded = part.decode(stored, ctx.settings);
      if ('unreadable' in decoded) {
        ctx.log.warn(
          { subject, area, reason: decoded.unreadable },
          'stored shared detector state unreadable; starting afresh',
        );
        savedHere = false;
      } else value = decoded;
    }
    value ??= part.create(ctx.settings);
    const made = value;
    const entry: SharedEntry = {
      area,
      subject,
      part: made,
      savedRev: savedHere ? made.rev : null,
      migrating,
      legacyRows,
      persisted: { toJSON: () => part.encode(made) },
    };
    subjects.set(subject, entry);
    return entry;
  }

  /** The subject's state was handed to a rule call: save it at the next flush. */
  touched(entry: CachedState): void {
    this.dirty.add(entry);
  }

  async flush(): Promise<void> {
    // Saves are issued in order (a shared part before the state that points at it, and
    // before the deletion of the rows it replaces) and awaited together: a write-behind
    // store answers at once, and a call awaited one by one would cost a microtask turn for
    // each of the hundreds of subjects a batch touches.
    const saves: Array<Promise<void>> = [];
    for (const entry of this.dirty) {
      for (const part of entry.shared) {
        if (part.savedRev !== part.part.rev) {
          saves.push(this.store.save(part.area, part.subject, part.persisted));
          part.savedRev = part.part.rev;
        }
        for (const row of part.legacyRows.splice(0)) saves.push(this.store.delete(row.detector, row.subject));
      }
      saves.push(this.store.save(entry.detector, entry.subject, entry.persisted));
    }
    this.dirty.clear();
    await Promise.all(saves);
  }
}
