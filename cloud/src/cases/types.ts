/** The workflow's view of a capacity case, its audit trail and its comments. */
import type { CaseState, Tariff } from '@gridsafe/shared';
import type { PenaltyEstimate } from './penalty.js';

export interface CaseRecord {
  id: string;
  customer: string;
  state: CaseState;
  contractKva: number;
  maxDemandKw: number;
  /** Highest apparent 15-minute demand, kVA (null on cases opened before it was recorded). */
  maxDemandKva: number | null;
  excessKva: number;
  firstSeen: number;
  lastSeen: number;
  demandSeries: Array<[number, number]>;
  detail: Record<string, unknown>;
  openedAt: number;
  updatedAt: number;
  penalty: PenaltyEstimate | null;
  /** The equipment the field check found, when recorded. */
  equipment: EquipmentFound | null;
}

/** What the field check found on site (私自增容: a larger transformer or added motors). */
export interface EquipmentFound {
  /** Total nameplate capacity of the equipment found, kVA. */
  nameplateKva: number;
  description: string | null;
  /** Reference to a photo of the nameplate (e.g. the field work order's attachment URL). */
  photo: string | null;
  recordedBy: string;
  recordedAt: number;
}

export const AUDIT_ACTIONS = ['opened', 'evidence', 'transition', 'comment', 'report', 'equipment'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One line of the append-only audit trail: who did what, when. */
export interface AuditEntry {
  id: number;
  caseId: string;
  at: number;
  actor: string;
  action: AuditAction;
  from: CaseState | null;
  to: CaseState | null;
  note: string | null;
}

export interface CaseComment {
  id: number;
  caseId: string;
  at: number;
  author: string;
  text: string;
}

export interface CustomerSummary {
  id: string;
  name: string;
  tariff: Tariff;
}
