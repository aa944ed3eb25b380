import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { type CliProcess, ensureStopped, runCli, waitForListening } from './cli-process.js';

/** Pids of the processes that logged "listening" (one per worker). */
const listeningPids = (cli: CliProcess): number[] =>
  cli
    .stdout()
    .split('\n')
    .filter((line) => line.includes('"address":"http'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);

describe('framestore serve --workers N', () => {
  let cwd: string;
  let cli: CliProcess | undefined;
  let redis: RedisServerHandle | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-workers-'));
  });
  afterEach(async () => {
    await ensureStopped(cli);
    cli = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each(['redis', 'inmemory'])(
    'on %s: three workers share one port, every worker sees every write, a killed worker is replaced, SIGTERM stops all with 0',
    async (store) => {
      const env: Record<string, string> =
        store === 'redis'
          ? { REDIS_ENABLED: 'true', REDIS_URL: redis!.url }
          : { STORAGE_DIR: join(cwd, 'data') };
      cli = runCli(['serve', '--port', '0', '--workers', '3'], { ...env, LOG_LEVEL: 'info' }, cwd);
      const base = await waitForListening(cli);
      await waitFor(() => listeningPids(cli!).length === 3, {
        timeoutMs: 30_000,
        message: '3 workers listening',
      });
      const created = await fetch(`${base}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b\n1,2\n',
      });
      expect(created.status).toBe(201);
      const { session_id: id } = (await created.json()) as { session_id: string };
      // Each step on a new connection (so on any worker), each read right after on another: never stale.
      for (let step = 2; step <= 13; step += 1) {
        const put = await fetch(`${base}/sessions/${id}/data?operation=edit`, {
          method: 'PUT',
          headers: { 'content-type': 'text/csv', connection: 'close' },
          body: `a,b\n${step},2\n`,
        });
        expect(put.status).toBe(200);
        const info = (await (
          await fetch(`${base}/sessions/${id}`, { headers: { connection: 'close' } })
        ).json()) as { version: number };
        expect(info.version).toBe(step);
      }
      const [victim] = listeningPids(cli);
      process.kill(victim!, 'SIGKILL');
      await waitFor(() => listeningPids(cli!).length === 4, {
        timeoutMs: 30_000,
        message: 'a replacement worker',
      });
      expect(cli.stdout()).toContain('worker exited: starting another');
      expect((await fetch(`${base}/sessions/${id}`)).status).toBe(200);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    },
    90_000,
  );

  it('refuses a bad --workers value as a configuration error', async () => {
    cli = runCli(['serve', '--port', '0', '--workers', '0'], {}, cwd);
    const { code } = await cli.exited;
    expect(code).toBe(78);
    expect(cli.stderr()).toContain('--workers must be an integer from 1 to 64');
  });
});
