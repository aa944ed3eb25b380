import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { installShutdownHandlers } from '../../src/server/graceful-shutdown.js';
import { startServer } from '../../src/server/server.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('graceful shutdown', () => {
  let dir: string;
  let manager: DataManager;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framestore-shutdown-'));
    manager = await createDataManager({ env: { STORAGE_DIR: dir }, logger: silentLogger });
  });
  afterEach(async () => {
    await manager.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops accepting, lets the in-flight request finish, then closes the manager', async () => {
    const entered = deferred();
    const release = deferred();
    const app = express();
    app.get('/slow', async (_req, res) => {
      entered.resolve();
      await release.promise;
      res.json({ finished: true });
    });
    app.use(createApp(manager));
    const closeSpy = jest.spyOn(manager, 'close');
    const running = await startServer({ manager, app, host: '127.0.0.1', port: 0 });

    expect((await fetch(`${running.url}/health/live`)).status).toBe(200); // leaves an idle keep-alive socket
    const slow = fetch(`${running.url}/slow`);
    await entered.promise;
    const closed = running.close();

    await expect(fetch(`${running.url}/health/live`, { headers: { connection: 'close' } })).rejects.toThrow();
    expect(closeSpy).not.toHaveBeenCalled();

    release.resolve();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ finished: true });
    await closed;
    expect(closeSpy).toHaveBeenCalledTimes(1);
    await running.close(); // idempotent
    expect(closeSpy).toHaveBeenCalledTimes(1);
  });

  it('a signal runs the shutdown and exits 0; a second signal while draining exits 1', async () => {
    const running = await startServer({ manager, host: '127.0.0.1', port: 0 });
    const codes: number[] = [];
    const done = deferred();
    const uninstall = installShutdownHandlers(running, silentLogger, {
      signals: ['SIGUSR2'],
      exit: (code) => {
        codes.push(code);
        if (code === 0) done.resolve();
      },
    });
    try {
      // Emitted, not sent: real delivery is covered by the serve process tests (SIGTERM, SIGINT).
      process.emit('SIGUSR2', 'SIGUSR2');
      process.emit('SIGUSR2', 'SIGUSR2');
      await done.promise;
      expect(codes).toEqual([1, 0]);
    } finally {
      uninstall();
    }
  });

  it('a port in use is CONFIG_INVALID naming HOST/PORT', async () => {
    const first = await startServer({ manager, host: '127.0.0.1', port: 0 });
    try {
      await expect(startServer({ manager, host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('address already in use'),
      });
    } finally {
      first.server.close();
    }
  });
});
