/**
 * Inspectors see only their areas, on every GET route of the API as the running cloud
 * (with the workflow plugin, as the CLI starts it) registers them. Each route must have
 * an entry in SCOPING: a list whose items are checked per area, a single record read
 * inside (allowed) and outside (403) the area, a route refused to inspectors, one that
 * holds no area data (with the reason), or one whose scoping has its own test file. A
 * new GET route without an entry fails this test.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startWorkflowCloud, type WorkflowCloud } from './workflow-support/cloud.js';

/** Records of the seed (workflow-support/cloud.ts) and of the test's own data, by area. */
interface Fixture {
  alerts: { north: string; south: string };
}

type Rule =
  | { list: (item: Record<string, unknown>) => unknown; north: string[]; south: string[] }
  | {
      record: (fixture: Fixture) => { north: string; south: string };
      unregisteredIsOutside?: true;
      /** The inside read's status when not 200 (past the area check, for want of data). */
      inside?: number;
    }
  | { refused: string }
  | { notAreaData: string }
  | { testedIn: string };

const byId = (item: Record<string, unknown>) => item['id'];
/** A registry record: an id outside the areas and an id not registered at all answer alike (403). */
const registryRecord = (north: string, south: string) => ({
  record: () => ({ north, south }),
  unregisteredIsOutside: true as const,
});
/** A record of a registered device or transformer (series, line loss). */
const subjectRecord = (north: string, south: string, inside?: number) => ({
  record: () => ({ north, south }),
  ...(inside ? { inside } : {}),
});

const SCOPING: Record<string, Rule> = {
  '/api/v1/transformers': { list: byId, north: ['tx-001'], south: ['tx-002'] },
  '/api/v1/transformers/:id': registryRecord('tx-001', 'tx-002'),
  '/api/v1/customers': { list: byId, north: ['c-001'], south: ['c-002'] },
  '/api/v1/customers/:id': registryRecord('c-001', 'c-002'),
  '/api/v1/devices': { list: byId, north: ['m-001', 't-001', 't-002'], south: ['m-002', 't-009'] },
  '/api/v1/devices/:id': registryRecord('m-001', 'm-002'),
  '/api/v1/devices/:id/series': subjectRecord('m-001', 'm-002'),
  '/api/v1/devices/:id/latest': subjectRecord('m-001', 'm-002'),
  '/api/v1/devices/:id/demand': subjectRecord('t-001', 't-009'),
  '/api/v1/devices/:id/meter-events': subjectRecord('m-001', 'm-002'),
  '/api/v1/gateways': { list: byId, north: ['gw-001'], south: ['gw-002'] },
  '/api/v1/gateways/:id': registryRecord('gw-001', 'gw-002'),
  '/api/v1/gateways/:id/commands': registryRecord('gw-001', 'gw-002'),
  '/api/v1/ingest/rejections': { list: (item) => item['gateway'], north: ['gw-001'], south: ['gw-002'] },
  '/api/v1/alerts': { list: (item) => item['subject'], north: ['tx-001'], south: ['tx-002'] },
  '/api/v1/alerts/:id': { record: (fixture) => fixture.alerts },
  '/api/v1/silences': { list: (item) => item['target'], north: ['t-001'], south: ['tx-002'] },
  '/api/v1/transformers/:id/loading': subjectRecord('tx-001', 'tx-002'),
  '/api/v1/customers/:id/demand': subjectRecord('c-001', 'c-002'),
  '/api/v1/lineloss/:id/days': subjectRecord('tx-001', 'tx-002'),
  '/api/v1/lineloss/:id/months': subjectRecord('tx-001', 'tx-002'),
  // No forecast without weeks of readings: the inside read gets past the area check to 404 no_forecast.
  '/api/v1/forecasts/transformers/:id': subjectRecord('tx-001', 'tx-002', 404),
  '/api/v1/forecasts/customers/:id': subjectRecord('c-001', 'c-002', 404),
  '/api/v1/cases': { testedIn: 'cloud/test/cases/workflow-api.test.ts' },
  '/api/v1/cases/:id': { testedIn: 'cloud/test/cases/workflow-api.test.ts' },
  '/api/v1/cases/:id/comments': { testedIn: 'cloud/test/cases/workflow-api.test.ts' },
  '/api/v1/cases/:id/penalty': { testedIn: 'cloud/test/cases/workflow-api.test.ts' },
  '/api/v1/cases/:id/report': { testedIn: 'cloud/test/cases/workflow-api.test.ts' },
  '/api/v1/cases/:id/evidence.csv': { testedIn: 'cloud/test/cases/evidence-csv.test.ts' },
  '/api/v1/workorders': { testedIn: 'cloud/test/workorders/api.test.ts' },
  '/api/v1/workorders/:id': { testedIn: 'cloud/test/workorders/api.test.ts' },
  '/api/v1/workorders/:id/attachments/:attachment': { testedIn: 'cloud/test/workorders/api.test.ts' },
  '/api/v1/events/stream': { testedIn: 'cloud/test/notifications/app-hooks.test.ts' },
  '/api/v1/users': { refused: 'API users and their roles are administration' },
  '/api/v1/webhooks': { refused: 'receivers and their secrets are administration' },
  '/api/v1/notifications/deliveries': { refused: 'delivery logs are administration' },
  '/api/v1/notifications/stats': { notAreaData: 'queue depths and worker counters, no records' },
  '/api/v1/cases/workflow': { notAreaData: 'the case state machine, the same for everyone' },
  '/api/v1/detectors': { notAreaData: 'detector metadata (labels, units), the same for everyone' },
  '/api/v1/detectors/:type': { notAreaData: 'detector metadata (labels, units), the same for everyone' },
  '/api/v1/me': { notAreaData: 'the caller themselves' },
  '/api/v1/messages': { notAreaData: 'the catalogue of texts for people, the same for everyone' },
  '/api/v1/demo': { notAreaData: "demo mode's public users (none outside demo mode), the same for everyone" },
  '/api/v1/inspectors': {
    notAreaData: 'the roster of inspectors (names, skills, duty) that work orders are assigned from',
  },
  '/api/v1/lineloss/bands': { notAreaData: 'the loss bands per class of feeder, settings the same for everyone' },
};

