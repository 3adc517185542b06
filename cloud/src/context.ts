/**
 * The running cloud's parts, as the composition (service.ts) hands them to add-on
 * plugins (the workflow) and to tests through CloudHandle. Routes never get this: they
 * see the services decorated on the app (http/services.ts).
 */
import type { AlertTypeMeta, Logger } from '@gridsafe/shared';
import type { AreaDirectory } from './registry/areas.js';
import type { CaseService } from './cases/service.js';
import type { CloudMetrics } from './metrics/metrics.js';
import type { ApiUserStore } from './security/api-users.js';
import type { IngestLedger } from './storage/relational/ingest-ledger.js';
import type { RegistryStore } from './storage/relational/registry-store.js';
import type { RelationalDb } from './storage/relational/db.js';
import type { SeriesStore } from './storage/series/types.js';
import type { SqlAlertStore } from './storage/relational/alert-store.js';
import type { LiveBus } from './notifications/live-bus.js';

export interface CloudContext {
  registry: RegistryStore;
  areas: AreaDirectory;
  series: SeriesStore;
  alerts: SqlAlertStore;
  cases: CaseService;
  users: ApiUserStore;
  /** The relational database, for add-ons that keep their tables beside the core's (the workflow). */
  rdb: RelationalDb;
  /** Which (gateway, seq) batches are stored (kept by the series backend or the relational store). */
  ledger: IngestLedger;
  metrics: CloudMetrics;
  /** How people read each alert type (labels, default skill, evidence): the detectors', the forecast's, line loss's. */
  alertTypes: readonly AlertTypeMeta[];
  log: Logger;
  /** False while starting or stopping; /readyz says 503 then. */
  isAccepting(): boolean;
  /** Cluster mode: connects a live bus to the other instances' (every stream carries every instance's events). */
  shareLiveBus?(bus: LiveBus): void;
  /**
   * Cluster mode: calls the listener whenever this instance takes over detection
   * partitions or the jobs' lead, so an add-on finishes what a dead instance left undone
   * (the workflow opens the work orders of alerts that have none).
   */
  onTakeover?(listener: () => void): void;
  /** Whether the MQTT side is up (embedded broker listening, or connected to the external broker). */
  mqttReady(): boolean;
}
