import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { makeRichSession, openLocal, sessionDiff, testEnv } from './migration-fixtures.js';
import { openRedis } from './redis-fixtures.js';

jest.setTimeout(180_000);

const run = promisify(execFile);
const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Runs `framestore <args>` as a real process (not a TTY, so progress is plain lines). */
async function framestore(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: path.join(__dirname, '..', '..'),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let server: RedisServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startRedisServer();
  dir = await makeTempDir('fs-cli-migrate-');
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(dir);
});

test('framestore migrate / export / import from the command line', async () => {
  const env = testEnv(dir, server.url, { REDIS_KEY_PREFIX: 'cli:' });
  const local = await openLocal(dir);
  const ids = [
    await makeRichSession(local, makeSmallTable(4), 'cli-a'),
    (await local.createSession(makeSmallTable(2))).sessionId,
  ];
  await local.storeTempSheets({ only: makeSmallTable(1) });
  // Ids are base64url: one may start with '-', which a CLI parser must not take for an option.
  const dashId = '-dashFirst0123456789ab';
  await local.importSession({ ...(await local.exportSession(ids[0]!)), sessionId: dashId });
  await local.close();
  const stateFile = path.join(dir, 'cli.state');

  const dashBundle = path.join(dir, 'dash.fsb');
  const dashExport = await framestore(['export', dashId, dashBundle, '--from', 'inmemory'], env);
  expect(dashExport).toMatchObject({
    code: 0,
    stdout: expect.stringContaining(`exported session ${dashId}`),
  });
  const dashLocal = await openLocal(dir);
  expect(await dashLocal.deleteSession(dashId)).toBe(true);
  await dashLocal.close();

  const dry = await framestore(['migrate', '--from', 'inmemory', '--to', 'redis', '--dry-run'], env);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/dry run: migration inmemory -> redis finished/);
  expect(dry.stdout).toMatch(/would move:\s+3/);

  const first = await framestore(
    ['migrate', '--from', 'inmemory', '--to', 'redis', '--state-file', stateFile],
    env,
  );
  expect(first).toMatchObject({ code: 0 });
  expect(first.stderr).toMatch(/\[3\/3\] (session|upload) \S+: moved/);
  expect(first.stdout).toMatch(/moved:\s+3/);
  expect(first.stdout).toMatch(/failed:\s+0/);

  const again = await framestore(
    ['migrate', '--from', 'inmemory', '--to', 'redis', '--state-file', stateFile, '--json'],
    env,
  );
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ total: 3, alreadyDone: 3, moved: 0, failed: [] });

  const bundle = path.join(dir, 'a.fsb');
  const exported = await framestore(['export', ids[0]!, bundle, '--from', 'redis'], env);
  expect(exported.code).toBe(0);
  expect(exported.stdout).toMatch(/exported session/);
  const target = path.join(dir, 'imported');
  const imported = await framestore(['import', bundle, '--to', 'inmemory'], { ...env, STORAGE_DIR: target });
  expect(imported.code).toBe(0);
  const [copy, redis] = [
    await openLocal(target),
    await openRedis(server.url, dir, { REDIS_KEY_PREFIX: 'cli:' }),
  ];
  try {
    const diff = await sessionDiff(redis, copy, ids[0]!);
    expect(diff.filter((field) => field !== 'expiresAt')).toEqual([]);

    // Diverge one session: the migration reports it and exits non-zero.
    const fork = ids[1]!;
    const local2 = await openLocal(dir);
    await local2.updateDataFrame(fork, makeSmallTable(5), { operation: 'local edit' });
    await local2.close();
    await redis.updateDataFrame(fork, makeSmallTable(6), { operation: 'redis edit' });
  } finally {
    await Promise.all([copy.close(), redis.close()]);
  }
  const conflicted = await framestore(['migrate', '--from', 'inmemory', '--to', 'redis'], env);
  expect(conflicted.code).toBe(1);
  expect(conflicted.stdout).toMatch(new RegExp(`session ${ids[1]}: STALE_WRITE`));

  await fs.writeFile(path.join(dir, 'broken.fsb'), (await fs.readFile(bundle)).subarray(0, 200));
  const broken = await framestore(['import', path.join(dir, 'broken.fsb')], env);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/CORRUPT_DATA/);

  const same = await framestore(['migrate', '--from', 'redis', '--to', 'redis'], env);
  expect(same.code).not.toBe(0);
  expect(same.stderr).toMatch(/must name different backends/);
});
