/**
 * In-process fan-out of changes to the people watching (the SSE stream). Each event
 * carries its area so the stream can show a user only what their scope allows. In
 * cluster mode a relay (cluster/live-fan-out.ts) sees what is published here and
 * delivers the other instances' events, so every instance's stream carries every event.
 */
import { EventEmitter } from 'node:events';
import { orderedId } from './ordered-id.js';

export type LiveEventType = 'alert' | 'workorder' | 'case';

export interface LiveEvent {
  id: string;
  type: LiveEventType;
  action: string;
  at: number;
  /** Routing area of the subject; null when unknown (then only admins and auditors see it). */
  area: string | null;
  data: Record<string, unknown>;
}

export class LiveBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open console tab; many is normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(event: Omit<LiveEvent, 'id' | 'at'> & { at?: number }): LiveEvent {
    const full: LiveEvent = { ...event, id: orderedId('ev'), at: event.at ?? Date.now() };
    this.emitter.emit('event', full);
    this.emitter.emit('published', full);
    return full;
  }

  /** An event published on another instance: to this instance's watchers only (never relayed again). */
  deliver(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }

  /** Events published here (not those delivered from elsewhere), for a relay to other instances. */
  onPublished(listener: (event: LiveEvent) => void): void {
    this.emitter.on('published', listener);
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listeners(): number {
    return this.emitter.listenerCount('event');
  }
}
