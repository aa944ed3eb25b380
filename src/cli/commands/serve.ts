import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../logging/logger.js';
import { VERSION } from '../../version.js';

interface ServeOptions {
  host?: string;
  port?: string;
}

/** `framestore serve`: the HTTP API until SIGTERM/SIGINT. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP API (the main job; `npm start` runs this)')
    .option('--host <host>', 'interface to listen on (env HOST, default 127.0.0.1; 0.0.0.0 for all)')
    .option('--port <port>', 'TCP port (env PORT, default 8000)')
    .addHelpText(
      'after',
      `
With no configuration it stores sessions on local disk under ./data (STORAGE_DIR).
Set REDIS_ENABLED=true (and REDIS_URL) to use Redis; if Redis is unreachable it falls back
to local disk unless STORAGE_FALLBACK_TO_MEMORY=false. Check which store is live with:
  curl -s localhost:8000/health/storage

Stops gracefully on SIGTERM/SIGINT: no new connections, in-flight requests finish, exit 0.`,
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
      if (config.apiToken === undefined && !/^(127\.|::1$|localhost$)/.test(config.host)) {
        logger.warn(
          `HOST=${config.host} without API_TOKEN: anyone who can reach this port can read and delete sessions`,
        );
      }
      logger.info(
        { address: running.url, backend: manager.getBackendType(), version: VERSION },
        `framestore ${VERSION} listening on ${running.url}`,
      );
    });
}
