import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ParsePool } from '../../src/formats/parse-pool.js';
import { packTable, unpackTable } from '../../src/formats/table-transfer.js';
import { seedTables } from '../fuzz/arrow-mutate.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';

const MB = 1024 * 1024;
const OPTIONS = { maxColumns: 1000, maxBytes: 64 * MB };

/** Through a real structured clone with the transfer list, as between a worker and the main thread. */
function sendAcross(table: Table): { back: Table; moved: ArrayBuffer[] } {
  const { packed, transfer } = packTable(table);
  const received = structuredClone(packed, { transfer });
  return { back: unpackTable(received), moved: transfer };
}

describe('table transfer (parse worker → main thread without an IPC copy)', () => {
  it('brings back every seed type exactly: dictionaries, nested, nulls, several batches', () => {
    const [flat] = seedTables();
    for (const table of [...seedTables(), flat!.concat(flat!)]) {
      // The seeds share buffers with their own IPC round trip; a fresh read owns its buffers.
      const expected = tableFromIPC(tableToIPC(table, 'stream'));
      const { back } = sendAcross(tableFromIPC(tableToIPC(table, 'stream')));
      expect(back.batches.length).toBe(expected.batches.length);
      expect(tableToIPC(back, 'stream')).toEqual(tableToIPC(expected, 'stream'));
    }
    expect(sendAcross(flat!.concat(flat!)).back.batches).toHaveLength(2);
  });

  it('moves large buffers instead of copying them, and keeps a zero-row table', () => {
    const table = makeRealisticTable(20_000, 8);
    const copy = tableFromIPC(tableToIPC(table, 'stream'));
    const { back, moved } = sendAcross(table);
    assertTablesEqual(back, copy);
    expect(moved.length).toBeGreaterThan(0);
    // Transferred: the sender's buffers are detached.
    for (const buffer of moved) expect(buffer.byteLength).toBe(0);
    const empty = sendAcross(new Table(copy.schema)).back;
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(copy.schema.fields.map((f) => f.name));
  });

  it('a handed-over body is moved to the worker; one not handed over is left intact', async () => {
    const pool = new ParsePool({ maxBytes: OPTIONS.maxBytes, threads: 1 });
    try {
      const csv = 'a,b,when\n1,x,2024-01-02\n2,,2024-01-03\n';
      const kept = new Uint8Array(Buffer.from(csv));
      const parsed = await pool.parseTable('csv', kept, OPTIONS);
      expect(kept.byteLength).toBe(csv.length);
      const handed = new Uint8Array(new ArrayBuffer(csv.length));
      handed.set(Buffer.from(csv));
      const moved = await pool.parseTable('csv', handed, OPTIONS, undefined, true);
      expect(handed.byteLength).toBe(0);
      assertTablesEqual(moved, parsed);
      expect(moved.getChild('b')?.toArray()).toEqual(['x', null]);
    } finally {
      await pool.close();
    }
  });
});