/** Full paths of the GET routes, from Fastify's route tree (children continue their parent's path). */
function getRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    const path = (stack[depth - 1] ?? '') + (match[2] as string);
    stack[depth] = path;
    stack.length = depth + 1;
    if ((match[3] ?? '').split(', ').includes('GET')) routes.push(path);
  }
  return routes;
}

async function seedAreaData(wf: WorkflowCloud): Promise<Fixture> {
  const raise = (subject: string) =>
    wf.cloud.ctx.alerts.raise({
      type: 'overload',
      subject,
      subjectKind: 'transformer',
      severity: 'warning',
      ts: Date.now(),
      evidence: {},
    });
  const [north, south] = [await raise('tx-001'), await raise('tx-002')];
  // A silence in each area (on a device in the north, a whole site in the south), ending in a day.
  for (const target of ['t-001', 'tx-002'])
    await wf.api('admin', 'POST', '/api/v1/silences', { target, endsAt: Date.now() + 86_400_000, reason: 'test' });
  // One refused batch from each area's gateway (a device that is not registered).
  for (const gateway of ['gw-001', 'gw-002'] as const)
    await wf.publish([{ device: 'm-404', ts: Date.now(), values: { p_kw: 1 }, quality: 'good' }], gateway);
  return { alerts: { north: north.alert.id, south: south.alert.id } };
}

t.test('every GET route of the API has a scoping rule, and inspectors see only their areas', async (t) => {
  const wf = await startWorkflowCloud(t);
  const fixture = await seedAreaData(wf);
  const routes = getRoutes(wf.cloud.app.printRoutes({ commonPrefix: false })).filter((path) =>
    path.startsWith('/api/'),
  );
  t.ok(routes.length >= 20, `the API's GET routes were found (${routes.length})`);
  for (const route of routes) t.ok(SCOPING[route], `${route} has a scoping rule in this test`);
  for (const route of Object.keys(SCOPING)) t.ok(routes.includes(route), `${route} (in the table) is a route`);

  const inspectors = { north: 'li', south: 'zhao' } as const;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  for (const route of routes) {
    const rule = SCOPING[route];
    if (!rule) continue;
    if ('list' in rule) {
      for (const area of ['north', 'south'] as const) {
        const response = await wf.api(inspectors[area], 'GET', route);
        t.equal(response.status, 200, `${route}: ${area} inspector lists`);
        const seen = [...new Set((response.body.items as Array<Record<string, unknown>>).map(rule.list))].sort();
        t.same(seen, [...rule[area]].sort(), `${route}: the ${area} inspector sees only ${area}`);
      }
      const all = await wf.api('admin', 'GET', route);
      const everything = [...new Set((all.body.items as Array<Record<string, unknown>>).map(rule.list))].sort();
      t.same(everything, [...rule.north, ...rule.south].sort(), `${route}: an admin sees both areas`);
    } else if ('record' in rule) {
      const ids = rule.record(fixture);
      for (const area of ['north', 'south'] as const) {
        const other = area === 'north' ? 'south' : 'north';
        const url = (id: string) => route.replace(':id', encodeURIComponent(id));
        const inside = await wf.api(inspectors[area], 'GET', url(ids[area]));
        t.equal(inside.status, rule.inside ?? 200, `${route}: the ${area} inspector reads ${ids[area]}`);
        const outside = await wf.api(inspectors[area], 'GET', url(ids[other]));
        t.equal(outside.status, 403, `${route}: the ${area} inspector may not read ${ids[other]}`);
        t.match(outside.type, /problem\+json/);
      }
      if (rule.unregisteredIsOutside) {
        const missing = await wf.api('li', 'GET', route.replace(':id', 'not-registered'));
        t.equal(missing.status, 403, `${route}: an unregistered id is outside too (existence not revealed)`);
      }
    } else if ('refused' in rule) {
      t.equal((await wf.api('li', 'GET', route)).status, 403, `${route}: refused to inspectors (${rule.refused})`);
    } else if ('notAreaData' in rule) {
      t.pass(`${route}: holds no area data (${rule.notAreaData})`);
    } else {
      const source = readFileSync(`${root}/${rule.testedIn}`, 'utf8');
      const prefix = route.split('/:')[0] as string;
      t.ok(source.includes(prefix), `${route}: scoping tested in ${rule.testedIn}`);
    }
  }
});
