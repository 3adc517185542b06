/** The one time formatter: site-local, the same text in every language, the offset when asked; the file the console loads. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatSiteTime, isValidTimeZone } from '../src/index.js';

const at = Date.parse('2026-01-05T16:00:05.400Z');

t.test('a UTC instant reads in the site zone', async (t) => {
  t.equal(formatSiteTime(at, 'Asia/Shanghai'), '2026-01-06 00:00:05');
  t.equal(formatSiteTime(at, 'UTC'), '2026-01-05 16:00:05');
  t.equal(formatSiteTime(at, 'Asia/Shanghai', { withOffset: true }), '2026-01-06 00:00:05 +08:00');
  t.equal(formatSiteTime(at, 'UTC', { withOffset: true }), '2026-01-05 16:00:05 +00:00', 'UTC says +00:00, not GMT');
  t.equal(formatSiteTime(at, 'America/St_Johns', { withOffset: true }), '2026-01-05 12:30:05 -03:30');
  t.equal(formatSiteTime(at, 'Asia/Shanghai', { precision: 'minute', withYear: false }), '01-06 00:00');
});

t.test('the offset follows daylight saving at that instant', async (t) => {
  t.equal(
    formatSiteTime(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin', { withOffset: true }),
    '2026-07-01 14:00:00 +02:00',
  );
  t.equal(
    formatSiteTime(Date.parse('2026-01-01T12:00:00Z'), 'Europe/Berlin', { withOffset: true }),
    '2026-01-01 13:00:00 +01:00',
  );
});

t.test('no time is a dash; a zone Intl does not know is refused', async (t) => {
  t.equal(formatSiteTime(null, 'UTC'), '—');
  t.equal(formatSiteTime(undefined, 'UTC'), '—');
  t.equal(formatSiteTime(Number.NaN, 'UTC'), '—');
  t.ok(isValidTimeZone('Asia/Shanghai'));
  t.notOk(isValidTimeZone('Asia/Shanghia'));
  t.throws(() => formatSiteTime(at, 'Asia/Shanghia'), RangeError);
});

t.test('the module the console loads imports nothing (a browser gets it as one file)', async (t) => {
  const file = createRequire(import.meta.url).resolve('@gridsafe/shared/time/site-time.js');
  t.match(file, /dist\/src\/time\/site-time\.js$/);
  t.notMatch(readFileSync(file, 'utf8'), /^\s*import\s/m);
});
