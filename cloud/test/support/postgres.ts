/**
 * Starts a real PostgreSQL (Debian's postgresql 15) for a test: a temporary cluster
 * made by initdb, on a free port, listening on loopback only. PostgreSQL refuses to
 * run as root, so as root it runs as the `postgres` OS user (runuser). `stop()` shuts
 * it down (fast mode) and removes the folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@gridsafe/testkit';

export const PG_BIN = process.env['GRIDSAFE_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface Postgres {
  port: number;
  /** Stops the server (fast shutdown), keeping its data. */
  shutdown(): Promise<void>;
  /** SIGKILLs the postmaster, keeping its data. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** A URL for a new, empty database on this server. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** Whether a process is alive (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `durableCommits`: a commit returns once its WAL is written (synchronous_commit=on), so
 * a killed postmaster loses nothing acknowledged; off by default (speed: fsync stays off,
 * which only matters if the whole machine stops).
 */
export async function startPostgres(options: { durableCommits?: boolean } = {}): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const [initdb, initArgs] = asPostgres(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, pgArgs] = asPostgres(join(PG_BIN, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    `synchronous_commit=${options.durableCommits ? 'on' : 'off'}`,
    '-c',
    'full_page_writes=off',
  ]);
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  let stderr = '';
  /** Starts the server on this cluster and port, and waits until it takes connections. */
  const launch = async () => {
    child = spawn(postgres, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: admin });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  /** Fast shutdown (pg_ctl stop -m fast: sessions are ended with 57P01); SIGKILL if that fails. */
  const shutdown = async () => {
    if (!running()) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const [pgCtl, ctlArgs] = asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w']);
    try {
      execFileSync(pgCtl, ctlArgs, { stdio: 'ignore' });
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
  };
  /**
   * SIGKILL of the postmaster itself (as root the child is runuser, so the pid comes from
   * postmaster.pid); its backends end when they notice, and the next start recovers.
   */
  const kill = async () => {
    if (!running()) return;
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const backends = execFileSync('pgrep', ['-P', String(postmaster)])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(postmaster, 'SIGKILL');
    await exited;
    // Orphaned backends hold the shared memory until they exit; a new postmaster waits for that.
    for (let i = 0; i < 100 && backends.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  const stop = async () => {
    await shutdown();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    shutdown,
    kill,
    start: launch,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      await client.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
