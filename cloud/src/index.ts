/** @gridsafe/cloud: the pieces other packages and tests compose. */
export { startCloud, type CloudHandle, type StartOptions } from './service.js';
export { loadConfig, ConfigError, ENVIRONMENT, DEFAULTS } from './config/load.js';
export type { CloudConfig, InfluxConfig } from './config/types.js';
export type { CloudContext } from './context.js';
export type { SeriesStore, StoredReading, AggregatePoint, DemandPoint } from './storage/series/types.js';
export type { Aggregate } from './series/types.js';
export { SqliteSeriesStore } from './storage/series/sqlite.js';
export { openRelational, type RelationalDb } from './storage/relational/db.js';
export { RegistryStore } from './storage/relational/registry-store.js';
export { RegistryError } from './storage/relational/registry-entities.js';
export { SqlAlertStore, type AlertChange } from './storage/relational/alert-store.js';
export { SqlCaseStore } from './storage/relational/case-store.js';
export { SqlDetectorStateStore } from './storage/relational/detector-state-store.js';
export { SqlIngestLedger } from './storage/relational/ingest-ledger.js';
export { ApiUserStore } from './security/api-users.js';
export { hashSecret, verifySecret } from './security/secrets.js';
export { HttpProblem, problemOf, sendProblem } from './http/problem.js';
