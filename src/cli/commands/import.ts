import { type Command, Option } from 'commander';
import { BACKEND_TYPES, openBackend } from '../../backends/open-backend.js';
import { loadConfig } from '../../config/load-config.js';
import type { BackendType, StorageBackend } from '../../contract/storage-backend.js';
import { selectedBackend } from '../../manager/create-data-manager.js';
import { importSessionFromFile } from '../../transfer/session-bundle.js';
import { createCliLogger } from '../cli-logger.js';

/** `framestore import <file> [--overwrite]`: verifies a bundle and stores its session under its own id. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'verify a bundle file (checksums of every frame) and store its session, keeping its id and history',
    )
    .argument('<file>', 'bundle file written by `framestore export`')
    .option('--overwrite', 'replace a session with the same id')
    .addOption(
      new Option(
        '--to <backend>',
        'backend to write to (default: the one the configuration selects)',
      ).choices(BACKEND_TYPES),
    )
    .action(async (file: string, flags: { overwrite?: boolean; to?: BackendType }) => {
      let backend: StorageBackend | undefined;
      try {
        const config = loadConfig(process.env);
        const logger = createCliLogger();
        backend = await openBackend(flags.to ?? selectedBackend(config), config, {
          logger,
          requireRedisConfigured: process.env,
        });
        const info = await importSessionFromFile(backend, file, { overwrite: flags.overwrite === true });
        process.stdout.write(
          `imported session ${info.sessionId} into ${backend.backendType}: ${info.rows} rows x ${info.columns} columns, ` +
            `version ${info.version}, ${info.versionCount} versions, expires ${info.expiresAt}\n`,
        );
      } finally {
        await backend?.close();
      }
    });
}
