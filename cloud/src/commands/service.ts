/**
 * Commands to gateways: stored first (nothing asked for is lost), then announced, and
 * published by whichever instance's embedded broker holds the gateway's connection, now
 * or when the gateway next connects. The gateway's `command_done` / `command_rejected`
 * event closes the command.
 */
import type { GatewayEvent, Logger } from '@gridsafe/shared';
import type { SqlGatewayCommandStore } from '../storage/relational/gateway-command-store.js';
import { KeyedQueue } from '../ingest/keyed-queue.js';
import type { GatewayCommand, GatewayCommandName } from './types.js';

/** The broker side this instance can send through: its embedded broker. */
export interface CommandLink {
  gatewayConnected(gateway: string): boolean;
  publish(topic: string, payload: Buffer | string): Promise<void>;
}

export class GatewayCommandService {
  private link: CommandLink | null = null;
  /** One delivery at a time per gateway, so its commands go out in the order asked. */
  private readonly deliveries = new KeyedQueue();

  constructor(
    private readonly store: SqlGatewayCommandStore,
    private readonly topicPrefix: string,
    private readonly log: Logger,
    /** Tells every instance (this one included) that the gateway has a new command. */
    private readonly announce: (gateway: string) => Promise<void>,
  ) {}

  /** The embedded broker, once it listens (none with an external broker: commands stay queued). */
  attach(link: CommandLink): void {
    this.link = link;
  }

  async request(gateway: string, name: GatewayCommandName, args: Record<string, unknown> | null, by: string) {
    const command = await this.store.create({ gateway, name, args, requestedBy: by, requestedAt: Date.now() });
    try {
      await this.announce(gateway);
    } catch (error) {
      // Stored: it goes out when the gateway next connects, or at the next announcement.
      this.log.warn({ err: error, gateway, command: command.id }, 'could not announce a command to the instances');
    }
    return command;
  }

  list(gateway: string, limit: number, offset: number): Promise<{ items: GatewayCommand[]; total: number }> {
    return this.store.list(gateway, limit, offset);
  }

  /** Publishes the gateway's queued commands if its connection is on this instance. */
  deliverQueued(gateway: string): Promise<void> {
    return this.deliveries.run(gateway, async () => {
      const link = this.link;
      if (!link?.gatewayConnected(gateway)) return;
      for (const command of await this.store.queued(gateway)) {
        if (!(await this.store.claim(command.id, Date.now()))) continue;
        const topic = `${this.topicPrefix}/gw/${gateway}/cmd/${command.name}`;
        try {
          await link.publish(topic, command.args === null ? '' : JSON.stringify(command.args));
          this.log.info({ gateway, command: command.id, name: command.name }, 'command sent to the gateway');
        } catch (error) {
          await this.store.unclaim(command.id);
          this.log.warn({ err: error, gateway, command: command.id }, 'could not publish a command; queued again');
        }
      }
    });
  }

  /** Same as deliverQueued, logging instead of failing (called from broker and listener events). */
  deliverQueuedInBackground(gateway: string): void {
    this.deliverQueued(gateway).catch((error: unknown) =>
      this.log.warn({ err: error, gateway }, 'could not deliver queued commands; they stay queued'),
    );
  }

  /** Closes the command a stored gateway event answers. */
  async gatewayEvent(event: GatewayEvent): Promise<void> {
    if (event.type !== 'command_done' && event.type !== 'command_rejected') return;
    const detail = event.detail ?? {};
    const name = detail['command'];
    if (typeof name !== 'string') return;
    const finished = await this.store.finish(
      event.gateway,
      name,
      event.type === 'command_done' ? 'done' : 'failed',
      detail,
      Date.now(),
    );
    if (!finished)
      this.log.info({ gateway: event.gateway, name }, 'gateway answered a command no sent command waits for');
  }
}
