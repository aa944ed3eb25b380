import { type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output (pino-pretty); defaults to on when stdout is a terminal outside production. */
  pretty?: boolean;
}

/**
 * JSON logs for machines, pretty ones for a developer's terminal.
 * `redact` is a second line of defence: code never puts secrets into log fields on purpose.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  return pino({
    level: options.level ?? 'info',
    base: { service: 'framestore' },
    redact: { paths: ['password', '*.password', 'redis.password', 'url', '*.url'], censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } }
      : {}),
  });
}

/** A logger that discards everything (library default when the caller passes none). */
export const silentLogger: Logger = pino({ level: 'silent' });
