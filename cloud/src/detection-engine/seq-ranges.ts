/**
 * The batch sequence numbers a gateway's batches have been processed under, as sorted
 * closed ranges. The core may offer a batch again after a crash (its processed marks
 * are written in groups); seq is strictly increasing per gateway (CONTRACT.md), so this
 * recognises the repeat exactly, even when an older batch arrives after newer ones.
 */
export type SeqRanges = Array<[number, number]>;

/** At most this many separate ranges are kept; the oldest merge into their neighbour. */
const MAX_RANGES = 64;

export function hasSeq(ranges: SeqRanges, seq: number): boolean {
  for (const [a, b] of ranges) if (seq >= a && seq <= b) return true;
  return false;
}

export function addSeq(ranges: SeqRanges, seq: number): void {
  let i = 0;
  while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
  if (i === ranges.length) ranges.push([seq, seq]);
  else {
    const r = ranges[i]!;
    if (seq < r[0] - 1) ranges.splice(i, 0, [seq, seq]);
    else {
      r[0] = Math.min(r[0], seq);
      r[1] = Math.max(r[1], seq);
      const next = ranges[i + 1];
      if (next && next[0] <= r[1] + 1) {
        r[1] = Math.max(r[1], next[1]);
        ranges.splice(i + 1, 1);
      }
    }
  }
  // Gaps far in the past will not be filled any more: closing them keeps the state small.
  while (ranges.length > MAX_RANGES) {
    const [first, second] = ranges as [[number, number], [number, number]];
    ranges.splice(0, 2, [first[0], second[1]]);
  }
}
