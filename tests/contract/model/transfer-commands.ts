import * as fc from 'fast-check';
import { entries, withoutUploadDetails } from './annotation-commands.js';
import { auditOf, compareInfo, entryOf, ModelCommand, markOf, same, versionOf } from './model-check.js';
import { compareMarks } from './session-model.js';

/** fast-check commands over the portable snapshot (§8): what it holds, and a session that leaves and returns. */

/** The whole session leaves and comes back: every later step must see exactly the same session. */
const exportImportArb = fc.constant(
  new ModelCommand('exportSession → deleteSession → importSession', async (m, r) => {
    const snapshot = await r.backend.exportSession(r.id);
    same('deleteSession', await r.backend.deleteSession(r.id), true);
    compareInfo('importSession → SessionInfo')(await r.backend.importSession(snapshot), m.info());
  }),
);

/**
 * The snapshot itself says what the model says: a migration copies it to another backend, so a field it
 * lacks (e.g. a redo entry's operation) is lost there even when the source backend keeps it internally.
 */
const exportCheckArb = fc.constant(
  new ModelCommand('exportSession() (contents)', async (m, r) => {
    const s = await r.backend.exportSession(r.id);
    same('snapshot version', s.version, m.version);
    same(
      'snapshot history',
      s.history.map((v) => versionOf(v.info)),
      m.history.map(entryOf),
    );
    same(
      'snapshot redo',
      s.redo.map((v) => versionOf(v.info)),
      m.redo.map(entryOf),
    );
    same('snapshot metadata', entries(s.metadata), entries(m.metadata));
    same('snapshot audit', withoutUploadDetails(s.audit.map(auditOf)), withoutUploadDetails(m.audit));
    same('snapshot marks', s.marks.map(markOf).sort(compareMarks), m.listMarks());
  }),
);

export const transferCommands: Record<string, fc.Arbitrary<ModelCommand>> = {
  exportImport: exportImportArb,
  exportCheck: exportCheckArb,
};
