/**
 * The seasonal baseline as it is saved, and the part the engine shares between the rules
 * that judge a meter against it (consumption_anomaly and suspected_tamper: one baseline
 * per meter, learnt and saved once).
 *
 * Saved form: `{ rev, slots, packed, pending?, withheld? }`, where `packed` is base64 of a
 * bit string: (1) the ring lengths, run-length coded (run, length), ring after ring in
 * `baseline.ts` order (day type × slot); (2) an order k (5 bits); (3) every value of every
 * ring in that order as the zigzag of its difference from the value before, in steps of
 * the baseline's resolution (`BASELINE_STEPS_PER_KW`), as an Exp-Golomb code of order k
 * (k chosen per baseline: the shortest for its values). A week's value at an hour is close
 * to the week before and to the hour before, so most values take a few bits: about 0.5 KB
 * for four weeks of a household's hourly means, against about 6 KB as JSON with
 * `${dayType}:${slot}` keys (the form saved before, which `decode` still reads).
 */
import { createHash } from 'node:crypto';
import type { SharedPart } from './detector.js';
import {
  BASELINE_STEPS_PER_KW,
  DAY_TYPES,
  newBaseline,
  writableRing,
  type Baseline,
  type BaselineConfig,
  type DayType,
} from './baseline.js';

/** What is saved. */
interface SavedBaseline {
  rev: number;
  slots: number;
  packed: string;
  /** [block, ring, value] */
  pending?: [number, number, number];
  withheld?: number;
}

/** The form saved before the baseline was shared: `${dayType}:${slot}` → values. */
interface LegacyBaseline {
  slots: Record<string, number[]>;
  rev: number;
}

/** Bits, most significant first, into bytes. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** Writes `count` (≤ 53) low bits of a non-negative integer. */
  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.current = (this.current << 1) | (Math.floor(value / 2 ** i) % 2);
      if (++this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
  }

  /** Exp-Golomb code of order k: short for small values, any size allowed. */
  expGolomb(n: number, k: number): void {
    const m = n + 2 ** k;
    const width = bitWidth(m);
    this.bits(0, width - k - 1);
    this.bits(m, width);
  }

  base64(): string {
    const out = [...this.bytes];
    if (this.used > 0) out.push(this.current << (8 - this.used));
    return Buffer.from(out).toString('base64');
  }
}

class BitReader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  bit(): number {
    const byte = this.at >> 3;
    if (byte >= this.bytes.length) throw new Error('packed values end early');
    const bit = (this.bytes[byte]! >> (7 - (this.at & 7))) & 1;
    this.at++;
    return bit;
  }

  bits(count: number): number {
    let n = 0;
    for (let i = 0; i < count; i++) n = n * 2 + this.bit();
    return n;
  }

  expGolomb(k: number): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 52) throw new Error('a packed value is too long');
    // The leading 1 was read: the remaining zeros + k bits of m.
    return 2 ** (zeros + k) + this.bits(zeros + k) - 2 ** k;
  }

  /** Whether what is left is the last byte's padding. */
  get done(): boolean {
    return this.bytes.length - (this.at >> 3) <= 1 && this.bytes.length * 8 - this.at < 8;
  }
}

function bitWidth(m: number): number {
  let width = 1;
  while (m >= 2 ** width) width++;
  return width;
}

/** The Exp-Golomb order that packs these values the shortest. */
function bestOrder(values: readonly number[]): number {
  let best = 0;
  let bestBits = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= MAX_ORDER; k++) {
    let total = 0;
    for (const n of values) total += 2 * bitWidth(n + 2 ** k) - k - 1;
    if (total < bestBits) [best, bestBits] = [k, total];
  }
  return best;
}

const MAX_ORDER = 20;
/** Ring lengths and run counts are written as Exp-Golomb codes of this order. */
const LENGTH_ORDER = 2;

const zigzag = (n: number) => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

export function encodeBaseline(b: Baseline): SavedBaseline {
  const deltas: number[] = [];
  let previous = 0;
  for (const ring of b.rings)
    for (const value of ring) {
      const steps = Math.round(value * BASELINE_STEPS_PER_KW);
      deltas.push(zigzag(steps - previous));
      previous = steps;
    }
  const out = new BitWriter();
  for (let i = 0; i < b.rings.length;) {
    const length = b.rings[i]!.length;
    let run = 1;
    while (i + run < b.rings.length && b.rings[i + run]!.length === length) run++;
    out.expGolomb(run - 1, LENGTH_ORDER);
    out.expGolomb(length, LENGTH_ORDER);
    i += run;
  }
  const k = bestOrder(deltas);
  out.bits(k, 5);
  for (const n of deltas) out.expGolomb(n, k);
  return {
    rev: b.rev,
    slots: b.slotsPerDay,
    packed: out.base64(),
    ...(b.pending ? { pending: [b.pending.block, b.pending.ring, b.pending.value] } : {}),
    ...(b.withheld !== null ? { withheld: b.withheld } : {}),
  };
}

