/**
 * How to read each alert type, from GET /api/v1/detectors (each detector's meta.ts on the
 * server): labels in both languages, chart groups, and evidence as a labelled table with
 * units and local times, never raw keys or epoch numbers.
 */
import type { AlertTypeMeta, EvidenceFieldMeta } from '@gridsafe/shared';
import { api } from './api.js';
import { h } from './dom.js';
import { lang } from './i18n.js';
import { fmtDuration, fmtTime } from './time.js';

let byType = new Map<string, AlertTypeMeta>();

/** Loads the alert types once per sign-in; pages fall back to raw names until it has. */
export async function loadAlertTypes(): Promise<void> {
  const list = await api<{ items: AlertTypeMeta[] }>('GET', '/api/v1/detectors');
  byType = new Map(list.items.map((meta) => [meta.type, meta]));
}

/** Every known alert type, in the server's order. */
export function alertTypes(): string[] {
  return [...byType.keys()];
}

export function alertTypeMeta(type: string): AlertTypeMeta | undefined {
  return byType.get(type);
}

export function alertTypeLabel(type: string): string {
  const meta = byType.get(type);
  return meta ? meta.label[lang()] : type;
}

/** Fields many rules write, named once here rather than in every detector's metadata. */
const COMMON_FIELDS: Record<string, EvidenceFieldMeta> = {
  since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
  ts: { label: { zh: '时间', en: 'time' }, kind: 'time' },
  transformer: { label: { zh: '变压器', en: 'transformer' }, kind: 'text' },
  customer: { label: { zh: '用户', en: 'customer' }, kind: 'text' },
  device: { label: { zh: '设备', en: 'device' }, kind: 'text' },
};

/** A field the metadata does not list: a common one, or its name in words ("maxDemandAt" → "max demand at"). */
function fallbackField(key: string): EvidenceFieldMeta {
  const common = COMMON_FIELDS[key];
  if (common) return common;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const kind = /(at|since|seen|time)$/i.test(key) ? 'time' : 'number';
  return { label: { zh: words, en: words }, kind };
}

const isSeries = (value: unknown): value is Array<[number, number]> =>
  Array.isArray(value) &&
  value.every((point) => Array.isArray(point) && point.length === 2 && point.every((x) => typeof x === 'number'));

function formatNumber(value: number, unit: string | undefined): string {
  const shown = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(4)).toString();
  return unit ? `${shown} ${unit}` : shown;
}

function formatValue(value: unknown, field: EvidenceFieldMeta, site: string | null): Node | string {
  if (value === null || value === undefined) return '—';
  if (field.kind === 'time' && typeof value === 'number') return fmtTime(value, site);
  if (field.kind === 'duration_ms' && typeof value === 'number') return fmtDuration(value);
  if (field.kind === 'duration_s' && typeof value === 'number') return fmtDuration(value * 1000);
  if (typeof value === 'number') return formatNumber(value, field.unit);
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (isSeries(value))
    return h(
      'table',
      { class: 'series-table' },
      ...value.map(([ts, v]) => h('tr', {}, h('td', {}, fmtTime(ts, site)), h('td', {}, formatNumber(v, field.unit)))),
    );
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  if (typeof value === 'object')
    return h(
      'table',
      { class: 'kv nested' },
      ...Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
        const innerField = fallbackField(key);
        return h(
          'tr',
          {},
          h('th', {}, innerField.label[lang()]),
          h('td', {}, formatValue(inner, { ...innerField, ...(field.unit ? { unit: field.unit } : {}) }, site)),
        );
      }),
    );
  return String(value);
}

/** The evidence of an alert (or case) of `type` as a table people can read. */
export function evidenceTable(type: string, evidence: Record<string, unknown>, site: string | null): HTMLElement {
  const fields = byType.get(type)?.evidence ?? {};
  return h(
    'table',
    { class: 'kv evidence' },
    ...Object.entries(evidence).map(([key, value]) => {
      const field = fields[key] ?? fallbackField(key);
      return h(
        'tr',
        { 'data-field': key },
        h('th', {}, field.label[lang()]),
        h('td', {}, formatValue(value, field, site)),
      );
    }),
  );
}
