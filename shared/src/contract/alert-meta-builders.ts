/**
 * Builders for a detector's meta.ts, so its tables read one line an entry and the tables
 * of the detectors do not repeat one shape: an evidence field is one call with both labels
 * and the unit where the value has one (`field.number('最大需量', 'maximum demand', 'kW')`),
 * and the chart groups are the quantities alone, grouped by the unit the contract gives them.
 */
import type { AlertTypeMeta, EvidenceFieldMeta, EvidenceKind } from './alert-meta.js';
import { QUANTITIES, type Quantity } from './quantities.js';

const of =
  (kind: EvidenceKind) =>
  (zh: string, en: string, unit?: string): EvidenceFieldMeta =>
    unit === undefined ? { label: { zh, en }, kind } : { label: { zh, en }, kind, unit };

export const evidenceField = {
  number: of('number'),
  time: of('time'),
  durationMs: of('duration_ms'),
  durationS: of('duration_s'),
  text: of('text'),
  series: of('series'),
  object: of('object'),
} as const;

/** One chart group per unit (CONTRACT.md's unit of each quantity), in the order the units first appear. */
export function chartsByUnit(...quantities: Quantity[]): AlertTypeMeta['chartGroups'] {
  const groups: AlertTypeMeta['chartGroups'] = [];
  for (const quantity of quantities) {
    const unit = QUANTITIES[quantity].unit;
    const group = groups.find((candidate) => candidate.unit === unit);
    if (group) group.quantities.push(quantity);
    else groups.push({ unit, quantities: [quantity] });
  }
  return groups;
}
