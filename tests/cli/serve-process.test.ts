import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { type CliProcess, ensureStopped, runCli, waitForListening } from './cli-process.js';

describe('framestore serve as a real process', () => {
  let cwd: string;
  let cli: CliProcess | undefined;
  let redis: RedisServerHandle | undefined;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-serve-'));
  });
  afterEach(async () => {
    await ensureStopped(cli);
    cli = undefined;
    await redis?.stop();
    redis = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('with no configuration: serves the embedded store, then exits 0 on SIGTERM', async () => {
    cli = runCli(['serve', '--port', '0'], {}, cwd);
    const base = await waitForListening(cli);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${base}/health/storage`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      backend_type: 'inmemory',
      fallback_active: false,
    });

    const created = await fetch(`${base}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'a,b\n1,2\n',
    });
    expect(created.status).toBe(201);

    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    expect({ exit, stderr: cli.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
    const lines = cli
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain('storage backend: inmemory');
    expect(messages.some((m) => m.startsWith('framestore 0.') && m.includes(`listening on ${base}`))).toBe(
      true,
    );
    // The last request's log line may land on either side of the shutdown lines.
    const shutdown = messages.filter((m) => m !== 'request').slice(-2);
    expect(shutdown).toEqual([
      'shutting down: no new connections, finishing in-flight requests',
      'stopped cleanly',
    ]);
  });

  it('with REDIS_ENABLED=true and a running Redis: backend_type redis; SIGINT also exits 0', async () => {
    redis = await startRedisServer();
    cli = runCli(['serve'], { REDIS_ENABLED: 'true', REDIS_URL: redis.url, PORT: '0' }, cwd);
    const base = await waitForListening(cli);
    const body = (await (await fetch(`${base}/health/storage`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'healthy',
      backend_type: 'redis',
      redis_enabled: true,
      fallback_active: false,
    });
    expect(body.redis_info).toMatchObject({ connected: true, mode: 'standalone' });
    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    expect({ exit, stderr: cli.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
  });
});
