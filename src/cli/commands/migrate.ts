import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_TYPES, openBackend } from '../../backends/open-backend.js';
import { loadConfig } from '../../config/load-config.js';
import { StorageError } from '../../contract/errors.js';
import type { BackendType, StorageBackend } from '../../contract/storage-backend.js';
import {
  type MigrationItemResult,
  type MigrationSummary,
  runMigration,
} from '../../transfer/migration-runner.js';
import { createCliLogger } from '../cli-logger.js';

interface MigrateFlags {
  from: BackendType;
  to: BackendType;
  dryRun?: boolean;
  deleteSource?: boolean;
  concurrency: number;
  stateFile?: string;
  json?: boolean;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError('expected an integer from 1 to 64');
  return n;
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `framestore migrate --from X --to Y`: copies every live session and temp upload between backends (§8). */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'copy every live session (all versions, audit, marks, metadata, TTL) and temp upload from one backend to the other; ' +
        'both are configured from the environment (STORAGE_DIR for inmemory, REDIS_* for redis)',
    )
    .addOption(new Option('--from <backend>', 'source backend').choices(BACKEND_TYPES).makeOptionMandatory())
    .addOption(new Option('--to <backend>', 'target backend').choices(BACKEND_TYPES).makeOptionMandatory())
    .option('--dry-run', 'report what would move; write nothing')
    .option('--delete-source', 'delete each source copy after its verified copy')
    .option('--concurrency <n>', 'items moved at once (1-64)', positiveInt, 4)
    .option('--state-file <path>', 'resume file: finished items are recorded and skipped by a rerun')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await migrateCommand(flags);
    });
}

/** Runs one migration; returns the exit code (1 when anything failed or the run was interrupted). Throws on setup errors. */
async function migrateCommand(flags: MigrateFlags): Promise<number> {
  if (flags.from === flags.to) {
    throw new StorageError('INVALID_INPUT', '--from and --to must name different backends');
  }
  const opened: StorageBackend[] = [];
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write(
      '\ninterrupted: finishing the items under way; rerun with the same --state-file to resume\n',
    );
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    const config = loadConfig(process.env);
    const logger = createCliLogger();
    const from = await openBackend(flags.from, config, { logger, requireRedisConfigured: process.env });
    opened.push(from);
    const to = await openBackend(flags.to, config, { logger, requireRedisConfigured: process.env });
    opened.push(to);

    const progress = makeProgress(flags);
    const summary = await runMigration({
      from,
      to,
      dryRun: flags.dryRun === true,
      deleteSource: flags.deleteSource === true,
      concurrency: flags.concurrency,
      signal: abort.signal,
      ...(flags.stateFile ? { stateFile: flags.stateFile } : {}),
      onStart: progress.start,
      onItem: progress.item,
    });
    progress.stop();
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return summary.failed.length > 0 || summary.interrupted ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await Promise.allSettled(opened.map((backend) => backend.close()));
  }
}

/** A bar on a terminal, one plain line per item otherwise (CI logs, pipes). */
function makeProgress(flags: MigrateFlags) {
  const verb = flags.dryRun ? 'would be' : 'was';
  const line = (item: MigrationItemResult, done: number, total: number) =>
    `[${done}/${total}] ${item.kind} ${item.id}: ${item.outcome}` +
    (item.bytes > 0 ? ` (${mb(item.bytes)} ${verb} copied)` : '') +
    (item.error ? ` - ${item.error.code}: ${item.error.message}` : '');
  if (!process.stderr.isTTY || flags.json) {
    return {
      start: ({ total, alreadyDone }: { total: number; alreadyDone: number }) =>
        process.stderr.write(
          `migrating ${flags.from} -> ${flags.to}: ${total} items, ${alreadyDone} done before\n`,
        ),
      item: (item: MigrationItemResult, p: { done: number; total: number }) =>
        process.stderr.write(`${line(item, p.done, p.total)}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    format: `${flags.from} -> ${flags.to} [{bar}] {value}/{total} items | {mb} | eta {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  let bytes = 0;
  return {
    start: ({ total, alreadyDone }: { total: number; alreadyDone: number }) =>
      bar.start(total, alreadyDone, { mb: mb(0) }),
    item: (item: MigrationItemResult, p: { done: number; total: number }) => {
      // Failures are listed in the summary below the finished bar.
      bytes += item.bytes;
      bar.update(p.done, { mb: mb(bytes) });
    },
    stop: () => bar.stop(),
  };
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: MigrationSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}migration ${s.from} -> ${s.to} ${s.interrupted ? 'interrupted' : 'finished'} in ${s.seconds.toFixed(1)} s`,
    `  items found:        ${s.total}`,
    `  done in an earlier run: ${s.alreadyDone}`,
    `  ${s.dryRun ? 'would move' : 'moved'}:${' '.repeat(s.dryRun ? 9 : 14)}${s.moved} (${mb(s.bytes)})`,
    `  skipped, identical: ${s.identical}`,
    `  skipped, gone:      ${s.skippedMissing}`,
    `  skipped, target newer: ${s.targetNewer}`,
    `  source deleted:     ${s.sourceDeleted}`,
    `  failed:             ${s.failed.length}`,
    ...s.failed.map((f) => `    ${f.kind} ${f.id}: ${f.code} ${f.message}`),
  ];
  if (s.interrupted) lines.push('  rerun the same command (with the same --state-file) to finish');
  return `${lines.join('\n')}\n`;
}
