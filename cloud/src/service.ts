/**
 * Composition of the cloud: stores, detection, ingest, MQTT (embedded broker or an
 * external one), HTTP. `startCloud` returns once everything listens; `close()` stops
 * in the order that loses nothing: MQTT first (no new batches; unacknowledged ones are
 * redelivered later), then the ingest and detection queues, then HTTP, then the stores.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import { createLogger, type Logger } from '@gridsafe/shared';
import type { CloudConfig } from './config/types.js';
import { redactUrl } from './config/load.js';
import { openRelational, pingRelational, type RelationalDb } from './storage/relational/db.js';
import { RegistryStore } from './storage/relational/registry-store.js';
import { SqlAlertStore } from './storage/relational/alert-store.js';
import { SqlCaseStore } from './storage/relational/case-store.js';
import { LoadingService } from './loading/service.js';
import { parseDetectorSettings } from './detector-kit/settings.js';
import { overload as overloadDetector } from './detectors/overload/index.js';
import { SqlSilenceStore } from './storage/relational/silence-store.js';
import { SqlAuditLog } from './storage/relational/audit-log.js';
import { SqlGatewayEventLog } from './storage/relational/gateway-event-log.js';
import { CaseService } from './cases/service.js';
import type { PenaltyRules } from './cases/penalty.js';
import { AreaDirectory } from './registry/areas.js';
import { SqlDetectorStateStore } from './storage/relational/detector-state-store.js';
import { SqlIngestLedger } from './storage/relational/ingest-ledger.js';
import type { SeriesStore } from './storage/series/types.js';
import { SqliteSeriesStore } from './storage/series/sqlite.js';
import { CloudMetrics } from './metrics/metrics.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { DetectionRunner } from './detection-engine/runner.js';
import { createDetectionEngine, type EngineOptions } from './detection-engine/engine.js';
import { BUILTIN_ALERT_TYPE_META, BUILTIN_DETECTORS } from './detectors/index.js';
import { meta as lineLossMeta } from './lineloss/meta.js';
import { meta as overloadForecastMeta } from './forecast/meta.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js';
import { startExternalSubscriber, type ExternalSubscriber } from './broker/external.js';
import { buildHttpApp, type HttpOptions } from './http/app.js';
import type { CoreServices } from './http/services.js';
import type { CloudContext } from './context.js';
import { ApiUserStore } from './security/api-users.js';
import { withRedaction } from './security/log-redaction.js';
import { LoginThrottle } from './security/login-throttle.js';
import { applySeed, readSeed } from './registry/seed.js';
import { createInfluxSeriesStore } from './storage/series/influx.js';
import { LINE_LOSS_MIGRATIONS } from './lineloss/migration.js';
import { FORECAST_MIGRATIONS } from './forecast/migration.js';
import { startForecasting, type ForecastHandle } from './forecast/start.js';
import { startLineLoss, type LineLossHandle } from './lineloss/start.js';
import { claimDataDir } from './storage/data-dir-lock.js';
import { DetectionBacklog } from './storage/relational/detection-backlog.js';
import { PartitionLeases } from './cluster/leases.js';
import { PartitionedDetection } from './cluster/partitioned-detection.js';
import { SubjectPartitions } from './cluster/subject-partitions.js';
import { LiveFanOut } from './cluster/live-fan-out.js';
import { RegistrySync } from './cluster/registry-sync.js';
import { CommandRelay } from './cluster/command-relay.js';
import { JobLeader } from './cluster/job-leader.js';
import { GatewayCommandService } from './commands/service.js';
import { SqlGatewayCommandStore } from './storage/relational/gateway-command-store.js';

export interface CloudHandle {
  config: CloudConfig;
  /** The ports actually bound (useful with port 0). */
  httpPort: number;
  mqttPort: number | null;
  httpUrl: string;
  app: FastifyInstance;
  ctx: CloudContext;
  broker: EmbeddedBroker | null;
  external: ExternalSubscriber | null;
  /** In-process detection, or this instance's share of the cluster's partitions (cluster mode). */
  detection: DetectionRunner | PartitionedDetection;
  lineLoss: LineLossHandle;
  forecast: ForecastHandle;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Extra HTTP plugins (the workflow: console, work orders, notifications), given the running cloud's parts. */
  httpPlugins?: Array<(app: FastifyInstance, ctx: CloudContext) => Promise<void>>;
  /** Penalty rules for cases (the built-in defaults of cases/penalty.ts when absent). */
  penaltyRules?: PenaltyRules;
  /** Migrations of other parts of the cloud (notifications, work orders), keyed by unique name. */
  extraMigrations?: Record<string, Migration>;
}

