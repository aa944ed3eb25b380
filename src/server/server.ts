import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { StorageError } from '../contract/errors.js';
import { type AppLocals, createApp } from '../http/app.js';
import type { Logger } from '../logging/logger.js';
import type { DataManager } from '../manager/data-manager.js';

export interface StartServerOptions {
  manager: DataManager;
  /** Default: the manager's HOST. */
  host?: string;
  /** Default: the manager's PORT; 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /** Default: createApp(manager). */
  app?: Express;
  /** How long close() lets in-flight requests finish before cutting connections (default 10 s). */
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, then closes the manager. Safe to call twice. */
  close(): Promise<void>;
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const why = error.code === 'EADDRINUSE' ? 'address already in use' : (error.code ?? error.message);
      reject(
        new StorageError(
          'CONFIG_INVALID',
          `cannot listen on ${urlHost(host)}:${port} (${why}); set HOST/PORT`,
          { cause: error },
        ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Serves the app over HTTP; `close()` is the graceful shutdown used on SIGTERM/SIGINT. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { manager } = opts;
  const logger = opts.logger ?? manager.logger;
  const app = opts.app ?? createApp(manager, { logger });
  const server = createServer(app);
  let closing: Promise<void> | undefined;

  // Responses still to be written when shutdown starts get "Connection: close", so keep-alive
  // clients do not park their next request on a socket that is about to go away.
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (closing !== undefined) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });

  const address = await listen(server, opts.host ?? manager.config.host, opts.port ?? manager.config.port);
  const host = address.address;
  const url = `http://${urlHost(host)}:${address.port}`;

  const shutdown = async (): Promise<void> => {
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing their connections');
      server.closeAllConnections();
    }, opts.shutdownTimeoutMs ?? 10_000);
    force.unref();
    await stopped;
    clearTimeout(force);
    await (app.locals.framestore as AppLocals | undefined)?.close();
    await manager.close();
  };

  return {
    server,
    host,
    port: address.port,
    url,
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}
