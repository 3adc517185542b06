/**
 * Polls a probe until it gives a value (anything but undefined or false) or the time
 * runs out. A probe that throws is tried again (a server that is not up yet refuses
 * connections); the failure says what was awaited and the last error.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

/** Waits until GET `url` answers 2xx (a service's readiness probe, such as /readyz); a request that fails is tried again. */
export function waitForOk(what: string, url: string, timeoutMs: number): Promise<true> {
  return waitFor(what, async () => ((await fetch(url).catch(() => null))?.ok ? true : undefined), timeoutMs, 200);
}
