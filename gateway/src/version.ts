/** The gateway's version, from its package.json (reported in the status). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@gridsafe/gateway' && pkg.version) return pkg.version;
    } catch {
      // try the next place: src/ and dist/src/ sit at different depths
    }
  }
  return '0.0.0';
}

export const GATEWAY_VERSION = readVersion();
