/**
 * cloud/README.md's "Where each route lives" names the file of every HTTP route: each
 * route module has its row, and each path a module registers is findable in that row
 * (its resource prefix and its last fixed segment), so the index cannot fall behind.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROUTES = fileURLToPath(new URL('../../src/http/routes/', import.meta.url));
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The index table's rows by the file they name. */
function indexRows(): Map<string, string> {
  const section = README.slice(README.indexOf('### Where each route lives'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const file = /\| `([\w-]+\.ts)`[^|]*\|$/.exec(line)?.[1];
    if (file) rows.set(file, line);
  }
  return rows;
}

/** The paths a route module registers (`app.get('/api/v1/...'`, over one or more lines). */
export function registeredPaths(source: string): string[] {
  const paths = [...source.matchAll(/\bapp\.(?:get|post|put|delete|patch|route)\s*(?:<[^(]*?>)?\(\s*'([^']+)'/gs)];
  return paths.map((match) => match[1]!);
}

/** What a row must show for a path: its resource (three segments, or the whole path when shorter) and its last fixed segment. */
export function findable(path: string, row: string): boolean {
  const segments = path.split('/').filter((s) => s !== '' && !s.startsWith(':') && s !== '*');
  const resource = `/${segments.slice(0, 3).join('/')}`;
  const last = segments[segments.length - 1] ?? '';
  return row.includes(resource) && row.includes(last);
}

t.test('every route module has its row, and every path it registers is findable there', async (t) => {
  const rows = indexRows();
  const files = readdirSync(ROUTES).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 15, `${files.length} route modules`);
  for (const file of files) {
    const row = rows.get(file);
    if (!row) {
      t.fail(`${file} has no row in cloud/README.md "Where each route lives"`);
      continue;
    }
    const paths = registeredPaths(readFileSync(`${ROUTES}${file}`, 'utf8'));
    for (const path of paths) t.ok(findable(path, row), `${path} is findable in the row of ${file}`);
  }
});

t.test('the check reads paths and would catch a missing one', async (t) => {
  t.same(registeredPaths("app.get<{ Params: { id: string } }>(\n    '/api/v1/cases/:id/report',"), [
    '/api/v1/cases/:id/report',
  ]);
  t.ok(findable('/api/v1/cases/:id/report', '| `/api/v1/cases/{id}`, `.../report` | `cases.ts` |'));
  t.notOk(findable('/api/v1/cases/:id/report', '| `/api/v1/cases/{id}` | `cases.ts` |'));
  t.notOk(findable('/api/v1/silences', '| `/api/v1/alerts` | `alerts.ts` |'));
});
