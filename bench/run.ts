/**
 * `npm run bench` — measures framestore on this machine and compares with the targets of the issues.
 * Usage: npm run bench [-- --only codec,csv,inmemory,redis,chunks,http,migration,download,upload] [--quick]
 * Prints one table and writes bench/results/bench-<time>.json (+ bench-latest.json).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../tests/helpers/redis-cluster.js';
import { startRedisServer } from '../tests/helpers/redis-server.js';
import { makeRealisticTable } from '../tests/helpers/tables.js';
import type { BenchRow } from './lib/report.js';
import { printTable, writeResults } from './lib/report.js';
import { benchChunkRss, benchChunks, chunkBackends } from './scenarios/chunks.js';
import { benchCodecs } from './scenarios/codec.js';
import { benchCsvRead } from './scenarios/csv-read.js';
import { benchDownloads } from './scenarios/download-rss.js';
import { benchHttp, benchHttpBaselines } from './scenarios/http.js';
import { benchInMemory } from './scenarios/inmemory.js';
import { benchMigration } from './scenarios/migration.js';
import { benchRedis } from './scenarios/redis.js';
import { benchScaleOut } from './scenarios/scale-out.js';
import { benchUploads } from './scenarios/upload-rss.js';

const SECTIONS = [
  'codec',
  'csv',
  'inmemory',
  'redis',
  'chunks',
  'scale-out',
  'http',
  'migration',
  'download',
  'upload',
] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { only: Set<Section>; quick: boolean } {
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : [...SECTIONS];
  const unknown = only.filter((name) => !SECTIONS.includes(name as Section));
  if (unknown.length > 0) throw new Error(`unknown bench section(s): ${unknown.join(', ')}`);
  return { only: new Set(only as Section[]), quick: argv.includes('--quick') };
}

async function main(): Promise<void> {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const iterations = quick ? 10 : 40;
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  log('generating tables (10k×50, 100k×50)');
  const small = makeRealisticTable(10_000, 50, 1);
  const large = makeRealisticTable(100_000, 50, 2);
  const rows: BenchRow[] = [];
  const run = async (name: Section, fn: () => Promise<BenchRow[]>) => {
    if (!only.has(name)) return;
    log(`running ${name}`);
    rows.push(...(await fn()));
  };

  await run('codec', async () => [
    ...(await benchCodecs(small, '10k×50', iterations)),
    ...(await benchCodecs(large, '100k×50', Math.max(3, iterations / 4))),
  ]);
  await run('csv', () => benchCsvRead(quick ? [200_000] : [10_000, 200_000, 1_000_000], quick ? 3 : 5));
  await run('inmemory', async () => [
    ...(await benchInMemory(small, '10k×50', iterations)),
    ...(await benchInMemory(large, '100k×50', Math.max(5, iterations / 4))),
  ]);

  const needsRedis =
    only.has('redis') ||
    only.has('chunks') ||
    only.has('scale-out') ||
    only.has('http') ||
    only.has('migration');
  const redis = needsRedis ? await startRedisServer() : undefined;
  const storageDir = mkdtempSync(join(tmpdir(), 'framestore-bench-'));
  try {
    if (redis) {
      await run('redis', async () => [
        ...(await benchRedis(redis.url, small, '10k×50', iterations, true)),
        ...(await benchRedis(redis.url, large, '100k×50', Math.max(5, iterations / 4), false)),
      ]);
      await run('chunks', async () => {
        const parts = chunkBackends(redis.url, storageDir);
        try {
          const out: BenchRow[] = [];
          const sizes: [number, string, number][] = quick
            ? [[10_000, '10k×50', 4]]
            : [
                [10_000, '10k×50', 10],
                [100_000, '100k×50', 5],
              ];
          for (const [rowCount, label, count] of sizes) {
            const base = rowCount === 10_000 ? small : large;
            const n = rowCount > 10_000 ? Math.max(5, iterations / 4) : iterations;
            out.push(
              ...(await benchChunks('inmemory', parts.openInMemory, undefined, base, count, label, n)),
            );
            if (parts.openRedis)
              out.push(
                ...(await benchChunks('redis', parts.openRedis, parts.redisWritten, base, count, label, n)),
              );
          }
          out.push(...benchChunkRss(redis.url, 10_000, 'redis 10k×50', quick ? 100 : 1000));
          return out;
        } finally {
          await parts.close();
        }
      });
      await run('scale-out', async () => {
        const cluster = await startCluster(3);
        try {
          return await benchScaleOut({
            stores: [
              { name: 'redis', env: { REDIS_ENABLED: 'true', REDIS_URL: redis.url } },
              {
                name: 'cluster 3 masters',
                env: { REDIS_ENABLED: 'true', REDIS_CLUSTER_NODES: cluster.nodesEnv },
              },
            ],
            workers: quick ? [1, 2, 4] : [1, 2, 4, 8, 16],
            clients: 32,
            seconds: quick ? 3 : 8,
          });
        } finally {
          await cluster.stop();
        }
      });
      await run('http', async () => [
        ...(await benchHttpBaselines()),
        ...(await benchHttp(
          { STORAGE_BACKEND: 'inmemory', STORAGE_DIR: storageDir },
          'inmemory',
          'inmemory 10k×50',
        )),
        ...(await benchHttp(
          { STORAGE_BACKEND: 'redis', REDIS_URL: redis.url, STORAGE_DIR: storageDir },
          'redis',
          'redis 10k×50',
        )),
      ]);
      await run('migration', async () => {
        const sessions = quick ? 20 : 200;
        const result = await benchMigration({
          sessions,
          rows: 10_000,
          versions: 5,
          redisUrl: redis.url,
          storageDir,
        });
        return [
          {
            group: 'migration',
            name: `inmemory → redis, ${result.sessions} sessions × 5 versions`,
            value: result.sessionsPerSec,
            unit: 'sessions/s',
            extra: { mb_per_s: result.mbPerSec, seconds: result.seconds, bytes: result.bytes },
          },
        ];
      });
    }
    // Issue 11 reports 10k, 200k and 1M-row CSVs (the 200k row carries the targets).
    const csvSizes = quick ? [50_000] : [10_000, 200_000, 1_000_000];
    for (const rows of csvSizes)
      await run('download', () => benchDownloads({ rows, storageDir: join(storageDir, `dl-${rows}`) }));
    for (const rows of csvSizes)
      await run('upload', () =>
        benchUploads({
          rows,
          runs: quick || rows > 200_000 ? 2 : 5,
          storageDir: join(storageDir, `ul-${rows}`),
        }),
      );
  } finally {
    await redis?.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(
    `\nframestore bench — node ${process.version}, ${cpus().length}× ${cpu}${quick ? ' (quick)' : ''}\n`,
  );
  printTable(rows);
  const file = writeResults(join(process.cwd(), 'bench', 'results'), 'bench', rows, {
    node: process.version,
    cpus: cpus().length,
    cpu,
    quick,
    at: new Date().toISOString(),
  });
  process.stdout.write(`\nwritten ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
