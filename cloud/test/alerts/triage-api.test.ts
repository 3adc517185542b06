/**
 * The alert list as a triage tool (issue 15): server-side filters (state, severity, type,
 * area, search), sorts (triage puts active critical alerts first and resolved ones last),
 * paging, inspectors narrowed to their areas, and bulk acknowledge with a result per alert.
 */
import t from 'tap';
import type { AlertType, Severity } from '@gridsafe/shared';
import { startWorkflowCloud } from '../workflow-support/cloud.js';

t.test('filters, sorts, search, paging and bulk acknowledge', async (t) => {
  const wf = await startWorkflowCloud(t);
  const alerts = wf.cloud.ctx.alerts;
  const base = Date.now() - 3_600_000;
  const raise = (type: AlertType, subject: string, severity: Severity, minute: number) =>
    alerts.raise({
      type,
      subject,
      subjectKind: subject.startsWith('tx') ? 'transformer' : 'device',
      severity,
      ts: base + minute * 60_000,
      evidence: {},
    });
  const warnNorth = (await raise('residual_current', 't-001', 'warning', 1)).alert;
  const critNorth = (await raise('overload', 'tx-001', 'critical', 2)).alert;
  const infoSouth = (await raise('over_temperature', 'm-002', 'info', 3)).alert;
  const critSouth = (await raise('overload', 'tx-002', 'critical', 4)).alert;
  await alerts.transition(critSouth.id, 'resolved', 'admin', 'done');

  const ids = async (user: 'admin' | 'li' | 'zhao' | 'auditor', query: string) => {
    const answer = await wf.api(user, 'GET', `/api/v1/alerts?${query}`);
    t.equal(answer.status, 200, query);
    return (answer.body.items as Array<{ id: string }>).map((a) => a.id);
  };

  t.same(
    await ids('admin', 'sort=triage'),
    [critNorth.id, warnNorth.id, infoSouth.id, critSouth.id],
    'triage: active before resolved, critical first, then the most recently seen',
  );
  t.same(await ids('admin', 'sort=oldest'), [warnNorth.id, critNorth.id, infoSouth.id, critSouth.id]);
  t.same(await ids('admin', 'state=active&sort=triage'), [critNorth.id, warnNorth.id, infoSouth.id]);
  t.same(await ids('admin', 'severity=critical&sort=oldest'), [critNorth.id, critSouth.id]);
  t.same(await ids('admin', 'type=overload&state=resolved'), [critSouth.id]);
  t.same(await ids('admin', 'area=south&sort=oldest'), [infoSouth.id, critSouth.id], 'one area');
  t.same(await ids('admin', 'q=TX-00&sort=oldest'), [critNorth.id, critSouth.id], 'search is case-insensitive');
  t.same(await ids('admin', `q=${encodeURIComponent('%')}`), [], 'LIKE wildcards are matched literally');
  t.same(await ids('li', 'sort=triage'), [critNorth.id, warnNorth.id], 'an inspector sees their own area');
  t.same(await ids('li', 'area=south'), [], 'and cannot widen it with area');
  const page = await wf.api('admin', 'GET', '/api/v1/alerts?sort=triage&limit=2&offset=2');
  t.same(
    (page.body.items as Array<{ id: string }>).map((a) => a.id),
    [infoSouth.id, critSouth.id],
  );
  t.equal(page.body.total, 4);
  t.equal((await wf.api('admin', 'GET', '/api/v1/alerts?sort=sideways')).status, 400, 'an unknown sort is refused');

  const bulk = await wf.api('li', 'POST', '/api/v1/alerts/ack', {
    ids: [warnNorth.id, critNorth.id, infoSouth.id, 'alert-none'],
    note: 'seen, going out',
  });
  t.equal(bulk.status, 200);
  t.same(
    (bulk.body.results as Array<{ id: string; status: number }>).map((r) => [r.id, r.status]),
    [
      [warnNorth.id, 200],
      [critNorth.id, 200],
      [infoSouth.id, 403],
      ['alert-none', 404],
    ],
    'each alert on its own: another area is refused, an unknown one not found, the rest acknowledged',
  );
  t.same(await ids('admin', 'state=acknowledged&sort=oldest'), [warnNorth.id, critNorth.id]);
  const again = await wf.api('li', 'POST', '/api/v1/alerts/ack', { ids: [warnNorth.id] });
  t.equal(again.body.results[0].status, 409, 'acknowledging twice is a conflict, reported per alert');
  t.equal((await wf.api('auditor', 'POST', '/api/v1/alerts/ack', { ids: [infoSouth.id] })).status, 403);
  t.equal((await wf.api('admin', 'POST', '/api/v1/alerts/ack', { ids: [] })).status, 400, 'an empty list is refused');
});
