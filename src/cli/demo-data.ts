import { type Table, vectorFromArray } from 'apache-arrow';
import { assembleTable } from '../formats/cell-table.js';
import { readCsv as csvToTable } from '../formats/csv-read.js';

/** The demo's starting table, read through the same CSV inference as POST /sessions. */
export function demoTable(): Table {
  const csv = [
    'order_id,customer,amount,paid,notes',
    '1001,Ana García,19.99,true,',
    '1002,Björn,,false,call back',
    '1003,Chen Wei,5.50,true,',
    '1004,Dana,120,true,gift wrap',
    '1005,,42.00,false,',
  ].join('\n');
  return csvToTable(Buffer.from(csv));
}

/** The demo's edit: keep only rows whose `column` has a value (a typical cleaning step). */
export function dropRowsMissing(table: Table, column: string): Table {
  const probe = table.getChild(column);
  const keep: number[] = [];
  for (let row = 0; row < table.numRows; row++) if (probe?.get(row) != null) keep.push(row);
  const vectors = table.schema.fields.map((field, index) => {
    const source = table.getChildAt(index)!;
    return vectorFromArray(
      keep.map((row) => source.get(row)),
      field.type,
    );
  });
  return assembleTable(
    table.schema.fields.map((field) => field.name),
    vectors,
    keep.length,
  );
}
