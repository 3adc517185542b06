/**
 * What people need to read an alert type: its name in both languages, the skill a work
 * order for it needs, which quantities to chart, and how to show each evidence field.
 * Each detector keeps its own in its folder (meta.ts); the cloud serves them all at
 * GET /api/v1/detectors, and the console, reports and work-order routing read them there.
 */
import type { Quantity } from './quantities.js';

export interface Bilingual {
  zh: string;
  en: string;
}

/** How an evidence value is shown: a number with a unit, a time, a duration, text, a [ts, value] series, or a table. */
export type EvidenceKind = 'number' | 'time' | 'duration_ms' | 'duration_s' | 'text' | 'series' | 'object';

export interface EvidenceFieldMeta {
  label: Bilingual;
  kind: EvidenceKind;
  /** Unit shown after a number (or the unit of a series' values). */
  unit?: string;
}

export interface AlertTypeMeta {
  /** The alert type (CONTRACT.md), which is also the detector's name. */
  type: string;
  label: Bilingual;
  description: Bilingual;
  /** What the alert's subject is. */
  subjectKind: 'device' | 'transformer' | 'customer' | 'gateway';
  /** The inspector skill a work order for this type asks for, unless the configuration says otherwise. */
  defaultSkill: string;
  /**
   * Quantities charted around the alert, grouped by axis: one group per unit, so kW and
   * kVA (or A and V) are never drawn on one axis.
   */
  chartGroups: Array<{ unit: string; quantities: Quantity[] }>;
  /** Evidence fields this type writes; a field not listed is shown by its name. */
  evidence: Record<string, EvidenceFieldMeta>;
}
