/**
 * Silences and maintenance windows over the API (issue 15): who may create and end them,
 * the errors for bad input, alerts raised in one kept but hidden from the default list
 * with no work order (so no notification), an early end showing them again, the audit log.
 */
import t from 'tap';
import { startWorkflowCloud } from '../workflow-support/cloud.js';

t.test('a silence hides the alerts of its site, with no work order, until it ends', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  const hour = 3_600_000;
  const body = { target: 'tx-001', endsAt: now + hour, reason: 'replacing the LV breaker', kind: 'maintenance' };

  // Who may, and bad input.
  t.equal((await wf.api('auditor', 'POST', '/api/v1/silences', body)).status, 403, 'auditors read only');
  const outside = await wf.api('zhao', 'POST', '/api/v1/silences', body);
  t.equal(outside.status, 403);
  t.match(outside.body.detail, /transformer "tx-001" is outside your areas/);
  const unknown = await wf.api('admin', 'POST', '/api/v1/silences', { ...body, target: 'tx-404' });
  t.equal(unknown.status, 400);
  t.match(unknown.body.detail, /"tx-404" is neither a registered transformer nor a registered device/);
  const past = await wf.api('admin', 'POST', '/api/v1/silences', { ...body, endsAt: now - 1000 });
  t.equal(past.status, 400);
  t.match(past.body.detail, /endsAt \(.*\) must be after the start/);
  const long = await wf.api('admin', 'POST', '/api/v1/silences', { ...body, endsAt: now + 31 * 24 * hour });
  t.match(long.body.detail, /at most 30 days/);
  const noReason = await wf.api('admin', 'POST', '/api/v1/silences', { target: 'tx-001', endsAt: now + hour });
  t.equal(noReason.status, 400);
  t.match(JSON.stringify(noReason.body), /reason/);

  const created = await wf.api('li', 'POST', '/api/v1/silences', body);
  t.equal(created.status, 201, 'the area inspector silences the site');
  t.match(created.body, { kind: 'maintenance', target: 'tx-001', targetKind: 'transformer', createdBy: 'li' });
  const silence = created.body as { id: string };

  const raise = (subject: string) =>
    wf.cloud.ctx.alerts.raise({
      type: 'residual_current',
      subject,
      subjectKind: 'device',
      severity: 'critical',
      ts: Date.now(),
      evidence: { iResMa: 500 },
    });
  const hidden = (await raise('t-001')).alert;
  const shown = (await raise('t-009')).alert;

  const list = async (query: string) =>
    ((await wf.api('admin', 'GET', `/api/v1/alerts?${query}`)).body.items as Array<{ id: string }>).map((a) => a.id);
  t.same(await list(''), [shown.id], 'the default list leaves the silenced alert out');
  t.same((await list('silenced=include')).sort(), [hidden.id, shown.id].sort(), 'include shows both');
  t.same(await list('silenced=only'), [hidden.id]);
  const one = await wf.api('admin', 'GET', `/api/v1/alerts/${hidden.id}`);
  t.same(one.body.silence, { id: silence.id, reason: 'replacing the LV breaker', until: now + hour });

  // Reactions run in order: once the shown alert has its work order, the hidden one's turn is past.
  const orderOf = async (alertId: string) =>
    (await wf.api('admin', 'GET', `/api/v1/workorders?alerts=${alertId}`)).body.items as unknown[];
  for (let i = 0; i < 100 && (await orderOf(shown.id)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.equal((await orderOf(shown.id)).length, 1, 'an alert elsewhere gets its work order');
  t.equal((await orderOf(hidden.id)).length, 0, 'the silenced alert gets none');

  // Listing is scoped like the alerts.
  const ids = async (user: 'li' | 'zhao' | 'auditor', query = '') =>
    ((await wf.api(user, 'GET', `/api/v1/silences${query}`)).body.items as Array<{ id: string }>).map((s) => s.id);
  t.same(await ids('li'), [silence.id]);
  t.same(await ids('zhao'), [], 'the south inspector does not see a north silence');
  t.same(await ids('auditor', '?active=true'), [silence.id]);

  // Ending early.
  t.equal((await wf.api('zhao', 'POST', `/api/v1/silences/${silence.id}/end`)).status, 403);
  const ended = await wf.api('wang', 'POST', `/api/v1/silences/${silence.id}/end`);
  t.equal(ended.status, 200);
  t.match(ended.body, { endedBy: 'wang' });
  t.equal((await wf.api('wang', 'POST', `/api/v1/silences/${silence.id}/end`)).status, 409, 'ended once');
  t.equal((await wf.api('admin', 'POST', '/api/v1/silences/si-404/end')).status, 404);
  t.same(await ids('auditor', '?active=true'), []);
  t.same((await list('')).sort(), [hidden.id, shown.id].sort(), 'the silenced alert shows again');
  const later = (await raise('t-002')).alert;
  t.equal(
    (await wf.api('admin', 'GET', `/api/v1/alerts/${later.id}`)).body.silence,
    null,
    'a new alert is not silenced',
  );

  const audit = await wf.cloud.ctx.rdb.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'target_id'])
    .where('target_kind', '=', 'silences')
    .orderBy('id')
    .execute();
  t.same(audit, [
    { actor: 'li', action: 'create', target_id: silence.id },
    { actor: 'wang', action: 'end', target_id: silence.id },
  ]);
});
