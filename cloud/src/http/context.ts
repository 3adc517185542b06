/** What the HTTP routes reach: the stores and the live parts of the running cloud. */
import type { Logger } from '@gridsafe/shared';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import type { SeriesStore } from '../storage/series/types.js';
import type { SqlAlertStore } from '../storage/relational/alert-store.js';
import type { SqlCaseStore } from '../storage/relational/case-store.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { ApiUserStore } from '../security/api-users.js';
import type { RelationalDb } from '../storage/relational/db.js';
import type { IngestLedger } from '../storage/relational/ingest-ledger.js';

export interface CloudContext {
  registry: RegistryStore;
  series: SeriesStore;
  alerts: SqlAlertStore;
  cases: SqlCaseStore;
  users: ApiUserStore;
  rdb: RelationalDb;
  /** Which (gateway, seq) batches are stored (kept by the series backend or the relational store). */
  ledger: IngestLedger;
  pipeline: IngestPipeline;
  metrics: CloudMetrics;
  log: Logger;
  /** False while starting or stopping; /readyz says 503 then. */
  isAccepting(): boolean;
  /** Whether the MQTT side is up (embedded broker listening, or connected to the external broker). */
  mqttReady(): boolean;
}
