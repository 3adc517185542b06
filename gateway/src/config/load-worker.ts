/**
 * The worker thread of load-isolated.ts: loads the configuration and posts it back (plain
 * data), or posts the problems. Everything the checking needs (the schema validator, the
 * YAML parser, the profile checks) lives and dies with this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '@gridsafe/shared';
import { loadConfig } from './load.js';
import type { LoadReply, LoadRequest } from './load-isolated.js';

const { path, env } = workerData as LoadRequest;
let reply: LoadReply;
try {
  reply = { ok: true, config: loadConfig(path, { env }) };
} catch (error) {
  reply =
    error instanceof ConfigError
      ? { ok: false, message: error.message, problems: error.problems }
      : { ok: false, message: (error as Error).message };
}
parentPort!.postMessage(reply);
