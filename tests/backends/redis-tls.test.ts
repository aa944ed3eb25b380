import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { tlsOptions } from '../../src/backends/redis/redis-client.js';
import { describeRedisTarget, loadConfig } from '../../src/config/load-config.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { envHarness } from '../contract/contract-harness.js';
import { runContractSuite } from '../contract/contract-suite.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { capturingLogger, uniquePrefix } from '../helpers/redis-harness.js';
import { REDIS_TLS_HINT, type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeTlsFiles } from '../helpers/redis-tls.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

/**
 * Managed Redis as ops run it: TLS only (own CA, certificate for 127.0.0.1), an ACL user, the default user off.
 * The backend gets `rediss://user:pass@127.0.0.1:<port>` and the CA through REDIS_TLS_CA_FILE.
 */
const USER = 'framestore-app';
const PASSWORD = 'T1s-Pa55w0rd_only-here';

const REPO_ROOT = join(__dirname, '..', '..');

let dir = '';
let server: RedisServerHandle | undefined;
let env: Record<string, string> = {};

beforeAll(async () => {
  dir = await makeTempDir('framestore-tls-');
  const tls = await makeTlsFiles(dir);
  const aclFile = join(dir, 'users.acl');
  writeFileSync(aclFile, `user default off\nuser ${USER} on >${PASSWORD} ~* &* +@all\n`);
  server = await startRedisServer({ tls, args: ['--aclfile', aclFile] });
  env = {
    REDIS_URL: `rediss://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/0`,
    REDIS_TLS_CA_FILE: tls.caFile,
    REDIS_KEY_PREFIX: `tls${process.pid}:`,
    LOG_LEVEL: 'silent',
  };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir !== '') await removeTempDir(dir);
});

runContractSuite(async () =>
  envHarness({
    name: 'redis over TLS with an ACL user',
    env,
    factory: createRedisBackend,
    factoryModule: join(__dirname, '../helpers/redis-factory.ts'),
    // The server outlives the suite: the tests below use it too (stopped in the file's afterAll).
    stop: async () => undefined,
  }),
);

describe('managed Redis (TLS + ACL)', () => {
  it('refuses the server without the CA, and the default user', async () => {
    const noCa = { ...env, REDIS_TLS_CA_FILE: '', REDIS_CONNECT_TIMEOUT_MS: '2000' };
    await expect(createRedisBackend(noCa)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const anonymous = { ...env, REDIS_URL: `rediss://127.0.0.1:${server?.port}/0` };
    await expect(createRedisBackend(anonymous)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('a redis-server built without TLS is a failure naming the fix, not a skip', async () => {
    // A stand-in that answers like `make` without BUILD_TLS=yes (Redis 7: FATAL CONFIG ... Bad directive).
    const bin = join(dir, 'no-tls-bin');
    mkdirSync(bin, { recursive: true });
    const fake = join(bin, 'redis-server');
    writeFileSync(
      fake,
      `#!/bin/sh\necho "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"\necho ">>> 'tls-port \\"1\\"'"\necho "Bad directive or wrong number of arguments"\nexit 1\n`,
    );
    chmodSync(fake, 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const tls = {
        caFile: join(dir, 'ca.pem'),
        certFile: join(dir, 'server.pem'),
        keyFile: join(dir, 'server.key'),
      };
      await expect(startRedisServer({ tls })).rejects.toThrow(REDIS_TLS_HINT);
    } finally {
      process.env.PATH = path;
    }
  });

  it('keeps the password out of health, metrics, logs and the printed target', async () => {
    const { logger, lines } = capturingLogger();
    const manager = await createDataManager({
      env: { ...env, REDIS_ENABLED: 'true', REDIS_KEY_PREFIX: uniquePrefix('tlsapp') },
      logger,
    });
    const app = createApp(manager);
    try {
      expect(manager.getBackendType()).toBe('redis');
      const created = await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a,b\n1,x\n');
      expect(created.status).toBe(201);
      const health = await request(app).get('/health/storage');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', backend_type: 'redis' });
      expect(health.body.redis_info).toMatchObject({
        connected: true,
        mode: 'standalone',
        nodes: [{ address: `127.0.0.1:${server?.port}`, role: 'master', status: 'ok' }],
      });
      const report = await manager.healthCheck();
      const metrics = await request(app).get('/metrics');
      expect(metrics.text).toContain(
        `framestore_redis_node_up{address="127.0.0.1:${server?.port}",role="master"} 1`,
      );
      const target = describeRedisTarget(manager.config.redis);
      expect(target).toBe(`rediss://127.0.0.1:${server?.port}/0`);
      const outputs = { health: health.text, report: JSON.stringify(report), metrics: metrics.text, target };
      for (const [name, text] of Object.entries({ ...outputs, logs: lines.join('') })) {
        expect({ name, password: text.includes(PASSWORD) }).toEqual({ name, password: false });
        expect({ name, encoded: text.includes(encodeURIComponent(PASSWORD)) }).toEqual({
          name,
          encoded: false,
        });
        expect({ name, userinfo: text.includes(`${USER}:`) }).toEqual({ name, userinfo: false });
      }
      expect(lines.join('')).toContain('storage backend: redis');
    } finally {
      (app.locals.framestore as AppLocals).dispose();
      await manager.close();
    }
  });

  it('sends no SNI servername for an IP host, so Node never warns (RFC 6066)', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'tests/helpers/redis-tls-child.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TLS_CHILD_ENV: JSON.stringify({ ...env, REDIS_KEY_PREFIX: uniquePrefix('tlschild') }),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const lastLine = child.stdout.trim().split('\n').pop() ?? '';
    expect({ stdout: lastLine, stderr: child.stderr }).toEqual({
      stdout: expect.stringMatching(/^\{/),
      stderr: '',
    });
    const result = JSON.parse(lastLine) as { warnings?: string[]; status?: string; rows?: number };
    expect(result).toEqual({ warnings: [], status: 'healthy', rows: 20 });
    // And the options themselves: SNI only for a host name, the CA always.
    const config = loadConfig(env);
    expect(config.redis.tls).toBe(true);
    expect(tlsOptions(config.redis)).not.toHaveProperty('servername');
    expect(tlsOptions(config.redis).ca).toContain('BEGIN CERTIFICATE');
    expect(tlsOptions({ ...config.redis, host: 'redis.example.com' }).servername).toBe('redis.example.com');
  }, 40_000);
});
