/** The overflow policies a config may name under outbox.overflow; adding one is adding a file and a line here. */
import type { OverflowPolicy } from '../types.js';
import { dropOldest } from './drop-oldest.js';
import { fold15min } from './fold-15min.js';

export const OVERFLOW_POLICIES: Record<string, OverflowPolicy> = {
  [dropOldest.name]: dropOldest,
  [fold15min.name]: fold15min,
};
