/**
 * The working calendar as data (issue 11): the shipped years load with their sources; a
 * deployment adds a year with a file of its own (calendarFiles); a bad file is refused
 * with its path, line and what is wrong.
 */
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkingCalendar } from '../../src/detector-kit/calendar.js';
import { consumptionAnomaly } from '../../src/detectors/consumption_anomaly/index.js';
import { engineWith, meter } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-calendar-'));
t.teardown(() => undefined);
function file(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
}

t.test('the shipped years: holidays and adjusted working days, each year with the notice it comes from', async (t) => {
  const cal = loadWorkingCalendar([]);
  for (const year of [2024, 2025, 2026])
    t.match(cal.years.get(year), new RegExp(`国务院办公厅关于${year}年部分节假日安排的通知`), `${year} has its source`);
  t.ok(cal.holidays.has('2025-10-08') && cal.holidays.has('2025-01-28'));
  t.ok(cal.workingDays.has('2025-09-28') && cal.workingDays.has('2025-10-11'));
  t.notOk(cal.holidays.has('2025-09-28'));
  // Adjusted working days (调休) move work onto a weekend: a weekday there is a typo.
  for (const d of cal.workingDays)
    t.ok([0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()), `${d} is a weekend day`);
});

t.test('2026 as the State Council notice of 2025-11-04 gives it', async (t) => {
  const cal = loadWorkingCalendar([]);
  const of2026 = (set: ReadonlySet<string>) => [...set].filter((d) => d.startsWith('2026-')).sort();
  const days = (from: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10),
    );
  t.same(of2026(cal.holidays), [
    ...days('2026-01-01', 3), // 元旦
    ...days('2026-02-15', 9), // 春节
    ...days('2026-04-04', 3), // 清明节
    ...days('2026-05-01', 5), // 劳动节
    ...days('2026-06-19', 3), // 端午节
    ...days('2026-09-25', 3), // 中秋节
    ...days('2026-10-01', 7), // 国庆节
  ]);
  t.same(of2026(cal.workingDays), ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
});

t.test('a deployment adds a year without code: a file of its own through calendarFiles', async (t) => {
  const path = file(
    '2027.yaml',
    'year: 2027\nsource: "a notice"\nholidays:\n  - name: 元旦\n    dates: ["2027-01-01"]\nworkingDays: ["2027-01-09"]\n',
  );
  const cal = loadWorkingCalendar([path]);
  t.ok(cal.holidays.has('2027-01-01') && cal.workingDays.has('2027-01-09'));
  t.equal(cal.years.get(2027), 'a notice');
  // Through the detector's settings, as a deployment would.
  await engineWith([consumptionAnomaly], { devices: [meter('m-1')] }, { consumption_anomaly: { calendarFiles: path } });
});

t.test('a bad calendar file is refused with where and why', async (t) => {
  const outside = file('bad-year.json', {
    year: 2027,
    source: 's',
    holidays: [{ name: 'x', dates: ['2026-12-31'] }],
    workingDays: [],
  });
  t.throws(() => loadWorkingCalendar([outside]), /bad-year\.json.*2026-12-31 is not a date of 2027/s);
  const both = file('both.json', {
    year: 2027,
    source: 's',
    holidays: [{ name: 'x', dates: ['2027-02-01'] }],
    workingDays: ['2027-02-01'],
  });
  t.throws(() => loadWorkingCalendar([both]), /both\.json.*2027-02-01 is also listed as a holiday/s);
  const impossible = file('feb30.json', {
    year: 2027,
    source: 's',
    holidays: [{ name: 'x', dates: ['2027-02-30'] }],
    workingDays: [],
  });
  t.throws(() => loadWorkingCalendar([impossible]), /2027-02-30 is not a date of 2027/);
  const unknown = file('extra.json', { year: 2027, source: 's', holidays: [], workingDays: [], weekends: [] });
  t.throws(() => loadWorkingCalendar([unknown]), /extra\.json.*weekends/s);
  const again = file('2025-again.json', { year: 2025, source: 's', holidays: [], workingDays: [] });
  t.throws(() => loadWorkingCalendar([again]), /the year 2025 is already given by .*2025\.json/);
  await t.rejects(
    engineWith(
      [consumptionAnomaly],
      { devices: [meter('m-1')] },
      { consumption_anomaly: { calendarFiles: join(dir, 'missing.json') } },
    ),
    /calendarFiles.*missing\.json.*cannot read/s,
  );
});
