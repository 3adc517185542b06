/**
 * The detection partition of a gateway: FNV-1a (32-bit) of its id, modulo the partition
 * count. Every instance computes the same partition from the id alone, and a gateway's
 * subjects stay on one owner, as long as a transformer's or customer's meters are read by
 * one gateway (cloud/README.md, "Several instances", says what happens otherwise).
 */
export function partitionOf(gateway: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < gateway.length; i++) {
    hash ^= gateway.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
