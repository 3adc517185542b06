/**
 * The one CBOR configuration of the compact encoding: plain RFC 8949 items only (no
 * cbor-x records or typed-array tags, so a third-party gateway can produce it with any
 * CBOR library), and maps decoded as Map so a hostile "__proto__" key touches nothing.
 */
import { Encoder } from 'cbor-x';

export const cbor = new Encoder({
  useRecords: false,
  tagUint8Array: false,
  mapsAsObjects: false,
  pack: false,
  structuredClone: false,
});

/**
 * cbor-x writes integers beyond 32 bits as float64; as a BigInt they become real CBOR
 * integers, which is what the format promises to other implementations.
 */
export function cborInt(value: number): number | bigint {
  return value > 0xffff_ffff || value < -0x1_0000_0000 ? BigInt(value) : value;
}
