import { type Command, Option } from 'commander';
import { BACKEND_TYPES, openBackend } from '../../backends/open-backend.js';
import { loadConfig } from '../../config/load-config.js';
import { assertValidId } from '../../contract/ids.js';
import type { BackendType, StorageBackend } from '../../contract/storage-backend.js';
import { selectedBackend } from '../../manager/create-data-manager.js';
import { exportSessionToFile } from '../../transfer/session-bundle.js';
import { createCliLogger } from '../cli-logger.js';

/** `framestore export <id> <file>`: writes one session as a portable bundle (Arrow IPC frames + JSON manifest). */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write one session (all versions, audit, marks, metadata) to a portable bundle file')
    .argument('<id>', 'session id')
    .argument('<file>', 'bundle file to write (replaced atomically)')
    // Ids are base64url and may start with '-': without this commander reads `-AbC…` as an option.
    // Excess-argument checking still catches a mistyped option.
    .allowUnknownOption()
    .allowExcessArguments(false)
    .addOption(
      new Option(
        '--from <backend>',
        'backend to read from (default: the one the configuration selects)',
      ).choices(BACKEND_TYPES),
    )
    .action(async (id: string, file: string, flags: { from?: BackendType }) => {
      let backend: StorageBackend | undefined;
      try {
        assertValidId(id, 'session');
        const config = loadConfig(process.env);
        const logger = createCliLogger();
        backend = await openBackend(flags.from ?? selectedBackend(config), config, {
          logger,
          requireRedisConfigured: process.env,
        });
        const written = await exportSessionToFile(backend, id, file);
        const s = written.snapshot;
        process.stdout.write(
          `exported session ${id} from ${backend.backendType} to ${file}: ${written.frames} frames, ` +
            `${s.history.length} versions, ${s.audit.length} audit entries, ${s.marks.length} marks, ${written.bytes} bytes\n`,
        );
      } finally {
        await backend?.close();
      }
    });
}
