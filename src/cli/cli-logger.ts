import { pino } from 'pino';
import type { Logger } from '../logging/logger.js';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Logger for one-shot commands (inspect, demo, …): JSON lines on stderr so stdout stays the
 * command's output, at `warn` unless LOG_LEVEL asks for more. `serve` uses the service logger instead.
 */
export function createCliLogger(requested: string | undefined = process.env.LOG_LEVEL): Logger {
  const wanted = requested?.trim().toLowerCase() ?? '';
  // A bad LOG_LEVEL is reported by loadConfig; the logger itself just falls back.
  const level = LEVELS.has(wanted) ? wanted : 'warn';
  return pino(
    {
      level,
      base: { service: 'framestore' },
      redact: { paths: ['password', '*.password', 'redis.password', 'url', '*.url'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
