/**
 * The layer rule of cloud/src (cloud/README.md, "Architecture"), checked on import
 * statements: http routes -> feature services -> storage, never upwards.
 *
 * - A route module (`http/routes/**`) imports nothing from `storage/` and not the
 *   composition's context (`context.ts`): it sees the services decorated on its scope.
 * - A storage module (`storage/**`) imports no feature: outside `storage/` it may import
 *   only a `types.ts` (the shape of the records it keeps: types and constants, no
 *   behaviour), `security/secrets.ts` (hashing of gateway secrets) and
 *   `messages/catalog.ts` (the texts of its refusals, which imports no cloud module).
 * - The detection engine (`detection-engine/**`) imports no detector (`detectors/**`):
 *   the composition root hands it its detectors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/** One cloud/src module: its path relative to src (posix) and its source text. */
export interface SourceFile {
  path: string;
  source: string;
}

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

export function readSources(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name)) {
        files.push({ path: relative(srcDir, full).split('\\').join('/'), source: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(srcDir);
  return files;
}

/** The src-relative paths a module imports (static, re-exports and dynamic), relative imports only. */
export function importsOf(file: SourceFile): string[] {
  const { importedFiles } = ts.preProcessFile(file.source, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => posix.normalize(posix.join(dirname(file.path), name)).replace(/\.js$/, '.ts'));
}

const under = (path: string, folder: string) => path.startsWith(`${folder}/`);

function ruleBroken(from: string, to: string): string | null {
  if (under(from, 'http/routes')) {
    if (under(to, 'storage')) return 'a route module reaches storage only through a service';
    if (to === 'context.ts') return 'a route module sees decorated services, not the composition context';
  }
  if (under(from, 'storage') && !under(to, 'storage')) {
    if (!to.endsWith('/types.ts') && to !== 'security/secrets.ts' && to !== 'messages/catalog.ts')
      return 'storage imports no feature (outside storage/: only a types.ts, security/secrets.ts or messages/catalog.ts)';
  }
  if (under(from, 'detection-engine') && under(to, 'detectors')) {
    return 'the detection engine gets its detectors from the composition root (service.ts)';
  }
  return null;
}

export function layerViolations(files: SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    for (const target of importsOf(file)) {
      const rule = ruleBroken(file.path, target);
      if (rule) violations.push({ file: file.path, imports: target, rule });
    }
  }
  return violations;
}
