/** Runs the real gateway CLI as a child process, collecting its log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  logs: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startGateway(args: string[], env: Record<string, string>): GatewayProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    logs.push(...lines.filter((l) => l.length > 0));
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    logs,
    stderr,
    exited,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs the CLI to completion (for config checks). */
export async function runGateway(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Writes `config` as gateway.json in `dir` and runs the gateway on it, the GRIDSAFE_* overrides blanked. */
export function startGatewayWithConfig(dir: string, config: Record<string, unknown>): GatewayProcess {
  const path = join(dir, 'gateway.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return startGateway(['--config', path], {
    GRIDSAFE_BROKER_URL: '',
    GRIDSAFE_DATA_DIR: '',
    GRIDSAFE_GATEWAY_SECRET: '',
  });
}

/** Stops whatever a field test started (gateway first, so it does not log the others' end) and removes its folder. */
export async function stopFieldRun(
  dir: string,
  parts: {
    gw?: GatewayProcess | undefined;
    sim?: { stop(): Promise<void> } | undefined;
    broker?: { close(): Promise<void> } | undefined;
    pty?: { close(): Promise<void> } | undefined;
  },
): Promise<void> {
  await parts.gw?.stop(5000);
  await parts.sim?.stop();
  await parts.broker?.close();
  await parts.pty?.close();
  rmSync(dir, { recursive: true, force: true });
}
