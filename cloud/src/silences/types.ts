/**
 * Silences and maintenance windows (issue 15): for a while, a transformer (its site: the
 * transformer, its devices and their customers) or one device raises alerts that are
 * stored but marked silenced: hidden from the default triage list, with no work order
 * and no notification. The shape the store keeps and the API answers.
 */

/** `maintenance`: planned work on site; `silence`: a known condition someone is dealing with. */
export const SILENCE_KINDS = ['silence', 'maintenance'] as const;
export type SilenceKind = (typeof SILENCE_KINDS)[number];

export interface Silence {
  id: string;
  kind: SilenceKind;
  /** A transformer id (the whole site) or a device id. */
  target: string;
  targetKind: 'transformer' | 'device';
  startsAt: number;
  /** Planned end (ms since 1970). */
  endsAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Set when someone ended it before endsAt. */
  endedAt: number | null;
  endedBy: string | null;
}

// What an alert raised during one carries is part of the alert record (shared contract).
export type { AlertSilence } from '@gridsafe/shared';
