/**
 * An alert as the cloud stores it and the API answers it (GET /api/v1/alerts): the
 * contract's fields (../types.ts) plus what the workflow adds. The console reads the same type.
 */
import type { Alert, Severity } from '../types.js';

/** What an alert is about. */
export type SubjectKind = 'device' | 'transformer' | 'customer' | 'gateway';

export interface AlertNote {
  at: number;
  actor: string;
  action: 'acknowledged' | 'resolved' | 'cleared' | 'note';
  note?: string;
}

/** One occurrence of an episode: from the raise that started it to the pause that ended it. */
export interface AlertOccurrence {
  startedAt: number;
  /** Null while the occurrence goes on. */
  endedAt: number | null;
  /** Highest severity seen in this occurrence. */
  severity: Severity;
}

/** What an alert raised during a silence carries: which silence, why, and until when it stays hidden. */
export interface AlertSilence {
  id: string;
  reason: string;
  until: number;
}

/** The stored alert: the contract's fields plus its subject kind, acknowledgement time, notes and occurrence log. */
export interface AlertRecord extends Alert {
  subjectKind: SubjectKind;
  acknowledgedAt: number | null;
  notes: AlertNote[];
  occurrenceLog: AlertOccurrence[];
  /** The silence or maintenance window it was raised in; it is hidden from the default list until `until`. */
  silence: AlertSilence | null;
}
