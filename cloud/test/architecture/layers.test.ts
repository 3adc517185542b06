/** The layer rule of cloud/src holds (see layer-rules.ts), and the check does catch a bad import. */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { importsOf, layerViolations, readSources } from './layer-rules.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

t.test('every cloud/src module keeps the layer rule', async (t) => {
  const files = readSources(SRC);
  t.ok(files.length > 100, `read ${files.length} modules`);
  t.ok(
    files.some((f) => f.path.startsWith('http/routes/') && importsOf(f).some((i) => i.startsWith('cases/'))),
    'imports are resolved to src paths (a route module importing a feature is seen)',
  );
  t.same(layerViolations(files), [], 'no import runs against the layers');
});

t.test(
  'a route importing storage, storage importing a feature, the engine importing a detector: each is caught',
  async (t) => {
    const bad = [
      {
        path: 'http/routes/alerts.ts',
        source: "import { SqlAlertStore } from '../../storage/relational/alert-store.js';",
      },
      { path: 'http/routes/cases.ts', source: "import type { CloudContext } from '../../context.js';" },
      {
        path: 'storage/relational/case-store.ts',
        source: "import { checkTransition } from '../../cases/state-machine.js';",
      },
      { path: 'storage/series/sqlite.ts', source: "export { x } from '../../ingest/pipeline.js';" },
      { path: 'detection-engine/engine.ts', source: "const d = await import('../detectors/index.js');" },
    ];
    const found = layerViolations(bad);
    t.same(
      found.map((v) => [v.file, v.imports]),
      [
        ['http/routes/alerts.ts', 'storage/relational/alert-store.ts'],
        ['http/routes/cases.ts', 'context.ts'],
        ['storage/relational/case-store.ts', 'cases/state-machine.ts'],
        ['storage/series/sqlite.ts', 'ingest/pipeline.ts'],
        ['detection-engine/engine.ts', 'detectors/index.ts'],
      ],
    );
    const allowed = [
      { path: 'storage/relational/case-store.ts', source: "import type { CaseRecord } from '../../cases/types.js';" },
      { path: 'http/routes/cases.ts', source: "import { CaseService } from '../../cases/service.js';" },
    ];
    t.same(layerViolations(allowed), [], "a storage module may import a feature's types.ts; a route, a service");
  },
);
