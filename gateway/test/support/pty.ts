/** A real pseudo-terminal pair made by socat: one end for the simulated bus, one for the gateway. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPair {
  sim: string;
  gateway: string;
  close(): Promise<void>;
}

export async function ptyPair(dir: string, name = 'bus'): Promise<PtyPair> {
  const sim = join(dir, `${name}-sim`);
  const gateway = join(dir, `${name}-gw`);
  const proc = spawn('socat', [`pty,raw,echo=0,link=${sim}`, `pty,raw,echo=0,link=${gateway}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !(existsSync(sim) && existsSync(gateway)); i++) await sleep(50);
  if (!existsSync(sim) || !existsSync(gateway)) {
    proc.kill('SIGKILL');
    throw new Error(`socat did not make the pseudo-terminal pair: ${stderr}`);
  }
  return {
    sim,
    gateway,
    close: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
