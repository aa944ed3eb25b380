import * as fc from 'fast-check';
import { auditOf, expectOutcome, ModelCommand, markOf, same, stable } from './model-check.js';
import { compareMarks, type ModelAudit, type ModelMark, type SessionModel } from './session-model.js';

/** fast-check commands for metadata, marks and the audit log. */

const META_KEYS = ['a', 'note', 'constructor', 'prototype'];
const META_VALUES: unknown[] = [null, undefined, 0, 7, 'x', '', true, { x: [1, 'y'] }, [null, 2]];

/** Sorted entries, so both sides compare whatever key order they keep. */
export const entries = (record: Record<string, unknown> | Map<string, unknown>) =>
  [...(record instanceof Map ? record.entries() : Object.entries(record))].sort(([a], [b]) =>
    a < b ? -1 : 1,
  );

/** A patch whose keys are own properties, `__proto__` included (a literal would set the prototype). */
function patchOf(pairs: [string, unknown][]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    Object.defineProperty(patch, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return patch;
}

function updateMetadataArb(keys: string[]): fc.Arbitrary<ModelCommand> {
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...META_VALUES)), {
      selector: ([k]) => k,
      minLength: 1,
      maxLength: 3,
    })
    .map(
      (pairs) =>
        new ModelCommand(`updateMetadata(${stable(patchOf(pairs))})`, async (m, r) => {
          const patch = patchOf(pairs);
          const expected = m.updateMetadata(patch);
          await expectOutcome(
            'updateMetadata',
            expected,
            () => r.backend.updateMetadata(r.id, patch),
            (actual, map) => same('updateMetadata → merged', entries(actual), entries(map)),
          );
        }),
    );
}

const getMetadataArb = fc.constant(
  new ModelCommand('getMetadata()', async (m, r) => {
    same('getMetadata', entries(await r.backend.getMetadata(r.id)), entries(m.metadata));
  }),
);

/**
 * A cell of the current frame, resolved when the step runs: `cell#r,c` is row r % rows, column c % columns,
 * so only valid cells are marked (a 0-row frame disables the mark commands).
 */
const cellArb = fc.record({ row: fc.nat({ max: 40 }), column: fc.nat({ max: 5 }) });

const resolveCell = (m: SessionModel, c: { row: number; column: number }) => ({
  row: c.row % m.current.rows,
  column: m.current.columns[c.column % m.current.columns.length]!,
});

