import type { Table } from 'apache-arrow';
import fc from 'fast-check';
import { isStorageError } from '../../src/contract/errors.js';
import { CSV_DELIMITERS, readCsv } from '../../src/formats/index.js';

// Printed in the test name so a failure can be replayed: FC_SEED=<seed> npx jest tests/formats/csv-property
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.FC_RUNS ?? 150);

type Column = { kind: 'int'; cells: (bigint | null)[] } | { kind: 'text'; cells: string[] };

/** RFC 4180 quoting: a cell holding a quote, a line break or any candidate separator is quoted. */
const quote = (cell: string, always: boolean) =>
  always || /[",;\t|\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;

const tableArb = (minColumns: number) =>
  fc.integer({ min: 1, max: 30 }).chain((rows) =>
    fc.record({
      names: fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: minColumns, maxLength: 6 }),
      columns: fc.array(
        fc.oneof(
          fc
            .array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), {
              minLength: rows,
              maxLength: rows,
            })
            .map((cells): Column => ({ kind: 'int', cells })),
          // A leading letter keeps a text column text (no accidental int/date column).
          fc
            .array(
              fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => `s${s}`),
              {
                minLength: rows,
                maxLength: rows,
              },
            )
            .map((cells): Column => ({ kind: 'text', cells })),
        ),
        { minLength: 6, maxLength: 6 },
      ),
      delimiter: fc.constantFrom(...CSV_DELIMITERS),
      newline: fc.constantFrom('\n', '\r\n'),
      quoteAll: fc.boolean(),
    }),
  );

function writeCsv(names: string[], columns: Column[], delimiter: string, newline: string, quoteAll: boolean) {
  const rows = columns[0]!.cells.length;
  const header = names.map((name, i) => quote(`c${i}${name}`, quoteAll)).join(delimiter);
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    lines.push(
      names
        .map((_, c) => {
          const cell = columns[c]!.cells[r];
          // A lone empty field would be a blank line, which readers skip (as pandas does): quote it.
          if (cell === null) return names.length === 1 ? '""' : '';
          return quote(String(cell), quoteAll);
        })
        .join(delimiter),
    );
  }
  return lines.join(newline) + newline;
}

function expectSame(table: Table, names: string[], columns: Column[]): void {
  expect(table.schema.fields.map((f) => f.name)).toEqual(names.map((name, i) => `c${i}${name}`));
  names.forEach((_, c) => {
    const column = columns[c]!;
    const got = [...table.getChildAt(c)!];
    if (column.kind === 'text') expect(got).toEqual(column.cells);
    else if (column.cells.every((cell) => cell === null)) expect(got).toEqual(column.cells.map(() => null));
    else expect(got).toEqual(column.cells);
  });
}

describe(`CSV property (seed ${seed})`, () => {
  it('a table of random strings and int64s written as CSV reads back equal', () => {
    fc.assert(
      fc.property(tableArb(1), ({ names, columns, delimiter, newline, quoteAll }) => {
        const text = writeCsv(names, columns, delimiter, newline, quoteAll);
        expectSame(readCsv(Buffer.from(text), { delimiter }), names, columns.slice(0, names.length));
      }),
      { seed, numRuns: runs },
    );
  });

  it('the separator is sniffed when cells holding any separator are quoted', () => {
    fc.assert(
      fc.property(tableArb(2), ({ names, columns, delimiter, newline, quoteAll }) => {
        const text = writeCsv(names, columns, delimiter, newline, quoteAll);
        expectSame(readCsv(text), names, columns.slice(0, names.length));
      }),
      { seed, numRuns: runs },
    );
  });

  it('any bytes give a table or a typed StorageError, never another exception', () => {
    // Bytes biased towards CSV syntax, so quotes, separators and line breaks meet in every order.
    const csvByte = fc.oneof(
      fc.constantFrom(0x22, 0x2c, 0x3b, 0x09, 0x7c, 0x0a, 0x0d, 0x30, 0x31, 0x2d, 0x3a, 0x54, 0x2e),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(
        fc.array(csvByte, { maxLength: 200 }),
        fc.option(fc.constantFrom(...CSV_DELIMITERS)),
        (bytes, delimiter) => {
          try {
            const table = readCsv(Uint8Array.from(bytes), delimiter === null ? {} : { delimiter });
            expect(table.numCols).toBeGreaterThan(0);
          } catch (error) {
            if (!isStorageError(error)) throw error;
          }
        },
      ),
      { seed, numRuns: runs * 4 },
    );
  });
});
