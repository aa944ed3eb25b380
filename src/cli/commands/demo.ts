import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { SessionInfo } from '../../contract/storage-backend.js';
import { createCliLogger } from '../cli-logger.js';

const summary = (info: SessionInfo): string =>
  `version ${info.version}, ${info.rows} rows × ${info.columns} columns, ` +
  `${info.versionCount} in history, can undo: ${info.canUndo}, can redo: ${info.canRedo}`;

/** `framestore demo`: a guided tour of the library on a throwaway local store. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create, edit and undo a sample session on a throwaway local store (no Redis, no setup)')
    .option('--keep', 'keep the temporary STORAGE_DIR instead of deleting it')
    .action(async (options: { keep?: boolean }) => {
      const out = (text = '') => process.stdout.write(`${text}\n`);
      const { createDataManager } = await import('../../manager/create-data-manager.js');
      const { demoTable, dropRowsMissing } = await import('../demo-data.js');
      const { renderTable } = await import('../table-print.js');
      const storageDir = await mkdtemp(path.join(tmpdir(), 'framestore-demo-'));
      // Deliberately ignores your environment: the demo must work anywhere, and never touch real data.
      const manager = await createDataManager({
        env: { STORAGE_BACKEND: 'inmemory', STORAGE_DIR: storageDir },
        logger: createCliLogger(),
      });
      try {
        out(`framestore demo — embedded store in ${storageDir}\n`);
        const created = await manager.createSession(demoTable(), { filename: 'orders.csv', user: 'demo' });
        const id = created.sessionId;
        out(`1. createSession(orders.csv) → ${id}\n   ${summary(created)}`);
        out(renderTable(await manager.getDataFrame(id)));

        const edited = await manager.updateDataFrame(
          id,
          dropRowsMissing(await manager.getDataFrame(id), 'amount'),
          {
            operation: 'drop_rows_missing_amount',
            user: 'demo',
          },
        );
        out(`2. updateDataFrame(drop rows without an amount)\n   ${summary(edited)}`);
        out(renderTable(await manager.getDataFrame(id)));

        const undone = await manager.undoLastChange(id);
        out(`3. undoLastChange()\n   ${summary(undone)}`);
        out(renderTable(await manager.getDataFrame(id)));

        await manager.markIntentionalMissing(id, { row: 4, column: 'customer', reason: 'walk-in sale' });
        out('4. markIntentionalMissing(row 4, "customer") — this blank is on purpose, not a gap to fix\n');

        out('5. the session now');
        const history = (await manager.listVersions(id)).map(
          (v) => `v${v.version} ${v.operation ?? 'snapshot'}`,
        );
        out(`   history: ${history.join(', ') || '(empty: undo moved the edit onto the redo stack)'}`);
        out('   audit log:');
        for (const entry of await manager.getAuditLog(id)) {
          const before = entry.rowsBefore !== undefined ? `${entry.rowsBefore} → ` : '';
          const rows = entry.rowsAfter !== undefined ? `, rows ${before}${entry.rowsAfter}` : '';
          out(`     #${entry.seq} ${entry.operation}${entry.user ? ` by ${entry.user}` : ''}${rows}`);
        }
        const marks = await manager.getIntentionalMissing(id);
        out(
          `   intentional missing: ${marks.map((m) => `(${m.row}, ${m.column}: ${m.reason ?? ''})`).join(', ')}`,
        );
        out('\nNext: `npm start` serves the same API over HTTP — see README.md.');
      } finally {
        await manager.close();
        if (options.keep !== true) await rm(storageDir, { recursive: true, force: true });
      }
    });
}
