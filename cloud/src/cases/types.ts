/** The workflow's view of a capacity case, its audit trail and its comments. */
import type { Tariff } from '@gridsafe/shared';

export interface CustomerSummary {
  id: string;
  name: string;
  tariff: Tariff;
}
