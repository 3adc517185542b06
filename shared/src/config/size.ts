/**
 * Sizes in config files: a whole number of bytes, or a number with a unit
 * (B, KB, KiB, MB, MiB, GB, GiB; case does not matter), e.g. 65536, 64KiB, 256MiB.
 * A bare number is unambiguous here (bytes), unlike a duration.
 */
import { Type, type TUnsafe } from '@sinclair/typebox';

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i;
const SIZE_FACTOR: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** Bytes of a size, or undefined when it is not one. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SIZE_FACTOR[(match[2] ?? 'b').toLowerCase()]!);
}

/** The range a `sizeBytes` keyword carries. */
export interface SizeRange {
  minimum?: number;
  maximum?: number;
}

/** A size field; the value stays as written, `toBytes` converts it once the config is valid. */
export function Size(range: SizeRange = {}): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({ sizeBytes: range });
}

export function sizeFits(value: unknown, range: SizeRange): boolean {
  const bytes = parseSize(value);
  if (bytes === undefined) return false;
  return !(
    (range.minimum !== undefined && bytes < range.minimum) ||
    (range.maximum !== undefined && bytes > range.maximum)
  );
}

/** Bytes of a size that the schema has already accepted. */
export function toBytes(value: number | string): number {
  const bytes = parseSize(value);
  if (bytes === undefined) throw new Error(`${String(value)} is not a size; it should have been refused by its schema`);
  return bytes;
}
