/** Real child processes for tests (Node scripts): output kept for failure messages, stopped or killed by pid, never left behind. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Test } from 'tap';

export interface Proc {
  name: string;
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** JSON log lines seen so far. */
  lines(): Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
  send(line: string): void;
}

export function run(t: Test, name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  const parsed: Array<Record<string, unknown>> = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const proc: Proc = {
    name,
    child,
    output: () => text,
    lines: () => parsed,
    exited,
    stop: async (graceMs = 15_000) => {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    send: (line) => {
      if (alive()) child.stdin.write(`${line}\n`);
    },
  };
  t.teardown(() => proc.kill());
  return proc;
}

/** The last `n` characters of a process's output, for a failure message. */
export function tail(proc: Proc, n = 3000): string {
  return `--- ${proc.name} ---\n${proc.output().slice(-n)}`;
}
