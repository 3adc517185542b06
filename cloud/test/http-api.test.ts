/**
 * The HTTP API over a real socket: registry CRUD with CONTRACT.md shapes, alert
 * lifecycle, and bad input (wrong types, unknown fields, huge bodies, broken JSON,
 * injection strings) answered with a 4xx problem document that changes nothing.
 */
import t, { type Test } from 'tap';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function expectProblem(t: Test, response: Response, status: number, type: RegExp | string) {
  t.equal(response.status, status, `status ${status}`);
  t.match(response.headers.get('content-type'), /^application\/problem\+json/);
  const body = (await response.json()) as { type: string; title: string; status: number; detail: string };
  t.match(body, { type, status, title: String, detail: String });
  return body;
}

t.test('registry CRUD for transformers, customers and devices', async (t) => {
  const cloud = await startTestCloud(t);
  const tx = { id: 'tx-9', site: 'North room', ratedKva: 400, vectorGroup: 'Dyn11', area: 'north' };
  let response = await cloud.api('/api/v1/transformers', json(tx));
  t.equal(response.status, 201);
  t.equal(response.headers.get('location'), '/api/v1/transformers/tx-9');
  t.same(await response.json(), tx);
  t.same(await (await cloud.api('/api/v1/transformers/tx-9')).json(), tx);
  await expectProblem(t, await cloud.api('/api/v1/transformers', json(tx)), 409, 'urn:gridsafe:problem:conflict');

  const customer = { id: 'c-9', name: 'Mill', contractKva: 250, tariff: 'single' };
  t.equal((await cloud.api('/api/v1/customers', json(customer))).status, 201);
  const device = {
    id: 'm-9',
    gateway: 'gw-001',
    kind: 'meter',
    transformer: 'tx-9',
    customer: 'c-9',
    ctRatio: 80,
    ptRatio: 1,
    ctSecondaryA: 5,
  };
  t.equal((await cloud.api('/api/v1/devices', json(device))).status, 201);
  t.same(await (await cloud.api('/api/v1/devices/m-9')).json(), device);
  // The detection view sees it at once.
  t.same(
    cloud.ctx.registry.devicesOnTransformer('tx-9').map((d) => d.id),
    ['m-9'],
  );

  response = await cloud.api('/api/v1/transformers/tx-9', json({ ...tx, ratedKva: 500 }, 'PUT'));
  t.equal(response.status, 200);
  t.equal(cloud.ctx.registry.transformer('tx-9')?.ratedKva, 500);
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers/tx-9', json({ ...tx, id: 'tx-10' }, 'PUT')),
    400,
    'urn:gridsafe:problem:id_mismatch',
  );
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers/nope', json({ ...tx, id: 'nope' }, 'PUT')),
    404,
    'urn:gridsafe:problem:not_found',
  );

  const list = (await (await cloud.api('/api/v1/devices?limit=1&offset=1')).json()) as {
    items: Array<{ id: string }>;
    total: number;
    limit: number;
    offset: number;
  };
  t.equal(list.total, 3);
  t.equal(list.items.length, 1);
  t.same([list.limit, list.offset], [1, 1]);
  const filtered = (await (await cloud.api('/api/v1/devices?transformer=tx-9')).json()) as {
    items: Array<{ id: string }>;
  };
  t.same(
    filtered.items.map((d) => d.id),
    ['m-9'],
  );

  // A transformer with devices cannot be deleted; the device can, then the transformer.
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers/tx-9', { method: 'DELETE' }),
    409,
    'urn:gridsafe:problem:conflict',
  );
  t.equal((await cloud.api('/api/v1/devices/m-9', { method: 'DELETE' })).status, 204);
  t.equal((await cloud.api('/api/v1/transformers/tx-9', { method: 'DELETE' })).status, 204);
  await expectProblem(t, await cloud.api('/api/v1/transformers/tx-9'), 404, 'urn:gridsafe:problem:not_found');
  t.equal(cloud.ctx.registry.transformer('tx-9'), undefined);
  // A device naming an unknown transformer is refused.
  await expectProblem(
    t,
    await cloud.api('/api/v1/devices', json({ ...device, transformer: 'ghost' })),
    422,
    'urn:gridsafe:problem:invalid_reference',
  );
});

