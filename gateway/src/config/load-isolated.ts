/**
 * loadConfig (load.ts) run in a worker thread. Checking a configuration needs the schema
 * validator, its compiled checks, the YAML parser and the profile checks, about a fifth of
 * the memory a small gateway box can give the gateway; ES modules are never unloaded, so
 * loaded in the main thread they would stay for the life of the process. In a worker they
 * go when it ends. The result is the same GatewayConfig (plain data) or the same ConfigError.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '@gridsafe/shared/config/error.js';
import type { GatewayConfig } from './types.js';

export interface LoadRequest {
  path: string | undefined;
  env: NodeJS.ProcessEnv;
}

export type LoadReply = { ok: true; config: GatewayConfig } | { ok: false; message: string; problems?: string[] };

/**
 * The worker's script. From the TypeScript sources (tests, through tsx) it is still the
 * compiled one under dist/: tsx's hooks do not reach worker threads (privatenumber/tsx#354).
 */
function workerScript(): URL {
  const script = import.meta.url.endsWith('.ts')
    ? new URL('../../dist/src/config/load-worker.js', import.meta.url)
    : new URL('./load-worker.js', import.meta.url);
  if (!existsSync(script))
    throw new Error(`the config loader ${fileURLToPath(script)} is missing: build the gateway first (npx tsc -b)`);
  return script;
}

/**
 * loadConfig(path, { env }) in a worker thread; rejects with a ConfigError as loadConfig
 * throws it. Settles once the thread has ended, so its memory is given back first.
 */
export function loadConfigIsolated(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GatewayConfig> {
  const request: LoadRequest = { path, env: { ...env } };
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { workerData: request });
    let reply: LoadReply | undefined;
    let failure: Error | undefined;
    worker.once('message', (message: LoadReply) => (reply = message));
    worker.once('error', (error) => (failure = error));
    worker.once('exit', (code) => {
      if (reply?.ok) resolve(reply.config);
      else if (reply?.problems) reject(new ConfigError(reply.problems, reply.message.split(':\n')[0]));
      else if (reply) reject(new Error(reply.message));
      else reject(failure ?? new Error(`the config loader thread ended (exit code ${code}) without an answer`));
    });
  });
}
