/**
 * The console's files: the page and styles from cloud/web/static, the compiled scripts
 * from cloud/dist/web (built by `tsc -b`). The list is fixed when the cloud starts, so
 * only those files can ever be served — no path from a request reaches the disk.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};

/** Files of npm packages (and of the shared workspace) the console uses, by the name it asks for them under /console/assets/. */
const VENDOR: Array<[string, string]> = [
  ['vendor/uplot.js', 'uplot/dist/uPlot.esm.js'],
  ['vendor/uplot.css', 'uplot/dist/uPlot.min.css'],
  // The one time formatter, the same file the server formats with.
  ['vendor/site-time.js', '@gridsafe/shared/time/site-time.js'],
];

export interface Asset {
  body: Buffer;
  type: string;
}

/** cloud/ — found from this file whether it runs from src (tsx) or dist (node). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === '@gridsafe/cloud'
    )
      return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the @gridsafe/cloud package folder from the console plugin');
}

export function loadAssets(root = packageRoot()): { assets: Map<string, Asset>; missing: string[] } {
  const assets = new Map<string, Asset>();
  const missing: string[] = [];
  const add = (dir: string, prefix = '') => {
    if (!existsSync(dir)) {
      if (!prefix) missing.push(dir);
      return;
    }
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        add(path, `${prefix}${name}/`);
        continue;
      }
      const type = TYPES[extname(name)];
      if (type) assets.set(`${prefix}${name}`, { body: readFileSync(path), type });
    }
  };
  add(join(root, 'web', 'static'));
  add(join(root, 'dist', 'web'));
  // The chart library, as its package ships it (an ES module and its styles): no bundler, nothing fetched from outside.
  const require = createRequire(join(root, 'package.json'));
  for (const [name, file] of VENDOR) {
    try {
      assets.set(name, { body: readFileSync(require.resolve(file)), type: TYPES[extname(name)] as string });
    } catch {
      missing.push(file);
    }
  }
  if (!assets.has('app.js')) missing.push(join(root, 'dist', 'web', 'app.js'));
  return { assets, missing };
}
