/** The workflow's view of a capacity case, its audit trail and its comments. */
import type { Tariff } from '@gridsafe/shared';

// The records the API answers live in the shared contract, so the console reads the same types.
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type CaseRecord,
  type EquipmentFound,
} from '@gridsafe/shared';

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
