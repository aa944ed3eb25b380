import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  freePort,
  REDIS_INSTALL_HINT,
  type RedisServerHandle,
  trackProcess,
  waitForPing,
} from './redis-server.js';
import { waitFor } from './wait-for.js';

/** One Redis Sentinel on a free loopback port, monitoring a test master. */
export interface RedisSentinelHandle {
  readonly port: number;
  readonly masterName: string;
  /** Value for REDIS_SENTINELS. */
  readonly sentinelsEnv: string;
  stop(): Promise<void>;
}

export interface SentinelOptions {
  /** `down-after-milliseconds` (default 5000). */
  downAfterMs?: number;
  /** Sentinels that must agree the master is down (default 1). */
  quorum?: number;
  /** `failover-timeout` (default: Sentinel's own, 3 minutes). */
  failoverTimeoutMs?: number;
}

export async function startSentinel(
  master: RedisServerHandle,
  masterName = 'mymaster',
  opts: SentinelOptions = {},
): Promise<RedisSentinelHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'framestore-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize no',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} ${opts.quorum ?? 1}`,
      `sentinel down-after-milliseconds ${masterName} ${opts.downAfterMs ?? 5000}`,
      ...(opts.failoverTimeoutMs !== undefined
        ? [`sentinel failover-timeout ${masterName} ${opts.failoverTimeoutMs}`]
        : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(REDIS_INSTALL_HINT) : error),
    );
    child.once('spawn', () => resolve());
  });
  trackProcess(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(port);
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    try {
      await waitFor(
        async () => {
          const addr = (await client.call('SENTINEL', 'get-master-addr-by-name', masterName)) as
            | string[]
            | null;
          return addr?.[1] === String(master.port);
        },
        { timeoutMs: 10_000, message: 'sentinel to know the master' },
      );
    } finally {
      client.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, masterName, sentinelsEnv: `127.0.0.1:${port}`, stop };
}
