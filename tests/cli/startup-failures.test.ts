import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { type CliProcess, ensureStopped, runCli, runToExit, waitForListening } from './cli-process.js';

const PASSWORD = 'n0t-The-Right-Pa55word';

describe('serve when storage or configuration is bad', () => {
  let cwd: string;
  let cli: CliProcess | undefined;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-startup-'));
  });
  afterEach(async () => {
    await ensureStopped(cli);
    cli = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('Redis down + fallback (default): serves, /health/storage 200 degraded on inmemory, warning logged', async () => {
    const redisPort = await freePort();
    cli = runCli(
      ['serve'],
      {
        REDIS_ENABLED: 'true',
        REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        PORT: '0',
      },
      cwd,
    );
    const base = await waitForListening(cli);
    const res = await fetch(`${base}/health/storage`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      backend_type: 'inmemory',
      redis_enabled: true,
      fallback_active: true,
    });
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toMatch(/"level":40[^\n]*storage backend: inmemory \(fallback/);
  });

  it('Redis down + STORAGE_FALLBACK_TO_MEMORY=false: exits 69 with one BACKEND_UNAVAILABLE line', async () => {
    const redisPort = await freePort();
    const result = await runToExit(
      ['serve'],
      {
        REDIS_ENABLED: 'true',
        STORAGE_FALLBACK_TO_MEMORY: 'false',
        REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        PORT: '0',
      },
      cwd,
    );
    expect(result.code).toBe(69);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^framestore: BACKEND_UNAVAILABLE: /);
  });

  it('an invalid variable: exits 78 with one CONFIG_INVALID line naming every bad variable', async () => {
    const result = await runToExit(['serve'], { REDIS_PORT: 'abc', MAX_VERSIONS: '0' }, cwd);
    expect(result.code).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^framestore: CONFIG_INVALID: .*REDIS_PORT.*MAX_VERSIONS|MAX_VERSIONS.*REDIS_PORT/,
    );
    const badPort = await runToExit(['serve', '--port', 'eighty'], {}, cwd);
    expect(badPort.code).toBe(78);
    expect(badPort.stderr).toMatch(/CONFIG_INVALID: .*PORT/);
  });
});

describe('a wrong Redis password is never printed', () => {
  let redis: RedisServerHandle;
  let cwd: string;
  let cli: CliProcess | undefined;

  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--requirepass', 'the-real-secret'] });
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-auth-'));
  });
  afterEach(async () => {
    await ensureStopped(cli);
    cli = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('with fallback: degraded service; the password is in no output and not in /health/storage', async () => {
    cli = runCli(
      ['serve'],
      {
        REDIS_ENABLED: 'true',
        REDIS_URL: `redis://default:${PASSWORD}@127.0.0.1:${redis.port}/0`,
        REDIS_CONNECT_TIMEOUT_MS: '2000',
        PORT: '0',
        LOG_LEVEL: 'trace',
      },
      cwd,
    );
    const base = await waitForListening(cli);
    const health = await (await fetch(`${base}/health/storage`)).text();
    expect(JSON.parse(health)).toMatchObject({
      status: 'degraded',
      backend_type: 'inmemory',
      fallback_active: true,
    });
    expect(health).not.toContain(PASSWORD);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).not.toContain(PASSWORD);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).not.toContain(PASSWORD);
    expect(cli.stderr()).not.toContain(PASSWORD);
    expect(cli.stdout()).toMatch(/fallback/);
  });

  it('without fallback (REDIS_PASSWORD variable): exits 69, the password is in no output', async () => {
    const result = await runToExit(
      ['serve'],
      {
        REDIS_ENABLED: 'true',
        STORAGE_FALLBACK_TO_MEMORY: 'false',
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redis.port),
        REDIS_PASSWORD: PASSWORD,
        REDIS_CONNECT_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'trace',
        PORT: '0',
      },
      cwd,
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/^framestore: BACKEND_UNAVAILABLE: /);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});
