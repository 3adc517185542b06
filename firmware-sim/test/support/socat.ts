/** A real pseudo-terminal pair made by socat, for serial I/O in tests. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPair {
  /** The simulator's end and the master's end. */
  a: string;
  b: string;
  close: () => Promise<void>;
}

export async function ptyPair(
  dir: string,
  t: { teardown: (fn: () => Promise<void> | void) => void },
  name = 'bus',
): Promise<PtyPair> {
  const a = join(dir, `${name}-sim`);
  const b = join(dir, `${name}-master`);
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  };
  t.teardown(close);
  for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await sleep(50);
  if (!existsSync(a) || !existsSync(b)) throw new Error(`socat did not make the pseudo-terminal pair: ${stderr}`);
  return { a, b, close };
}
