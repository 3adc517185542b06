/**
 * A silence or maintenance window (issue 15) as the cloud keeps it and the API answers it
 * (GET /api/v1/silences): for a while, a transformer (its whole site) or a device raises
 * alerts that are stored but hidden, with no work order and no notification. The console
 * reads the same type.
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
