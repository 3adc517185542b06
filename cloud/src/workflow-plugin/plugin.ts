/**
 * The workflow as one HTTP plugin of the cloud: work orders from alerts, escalation,
 * notifications (webhooks and the live event stream), the case workflow's extra routes,
 * and the web console. It listens to the core's alert and case stores and never sits
 * in their way: every reaction is queued and runs after the change is committed.
 */
import type { AlertRecord, CaseComment, CaseRecord } from '@gridsafe/shared';
import { defaultSkills } from '../workorders/routing.js';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { CloudContext } from '../context.js';
import { caseWorkflowRoutes } from '../http/routes/cases.js';
import { consoleRoutes } from '../http/routes/console.js';
import { notificationTexts } from '../notifications/texts.js';
import { eventStreamRoutes } from '../http/routes/events-stream.js';
import { inspectorRoutes } from '../http/routes/inspectors.js';
import { notificationRoutes } from '../http/routes/notifications.js';
import { webhookRoutes } from '../http/routes/webhooks.js';
import { workOrderRoutes } from '../http/routes/workorders.js';
import { HttpProblem } from '../http/problem.js';
import { decorateServices, type WorkflowServices } from '../http/services.js';
import type { AlertChange } from '../storage/relational/alert-store.js';
import { LiveBus } from '../notifications/live-bus.js';
import { NotificationQueue } from '../notifications/queue.js';
import type { NotificationTables } from '../notifications/tables.js';
import { WebhookStore } from '../notifications/webhooks-store.js';
import { DeliveryWorker } from '../notifications/worker.js';
import { WorkflowError } from '../workorders/errors.js';
import { startEscalationJob } from '../workorders/escalation.js';
import { InspectorDirectory } from '../workorders/inspectors.js';
import { WorkOrderService } from '../workorders/service.js';
import type { WorkOrderTables } from '../workorders/tables.js';
import { checkWorkflowSchema } from './migrations.js';
import type { WorkflowSettings } from './settings.js';
import type { DemoUser } from '@gridsafe/shared';

export interface WorkflowPluginOptions {
  settings: WorkflowSettings;
  /** The cloud's data folder; photos go to `<dataDir>/attachments`. */
  dataDir: string;
  /** Whether the API asks for tokens (the console then shows its sign-in page). */
  apiAuth: boolean;
  /** Demo mode's users, listed with their tokens on the sign-in page (empty outside demo mode). */
  demoUsers: readonly DemoUser[];
}

/** What the plugin exposes to tests and to the composition. */
export interface WorkflowHandle {
  service: WorkOrderService;
  queue: NotificationQueue;
  worker: DeliveryWorker;
  bus: LiveBus;
  webhooks: WebhookStore;
  inspectors: InspectorDirectory;
  /** Resolves once every queued reaction to alert and case changes has run. */
  idle(): Promise<void>;
}

