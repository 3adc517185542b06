/**
 * Whether a store's error means its server is away for now (down, restarting, refusing,
 * busy), as opposed to a wrong request: the API answers 503 and ingest holds the PUBACK
 * and retries, and both recover by themselves once the server is back.
 */
/** Error codes of a database that is not there for now (down, restarting, refusing, busy). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000',
  '08001',
  '08003',
  '08006', // connection exceptions
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/**
 * True when an error means a store's server is unavailable for now (it will be back), not
 * that the request was wrong: the API answers 503 and ingest holds and retries. pg gives
 * a code for server errors and none for a dropped connection, hence the messages.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (
    let cause = error as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0;
    cause && depth < 4;
    depth++
  ) {
    if (typeof cause.code === 'string' && UNAVAILABLE_CODES.has(cause.code)) return true;
    if (
      typeof cause.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(
        cause.message,
      )
    )
      return true;
    cause = cause.cause as typeof cause;
  }
  return false;
}
