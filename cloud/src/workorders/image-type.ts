/**
 * What a file really is, from its first bytes: the Content-Type a client sends and the
 * file name it claims prove nothing. Only photo formats a phone produces are accepted.
 */

export interface ImageType {
  mime: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic';
  ext: 'jpg' | 'png' | 'webp' | 'heic';
}

const startsWith = (buf: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => buf[at + i] === b);
const ascii = (buf: Uint8Array, text: string, at: number) =>
  startsWith(
    buf,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  );

export function sniffImage(buf: Uint8Array): ImageType | null {
  if (buf.length >= 3 && startsWith(buf, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  if (buf.length >= 8 && startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { mime: 'image/png', ext: 'png' };
  if (buf.length >= 12 && ascii(buf, 'RIFF', 0) && ascii(buf, 'WEBP', 8)) return { mime: 'image/webp', ext: 'webp' };
  // ISO base media file: size(4) "ftyp" brand(4); HEIF photos from phones carry these brands.
  if (
    buf.length >= 12 &&
    ascii(buf, 'ftyp', 4) &&
    ['heic', 'heix', 'mif1', 'msf1', 'hevc'].some((brand) => ascii(buf, brand, 8))
  ) {
    return { mime: 'image/heic', ext: 'heic' };
  }
  return null;
}

export const ACCEPTED_IMAGE_TYPES = 'JPEG, PNG, WebP or HEIC';
