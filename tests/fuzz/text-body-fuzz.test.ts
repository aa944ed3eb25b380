import { Table } from 'apache-arrow';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { isStorageError } from '../../src/contract/errors.js';
import { readCsv as csvToTable } from '../../src/formats/csv-read.js';
import { readJsonRows as jsonRowsToTable } from '../../src/formats/json-read.js';
import { xlsxToTables } from '../../src/formats/xlsx-read.js';
import { threeSheetWorkbook } from '../http/xlsx-fixtures.js';

/**
 * Fuzzing the text and spreadsheet body readers (CSV, JSON rows, xlsx): for any bytes they return a table
 * or refuse with a StorageError (INVALID_INPUT / PAYLOAD_TOO_LARGE), quickly — never another exception.
 * A fixed budget in CI; FUZZ_RUNS raises it, FUZZ_SEED replays a run (the seed is always printed).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const PER_CASE_MS = 2_000;
const ALLOWED = new Set(['INVALID_INPUT', 'PAYLOAD_TOO_LARGE']);

beforeAll(() => {
  console.log(`text body fuzz: seed ${SEED}, ${RUNS} runs per reader (replay: FUZZ_SEED=${SEED})`);
});

/** A mutation of `base`: flipped bytes, inserted special bytes, a cut, or a repeated slice. */
const mutated = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc
    .array(
      fc.oneof(
        fc.record({
          kind: fc.constant('flip' as const),
          at: fc.nat(),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          byte: fc.constantFrom(0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0x09, 0x00, 0x5b, 0x7b, 0x7d, 0x5d, 0xff, 0xc3),
        }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({
          kind: fc.constant('repeat' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 64 }),
        }),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((edits) => {
      let bytes = Buffer.from(base);
      for (const edit of edits) {
        const at = bytes.length === 0 ? 0 : edit.at % bytes.length;
        if (edit.kind === 'flip') bytes[at] = edit.byte;
        else if (edit.kind === 'insert')
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(edit.byte), bytes.subarray(at)]);
        else if (edit.kind === 'cut') bytes = bytes.subarray(0, at);
        else
          bytes = Buffer.concat([
            bytes.subarray(0, at),
            bytes.subarray(at, at + edit.length).fill(bytes[at] ?? 0x61),
            bytes.subarray(at),
          ]);
      }
      return new Uint8Array(bytes);
    });

async function expectTableOrStorageError(read: () => unknown): Promise<void> {
  const started = performance.now();
  try {
    const out = await read();
    const tables = out instanceof Table ? [out] : Object.values(out as Record<string, Table>);
    for (const table of tables) expect(table).toBeInstanceOf(Table);
  } catch (error) {
    if (!isStorageError(error) || !ALLOWED.has(error.code)) throw error;
  }
  expect(performance.now() - started).toBeLessThan(PER_CASE_MS);
}

const CSV = Buffer.from(
  'id,name,score,when,flag\n1,"Ana, B",9.5,2024-01-31,true\n2,"say ""hi""",,2024-02-01T10:20:30.123456Z,false\n3,Chen,7.25,1969-12-31,\n',
);
const JSON_ROWS = Buffer.from(
  JSON.stringify([
    { id: 1, name: 'Ana', nested: { a: [1, 2] }, when: '2024-01-31' },
    { id: 2, name: null, score: 1.5, when: '2024-02-01T10:20:30Z' },
  ]),
);

test('CSV: mutated bodies', async () => {
  await fc.assert(
    fc.asyncProperty(mutated(CSV), (bytes) => expectTableOrStorageError(() => csvToTable(bytes))),
    { numRuns: RUNS, seed: SEED },
  );
});

test('CSV: random text', async () => {
  const cell = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('"', '""', ',', '\n', '\r\n', ';', '\t'),
  );
  const body = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });
  await fc.assert(
    fc.asyncProperty(body, (rows) =>
      expectTableOrStorageError(() => csvToTable(Buffer.from(rows.map((row) => row.join(',')).join('\n')))),
    ),
    { numRuns: RUNS, seed: SEED + 1 },
  );
});

test('JSON rows: mutated bodies and arbitrary JSON', async () => {
  await fc.assert(
    fc.asyncProperty(mutated(JSON_ROWS), (bytes) => expectTableOrStorageError(() => jsonRowsToTable(bytes))),
    { numRuns: RUNS, seed: SEED + 2 },
  );
  await fc.assert(
    fc.asyncProperty(fc.json({ depthSize: 'medium' }), (text) =>
      expectTableOrStorageError(() => jsonRowsToTable(Buffer.from(text))),
    ),
    { numRuns: RUNS, seed: SEED + 3 },
  );
});

test('xlsx: mutated workbooks', async () => {
  const workbook = await threeSheetWorkbook();
  const limits = { maxBytes: 8 * 1024 * 1024 };
  await fc.assert(
    fc.asyncProperty(mutated(workbook), (bytes) =>
      expectTableOrStorageError(() => xlsxToTables(Buffer.from(bytes), limits)),
    ),
    { numRuns: Math.max(10, Math.floor(RUNS / 5)), seed: SEED + 4 },
  );
}, 120_000);

test('xlsx: random workbooks (names, cell values, shapes)', async () => {
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.date({ min: new Date(-2e12), max: new Date(4e12), noInvalidDate: true }),
  );
  const sheet = fc.record({
    name: fc.string({ minLength: 1, maxLength: 31 }).filter((name) => !/[\\/?*[\]:]/.test(name)),
    rows: fc.array(fc.array(value, { maxLength: 6 }), { maxLength: 8 }),
  });
  const limits = { maxBytes: 8 * 1024 * 1024 };
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(sheet, { minLength: 1, maxLength: 3, selector: (s) => s.name.toLowerCase() }),
      async (sheets) => {
        let bytes: Buffer;
        try {
          const workbook = new ExcelJS.Workbook();
          for (const spec of sheets) {
            const ws = workbook.addWorksheet(spec.name);
            for (const row of spec.rows) ws.addRow(row);
          }
          bytes = Buffer.from(await workbook.xlsx.writeBuffer());
        } catch {
          return; // exceljs itself refuses this workbook (e.g. a sheet name edged by a quote): nothing to read
        }
        await expectTableOrStorageError(() => xlsxToTables(bytes, limits));
      },
    ),
    { numRuns: Math.max(10, Math.floor(RUNS / 5)), seed: SEED + 5 },
  );
}, 120_000);
