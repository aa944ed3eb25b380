import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { StorageError } from '../../contract/errors.js';
import { createLogger } from '../../logging/logger.js';
import { VERSION } from '../../version.js';

interface ServeOptions {
  host?: string;
  port?: string;
  workers?: string;
}

/** --workers: 1 – 64 processes (more than cores only helps while they wait on Redis). */
function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new StorageError(
      'CONFIG_INVALID',
      `--workers must be an integer from 1 to 64, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** `framestore serve`: the HTTP API until SIGTERM/SIGINT. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP API (the main job; `npm start` runs this)')
    .option('--host <host>', 'interface to listen on (env HOST, default 127.0.0.1; 0.0.0.0 for all)')
    .option('--port <port>', 'TCP port (env PORT, default 8000)')
    .option('--workers <n>', 'worker processes sharing the port (node:cluster; default 1)')
    .addHelpText(
      'after',
      `
With no configuration it stores sessions on local disk under ./data (STORAGE_DIR).
Set REDIS_ENABLED=true (and REDIS_URL) to use Redis; if Redis is unreachable it falls back
to local disk unless STORAGE_FALLBACK_TO_MEMORY=false. Check which store is live with:
  curl -s localhost:8000/health/storage

Stops gracefully on SIGTERM/SIGINT: no new connections, in-flight requests finish, exit 0.
With --workers N, N processes share the port; the primary restarts a crashed worker and stops
them all on SIGTERM. Every worker serves every session (state lives in the store).`,
    )
    .action(async (options: ServeOptions) => {
      // Flags win over the environment; both go through the same validation (a bad --port is CONFIG_INVALID).
      const env = {
        ...process.env,
        ...(options.host !== undefined ? { HOST: options.host } : {}),
        ...(options.port !== undefined ? { PORT: options.port } : {}),
      };
      const config = loadConfig(env);
      const logger = createLogger({ level: config.logLevel });
      const workers = parseWorkers(options.workers);
      const { isPrimary, reportDraining, runPrimary } = await import('../../server/workers.js');
      if (workers > 1 && isPrimary()) {
        logger.info({ workers }, `framestore ${VERSION} starting ${workers} workers`);
        runPrimary({ workers, logger });
        return;
      }
      // Heavy modules load only when the command runs, so `framestore --help` answers at once.
      const { createDataManager } = await import('../../manager/create-data-manager.js');
      const { startServer } = await import('../../server/server.js');
      const { installShutdownHandlers } = await import('../../server/graceful-shutdown.js');
      const manager = await createDataManager({ config, logger });
      let running: Awaited<ReturnType<typeof startServer>>;
      try {
        running = await startServer({ manager, logger });
      } catch (error) {
        await manager.close();
        throw error;
      }
      installShutdownHandlers(running, logger);
      reportDraining();
      if (config.apiToken === undefined && !/^(127\.|::1$|localhost$)/.test(config.host)) {
        logger.warn(
          `HOST=${config.host} without API_TOKEN: anyone who can reach this port can read and delete sessions`,
        );
      }
      logger.info(
        { address: running.url, backend: manager.getBackendType(), version: VERSION, pid: process.pid },
        `framestore ${VERSION} listening on ${running.url}`,
      );
    });
}
