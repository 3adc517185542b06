/** Ids that sort in creation order (time, then a per-process counter, then random bits). */
import { randomBytes } from 'node:crypto';

let counter = 0;

export function orderedId(prefix: string, now = Date.now()): string {
  counter = (counter + 1) % 36 ** 5;
  return `${prefix}-${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(5, '0')}${randomBytes(4).toString('hex')}`;
}
