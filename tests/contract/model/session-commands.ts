import * as fc from 'fast-check';
import { annotationCommands } from './annotation-commands.js';
import { compareInfo, entryOf, expectOutcome, ModelCommand, same, versionOf } from './model-check.js';
import { fingerprint, frameOf, specName, tableSpecArb } from './model-tables.js';
import type { SessionModel } from './session-model.js';

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

const createVersionArb = fc.constantFrom(...LABELS).map(
  (label) =>
    new ModelCommand(`createVersion(${JSON.stringify(label)})`, async (m, r) => {
      const expected = m.createVersion(label);
      await expectOutcome(
        'createVersion',
        expected,
        () => r.backend.createVersion(r.id, label),
        (actual, entry) => same('createVersion → VersionInfo', versionOf(actual), entryOf(entry)),
      );
    }),
);

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

type Target = 'current' | 'history' | 'redo' | 'any' | 'invalid';

/**
 * Which version a restore/getVersion names, resolved against the model when the step runs: `history#3` is
 * history[3 % length]; `any#k` is 1 + k % (version + 2), which hits held, dropped, cleared and future numbers.
 */
const targetArb = fc.record({
  kind: fc.constantFrom<Target>('current', 'history', 'redo', 'any', 'any', 'invalid'),
  pick: fc.nat({ max: 50 }),
});

function resolve(m: SessionModel, t: { kind: Target; pick: number }): number {
  switch (t.kind) {
    case 'current':
      return m.version;
    case 'history':
      return m.history[t.pick % m.history.length]!.version;
    case 'redo':
      return m.redo[t.pick % m.redo.length]!.version;
    case 'any':
      return 1 + (t.pick % (m.version + 2));
    case 'invalid':
      return [0, -1, 1.5][t.pick % 3]!;
  }
}

const applicable = (t: { kind: Target }) => (m: SessionModel) =>
  (t.kind !== 'history' || m.history.length > 0) && (t.kind !== 'redo' || m.redo.length > 0);

const describeTarget = (t: { kind: Target; pick: number }) =>
  t.kind === 'current' ? 'current' : `${t.kind}#${t.pick}`;

const restoreArb = targetArb.map(
  (t) =>
    new ModelCommand(
      `restoreVersion(${describeTarget(t)})`,
      async (m, r) => {
        const version = resolve(m, t);
        const held = m.heldVersions();
        await expectOutcome(
          `restoreVersion(${version}) with held versions [${held}]`,
          m.restoreVersion(version),
          () => r.backend.restoreVersion(r.id, version),
          compareInfo(`restoreVersion(${version}) → SessionInfo`),
        );
      },
      applicable(t),
    ),
);

const getVersionArb = targetArb.map(
  (t) =>
    new ModelCommand(
      `getVersion(${describeTarget(t)})`,
      async (m, r) => {
        const version = resolve(m, t);
        const held = m.heldVersions();
        await expectOutcome(
          `getVersion(${version}) with held versions [${held}]`,
          m.getVersion(version),
          () => r.backend.getVersion(r.id, version),
          (table, frame) =>
            same(
              `getVersion(${version}) table (model: ${frame.name})`,
              fingerprint(table),
              frame.fingerprint,
            ),
        );
      },
      applicable(t),
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
  undo: undoArb,
  redo: redoArb,
  restore: restoreArb,
  getVersion: getVersionArb,
  listVersions: listVersionsArb,
  getSession: getSessionArb,
  getDataFrame: getDataFrameArb,
  ...annotationCommands,
};

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
  return enabled.map((n) => COMMANDS[n]!);
}