t.test('bad input gets a problem document and changes nothing', async (t) => {
  const cloud = await startTestCloud(t);
  const before = await snapshot(cloud);
  const tx = { id: 'tx-bad', site: 'x', ratedKva: 100 };
  const wrongType = await expectProblem(
    t,
    await cloud.api('/api/v1/transformers', json({ ...tx, ratedKva: '100' })),
    400,
    'urn:gridsafe:problem:validation',
  );
  t.match(wrongType.detail, /ratedKva/);
  const unknown = await expectProblem(
    t,
    await cloud.api('/api/v1/transformers', json({ ...tx, owner: 'me' })),
    400,
    'urn:gridsafe:problem:validation',
  );
  t.match(unknown.detail, /unknown field "owner"/);
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id": "tx-bad", ',
    }),
    400,
    /urn:gridsafe:problem:/,
  );
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers', json({ ...tx, site: 'x'.repeat(2 * 1024 * 1024) })),
    413,
    'urn:gridsafe:problem:body_too_large',
  );
  await expectProblem(
    t,
    await cloud.api('/api/v1/transformers', json({ ...tx, ratedKva: -5 })),
    400,
    'urn:gridsafe:problem:validation',
  );
  for (const evil of [
    "tx-001' OR '1'='1",
    'tx-001; DROP TABLE transformers; --',
    'm-001" or 1=1 --',
    '/../../etc/passwd',
  ]) {
    await expectProblem(
      t,
      await cloud.api(`/api/v1/transformers/${encodeURIComponent(evil)}`),
      400,
      'urn:gridsafe:problem:validation',
    );
    await expectProblem(
      t,
      await cloud.api(`/api/v1/transformers`, json({ ...tx, id: evil })),
      400,
      'urn:gridsafe:problem:validation',
    );
  }
  // InfluxQL / SQL in filters and fields.
  await expectProblem(
    t,
    await cloud.api(`/api/v1/devices/m-001/series?fields=${encodeURIComponent('p_kw FROM readings; DROP')}`),
    400,
    'urn:gridsafe:problem:validation',
  );
  await expectProblem(
    t,
    await cloud.api(`/api/v1/devices/m-001/series?fields=p_kw,bogus`),
    400,
    'urn:gridsafe:problem:unknown_quantity',
  );
  await expectProblem(
    t,
    await cloud.api(`/api/v1/alerts?subject=${encodeURIComponent("x' OR 1=1 --")}`),
    400,
    'urn:gridsafe:problem:validation',
  );
  await expectProblem(t, await cloud.api(`/api/v1/alerts?type=meltdown`), 400, 'urn:gridsafe:problem:validation');
  await expectProblem(
    t,
    await cloud.api(`/api/v1/devices/m-001/series?from=2026-01-02&to=2026-01-01`),
    400,
    'urn:gridsafe:problem:bad_range',
  );
  await expectProblem(
    t,
    await cloud.api(`/api/v1/devices/m-001/series?every=1ms&from=0&to=99999999999`),
    400,
    'urn:gridsafe:problem:too_many_buckets',
  );
  await expectProblem(t, await cloud.api(`/api/v1/devices/ghost/series`), 404, 'urn:gridsafe:problem:not_found');
  await expectProblem(t, await cloud.api(`/api/v1/nothing-here`), 404, 'urn:gridsafe:problem:no_route');
  t.same(await snapshot(cloud), before, 'the registry is unchanged');
  t.equal((await cloud.api('/healthz')).status, 200);
});

t.test('alert lifecycle over HTTP: ack, resolve, conflicts, pagination', async (t) => {
  const cloud = await startTestCloud(t);
  const now = Date.now();
  const { alert } = await cloud.ctx.alerts.raise({
    type: 'overload',
    subject: 'tx-001',
    subjectKind: 'transformer',
    severity: 'warning',
    ts: now - 1000,
    evidence: { kva: 150 },
  });
  await cloud.ctx.alerts.raise({
    type: 'residual_current',
    subject: 'm-001',
    subjectKind: 'device',
    severity: 'critical',
    ts: now,
    evidence: { ma: 400 },
  });
  const page = (await (await cloud.api('/api/v1/alerts?limit=1')).json()) as {
    items: Array<{ type: string }>;
    total: number;
  };
  t.equal(page.total, 2);
  t.equal(page.items[0]?.type, 'residual_current', 'newest first');
  const ack = await cloud.api(`/api/v1/alerts/${alert.id}/ack`, json({ note: 'on my way' }));
  t.equal(ack.status, 200);
  t.match(await ack.json(), {
    state: 'acknowledged',
    notes: [{ action: 'acknowledged', note: 'on my way', actor: 'anonymous' }],
    occurrences: 1,
    firstOccurrenceAt: alert.openedAt,
    lastOccurrenceAt: alert.openedAt,
    occurrenceLog: [{ startedAt: alert.openedAt, endedAt: null }],
  });
  await expectProblem(
    t,
    await cloud.api(`/api/v1/alerts/${alert.id}/ack`, json({})),
    409,
    'urn:gridsafe:problem:conflict',
  );
  const resolved = await cloud.api(`/api/v1/alerts/${alert.id}/resolve`, json({ note: 'load shed' }));
  t.match(await resolved.json(), { state: 'resolved', resolvedAt: Number });
  await expectProblem(
    t,
    await cloud.api(`/api/v1/alerts/${alert.id}/resolve`, json({})),
    409,
    'urn:gridsafe:problem:conflict',
  );
  await expectProblem(
    t,
    await cloud.api(`/api/v1/alerts/al-nothing/ack`, json({})),
    404,
    'urn:gridsafe:problem:not_found',
  );
  const open = (await (await cloud.api('/api/v1/alerts?state=open')).json()) as { items: Array<{ type: string }> };
  t.same(
    open.items.map((a) => a.type),
    ['residual_current'],
  );
  const docs = await cloud.api('/docs');
  t.equal(docs.status, 200);
  const openapi = (await (await cloud.api('/openapi.json')).json()) as { paths: Record<string, unknown> };
  t.ok(openapi.paths['/api/v1/devices/{id}/series'], 'OpenAPI lists the series route');
});

