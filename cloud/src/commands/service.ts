/**
 * Commands to gateways: stored first (nothing asked for is lost), then announced, and
 * published by whichever instance's embedded broker holds the gateway's connection, now
 * or when the gateway next connects. The gateway's `command_done` / `command_rejected`
 * event closes the command. A command sent through another process (an instance that
 * died, or this one before a restart: its broker session, and the message in it, went
 * with it) and unanswered after RESEND_AFTER_MS is sent again by the process the gateway
 * is connected to now; the gateway's commands are safe to repeat (a second reading, a
 * second reload or scan).
 */
import type { GatewayEvent, Logger } from '@gridsafe/shared';
import type { SqlGatewayCommandStore } from '../storage/relational/gateway-command-store.js';
import { KeyedQueue } from '../ingest/keyed-queue.js';
import type { GatewayCommand, GatewayCommandName } from './types.js';

/** How long a command sent through another process may go unanswered before it is sent again. */
export const RESEND_AFTER_MS = 10_000;
/** How often the gateways connected here are checked for such commands. */
const RESEND_CHECK_MS = 5_000;
/** Ids of commands this process sent, remembered at most (the oldest forgotten first). */
const REMEMBERED = 10_000;

/** The broker side this instance can send through: its embedded broker. */
export interface CommandLink {
  gatewayConnected(gateway: string): boolean;
  publish(topic: string, payload: Buffer | string): Promise<void>;
}

export class GatewayCommandService {
  private link: CommandLink | null = null;
  /** One delivery at a time per gateway, so its commands go out in the order asked. */
  private readonly deliveries = new KeyedQueue();
  /** Commands this process published: its own broker session delivers them (QoS 1), they are not sent again. */
  private readonly sentHere = new Set<string>();
  private resendTimer: NodeJS.Timeout | null = null;

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
    this.resendTimer = setInterval(() => void this.resendUnanswered(), RESEND_CHECK_MS);
  }

  stop(): void {
    if (this.resendTimer) clearInterval(this.resendTimer);
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

  /**
   * Publishes the gateway's queued commands if its connection is on this instance, and
   * sends again those another process sent that are still unanswered.
   */
  deliverQueued(gateway: string): Promise<void> {
    return this.deliveries.run(gateway, async () => {
      const link = this.link;
      if (!link?.gatewayConnected(gateway)) return;
      for (const command of await this.store.queued(gateway)) {
        if (!(await this.store.claim(command.id, Date.now()))) continue;
        if (await this.publish(link, command)) {
          this.log.info({ gateway, command: command.id, name: command.name }, 'command sent to the gateway');
        } else {
          await this.store.unclaim(command.id);
        }
      }
      for (const command of await this.store.unanswered(gateway, Date.now() - RESEND_AFTER_MS)) {
        if (this.sentHere.has(command.id)) continue;
        if (!(await this.store.claimResend(command.id, command.sentAt as number, Date.now()))) continue;
        if (await this.publish(link, command))
          this.log.warn(
            { gateway, command: command.id, name: command.name, firstSentAt: command.sentAt },
            'command sent again: it went out through another process and was not answered',
          );
      }
    });
  }

  /** Looks for commands to send again to the gateways connected here (one query for all). */
  private async resendUnanswered(): Promise<void> {
    try {
      for (const gateway of await this.store.gatewaysWithUnanswered(Date.now() - RESEND_AFTER_MS))
        if (this.link?.gatewayConnected(gateway)) this.deliverQueuedInBackground(gateway);
    } catch (error) {
      this.log.warn({ err: error }, 'could not look for unanswered commands; looking again shortly');
    }
  }

  /** Publishes through this process's broker; false (logged) when that failed. */
  private async publish(link: CommandLink, command: GatewayCommand): Promise<boolean> {
    const topic = `${this.topicPrefix}/gw/${command.gateway}/cmd/${command.name}`;
    try {
      await link.publish(topic, command.args === null ? '' : JSON.stringify(command.args));
    } catch (error) {
      this.log.warn({ err: error, gateway: command.gateway, command: command.id }, 'could not publish a command');
      return false;
    }
    this.sentHere.add(command.id);
    if (this.sentHere.size > REMEMBERED) this.sentHere.delete(this.sentHere.values().next().value as string);
    return true;
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
