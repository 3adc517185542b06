/**
 * The message catalogue (issue 15): every code the server sends is in it, in both
 * languages, with the same values named in each; values that are states or severities
 * read in Chinese in a Chinese text; the English is the text the API always gave.
 */
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMessage, MESSAGES } from '../../src/messages/catalog.js';
import { checkTransition } from '../../src/cases/state-machine.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

t.test('every message code written in the sources is in the catalogue', async (t) => {
  const used = new Set<string>();
  for (const file of sources(SRC))
    for (const match of readFileSync(file, 'utf8').matchAll(
      /code: '((?:routing|problem|penalty|notify|validation|csv)\.[a-z_.0-9A-Z]+)'/g,
    ))
      used.add(match[1]!);
  // Built from a refusal's code (cases/service.ts: problem.case_<code>).
  for (const code of ['not_allowed', 'final', 'note_required', 'same_state']) used.add(`problem.case_${code}`);
  // Built from ajv's keyword (http/validation-text.ts: validation.<keyword>).
  for (const keyword of [
    'required',
    'type',
    'enum',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'pattern',
    'format',
    'unknown_field',
    'unknown_column',
    'invalid',
  ])
    used.add(`validation.${keyword}`);
  t.ok(used.size >= 30, `${used.size} codes found in the sources`);
  for (const code of used) t.ok(MESSAGES[code], `${code} is in the catalogue`);
});

t.test('both languages name the same values', async (t) => {
  const names = (template: string) => [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
  for (const [code, [zh, en]] of Object.entries(MESSAGES)) {
    t.not(zh, en, `${code}: the Chinese is a translation`);
    if (code === 'routing.skilled_one') continue; // "1 open order": the count is in the words
    t.same(names(zh), names(en), `${code}: same values`);
  }
});

t.test('a refusal in either language', async (t) => {
  const refusal = checkTransition('field_check', 'confirmed', undefined)!;
  const message = { code: `problem.case_${refusal.code}`, params: { id: 'case-1', ...refusal.params } };
  t.equal(formatMessage(message, 'en'), 'case "case-1": moving a case to confirmed needs a note giving the reason');
  t.equal(formatMessage(message, 'zh'), '案件 case-1 变更为“已确认”需要填写理由', 'the state named in Chinese');
  const moves = {
    code: 'problem.case_not_allowed',
    params: { id: 'case-2', from: 'under_review', to: 'confirmed', next: 'field_check|dismissed' },
  };
  t.equal(
    formatMessage(moves, 'en'),
    'case "case-2": a case cannot move from under_review to confirmed: from under_review it can move to field_check or dismissed',
    'the English detail the API always gave',
  );
  t.equal(
    formatMessage(moves, 'zh'),
    '案件 case-2 不能从“审核中”变更为“已确认”，只能变更为：现场核查或已驳回',
    'the moves named in Chinese',
  );
  t.equal(
    formatMessage({ code: 'validation.pattern', params: { where: 'body/id', pattern: '^(a|b)$' } }, 'en'),
    'body/id must match pattern "^(a|b)$"',
    'a value with "|" that is not a list of known values stays as it is',
  );
  t.throws(() => formatMessage({ code: 'problem.nosuch' }, 'zh'), /no message "problem.nosuch"/);
});
