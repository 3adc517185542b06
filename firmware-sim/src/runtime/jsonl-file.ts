/** An append-only JSON-lines file written synchronously, so a reader sees each line as soon as it happens. */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class JsonlFile {
  private fd: number | undefined;
  readonly path: string;

  /** Starts the file afresh: it records this run. */
  constructor(path: string) {
    this.path = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new Error(`cannot write ${path}: ${(error as Error).message}`);
    }
  }

  write(records: unknown[]): void {
    if (this.fd === undefined || records.length === 0) return;
    writeSync(this.fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
