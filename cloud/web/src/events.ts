/**
 * The live event stream (GET /api/v1/events/stream), read with fetch so the token goes in
 * a header, not the URL. One stream per tab; pages subscribe and unsubscribe. After a
 * break it reconnects, and subscribers are told to reload what they show.
 */
import { authHeaders } from './api.js';

export interface LiveEvent {
  id: string;
  type: 'alert' | 'workorder' | 'case';
  action: string;
  at: number;
  area: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each event type carries its own record, read by the page that shows it
  data: Record<string, any>;
}

type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();
const reconnectListeners = new Set<() => void>();
const stateListeners = new Set<(connected: boolean) => void>();
let controller: AbortController | null = null;
let connected = false;

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

export function onStreamState(listener: (connected: boolean) => void): () => void {
  stateListeners.add(listener);
  listener(connected);
  return () => stateListeners.delete(listener);
}

function setConnected(value: boolean): void {
  connected = value;
  document.body.dataset['live'] = value ? 'connected' : 'disconnected';
  for (const l of stateListeners) l(value);
}

export function startStream(): void {
  stopStream();
  const mine = new AbortController();
  controller = mine;
  let first = true;
  const run = async () => {
    while (!mine.signal.aborted) {
      try {
        const response = await fetch('/api/v1/events/stream', { headers: authHeaders(), signal: mine.signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        setConnected(true);
        if (!first) for (const l of reconnectListeners) l();
        first = false;
        await read(response.body, mine.signal);
      } catch {
        // fall through to the retry below
      }
      setConnected(false);
      if (!mine.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  void run();
}

export function stopStream(): void {
  controller?.abort();
  controller = null;
}

async function read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      const type = /^event: (.+)$/m.exec(block)?.[1];
      if (!data || !type || type === 'hello') continue;
      try {
        const event = JSON.parse(data) as LiveEvent;
        for (const l of listeners) l(event);
      } catch {
        // a malformed event is skipped; the next reload shows the truth
      }
    }
  }
}
