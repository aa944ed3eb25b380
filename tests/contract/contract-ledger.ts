import { Table as ArrowTable, Int32, type Table, Utf8, vectorFromArray } from 'apache-arrow';

/** A tiny append-only table (writer, step) used to prove that no concurrent write was lost. */
export interface LedgerRow {
  writer: string;
  step: number;
}

export function makeLedger(rows: LedgerRow[]): Table {
  return new ArrowTable({
    writer: vectorFromArray(
      rows.map((row) => row.writer),
      new Utf8(),
    ),
    step: vectorFromArray(
      rows.map((row) => row.step),
      new Int32(),
    ),
  });
}

export function ledgerRows(table: Table): LedgerRow[] {
  const writers = table.getChild('writer');
  const steps = table.getChild('step');
  if (writers === null || steps === null) throw new Error('not a ledger table');
  return Array.from({ length: table.numRows }, (_, i) => ({
    writer: String(writers.get(i)),
    step: Number(steps.get(i)),
  }));
}

/** The ledger with one more row. */
export function appendToLedger(table: Table, writer: string, step: number): Table {
  return makeLedger([...ledgerRows(table), { writer, step }]);
}