async function openSeries(config: CloudConfig, log: Logger): Promise<SeriesStore> {
  if (config.influx) {
    const store = await createInfluxSeriesStore(config.influx, log);
    await store.init();
    return store;
  }
  const store = new SqliteSeriesStore({ path: join(config.dataDir, 'series.sqlite') });
  await store.init();
  return store;
}

export async function startCloud(config: CloudConfig, options: StartOptions = {}): Promise<CloudHandle> {
  // Redacted here too, so no logger handed in (tests, embedders) can receive a secret.
  const log = withRedaction(options.log ?? createLogger('cloud', { level: config.logLevel }));
  mkdirSync(config.dataDir, { recursive: true });
  const cleanup: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  // Embedded stores belong to one process: a second instance on them is refused.
  const embedded = config.relational.kind === 'sqlite' || !config.influx;
  const releaseDataDir = embedded ? claimDataDir(config.dataDir) : () => undefined;
  cleanup.push(async () => releaseDataDir());
  try {
    const rdb: RelationalDb = await openRelational(
      config.relational.kind === 'postgres'
        ? { kind: 'postgres', url: config.relational.url as string }
        : { kind: 'sqlite', path: join(config.dataDir, 'gridsafe.sqlite') },
      {
        extraMigrations: { ...LINE_LOSS_MIGRATIONS, ...FORECAST_MIGRATIONS, ...options.extraMigrations },
        onConnectionError: (error) => log.warn({ err: error }, 'a relational database connection failed'),
      },
    );
    cleanup.push(() => rdb.close());
    log.info(
      {
        relational:
          config.relational.kind === 'postgres'
            ? redactUrl(config.relational.url as string)
            : join(config.dataDir, 'gridsafe.sqlite'),
      },
      'relational store ready',
    );
    const series = await openSeries(config, log);
    cleanup.push(() => series.close());
    log.info({ series: series.kind }, 'series store ready');

    const registry = new RegistryStore(rdb);
    await registry.refresh();
    if (config.seedFile) {
      const counts = await applySeed(registry, readSeed(config.seedFile));
      log.info({ seed: config.seedFile, ...counts }, 'registry seed applied');
    }
    const users = new ApiUserStore(rdb);
    for (const user of config.apiUsers)
      await users.put({ name: user.name, role: user.role, areas: user.areas ?? [] }, user.token);

    const alerts = new SqlAlertStore(rdb);
    const cases = new CaseService(new SqlCaseStore(rdb), registry, options.penaltyRules);
    // A series backend that keeps the ledger itself (SQLite) commits batch and ledger together.
    const ledger = series.ledger?.() ?? new SqlIngestLedger(rdb);
    const metrics = new CloudMetrics();
    const newEngine = (state: SqlDetectorStateStore, partition?: Pick<EngineOptions, 'stateKey' | 'owns'>) =>
      createDetectionEngine(
        { registry, alerts, cases, state, settings: config.detectors, log },
        { detectors: BUILTIN_DETECTORS, ...partition },
      );
    let detection: DetectionRunner | PartitionedDetection;
    // Cluster mode: what add-ons do when this instance takes over a dead one's partitions or the jobs' lead.
    const takeoverListeners: Array<() => void> = [];
    const tookOver = () => {
      for (const listener of takeoverListeners) listener();
    };
    if (config.cluster) {
      const cluster = config.cluster;
      const subjects = new SubjectPartitions(registry, cluster.partitions);
      const partitioned = new PartitionedDetection({
        settings: cluster,
        tickIntervalMs: config.tickIntervalMs,
        leases: new PartitionLeases(
          config.relational.url as string,
          cluster.instanceId,
          log.child({ component: 'leases' }),
          () => partitioned.dropAll(),
        ),
        backlog: new DetectionBacklog(rdb),
        subjects,
        newPartition: (partition) => {
          const state = new SqlDetectorStateStore(rdb);
          const engine = newEngine(state, {
            stateKey: `partition-${partition}/${cluster.partitions}`,
            owns: (ref, gateway) => subjects.ofSubject(ref, gateway) === partition,
          });
          return { engine, state };
        },
        onTaken: tookOver,
        metrics,
        log: log.child({ component: 'cluster-detection' }),
      });
      detection = partitioned;
      await partitioned.start();
    } else {
      const detectorState = new SqlDetectorStateStore(rdb);
      const runner = new DetectionRunner(
        newEngine(detectorState),
        ledger,
        metrics,
        log.child({ component: 'detection-runner' }),
        detectorState,
      );
      await runner.replayPending();
      runner.start(config.tickIntervalMs);
      detection = runner;
    }
    cleanup.push(() => detection.close());

    // Commands to gateways: announced in process, or to every instance with NOTIFY (cluster mode).
    let commandRelay: CommandRelay | null = null;
    let broker: EmbeddedBroker | null = null;
    const commands: GatewayCommandService = new GatewayCommandService(
      new SqlGatewayCommandStore(rdb),
      config.mqtt.topicPrefix,
      log.child({ component: 'commands' }),
      (gateway) => (commandRelay ? commandRelay.announce(gateway) : commands.deliverQueued(gateway)),
    );
    if (config.cluster) {
      commandRelay = new CommandRelay(
        config.relational.url as string,
        rdb,
        (gateway) => commands.deliverQueuedInBackground(gateway),
        () => broker?.connectedGateways() ?? [],
        log.child({ component: 'command-relay' }),
      );
      await commandRelay.start();
      cleanup.push(() => (commandRelay as CommandRelay).stop());
    }

    const pipeline = new IngestPipeline({
      series,
      ledger,
      registry,
      gatewayEvents: new SqlGatewayEventLog(rdb, config.cluster !== undefined),
      metrics,
      // In cluster mode the partition's owner takes stored batches from the ledger (this only wakes it).
      detection,
      commands,
      log: log.child({ component: 'ingest' }),
      topicPrefix: config.mqtt.topicPrefix,
    });
    metrics.gauge('gridsafe_ingest_queue_depth', 'Batches waiting to be stored', () => pipeline.queueDepth);
    metrics.gauge(
      'gridsafe_detection_queue_depth',
      'Stored batches and events waiting for detection',
      () => detection.depth,
    );

    let accepting = false;
    let external: ExternalSubscriber | null = null;
    const areas = new AreaDirectory(registry);
    // Detectors' alert types, then those raised by the forecast and the line-loss analysis.
    const alertTypes = [...BUILTIN_ALERT_TYPE_META, overloadForecastMeta, lineLossMeta];
    // Cluster mode: every instance's live stream carries every instance's events, and
    // every registry snapshot follows the edits made through the others.
    let fanOut: LiveFanOut | null = null;
    let registrySync: RegistrySync | null = null;
    if (config.cluster) {
      const url = config.relational.url as string;
      fanOut = new LiveFanOut(url, rdb, log.child({ component: 'live-fan-out' }));
      registrySync = new RegistrySync(url, rdb, registry, log.child({ component: 'registry-sync' }));
      await Promise.all([fanOut.start(), registrySync.start()]);
      cleanup.push(() => (fanOut as LiveFanOut).close());
      cleanup.push(() => (registrySync as RegistrySync).stop());
    }
    const ctx: CloudContext = {
      alertTypes,
      registry,
      areas,
      series,
      alerts,
      cases,
      users,
      rdb,
      ledger,
      metrics,
      log,
      ...(fanOut ? { shareLiveBus: (bus) => (fanOut as LiveFanOut).attach(bus) } : {}),
      ...(config.cluster ? { onTakeover: (listener) => takeoverListeners.push(listener) } : {}),
      isAccepting: () => accepting,
      mqttReady: () => broker !== null || (external?.connected() ?? false),
    };

    // Cluster mode: the forecast and line-loss jobs run on one instance at a time (the leader).
    let jobLeader: JobLeader | null = null;
    if (config.cluster) {
      jobLeader = new JobLeader(
        config.relational.url as string,
        config.cluster.instanceId,
        config.cluster.takeoverSeconds,
        metrics,
        log.child({ component: 'job-leader' }),
        () => {
          void lineLoss.job.runNow();
          void forecast.job.runNow();
          tookOver();
        },
      );
    }
    const runsHere = jobLeader ? () => (jobLeader as JobLeader).isLeader() : undefined;
    const lineLoss = startLineLoss(
      { rdb, series, registry, alerts, log, ...(runsHere ? { runsHere } : {}) },
      config.lineLoss,
    );
    cleanup.push(() => lineLoss.job.stop());
    const forecast = startForecasting(
      {
        rdb,
        series,
        registry,
        alerts,
        log,
        overloadSettings: config.detectors['overload'],
        ...(runsHere ? { runsHere } : {}),
      },
      config.forecast,
    );
    cleanup.push(() => forecast.job.stop());
    if (jobLeader) {
      await jobLeader.start();
      cleanup.push(() => (jobLeader as JobLeader).close());
    }

    // One count of failed logins per address for HTTP tokens and MQTT secrets alike.
    const loginThrottle = new LoginThrottle();
    const httpOptions: HttpOptions = {
      bodyLimitBytes: config.http.bodyLimitBytes,
      rateLimitPerMinute: config.http.rateLimitPerMinute,
      apiAuth: config.apiAuth,
      loginThrottle,
      alertTypes,
    };
    if (options.httpPlugins) httpOptions.plugins = options.httpPlugins.map((plugin) => (app) => plugin(app, ctx));
    const services: CoreServices = {
      registry,
      areas,
      series,
      alerts,
      cases,
      auditLog: new SqlAuditLog(rdb),
      silences: new SqlSilenceStore(rdb),
      loading: new LoadingService({
        series,
        registry,
        overload: parseDetectorSettings(overloadDetector, config.detectors['overload']),
      }),
      metrics,
      readiness: async () => ({
        accepting: ctx.isAccepting(),
        series: await series.ping(),
        relational: await pingRelational(rdb),
        mqtt: ctx.mqttReady(),
      }),
      ingestRejections: () => pipeline.recentRejections,
      lineLoss,
      forecasts: forecast.store,
      commands,
    };
    const app = await buildHttpApp(services, users, httpOptions, log);
    cleanup.push(() => app.close());
    try {
      await app.listen({ host: config.http.host, port: config.http.port });
    } catch (error) {
      throw new Error(
        `cannot listen for HTTP on ${config.http.host}:${config.http.port}: ${(error as Error).message} (set GRIDSAFE_HTTP_PORT to a free port)`,
      );
    }
    const httpPort = (app.server.address() as AddressInfo).port;

    if (config.mqtt.brokerUrl) {
      external = await startExternalSubscriber({
        url: config.mqtt.brokerUrl,
        ...(config.mqtt.brokerUsername ? { username: config.mqtt.brokerUsername } : {}),
        ...(config.mqtt.brokerPassword ? { password: config.mqtt.brokerPassword } : {}),
        shareGroup: config.mqtt.shareGroup,
        clientId: config.mqtt.clientId,
        topicPrefix: config.mqtt.topicPrefix,
        pipeline,
        log: log.child({ component: 'mqtt-external' }),
      });
      cleanup.push(() => (external as ExternalSubscriber).close());
    } else {
      broker = await startEmbeddedBroker({
        host: config.mqtt.host,
        port: config.mqtt.port,
        ...(config.mqtt.tls ? { tls: config.mqtt.tls } : {}),
        requireAuth: config.mqtt.requireAuth,
        loginThrottle,
        topicPrefix: config.mqtt.topicPrefix,
        pipeline,
        registry,
        metrics,
        log: log.child({ component: 'mqtt' }),
        onCommandSubscription: (gateway) => commands.deliverQueuedInBackground(gateway),
      });
      commands.attach(broker);
      cleanup.push(() => (broker as EmbeddedBroker).close());
      cleanup.push(async () => commands.stop());
    }

    // Several instances share one PostgreSQL: pick up the others' registry edits.
    let refreshTimer: NodeJS.Timeout | null = null;
    if (config.relational.kind === 'postgres') {
      refreshTimer = setInterval(
        () => void registry.refresh().catch((error: unknown) => log.warn({ err: error }, 'registry refresh failed')),
        30_000,
      );
    }
    accepting = true;
    const httpUrl = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${httpPort}`;
    log.info(
      {
        http: httpUrl,
        mqttPort: broker?.port ?? null,
        externalBroker: config.mqtt.brokerUrl ? redactUrl(config.mqtt.brokerUrl) : null,
      },
      'gridsafe cloud is running',
    );

    let closing: Promise<void> | null = null;
    return {
      config,
      httpPort,
      mqttPort: broker?.port ?? null,
      httpUrl,
      app,
      ctx,
      broker,
      external,
      detection,
      lineLoss,
      forecast,
      close() {
        closing ??= (async () => {
          accepting = false;
          if (refreshTimer) clearInterval(refreshTimer);
          log.info('stopping: MQTT first, then queues, HTTP and stores');
          const stoppingPipeline = pipeline.close();
          commands.stop();
          if (broker) await broker.close();
          if (external) await external.close();
          await stoppingPipeline;
          await detection.close();
          await jobLeader?.close();
          await lineLoss.job.stop();
          await forecast.job.stop();
          await app.close();
          await fanOut?.close();
          await registrySync?.stop();
          await commandRelay?.stop();
          await series.close();
          await rdb.close();
          releaseDataDir();
          log.info('stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
