/** Reads a cloud's server-sent event stream (GET /api/v1/events/stream) in the background, for tests. */
export interface Streamed {
  events: Array<{ type: string; action: string; area: string | null; data: Record<string, unknown> }>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<Streamed> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events/stream`, { headers, signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`stream answered ${response.status}`);
  const streamed: Streamed = { events: [], close: () => controller.abort() };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const type = /^event: (.*)$/m.exec(block)?.[1];
          if (data && type && type !== 'hello') streamed.events.push(JSON.parse(data));
        }
      }
    } catch {
      // aborted at the end of the test, or the server went away
    }
  })();
  return streamed;
}
