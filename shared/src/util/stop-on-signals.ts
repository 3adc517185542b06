/**
 * How every gridsafe program stops on SIGINT or SIGTERM: `stop` runs once; the process
 * exits 0 when it is done and 1 when it fails. A second signal exits at once (1): the
 * operator means it. With a deadline, a stop still running then exits anyway, so a port
 * or a connection that will not close never keeps the process alive. Imports nothing at
 * run time (programs that count their memory load it alone).
 */
import type { Logger } from 'pino';

export interface StopOnSignalsOptions {
  log: Logger;
  stop: () => Promise<unknown>;
  /** How long a stop may take before the process exits anyway; none: as long as it takes. */
  deadlineMs?: number;
  /** The exit code when the deadline passes (default 1). */
  deadlineExitCode?: number;
}

export function stopOnSignals(options: StopOnSignalsOptions): void {
  const { log, stop, deadlineMs } = options;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    if (deadlineMs !== undefined)
      setTimeout(() => {
        log.error({ deadlineMs }, 'did not stop in time; exiting');
        process.exit(options.deadlineExitCode ?? 1);
      }, deadlineMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
