/**
 * A capacity case as the cloud keeps it and the API answers it (GET /api/v1/cases): the
 * case, its penalty estimate, the equipment the field check found and its audit trail.
 * The console reads the same types.
 */
import type { CaseState, Tariff } from '../types.js';

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

/** GET /api/v1/cases/{id}: the case with its audit trail. */
export interface CaseWithHistory extends CaseRecord {
  history: AuditEntry[];
}

/** A comment on a case (GET /api/v1/cases/{id}/comments). */
export interface CaseComment {
  id: number;
  caseId: string;
  at: number;
  author: string;
  text: string;
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

/** What an audit line records. */
export const AUDIT_ACTIONS = ['opened', 'evidence', 'transition', 'comment', 'report', 'equipment'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** GET /api/v1/cases/workflow: the moves from each state, and those that need a note. */
export interface CaseWorkflow {
  transitions: Readonly<Record<CaseState, readonly CaseState[]>>;
  noteRequired: readonly CaseState[];
}

export interface PenaltyItem {
  key: 'basic_tariff_months' | 'two_part_penalty' | 'single_penalty' | 'demand_over_105';
  label: string;
  labelZh: string;
  formula: string;
  amountYuan: number;
  citation: string;
}

export type AddedKvaBasis = 'nameplate' | 'apparent_demand' | 'active_demand';

export interface PenaltyEstimate {
  ruleSet: string;
  citation: string;
  note: string;
  /** The note in Chinese (estimates stored before it was kept have only `note`). */
  noteZh?: string;
  currency: 'CNY';
  tariff: Tariff;
  addedKva: number;
  /**
   * What the added capacity was taken from (issue 11): the nameplate of the equipment
   * found, else the apparent maximum demand, else (older cases) the active demand, which
   * is a lower bound.
   */
  addedKvaBasis: AddedKvaBasis;
  /** How the added capacity was found, e.g. "nameplate 315 kVA − contract 100 kVA". */
  addedKvaFormula: string;
  /** Every capacity figure of the case, so the report shows them side by side. */
  capacity: {
    contractKva: number;
    nameplateKva: number | null;
    apparentDemandKva: number | null;
    activeDemandKw: number;
  };
  monthsUsed: number;
  items: PenaltyItem[];
  totalYuan: number;
}
