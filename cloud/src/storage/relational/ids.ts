/** Sortable, unguessable ids: a prefix, the creation time in base 36, and random bits. */
import { randomBytes } from 'node:crypto';

export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}-${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}