export function workflowPlugin(options: WorkflowPluginOptions, onReady?: (handle: WorkflowHandle) => void) {
  return async (app: FastifyInstance, ctx: CloudContext): Promise<void> => {
    const { settings } = options;
    const log = ctx.log.child({ component: 'workflow' });
    await checkWorkflowSchema(ctx.rdb.db as Kysely<unknown>);
    // The workflow's tables live in the same database, beside the core's; Kysely's
    // table typing is invariant, hence one typed view per part.
    const db = ctx.rdb.db as unknown as Kysely<WorkOrderTables & NotificationTables>;
    const notificationDb = ctx.rdb.db as unknown as Kysely<NotificationTables>;
    const workOrderDb = ctx.rdb.db as unknown as Kysely<WorkOrderTables>;

    const bus = new LiveBus();
    ctx.shareLiveBus?.(bus);
    const queue = new NotificationQueue(notificationDb, {
      groupWaitMs: settings.notifications.groupWaitMs,
      groupedKinds: ['alert.opened'],
      describe: notificationTexts(ctx.alertTypes),
    });
    const webhooks = new WebhookStore(notificationDb);
    await provisionWebhooks(webhooks, settings);
    const worker = new DeliveryWorker(notificationDb, queue, {
      ...settings.notifications,
      log: log.child({ part: 'webhooks' }),
    });
    const inspectors = new InspectorDirectory(workOrderDb, ctx.users);
    for (const [id, profile] of Object.entries(settings.inspectors)) await inspectors.put(id, profile);
    const locate = (subject: string) => ctx.areas.locate(subject);
    const service = new WorkOrderService({
      db,
      settings: settings.workorders,
      defaultSkillOf: defaultSkills(ctx.alertTypes),
      attachmentsDir: join(options.dataDir, 'attachments'),
      inspectors,
      locate,
      alerts: {
        acknowledge: async (id, actor, note) => void (await ctx.alerts.transition(id, 'acknowledged', actor, note)),
        resolve: async (id, actor, note) => void (await ctx.alerts.transition(id, 'resolved', actor, note)),
      },
      queue,
      bus,
      log: log.child({ part: 'workorders' }),
    });

    const siteZone = (subject: string) => {
      const site = locate(subject).site;
      return (site && settings.siteTimeZones[site]) || settings.timeZone;
    };

    await app.register(async (scope) => {
      // Refusals of the workflow become problem documents through the core's handler.
      scope.setErrorHandler((error: FastifyError | WorkflowError, request, _reply) => {
        if (error instanceof WorkflowError) {
          if (error.status === 403)
            request.log.warn(
              { user: request.user.name, code: error.code, detail: error.message },
              'refused a workflow action',
            );
          throw new HttpProblem(error.status, error.code, error.text ?? error.message);
        }
        if ((error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          throw new HttpProblem(
            413,
            'too_large',
            `the upload is larger than the ${settings.workorders.attachments.maxBytes} bytes accepted`,
          );
        }
        if ((error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && request.url.includes('/attachments')) {
          throw new HttpProblem(
            415,
            'unsupported_type',
            `send the photo as the raw body with Content-Type image/jpeg, image/png, image/webp, image/heic or application/octet-stream (got ${request.headers['content-type'] ?? 'none'})`,
          );
        }
        throw error;
      });
      const services: WorkflowServices = {
        workOrders: service,
        inspectors,
        webhooks,
        notificationQueue: queue,
        deliveryWorker: worker,
        liveBus: bus,
        workflowSettings: settings,
      };
      decorateServices(scope, services);
      await scope.register(workOrderRoutes);
      await scope.register(inspectorRoutes);
      await scope.register(webhookRoutes);
      await scope.register(notificationRoutes);
      await scope.register(eventStreamRoutes);
      await scope.register(caseWorkflowRoutes, { timeZone: siteZone });
      await scope.register(consoleRoutes, { apiAuth: options.apiAuth, demoUsers: options.demoUsers });
    });

    // Background parts start only once every route is in place, so a failed start leaves nothing running.
    // Reactions run one at a time, after the store's transaction, off the caller's path.
    let chain: Promise<void> = Promise.resolve();
    const later = (what: string, fn: () => Promise<unknown>) => {
      chain = chain.then(fn).then(
        () => worker.poke(),
        (error: unknown) => log.error({ err: error, what }, 'workflow reaction failed'),
      );
    };
    const onAlert = (alert: AlertRecord, change: AlertChange) => {
      const { area, site } = locate(alert.subject);
      bus.publish({ type: 'alert', action: change, area, data: { alert, site } });
      later(`alert ${alert.id} ${change}`, () => service.onAlertChange(alert, change));
    };
    const onCase = (record: CaseRecord, action: string) => {
      const { area, site } = locate(record.customer);
      const summary = {
        id: record.id,
        customer: record.customer,
        state: record.state,
        maxDemandKw: record.maxDemandKw,
        excessKva: record.excessKva,
        contractKva: record.contractKva,
      };
      bus.publish({ type: 'case', action, area, data: { case: summary } });
      if (action === 'opened' || action === 'transition') {
        later(`case ${record.id} ${action}`, () =>
          queue.enqueue({
            kind: action === 'opened' ? 'case.opened' : 'case.transition',
            area,
            site,
            at: Date.now(),
            data: { case: summary },
          }),
        );
      }
    };
    const onComment = (record: CaseRecord, comment: CaseComment) =>
      bus.publish({
        type: 'case',
        action: 'comment',
        area: locate(record.customer).area,
        data: { case: { id: record.id, customer: record.customer, state: record.state }, comment },
      });
    ctx.alerts.events.on('change', onAlert);
    ctx.cases.events.on('change', onCase);
    ctx.cases.events.on('comment', onComment);

    // Alerts that opened while no work order could be made (a crash in between): make them
    // now, and in cluster mode again whenever this instance takes over a dead one's work.
    const catchUp = async () => {
      for (const state of ['open', 'acknowledged'] as const) {
        const { items } = await ctx.alerts.list({ state }, 1000, 0);
        const made = await service.catchUp(items);
        if (made) log.info({ made, state }, 'work orders opened for alerts that had none');
      }
    };
    later('catch-up', catchUp);
    ctx.onTakeover?.(() => later('catch-up on takeover', catchUp));

    const job = startEscalationJob(settings.workorders.escalationCron, () => service.escalateDue(), log);
    worker.start();
    let stats = { pending: 0, dead: 0, grouping: 0 };
    const statsTimer = setInterval(
      () =>
        void queue.stats().then(
          (s) => (stats = s),
          () => undefined,
        ),
      5_000,
    );
    statsTimer.unref();
    ctx.metrics.gauge(
      'gridsafe_notification_queue_depth',
      'Webhook deliveries waiting to be sent',
      () => stats.pending,
    );
    ctx.metrics.gauge(
      'gridsafe_notification_dead_letters',
      'Webhook deliveries in the dead-letter list',
      () => stats.dead,
    );
    ctx.metrics.gauge('gridsafe_event_stream_clients', 'Open server-sent event streams', () => bus.listeners);

    app.addHook('onClose', async () => {
      ctx.alerts.events.off('change', onAlert);
      ctx.cases.events.off('change', onCase);
      ctx.cases.events.off('comment', onComment);
      clearInterval(statsTimer);
      await job.stop();
      await chain;
      await worker.stop();
    });

    const idle = async () => {
      // Reactions may queue further reactions: wait until the chain stops growing.
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain) return;
      }
    };
    onReady?.({ service, queue, worker, bus, webhooks, inspectors, idle });
  };
}

/** Webhooks named in the config exist with those settings (matched by URL); others are left alone. */
async function provisionWebhooks(store: WebhookStore, settings: WorkflowSettings): Promise<void> {
  if (!settings.webhooks.length) return;
  const existing = await store.list();
  for (const hook of settings.webhooks) {
    const found = existing.find((e) => e.url === hook.url);
    if (found)
      await store.update(found.id, { secret: hook.secret, kinds: hook.kinds, areas: hook.areas, enabled: true });
    else await store.create(hook);
  }
}
