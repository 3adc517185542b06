/**
 * In-process fan-out of changes to the people watching (the SSE stream). Each event
 * carries its area so the stream can show a user only what their scope allows.
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
    return full;
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listeners(): number {
    return this.emitter.listenerCount('event');
  }
}