/** The baseline from its saved form (or the older JSON form), or why it cannot be read. */
export function decodeBaseline(saved: unknown, cfg: BaselineConfig): Baseline | { unreadable: string } {
  if (typeof saved !== 'object' || saved === null) return { unreadable: 'not an object' };
  const b = newBaseline(cfg);
  if ('packed' in saved) return unpack(saved as SavedBaseline, b);
  if ('slots' in saved && typeof saved.slots === 'object') return fromLegacy(saved as LegacyBaseline, b);
  return { unreadable: 'neither the packed nor the older form' };
}

function unpack(saved: SavedBaseline, b: Baseline): Baseline | { unreadable: string } {
  if (saved.slots !== b.slotsPerDay)
    return { unreadable: `${saved.slots} slots a day saved, ${b.slotsPerDay} configured` };
  try {
    const bits = new BitReader(Buffer.from(saved.packed, 'base64'));
    const lengths: number[] = [];
    while (lengths.length < b.rings.length) {
      const run = bits.expGolomb(LENGTH_ORDER) + 1;
      const length = bits.expGolomb(LENGTH_ORDER);
      if (lengths.length + run > b.rings.length) throw new Error('ring lengths do not fit the slots');
      for (let i = 0; i < run; i++) lengths.push(length);
    }
    const k = bits.bits(5);
    let previous = 0;
    lengths.forEach((length, i) => {
      if (length === 0) return;
      const ring = writableRing(b, i);
      for (let j = 0; j < length; j++) {
        previous += unzigzag(bits.expGolomb(k));
        ring.push(previous / BASELINE_STEPS_PER_KW);
      }
    });
    if (!bits.done) throw new Error('bits left after the last value');
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
  if (saved.pending) {
    const [block, ring, value] = saved.pending;
    if (ring < 0 || ring >= b.rings.length) return { unreadable: `pending block's ring ${ring} out of range` };
    b.pending = { block, ring, value };
  }
  b.withheld = saved.withheld ?? null;
  b.rev = saved.rev;
  return b;
}

function fromLegacy(saved: LegacyBaseline, b: Baseline): Baseline | { unreadable: string } {
  for (const [key, values] of Object.entries(saved.slots)) {
    const [type, slotText] = key.split(':');
    const t = DAY_TYPES.indexOf(type as DayType);
    const slot = Number(slotText);
    if (t < 0 || !Number.isInteger(slot) || slot < 0 || slot >= b.slotsPerDay || !Array.isArray(values))
      return { unreadable: `slot "${key}" does not fit ${b.slotsPerDay} slots a day` };
    // To the resolution kept now, so the first save and reload change nothing more.
    for (const x of values)
      if (typeof x === 'number')
        writableRing(b, t * b.slotsPerDay + slot).push(Math.round(x * BASELINE_STEPS_PER_KW) / BASELINE_STEPS_PER_KW);
  }
  b.rev = typeof saved.rev === 'number' ? saved.rev : 0;
  return b;
}

/** A short, stable name for a set of local dates. */
function datesKey(dates: ReadonlySet<string>): string {
  return createHash('sha256')
    .update([...dates].sort().join(','))
    .digest('hex')
    .slice(0, 8);
}

/**
 * The seasonal baseline as a part shared by the rules of one meter: rules whose settings
 * give the same slots, weeks, local time and calendar learn one baseline. A rule set apart
 * (another block length, other holidays) keeps its own.
 */
export function baselinePart<S extends { cfg: BaselineConfig }>(): SharedPart<S, Baseline> {
  return {
    area: ({ cfg }) =>
      `seasonal_baseline:${cfg.blockMinutes}min:${cfg.weeks}wk:${cfg.utcOffsetMinutes}:` +
      `${datesKey(cfg.holidays)}:${datesKey(cfg.workingDays)}`,
    create: ({ cfg }) => newBaseline(cfg),
    encode: encodeBaseline,
    decode: (saved, { cfg }) => decodeBaseline(saved, cfg),
  };
}