/** Distinct cells only: the doc does not say what a batch naming one cell twice does. */
function distinctCells<T extends { row: number; column: string }>(cells: T[]): T[] {
  const seen = new Set<string>();
  return cells.filter((c) => {
    const key = `${c.row}\u0000${c.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const hasCells = (m: SessionModel) => m.current.rows > 0;
const REASONS = [undefined, 'n/a', 'not asked', 'ünïcödé'];
const describeCells = (cells: { row: number; column: number }[]) =>
  cells.map((c) => `cell#${c.row},${c.column}`).join(' ');

const markArb = fc
  .record({
    cells: fc.array(fc.record({ cell: cellArb, reason: fc.constantFrom(...REASONS) }), {
      minLength: 1,
      maxLength: 3,
    }),
    batch: fc.boolean(),
  })
  .map(({ cells, batch }) => {
    const call = batch ? 'markIntentionalMissingBatch' : 'markIntentionalMissing';
    const used = batch ? cells : cells.slice(0, 1);
    const reasons = used.map((c) => JSON.stringify(c.reason)).join(' ');
    return new ModelCommand(
      `${call}(${describeCells(used.map((c) => c.cell))} reasons ${reasons})`,
      async (m, r) => {
        const marks: ModelMark[] = distinctCells(
          used.map((c) => ({
            ...resolveCell(m, c.cell),
            ...(c.reason !== undefined ? { reason: c.reason } : {}),
          })),
        );
        const what = `${call}(${stable(marks)})`;
        await expectOutcome(
          what,
          m.mark(marks),
          () =>
            batch
              ? r.backend.markIntentionalMissingBatch(r.id, marks)
              : r.backend.markIntentionalMissing(r.id, marks[0]!),
          () => undefined,
        );
      },
      hasCells,
    );
  });

const getMarksArb = fc.constant(
  new ModelCommand('getIntentionalMissing()', async (m, r) => {
    const actual = (await r.backend.getIntentionalMissing(r.id)).map(markOf).sort(compareMarks);
    same('getIntentionalMissing', actual, m.listMarks());
  }),
);

const clearMarksArb = fc.option(fc.array(cellArb, { minLength: 1, maxLength: 3 }), { nil: undefined }).map(
  (seeds) =>
    new ModelCommand(
      `clearIntentionalMissing(${seeds === undefined ? '' : describeCells(seeds)})`,
      async (m, r) => {
        const cells = seeds === undefined ? undefined : distinctCells(seeds.map((c) => resolveCell(m, c)));
        await expectOutcome(
          `clearIntentionalMissing(${cells === undefined ? '' : stable(cells)})`,
          m.clearMarks(cells),
          () => r.backend.clearIntentionalMissing(r.id, cells),
          (removed, count) => same('clearIntentionalMissing → removed', removed, count),
        );
      },
      (m) => seeds === undefined || hasCells(m),
    ),
);

const auditInputArb = fc
  .record(
    {
      operation: fc.constantFrom('note', 'export', 'upload', 'undo'),
      details: fc.constantFrom<Record<string, unknown>>(
        {},
        { why: 'check' },
        { n: [1, 2], deep: { y: null } },
      ),
      user: fc.constantFrom('ana', 'bo', ''),
      rowsBefore: fc.nat({ max: 30 }),
      rowsAfter: fc.nat({ max: 30 }),
    },
    { requiredKeys: ['operation'] },
  )
  .map(
    (input) => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as typeof input,
  );

const addAuditArb = auditInputArb.map(
  (input) =>
    new ModelCommand(`addAuditEntry(${stable(input)})`, async (m, r) => {
      await expectOutcome(
        'addAuditEntry',
        m.addAuditEntry(input),
        () => r.backend.addAuditEntry(r.id, input),
        (actual, entry) => same('addAuditEntry → entry', auditOf(actual), entry),
      );
    }),
);

/** Entry 1 without its details: those (filename, columns) are checked by uploadAudit alone. */
export const withoutUploadDetails = (log: ModelAudit[]) =>
  log.map(({ details, ...rest }) => (rest.seq === 1 ? rest : { ...rest, details }));

const getAuditArb = fc
  .option(fc.record({ offset: fc.nat({ max: 8 }), limit: fc.integer({ min: 1, max: 8 }) }), {
    nil: undefined,
  })
  .map(
    (query) =>
      new ModelCommand(`getAuditLog(${query === undefined ? '' : stable(query)})`, async (m, r) => {
        await expectOutcome(
          'getAuditLog',
          m.getAuditLog(query),
          () => r.backend.getAuditLog(r.id, query),
          (actual, log) =>
            same(
              `getAuditLog(${stable(query)})`,
              withoutUploadDetails(actual.map(auditOf)),
              withoutUploadDetails(log),
            ),
        );
      }),
  );

const uploadAuditArb = fc.constant(
  new ModelCommand('getAuditLog({offset:0,limit:1}) (the upload entry)', async (m, r) => {
    const actual = await r.backend.getAuditLog(r.id, { offset: 0, limit: 1 });
    same('upload audit entry', actual.map(auditOf), m.audit.slice(0, 1));
  }),
);

export const annotationCommands: Record<string, fc.Arbitrary<ModelCommand>> = {
  updateMetadata: updateMetadataArb(META_KEYS),
  /** `__proto__` as an own key: its own command, since both backends drop it today. */
  updateMetadataProto: updateMetadataArb(['__proto__', ...META_KEYS]),
  getMetadata: getMetadataArb,
  mark: markArb,
  getMarks: getMarksArb,
  clearMarks: clearMarksArb,
  addAudit: addAuditArb,
  getAudit: getAuditArb,
  uploadAudit: uploadAuditArb,
};
