/**
 * The detection partition of an id (a gateway, or the name of a group of subjects, see
 * subject-partitions.ts): FNV-1a (32-bit) of the id, modulo the partition count. Every
 * instance computes the same partition from the id alone.
 */
export function partitionOf(id: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
