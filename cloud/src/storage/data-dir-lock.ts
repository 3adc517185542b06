/**
 * One cloud per data folder. The embedded stores (SQLite files) are one process's
 * stores: a second instance on the same folder would keep its own detector caches and
 * clocks over the same files, and split detection as issue 13 measured. So the first
 * instance claims the folder with a lock file holding its process id (created with
 * O_EXCL, so two starting at once cannot both win); a second start is refused with the
 * holder's pid. A lock left by a process that no longer runs (SIGKILL, power loss) is
 * taken over. Several instances as one service run on PostgreSQL and InfluxDB instead
 * (cloud/README.md, "Several instances").
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'gridsafe-cloud.lock';
/** Lock files this process holds: a file naming our own pid but not in here is a previous life's (pid 1 in a container). */
const heldHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `another gridsafe cloud (pid ${pid}) already runs on the embedded stores in ${dir}: ` +
        'more than one instance on embedded SQLite is refused (each would keep its own detection state over the same files). ' +
        'Stop the other instance, give this one its own GRIDSAFE_DATA_DIR, or run several instances as one service on ' +
        'PostgreSQL and InfluxDB (GRIDSAFE_DATABASE_URL, GRIDSAFE_INFLUX_URL, GRIDSAFE_CLUSTER=true; cloud/README.md)',
    );
    this.name = 'DataDirInUseError';
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `dir` for this process; returns the release (removes the lock file if still ours). */
export function claimDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      return () => {
        if (!heldHere.delete(path)) return;
        if (readPid(path) === process.pid) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readPid(path);
      const ours = holder === process.pid && heldHere.has(path);
      if (holder !== null && (ours || (holder !== process.pid && running(holder))))
        throw new DataDirInUseError(dir, holder);
      // The holder is gone (or the file is torn): remove its lock and try again.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not claim the data folder ${dir}: its lock file ${path} keeps reappearing`);
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
