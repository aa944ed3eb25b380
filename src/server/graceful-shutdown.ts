import type { Logger } from '../logging/logger.js';
import type { RunningServer } from './server.js';

/** Calls `then` once the logger's destination has written what it holds (at once if it cannot say). */
function flushed(logger: Logger, then: () => void): void {
  try {
    logger.flush((error?: Error) => {
      void error; // nothing better to do with a failing log pipe while exiting
      then();
    });
  } catch {
    then();
  }
}

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
        // Lines still buffered (a busy pipe) go out first, so the log reads in the order things happened.
        flushed(logger, () => {
          logger.info('stopped cleanly');
          flushed(logger, () => exit(0));
        });
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
