import type { Logger } from '../logging/logger.js';
import type { RunningServer } from './server.js';

export interface ShutdownOptions {
  signals?: NodeJS.Signals[];
  /** Injected for tests; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the backend, exit 0.
 * A second signal while draining exits 1 at once (an operator pressing Ctrl-C twice).
 */
export function installShutdownHandlers(
  running: RunningServer,
  logger: Logger,
  opts: ShutdownOptions = {},
): () => void {
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let draining = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.warn({ signal }, 'second signal while shutting down: exiting now');
      exit(1);
      return;
    }
    draining = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    running.close().then(
      () => {
        logger.info('stopped cleanly');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        exit(1);
      },
    );
  };

  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
