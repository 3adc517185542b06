/**
 * Every detector carries the metadata people read its alerts by (meta.ts in its folder),
 * and the cloud serves it at /api/v1/detectors.
 */
import { readdirSync, statSync } from 'node:fs';
import t from 'tap';
import { ALERT_TYPES, QUANTITY_NAMES, type AlertType } from '@gridsafe/shared';
import { defaultSkills } from '../../src/workorders/routing.js';
import { BUILTIN_ALERT_TYPE_META, BUILTIN_DETECTORS } from '../../src/detectors/index.js';
import { startTestCloud } from '../support/cloud.js';

const detectorsDir = new URL('../../src/detectors/', import.meta.url);

t.test('each built-in detector has its metadata, complete and in both languages', async (t) => {
  const folders = readdirSync(detectorsDir).filter((name) => statSync(new URL(name, detectorsDir)).isDirectory());
  const described = BUILTIN_ALERT_TYPE_META.map((meta) => meta.type).sort();
  t.same(described, [...folders].sort(), 'one metadata entry per detector folder');
  t.same(described, BUILTIN_DETECTORS.map((detector) => detector.name).sort(), 'and per registered detector');
  for (const meta of BUILTIN_ALERT_TYPE_META) {
    t.ok(meta.label.zh && meta.label.en && meta.description.zh && meta.description.en, `${meta.type}: labels`);
    t.match(meta.defaultSkill, /^[a-z0-9_-]{1,40}$/, `${meta.type}: skill`);
    for (const group of meta.chartGroups)
      for (const quantity of group.quantities)
        t.ok((QUANTITY_NAMES as readonly string[]).includes(quantity), `${meta.type}: ${quantity} is a quantity`);
    for (const [field, entry] of Object.entries(meta.evidence))
      t.ok(entry.label.zh && entry.label.en, `${meta.type}.${field}: labels`);
  }
});

t.test('GET /api/v1/detectors lists them; one type by name; an unknown type is a 404 problem', async (t) => {
  const cloud = await startTestCloud(t);
  const list = (await (await cloud.api('/api/v1/detectors')).json()) as {
    items: Array<{ type: string }>;
    total: number;
  };
  t.same(
    list.items.map((item) => item.type).sort(),
    [...ALERT_TYPES].sort(),
    "every alert type of the contract is described, the detectors' and the forecast's and line loss's",
  );
  t.equal(list.total, ALERT_TYPES.length);
  const one = (await (await cloud.api('/api/v1/detectors/overload')).json()) as { label: { zh: string } };
  t.equal(one.label.zh, '过载');
  const missing = await cloud.api('/api/v1/detectors/no_such_type');
  t.equal(missing.status, 404);
  t.match(missing.headers.get('content-type'), /^application\/problem\+json/);
});

t.test('work-order routing takes each type default skill from its metadata', async (t) => {
  const skillOf = defaultSkills(BUILTIN_ALERT_TYPE_META);
  for (const meta of BUILTIN_ALERT_TYPE_META) t.equal(skillOf(meta.type as AlertType), meta.defaultSkill, meta.type);
  t.equal(skillOf('overload_forecast'), 'general', 'a type with no metadata in the list asks for no particular skill');
});
