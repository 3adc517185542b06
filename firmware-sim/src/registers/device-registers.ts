/**
 * A device's register image, built from its profile: every canonical quantity the
 * profile maps is encoded exactly as the profile says (secondary side where the profile
 * says the gateway applies a ratio), so adding a profile file adds a simulatable model.
 */
import {
  decodeRegisters,
  registerCount,
  encodeRegisters,
  type DeviceProfile,
  type PrimaryConversion,
  type Quantity,
  type ReadFunction,
  type RegisterHole,
  type RegisterDefinition,
  type SettingDefinition,
} from '@gridsafe/shared';
import type { DeviceSnapshot } from '../model/device-model.js';

/**
 * Holes of up to this many registers between mapped ones read as 0, as on real meters
 * that answer a whole block (and so a gateway's gap-filling reads work); an address
 * outside every block answers exception 2 (illegal data address).
 */
export const DEFAULT_BLOCK_GAP = 64;

type Entry =
  | { kind: 'quantity'; def: RegisterDefinition; ratio: number }
  | { kind: 'setting'; def: SettingDefinition; value: (snapshot: DeviceSnapshot) => number };

/** Per-phase settings served with the encoding of the total they belong to (q_a as q_kvar, ...). */
const PHASE_SIBLINGS: Record<string, Quantity> = { q: 'q_kvar', pf: 'pf', s: 's_kva', p: 'p_kw' };

export function ratioFor(conversion: PrimaryConversion, ctRatio: number, ptRatio: number): number {
  switch (conversion) {
    case 'none':
      return 1;
    case 'ct':
      return ctRatio;
    case 'pt':
      return ptRatio;
    case 'ctpt':
      return ctRatio * ptRatio;
  }
}

export class DeviceRegisters {
  readonly profile: DeviceProfile;
  private readonly entries: Entry[] = [];
  /** Readable blocks per function code: [first, last] inclusive. */
  private readonly blocks: Map<ReadFunction, Array<[number, number]>>;
  private image = new Map<ReadFunction, Map<number, number>>();
  /** Settings this simulator has no value for; they read 0 (reported once at start-up). */
  readonly unsupportedSettings: string[] = [];
  /** Ranges a read must not touch (exception 2), as the profile declares them. */
  private readonly holes: readonly RegisterHole[];

  constructor(profile: DeviceProfile, ctRatio: number, ptRatio: number, blockGap = DEFAULT_BLOCK_GAP) {
    this.profile = profile;
    this.holes = profile.holes;
    for (const def of profile.registers)
      this.entries.push({ kind: 'quantity', def, ratio: ratioFor(def.primary, ctRatio, ptRatio) });
    for (const def of profile.settings)
      this.entries.push({ kind: 'setting', def, value: this.settingSource(def, ctRatio, ptRatio) });
    this.blocks = computeBlocks(
      this.entries.map((e) => e.def),
      blockGap,
    );
  }

  private settingSource(
    def: SettingDefinition,
    ctRatio: number,
    ptRatio: number,
  ): (snapshot: DeviceSnapshot) => number {
    // A description that says "x0.1" means the register holds tenths (DTSU666's PT ratio).
    const tenths = /x\s*0\.1\b/i.test(def.description) ? 10 : 1;
    if (def.name === 'ct_ratio') return () => ctRatio * tenths;
    if (def.name === 'pt_ratio') return () => ptRatio * tenths;
    const phase = /^([a-z]+)_([abc])$/.exec(def.name);
    const siblingName = phase ? PHASE_SIBLINGS[phase[1]!] : undefined;
    const sibling = siblingName ? this.profile.registers.find((r) => r.quantity === siblingName) : undefined;
    if (sibling) {
      const ratio = ratioFor(sibling.primary, ctRatio, ptRatio);
      return (snapshot) => (snapshot.extras[def.name] ?? 0) / ratio / sibling.scale;
    }
    return (snapshot) => {
      const value = snapshot.extras[def.name];
      if (value === undefined) {
        if (!this.unsupportedSettings.includes(def.name)) this.unsupportedSettings.push(def.name);
        return 0;
      }
      return value;
    };
  }

  /**
   * Builds the image for a snapshot and returns the served values: what the registers
   * encode, decoded and scaled back to primary units exactly as a gateway would.
   */
  update(snapshot: DeviceSnapshot): Partial<Record<Quantity, number>> {
    const image = new Map<ReadFunction, Map<number, number>>([
      [3, new Map()],
      [4, new Map()],
    ]);
    const served: Partial<Record<Quantity, number>> = {};
    for (const entry of this.entries) {
      const raw =
        entry.kind === 'quantity'
          ? (snapshot.values[entry.def.quantity] ?? 0) / entry.ratio / entry.def.scale
          : entry.value(snapshot);
      const words = encodeRegisters(raw, entry.def.type, entry.def.byteOrder);
      const table = image.get(entry.def.function)!;
      words.forEach((w, k) => table.set(entry.def.address + k, w));
      if (entry.kind === 'quantity')
        served[entry.def.quantity] =
          decodeRegisters(words, entry.def.type, entry.def.byteOrder) * entry.def.scale * entry.ratio;
    }
    this.image = image;
    return served;
  }

  /** The words of a read, or null when an address is outside every block or in a hole (exception 2). */
  read(fn: ReadFunction, start: number, count: number): number[] | null {
    const end = start + count - 1;
    const blocks = this.blocks.get(fn) ?? [];
    if (!blocks.some(([first, last]) => start >= first && end <= last)) return null;
    if (this.holes.some((h) => h.function === fn && h.first <= end && h.last >= start)) return null;
    const table = this.image.get(fn);
    const words: number[] = [];
    for (let a = start; a <= end; a++) words.push(table?.get(a) ?? 0);
    return words;
  }

  /** The readable blocks, for documentation and tests. */
  readableBlocks(): Array<{ function: ReadFunction; first: number; last: number }> {
    const out: Array<{ function: ReadFunction; first: number; last: number }> = [];
    for (const [fn, list] of this.blocks) for (const [first, last] of list) out.push({ function: fn, first, last });
    return out;
  }
}

function computeBlocks(
  defs: Array<{ function: ReadFunction; address: number; type: RegisterDefinition['type'] }>,
  gap: number,
): Map<ReadFunction, Array<[number, number]>> {
  const blocks = new Map<ReadFunction, Array<[number, number]>>();
  for (const fn of [3, 4] as const) {
    const spans = defs
      .filter((d) => d.function === fn)
      .map((d): [number, number] => [d.address, d.address + registerCount(d.type) - 1])
      .sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span[0] - last[1] - 1 <= gap) last[1] = Math.max(last[1], span[1]);
      else merged.push([span[0], span[1]]);
    }
    if (merged.length > 0) blocks.set(fn, merged);
  }
  return blocks;
}
