/**
 * The link emulator (firmware-sim's gridsafe-link) as a child process: bytes are counted
 * by a separate program sitting on the wire, as a utility's meter would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export interface LinkCounts {
  up: { bytes: number };
  down: { bytes: number };
}

export interface LinkProcess {
  port: number;
  /** Asks for the counts and waits for them. */
  counts(): Promise<LinkCounts>;
  stop(): Promise<void>;
}

/** dist/src/link/cli.js of the installed @gridsafe/firmware-sim. */
export function linkCliPath(): string {
  const entry = createRequire(import.meta.url).resolve('@gridsafe/firmware-sim');
  return join(dirname(entry), 'link', 'cli.js');
}

export async function startLink(args: string[]): Promise<LinkProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [linkCliPath(), '--stats-every', '0s', ...args],
    {
      env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'info' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: Array<(line: Record<string, unknown>) => boolean> = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as Record<string, unknown>;
    for (let i = waiting.length - 1; i >= 0; i -= 1) if (waiting[i]?.(line)) waiting.splice(i, 1);
  });
  const next = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.push((line) => (line['msg'] === msg ? (resolve(line), true) : false));
      child.once('exit', (code) => reject(new Error(`gridsafe-link exited with ${code}: ${stderr.trim()}`)));
    });
  const listening = await next('listening');
  return {
    port: listening['port'] as number,
    counts: async () => {
      const line = next('stats');
      child.stdin.write('stats\n');
      return (await line)['stats'] as LinkCounts;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
