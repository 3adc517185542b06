/** A case's demand series as CSV: a file an auditor can open in a spreadsheet, scoped like the case. */
import t from 'tap';
import { toCsv } from '../../src/http/csv-write.js';
import { startWorkflowCloud } from '../workflow-support/cloud.js';

t.test('fields with commas, quotes and line breaks are quoted (RFC 4180)', async (t) => {
  t.equal(
    toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        ['line\nbreak', null],
        [1.5, 2],
      ],
    ),
    'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n1.5,2\r\n',
  );
});

t.test('GET /api/v1/cases/{id}/evidence.csv', async (t) => {
  const wf = await startWorkflowCloud(t);
  const start = Date.UTC(2026, 5, 1, 0, 0, 0);
  const caseId = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-001',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: start,
    lastSeen: start + 30 * 60_000,
    demandSeries: [
      [start, 150.5],
      [start + 15 * 60_000, 234.2],
      [start + 30 * 60_000, 180],
    ],
    detail: {},
  });
  const answer = await wf.api('auditor', 'GET', `/api/v1/cases/${caseId}/evidence.csv`);
  t.equal(answer.status, 200);
  t.match(answer.type, /^text\/csv/);
  const lines = (answer.body as string).trimEnd().split('\r\n');
  t.equal(lines[0], 'time_utc,time_local_Asia/Shanghai,demand_kw,contract_kva');
  t.same(lines.slice(1), [
    '2026-06-01T00:00:00.000Z,2026-06-01 08:00:00,150.5,100',
    '2026-06-01T00:15:00.000Z,2026-06-01 08:15:00,234.2,100',
    '2026-06-01T00:30:00.000Z,2026-06-01 08:30:00,180,100',
  ]);
  t.equal((await wf.api('zhao', 'GET', `/api/v1/cases/${caseId}/evidence.csv`)).status, 403, 'another area is refused');
  t.equal((await wf.api('auditor', 'GET', '/api/v1/cases/no-such/evidence.csv')).status, 404);
});
