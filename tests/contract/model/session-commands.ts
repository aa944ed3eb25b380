import * as fc from 'fast-check';
import { annotationCommands } from './annotation-commands.js';
import { compareInfo, entryOf, expectOutcome, ModelCommand, same, versionOf } from './model-check.js';
import { fingerprint, frameOf, specName, tableSpecArb } from './model-tables.js';
import { transferCommands } from './transfer-commands.js';
import { versionCommands } from './version-commands.js';

/** fast-check commands over the frame and its history; each checks the backend's answer after its step. */

const OPERATIONS = ['edit', 'fill_nulls', 'drop_rows', 'snapshot', 'upload'];
const USERS = ['ana', 'bo', ''];
const DETAILS: (Record<string, unknown> | undefined)[] = [
  undefined,
  {},
  { column: 'a' },
  { n: 1, deep: { x: [1] } },
];
const LABELS = [undefined, '', 'checkpoint', 'before cleanup', 'ünïcödé'];

const updateArb = fc
  .record({
    spec: tableSpecArb,
    operation: fc.constantFrom(...OPERATIONS),
    details: fc.constantFrom(...DETAILS),
    user: fc.option(fc.constantFrom(...USERS), { nil: undefined }),
  })
  .map(({ spec, operation, details, user }) => {
    const change = { operation, ...(details ? { details } : {}), ...(user !== undefined ? { user } : {}) };
    return new ModelCommand(`updateDataFrame(${specName(spec)}, ${JSON.stringify(change)})`, async (m, r) => {
      const { table, frame } = frameOf(spec);
      const expected = m.updateDataFrame(frame, change);
      await expectOutcome(
        'updateDataFrame',
        expected,
        () => r.backend.updateDataFrame(r.id, table, change),
        compareInfo('updateDataFrame → SessionInfo'),
      );
    });
  });

function createVersionCommand(label: string | undefined): ModelCommand {
  return new ModelCommand(`createVersion(${JSON.stringify(label)})`, async (m, r) => {
    const expected = m.createVersion(label);
    await expectOutcome(
      'createVersion',
      expected,
      () => r.backend.createVersion(r.id, label),
      (actual, entry) => same('createVersion → VersionInfo', versionOf(actual), entryOf(entry)),
    );
  });
}

/** `''` (no label) is its own command so it can be enabled on its own. */
const createVersionArb = fc.constantFrom(...LABELS.filter((l) => l !== '')).map(createVersionCommand);
const createVersionEmptyArb = fc.constant(createVersionCommand(''));

const undoArb = fc.constant(
  new ModelCommand('undoLastChange()', (m, r) =>
    expectOutcome('undoLastChange', m.undo(), () => r.backend.undoLastChange(r.id), compareInfo('undo')),
  ),
);

const redoArb = fc.constant(
  new ModelCommand('redo()', (m, r) =>
    expectOutcome('redo', m.redoChange(), () => r.backend.redo(r.id), compareInfo('redo')),
  ),
);

const listVersionsArb = fc.constant(
  new ModelCommand('listVersions()', async (m, r) => {
    const actual = await r.backend.listVersions(r.id);
    same('listVersions', actual.map(versionOf), m.history.map(entryOf));
  }),
);

const getSessionArb = fc.constant(
  new ModelCommand('getSession()', async (m, r) => {
    compareInfo('getSession')(await r.backend.getSession(r.id), m.info());
  }),
);

const getDataFrameArb = fc.constant(
  new ModelCommand('getDataFrame()', async (m, r) => {
    same(
      `getDataFrame (model: ${m.current.name})`,
      fingerprint(await r.backend.getDataFrame(r.id)),
      m.current.fingerprint,
    );
  }),
);

/** Every command by name; MODEL_COMMANDS=update,undo,... (or MODEL_COMMANDS_SKIP) restricts a run to some. */
export const COMMANDS: Record<string, fc.Arbitrary<ModelCommand>> = {
  update: updateArb,
  createVersion: createVersionArb,
  createVersionEmpty: createVersionEmptyArb,
  undo: undoArb,
  redo: redoArb,
  ...versionCommands,
  listVersions: listVersionsArb,
  getSession: getSessionArb,
  getDataFrame: getDataFrameArb,
  ...annotationCommands,
  ...transferCommands,
};

/** The state-changing commands are drawn more often than the reads (fc.commands picks uniformly). */
const WEIGHTS: Record<string, number> = { update: 3, undo: 4, redo: 3, createVersion: 3, restore: 2 };

/** The commands a run draws from: all by default, else those named in `only` minus those in `skip`. */
export function enabledCommands(
  only: string | undefined,
  skip: string | undefined,
): fc.Arbitrary<ModelCommand>[] {
  const names = (list: string | undefined) =>
    (list ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
  const chosen = names(only).length > 0 ? names(only) : Object.keys(COMMANDS);
  const skipped = new Set(names(skip));
  const unknown = [...chosen, ...skipped].filter((n) => !(n in COMMANDS));
  if (unknown.length > 0) {
    throw new Error(
      `MODEL_COMMANDS: unknown command(s) ${unknown.join(', ')}; known: ${Object.keys(COMMANDS).join(', ')}`,
    );
  }
  const enabled = chosen.filter((n) => !skipped.has(n));
  if (enabled.length === 0) throw new Error('MODEL_COMMANDS: no command left to run');
  return enabled.flatMap((n) => Array.from({ length: WEIGHTS[n] ?? 1 }, () => COMMANDS[n]!));
}
