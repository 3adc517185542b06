import t from 'tap';
import type { Inspector } from '@gridsafe/shared';
import { chooseAssignee, escalationTarget } from '../../src/workorders/routing.js';
import { checkWorkOrderMove } from '../../src/workorders/state-machine.js';
import { sniffImage } from '../../src/workorders/image-type.js';
import { DEFAULT_WORK_ORDER_SETTINGS, parseWorkOrderSettings } from '../../src/workorders/settings.js';

const insp = (id: string, areas: string[], skills: string[], extra: Partial<Inspector> = {}): Inspector => ({
  id,
  name: id,
  areas,
  skills,
  lead: false,
  active: true,
  ...extra,
});
const none = { open: new Map<string, number>(), lastAssignedAt: new Map<string, number>() };

t.test('routing by area, skill and open load', async (t) => {
  const team = [
    insp('li', ['north'], ['fire_safety']),
    insp('wang', ['north'], ['fire_safety', 'metering']),
    insp('zhao', ['south'], ['fire_safety']),
    insp('off', ['north'], ['fire_safety'], { active: false }),
  ];
  t.match(chooseAssignee(team, { area: 'north', skill: 'metering' }, none), {
    assignee: 'wang',
    reason: /skill metering/,
  });
  t.equal(chooseAssignee(team, { area: 'north', skill: 'fire_safety' }, none).assignee, 'li', 'equal load: by id');
  t.equal(
    chooseAssignee(
      team,
      { area: 'north', skill: 'fire_safety' },
      {
        open: new Map([
          ['li', 2],
          ['wang', 1],
        ]),
        lastAssignedAt: new Map(),
      },
    ).assignee,
    'wang',
    'least open load',
  );
  t.equal(
    chooseAssignee(
      team,
      { area: 'north', skill: 'fire_safety' },
      {
        open: new Map([
          ['li', 1],
          ['wang', 1],
        ]),
        lastAssignedAt: new Map([
          ['li', 5],
          ['wang', 9],
        ]),
      },
    ).assignee,
    'li',
    'equal load: the one assigned longest ago',
  );
  t.match(
    chooseAssignee(team, { area: 'north', skill: 'high_voltage' }, none),
    { assignee: 'li', reason: /nobody there has skill high_voltage/ },
    'falls back to the area',
  );
  t.match(chooseAssignee(team, { area: 'east', skill: 'fire_safety' }, none), {
    assignee: null,
    reason: /no active inspector covers area east/,
  });
  t.match(chooseAssignee(team, { area: null, skill: 'fire_safety' }, none), { assignee: null, reason: /no area/ });
  t.notOk(
    team.some((i) => chooseAssignee([i], { area: 'north', skill: 'fire_safety' }, none).assignee === 'off'),
    'inactive never chosen',
  );
});

t.test('escalation target', async (t) => {
  const team = [insp('li', ['north'], [], { lead: true }), insp('wang', ['north'], [])];
  t.equal(escalationTarget(team, 'north', 'admin'), 'li');
  t.equal(escalationTarget(team, 'south', 'admin'), 'admin');
  t.equal(escalationTarget(team, null, null), null);
});

t.test('work-order moves', async (t) => {
  t.equal(checkWorkOrderMove('open', 'acknowledged', undefined), null);
  t.equal(checkWorkOrderMove('acknowledged', 'on_site', undefined), null);
  t.equal(checkWorkOrderMove('on_site', 'resolved', 'replaced the breaker'), null);
  t.match(checkWorkOrderMove('open', 'resolved', 'x'), /cannot move from open to resolved/);
  t.match(checkWorkOrderMove('on_site', 'resolved', ' '), /needs a note/);
  t.match(checkWorkOrderMove('resolved', 'open', 'x'), /resolved is final/);
});

t.test('images are known by their first bytes', async (t) => {
  t.match(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), { mime: 'image/jpeg' });
  t.match(sniffImage(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')), { mime: 'image/png' });
  t.match(sniffImage(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1')), { mime: 'image/webp' });
  t.match(sniffImage(Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00', 'latin1')), { mime: 'image/heic' });
  t.equal(sniffImage(Buffer.from('%PDF-1.7')), null);
  t.equal(
    sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    null,
    'SVG (can carry script) is refused',
  );
  t.equal(sniffImage(Buffer.from([0xff, 0xd8])), null, 'too short');
});

t.test('settings are checked, naming the field', async (t) => {
  t.equal(parseWorkOrderSettings(undefined, 'w'), DEFAULT_WORK_ORDER_SETTINGS);
  const s = parseWorkOrderSettings(
    { ackWithinMinutes: { critical: 5 }, skillByType: { comm_loss: 'metering' } },
    'cloud.yaml: workorders',
  );
  t.equal(s.ackWithinMs.critical, 300_000);
  t.equal(s.ackWithinMs.warning, DEFAULT_WORK_ORDER_SETTINGS.ackWithinMs.warning);
  t.equal(s.skillByType.comm_loss, 'metering');
  t.throws(
    () => parseWorkOrderSettings({ ackWithinMinutes: { urgent: 5 } }, 'cloud.yaml: workorders'),
    /cloud\.yaml: workorders: ackWithinMinutes\.urgent: is not a known field; known here: info, warning, critical/,
  );
  t.throws(
    () => parseWorkOrderSettings({ escalationCron: 'every minute' }, 'w'),
    /w: escalationCron: "every minute" is not a cron expression/,
  );
  t.throws(
    () => parseWorkOrderSettings({ skillByType: { fire: 'x' } }, 'w'),
    /w: skillByType\.fire: is not a known field/,
  );
  t.throws(
    () => parseWorkOrderSettings({ attachments: { maxBytes: 10 } }, 'w'),
    /w: attachments\.maxBytes: must be a whole number from 1024 to 104857600, got 10/,
  );
  t.throws(() => parseWorkOrderSettings({ escalate: true }, 'w'), /w: escalate: is not a known field/);
});
