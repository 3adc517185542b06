/**
 * What the HTTP routes reach: the cloud's services, as Fastify decorators on the app
 * (`app.alerts`, `app.cases`, ...) or, for the workflow's, on the workflow's own scope.
 * Routes never see a database or the ingest pipeline. Each route plugin names the
 * decorators it needs (`needs`), so registering it where they are missing fails at start.
 */
import type { FastifyInstance } from 'fastify';
import type { AreaDirectory } from '../registry/areas.js';
import type { CaseService } from '../cases/service.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { DeliveryWorker } from '../notifications/worker.js';
import type { InspectorDirectory } from '../workorders/inspectors.js';
import type { LiveBus } from '../notifications/live-bus.js';
import type { LineLossHandle } from '../lineloss/start.js';
import type { ForecastStore } from '../forecast/forecast-store.js';
import type { NotificationQueue } from '../notifications/queue.js';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import type { SeriesStore } from '../storage/series/types.js';
import type { SqlAlertStore } from '../storage/relational/alert-store.js';
import type { SqlAuditLog } from '../storage/relational/audit-log.js';
import type { LoadingService } from '../loading/service.js';
import type { SqlSilenceStore } from '../storage/relational/silence-store.js';
import type { WebhookStore } from '../notifications/webhooks-store.js';
import type { WorkOrderService } from '../workorders/service.js';
import type { WorkflowSettings } from '../workflow-plugin/settings.js';
import type { GatewayCommandService } from '../commands/service.js';

/** A gateway message refused by ingest, as listed at /api/v1/ingest/rejections. */
export interface IngestRejection {
  at: number;
  gateway: string | null;
  reason: string;
  message: string;
}

/** Decorated on the app by http/app.ts. */
export interface CoreServices {
  registry: RegistryStore;
  areas: AreaDirectory;
  series: SeriesStore;
  alerts: SqlAlertStore;
  cases: CaseService;
  auditLog: SqlAuditLog;
  /** Silences and maintenance windows. */
  silences: SqlSilenceStore;
  /** Transformer loading with its thermal state, customer demand, over a time range. */
  loading: LoadingService;
  metrics: CloudMetrics;
  /** Each readiness check by name (/readyz). */
  readiness: () => Promise<Record<string, boolean>>;
  /** The last rejected gateway messages, oldest first. */
  ingestRejections: () => readonly IngestRejection[];
  /** Line loss: the stored days and bands, and the settings they were computed with. */
  lineLoss: Pick<LineLossHandle, 'store' | 'settings'>;
  /** The latest forecast of each transformer and customer. */
  forecasts: ForecastStore;
  /** Commands to gateways: asked for, listed, delivered by the instance holding the connection. */
  commands: Pick<GatewayCommandService, 'request' | 'list'>;
}

/** Decorated on the workflow's scope by workflow-plugin/plugin.ts. */
export interface WorkflowServices {
  workOrders: WorkOrderService;
  inspectors: InspectorDirectory;
  webhooks: WebhookStore;
  notificationQueue: NotificationQueue;
  deliveryWorker: DeliveryWorker;
  liveBus: LiveBus;
  workflowSettings: WorkflowSettings;
}

declare module 'fastify' {
  interface FastifyInstance extends CoreServices, WorkflowServices {}
}

/** Fails the registration of a route plugin when a service it uses is not decorated in its scope. */
export function needs(app: FastifyInstance, ...names: Array<keyof CoreServices | keyof WorkflowServices>): void {
  const missing = names.filter((name) => !app.hasDecorator(name));
  if (missing.length > 0)
    throw new Error(`route plugin registered where these services are not decorated: ${missing.join(', ')}`);
}

/** Decorates a scope with each service under its name. */
export function decorateServices(app: FastifyInstance, services: Partial<CoreServices & WorkflowServices>): void {
  // Object.entries loses the pairing of name and type that the interfaces above keep.
  for (const [name, service] of Object.entries(services)) app.decorate(name, service as unknown);
}
