/**
 * A state object saved as an array of its field values in a fixed order, without the
 * keys (issue 13: detector state ≤ 4 KB per device; the keys were a fifth of a rule's
 * saved state). A detector lists every field of its state (`AllFields` checks that none
 * is left out); what was saved as an object before still reads.
 */

/** The field list, checked at compile time to name every field of T except the shared ones `Skip`. */
export type AllFields<T, Skip extends keyof T, L extends ReadonlyArray<keyof T>> =
  Exclude<keyof T, Skip | L[number]> extends never ? L : never;

export function packFields<T extends object>(obj: T, fields: ReadonlyArray<keyof T>): unknown[] {
  return fields.map((field) => obj[field]);
}

/** The object back from its array (or the object form saved before, as it is). */
export function unpackFields<T extends object>(saved: unknown, fields: ReadonlyArray<keyof T>): T {
  if (!Array.isArray(saved)) {
    if (typeof saved !== 'object' || saved === null) throw new Error('saved state is neither an array nor an object');
    return saved as T;
  }
  if (saved.length !== fields.length)
    throw new Error(`saved state has ${saved.length} fields, ${fields.length} expected`);
  const out: Partial<T> = {};
  fields.forEach((field, i) => (out[field] = saved[i] as T[keyof T]));
  return out as T;
}
