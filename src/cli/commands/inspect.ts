import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { assertValidId } from '../../contract/ids.js';
import { createCliLogger } from '../cli-logger.js';
import { formatBytes, formatDuration } from '../format-units.js';
import type { SessionLayout } from '../inspect-layout.js';
import type { FrameReport, SessionReport, VersionReport } from '../inspect-report.js';

const chunkNote = (f: FrameReport): string =>
  f.chunks === undefined
    ? ''
    : `, ${f.chunks} chunks, ${f.sharedChunks ?? 0} shared with other versions (${formatBytes(f.sharedBytes ?? 0)})`;

const frameLine = (f: FrameReport): string =>
  f.integrity === 'ok'
    ? `frame ${f.frameId}  ${formatBytes(f.bytes)} stored (${f.codec}, ${formatBytes(f.uncompressedBytes ?? 0)} ${f.serialization}${chunkNote(f)})`
    : `frame ${f.frameId}  ${formatBytes(f.bytes)}  !! ${f.integrity}`;

const versionLine = (v: VersionReport): string =>
  `  v${v.version}  ${v.createdAt}  ${v.rows}×${v.columns}  ${v.operation ?? ''}${v.label ? ` "${v.label}"` : ''}\n      ${frameLine(v)}`;

/** The report as text for a terminal. */
export function renderReport(report: SessionReport, backend: string, layout: SessionLayout): string {
  const c = report.current;
  const lines = [
    `session   ${report.sessionId}  (backend: ${backend})`,
    ...(report.filename !== undefined ? [`file      ${report.filename}`] : []),
    `created   ${report.createdAt}`,
    `updated   ${report.updatedAt}`,
    `expires   ${report.expiresAt}  (in ${formatDuration(report.remainingSeconds)}; sliding TTL ${report.ttlSeconds} s)`,
    `version   ${report.version}`,
    `current   ${c.rows ?? '?'} rows × ${c.columns ?? '?'} columns`,
    `          ${frameLine(c)}`,
    `history   ${report.history.length} version(s), oldest first (undo restores the last)`,
    ...report.history.map(versionLine),
    `redo      ${report.redo.length} version(s)`,
    ...report.redo.map(versionLine),
    `metadata  ${report.metadataKeys.length === 0 ? '(none)' : report.metadataKeys.join(', ')}`,
    `audit     ${report.auditEntries} entries`,
    `marks     ${report.marks} intentional-missing cell(s)`,
    `frames    ${formatBytes(report.totalFrameBytes)} in total`,
    `layout    ${layout.kind === 'files' ? 'files under' : 'keys starting with'} ${layout.root}` +
      (layout.indexed === undefined ? '' : `  (in session index: ${layout.indexed ? 'yes' : 'NO'})`),
    ...layout.entries.map(
      (e) =>
        `  ${e.name.padEnd(40)} ${formatBytes(e.bytes).padStart(11)}` +
        (e.type !== undefined ? `  ${e.type}` : '') +
        (e.ttlSeconds !== undefined ? `  ttl ${formatDuration(e.ttlSeconds)}` : ''),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** `framestore inspect <id>`: versions, sizes, TTL and storage layout of one session. */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description("show a session's versions, sizes, TTL and key/file layout (does not extend its TTL)")
    .argument('<id>', 'session id (22 characters, as returned by POST /sessions)')
    // Ids are base64url and may start with '-': without this commander reads `-AbC…` as an option.
    .allowUnknownOption()
    .allowExcessArguments(false)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Reads from the backend your environment selects (STORAGE_BACKEND / REDIS_ENABLED, same as serve),
and only from it: a session living in the other store is reported as not found, never moved.
Every stored frame's checksum is verified; a damaged one is flagged with CORRUPT_DATA.
Example:
  framestore inspect q3G7p0bXn3mJ2V5k8dQf1A
  REDIS_ENABLED=true REDIS_URL=redis://localhost:6379/0 framestore inspect q3G7p0bXn3mJ2V5k8dQf1A --json`,
    )
    .action(async (id: string, options: { json?: boolean }) => {
      assertValidId(id);
      // Strictly read-only: no read-through, which would move a session found in the other store.
      const config = loadConfig({ ...process.env, MIGRATION_READ_THROUGH: 'false' });
      const { createDataManager } = await import('../../manager/create-data-manager.js');
      const { inspectLayout } = await import('../inspect-layout.js');
      const { buildSessionReport } = await import('../inspect-report.js');
      const manager = await createDataManager({ config, logger: createCliLogger() });
      try {
        const snapshot = await manager.exportSession(id);
        const report = buildSessionReport(snapshot, config.maxFrameBytes);
        const backend = manager.getBackendType();
        const layout = await inspectLayout(backend, config, id);
        process.stdout.write(
          options.json === true
            ? `${JSON.stringify({ backend, ...report, layout }, null, 2)}\n`
            : renderReport(report, backend, layout),
        );
      } finally {
        await manager.close();
      }
    });
}
