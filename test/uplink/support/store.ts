/**
 * What the cloud holds, read straight from its SQLite files (after it stopped, or while
 * it runs: WAL lets a reader in): every stored reading, and the ingest ledger of
 * (gateway, seq) with arrival time and reading count.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { QUANTITY_NAMES } from '@gridsafe/shared';

export interface StoredReading {
  device: string;
  ts: number;
  values: Record<string, number>;
}

export interface LedgerRow {
  seq: number;
  receivedAt: number;
  readings: number;
}

export interface StoreContents {
  readings: StoredReading[];
  ledger: LedgerRow[];
}

export function readStore(cloudDataDir: string, gateway: string): StoreContents {
  const db = new Database(join(cloudDataDir, 'series.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM readings WHERE gateway = ? ORDER BY device, ts').all(gateway) as Array<
      Record<string, unknown>
    >;
    const readings = rows.map((row) => {
      const values: Record<string, number> = {};
      for (const q of QUANTITY_NAMES) if (typeof row[q] === 'number') values[q] = row[q] as number;
      return { device: row['device'] as string, ts: row['ts'] as number, values };
    });
    const ledger = db
      .prepare('SELECT seq, received_at AS receivedAt, readings FROM ingest_ledger WHERE gateway = ? ORDER BY seq')
      .all(gateway) as LedgerRow[];
    return { readings, ledger };
  } finally {
    db.close();
  }
}