async function snapshot(cloud: TestCloud) {
  return {
    transformers: await (await cloud.api('/api/v1/transformers')).json(),
    customers: await (await cloud.api('/api/v1/customers')).json(),
    devices: await (await cloud.api('/api/v1/devices')).json(),
  };
}

t.test('bulk CSV import: all rows or none, problems named by line and field', async (t) => {
  const cloud = await startTestCloud(t);
  const csv = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body });
  const transformers =
    'id,site,ratedKva,vectorGroup,area\r\ntx-a,"Room A, east wing",250,Dyn11,north\r\ntx-b,"The ""old"" room",160,,south\r\n';
  let response = await cloud.api('/api/v1/import/transformers', csv(transformers));
  t.equal(response.status, 200);
  t.same(await response.json(), { kind: 'transformers', imported: 2 });
  t.same(await (await cloud.api('/api/v1/transformers/tx-a')).json(), {
    id: 'tx-a',
    site: 'Room A, east wing',
    ratedKva: 250,
    vectorGroup: 'Dyn11',
    area: 'north',
  });
  t.same(await (await cloud.api('/api/v1/transformers/tx-b')).json(), {
    id: 'tx-b',
    site: 'The "old" room',
    ratedKva: 160,
    area: 'south',
  });

  const devices =
    'id,gateway,kind,transformer,customer,ctRatio,ptRatio,ctSecondaryA\nm-a1,gw-001,meter,tx-a,,60,1,5\nm-a2,gw-001,terminal,tx-a,,1,1,1\n';
  t.same(await (await cloud.api('/api/v1/import/devices', csv(devices))).json(), { kind: 'devices', imported: 2 });
  t.same(
    cloud.ctx.registry
      .devicesOnTransformer('tx-a')
      .map((d) => d.id)
      .sort(),
    ['m-a1', 'm-a2'],
  );
  t.same(await (await cloud.api('/api/v1/import/gateways', csv('id,secret\ngw-a,a-long-enough-secret\n'))).json(), {
    kind: 'gateways',
    imported: 1,
  });
  t.equal(await cloud.ctx.registry.verifyGatewaySecret('gw-a', 'a-long-enough-secret'), true);

  const count = async () => ((await (await cloud.api('/api/v1/devices')).json()) as { total: number }).total;
  const before = await count();
  const bad =
    'id,gateway,kind,transformer,ctRatio,ptRatio,ctSecondaryA\nm-x1,gw-001,meter,tx-a,60,1,5\nm-x2,gw-001,meter,tx-a,sixty,1,5\n';
  response = await cloud.api('/api/v1/import/devices', csv(bad));
  t.equal(response.status, 400);
  const problem = (await response.json()) as { detail: string; errors: Array<{ where: string; message: string }> };
  t.match(problem.errors[0], { where: 'line 3, ctRatio', message: 'must be number' });
  t.equal(await count(), before, 'the good row was not imported either');
  response = await cloud.api(
    '/api/v1/import/devices',
    csv('id,gateway,kind,colour,ctRatio,ptRatio,ctSecondaryA\nm-x3,gw-001,meter,red,1,1,5\n'),
  );
  t.match(((await response.json()) as { errors: unknown[] }).errors[0], {
    where: 'line 2, colour',
    message: 'unknown column "colour"',
  });
  response = await cloud.api(
    '/api/v1/import/devices',
    csv('id,gateway,kind,transformer,ctRatio,ptRatio,ctSecondaryA\nm-x4,gw-001,meter,tx-ghost,1,1,5\n'),
  );
  t.equal(response.status, 422, 'an unknown transformer');
  response = await cloud.api('/api/v1/import/transformers', csv('id,site,ratedKva\ntx-c,"unclosed,100\n'));
  t.match(await response.json(), {
    status: 400,
    type: 'urn:gridsafe:problem:bad_csv',
    detail: 'line 2: a quoted field is not closed',
  });
  response = await cloud.api('/api/v1/import/transformers', csv('id,site,ratedKva\ntx-c,x\n'));
  t.match(await response.json(), { detail: 'line 2: 2 fields, but the header has 3' });
  t.equal((await cloud.api('/api/v1/import/alerts', csv('id\n1\n'))).status, 400, 'only registry kinds');
  t.equal(await count(), before);
});
