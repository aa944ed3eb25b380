import {
  Field,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import * as fc from 'fast-check';
import type { ModelFrame } from './session-model.js';

/**
 * Tiny random tables for the model test: a first int column named `tag<n>` (so even 0-row frames are told
 * apart), then 0–2 int or string columns with nulls, 0–20 rows.
 */

type Cell = number | string | null;

interface ColumnSpec {
  name: string;
  kind: 'int' | 'str';
  values: Cell[];
}

export interface TableSpec {
  tag: number;
  rows: number;
  columns: ColumnSpec[];
}

const STRINGS = ['x', 'y', '', 'ünïcödé', '📦'];

function columnArb(name: string, rows: number): fc.Arbitrary<ColumnSpec> {
  const cells = <T>(cell: fc.Arbitrary<T>) =>
    fc.array(fc.option(cell, { nil: null, freq: 5 }), { minLength: rows, maxLength: rows });
  return fc.oneof(
    cells(fc.integer({ min: -1000, max: 1000 })).map((values): ColumnSpec => ({ name, kind: 'int', values })),
    cells(fc.constantFrom(...STRINGS)).map((values): ColumnSpec => ({ name, kind: 'str', values })),
  );
}

export const tableSpecArb: fc.Arbitrary<TableSpec> = fc
  .record({ tag: fc.nat({ max: 9999 }), rows: fc.integer({ min: 0, max: 20 }), extra: fc.nat({ max: 2 }) })
  .chain(({ tag, rows, extra }) =>
    fc
      .tuple(columnArb(`tag${tag}`, rows), ...['a', 'b'].slice(0, extra).map((name) => columnArb(name, rows)))
      .map((columns): TableSpec => ({ tag, rows, columns })),
  );

/**
 * Built from one record batch: `new Table({ a: emptyVector })` gives a 0-row table whose struct children are
 * Vectors instead of Data, which is an arrow-js quirk and not what this test is about.
 */
export function buildTable(spec: TableSpec): Table {
  const vectors = spec.columns.map((c) =>
    c.kind === 'int' ? vectorFromArray(c.values, new Int32()) : vectorFromArray(c.values, new Utf8()),
  );
  const fields = spec.columns.map((c, i) => new Field(c.name, vectors[i]!.type, true));
  const children = vectors.map((v) => v.data[0]!);
  const data = makeData({ type: new Struct(fields), length: spec.rows, nullCount: 0, children });
  return new Table(new RecordBatch(new Schema(fields), data));
}

/** Schema (name, type, nullability) and every value; BigInts are spelled out so JSON can hold them. */
export function fingerprint(table: Table): string {
  const fields = table.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`);
  const rows: unknown[][] = [];
  for (let i = 0; i < table.numRows; i += 1) {
    rows.push(
      table.schema.fields.map((_, j) => {
        const value: unknown = table.getChildAt(j)?.get(i);
        return typeof value === 'bigint' ? `${value}n` : value;
      }),
    );
  }
  return JSON.stringify({ fields, rows });
}

export const specName = (spec: TableSpec): string => `tag${spec.tag}(${spec.rows}x${spec.columns.length})`;

/** The table to send and the frame the model keeps for it. */
export function frameOf(spec: TableSpec): { table: Table; frame: ModelFrame } {
  const table = buildTable(spec);
  return {
    table,
    frame: {
      fingerprint: fingerprint(table),
      rows: table.numRows,
      columns: table.schema.fields.map((f) => f.name),
      name: specName(spec),
    },
  };
}
