import {
  Dictionary,
  Field,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  tableFromArrays,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { encodeFrame } from '../../src/codec/frame-codec.js';
import type { SessionSnapshot, StorageBackend } from '../../src/contract/storage-backend.js';
import { sessionBlobs } from '../helpers/blobs.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';
import { type StorageInspector, storageInspector } from './contract-storage.js';

/** Column chunks (§7, docs/chunks.md), counted in stored blobs, never in time. */

const CHUNK_ROWS = 1024;
/** 3 row ranges of 1024, the last one shorter. */
const ROWS = 2500;

/**
 * `table` with column `index` replaced by new values of the same type (the other columns keep their Arrow
 * Data, as after a cleaning step); `setChildAt` keeps the field, so the type must not change.
 */
function withColumn(table: Table, index: number, seed: number): Table {
  const field = table.schema.fields[index]!;
  const n = (i: number) => (i * 7 + seed) % 101;
  const values = Array.from({ length: table.numRows }, (_, i): unknown => {
    switch (field.type.typeId) {
      case Type.Int:
        return String(field.type) === 'Int64' ? BigInt(n(i)) : n(i);
      case Type.Bool:
        return n(i) % 2 === 0;
      case Type.Utf8:
      case Type.Dictionary:
        return `value ${n(i)}`;
      case Type.Timestamp:
        return n(i) * 1000;
      default:
        return n(i) + 0.5;
    }
  });
  return table.setChildAt(index, vectorFromArray(values, field.type));
}

/** A table with dictionary, list and struct columns and nulls, over several chunks. */
function nestedTable(rows: number): Table {
  const words = ['alpha', 'beta', 'gamma', null];
  const dictType = new Dictionary(new Utf8(), new Int32());
  const dict = vectorFromArray(
    Array.from({ length: rows }, (_, i) => words[i % 4] ?? null),
    dictType,
  );
  const listType = new List(new Field('item', new Int32(), true));
  const lists = vectorFromArray(
    Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : [i, i + 1].slice(0, i % 3))),
    listType,
  );
  const structType = new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)]);
  const structs = vectorFromArray(
    Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : { x: i, y: `v${i}` })),
    structType,
  );
  const fields = [
    new Field('word', dictType, true),
    new Field('pair', listType, true),
    new Field('point', structType, true),
  ];
  const schema = new Schema(fields, new Map([['source', 'contract']]));
  const children = [dict.data[0]!, lists.data[0]!, structs.data[0]!];
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }),
  );
  return new Table(schema, [batch]);
}

export function chunkTests(ctx: ContractContext): void {
  let backend: StorageBackend;
  let storage: StorageInspector;
  beforeAll(async () => {
    backend = await ctx.create({ FRAME_CHUNK_ROWS: String(CHUNK_ROWS), MAX_VERSIONS: '3' });
    storage = storageInspector(ctx.harness.env());
  });
  afterAll(() => storage?.close());

  test('a one-column step stores that column only; the other columns are shared with the version before', async () => {
    const { sessionId } = await backend.createSession(makeRealisticTable(ROWS, 6));
    const before = await storage.blobs(sessionId);
    expect(before).toHaveLength(6 * 3);
    expect(before).toEqual(await sessionBlobs(backend, sessionId));
    const step = withColumn(await backend.getDataFrame(sessionId), 2, 1);
    await backend.updateDataFrame(sessionId, step, { operation: 'round' });
    const after = await storage.blobs(sessionId);
    expect(after).toHaveLength(6 * 3 + 3);
    expect(after).toEqual(expect.arrayContaining(before));
    const info = await backend.getSession(sessionId);
    const [version] = await backend.listVersions(sessionId);
    // Each frame still reports its own full size.
    expect(info.bytes).toBeGreaterThan(0);
    expect(version!.bytes).toBeGreaterThan(0);
    assertTablesEqual(await backend.getDataFrame(sessionId), step);
  });

  test('a deep copy (no shared Data) with one changed column still shares the other columns', async () => {
    const { sessionId } = await backend.createSession(makeRealisticTable(ROWS, 6));
    const copy = withColumn(makeRealisticTable(ROWS, 6), 4, 2);
    await backend.updateDataFrame(sessionId, copy, { operation: 'recode' });
    expect(await storage.blobs(sessionId)).toHaveLength(6 * 3 + 3);
    // The very same values again: nothing new to store.
    await backend.updateDataFrame(sessionId, withColumn(makeRealisticTable(ROWS, 6), 4, 2), {
      operation: 'again',
    });
    expect(await storage.blobs(sessionId)).toHaveLength(6 * 3 + 3);
  });

  test('undo, redo and restore are exact through shared chunks', async () => {
    const v1 = makeRealisticTable(ROWS, 5);
    const { sessionId } = await backend.createSession(v1);
    const v2 = withColumn(await backend.getDataFrame(sessionId), 0, 3);
    await backend.updateDataFrame(sessionId, v2, { operation: 'a' });
    const v3 = withColumn(await backend.getDataFrame(sessionId), 3, 4);
    await backend.updateDataFrame(sessionId, v3, { operation: 'b' });
    await backend.undoLastChange(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), v2);
    await backend.undoLastChange(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), v1);
    await backend.redo(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), v2);
    // after the redo, the newest version is the v1 frame the redo left
    const first = (await backend.listVersions(sessionId)).at(-1)!.version;
    assertTablesEqual(await backend.getVersion(sessionId, first), v1);
    await backend.restoreVersion(sessionId, first);
    assertTablesEqual(await backend.getDataFrame(sessionId), v1);
    // A fresh instance (empty cache) reads the same tables from the stored chunks.
    const fresh = await ctx.create({ FRAME_CHUNK_ROWS: String(CHUNK_ROWS), MAX_VERSIONS: '3' });
    assertTablesEqual(await fresh.getDataFrame(sessionId), v1);
  });

  test('dictionary, list and struct columns with nulls and schema metadata come back exactly', async () => {
    const table = nestedTable(ROWS);
    const { sessionId } = await backend.createSession(table);
    const before = (await backend.exportSession(sessionId)).currentManifest!;
    const fresh = await ctx.create({ FRAME_CHUNK_ROWS: String(CHUNK_ROWS) });
    assertTablesEqual(await fresh.getDataFrame(sessionId), table);
    const part = await fresh.getDataFrame(sessionId, {
      columns: ['word', 'point'],
      offset: 1000,
      limit: 100,
    });
    assertTablesEqual(part, table.select(['word', 'point']).slice(1000, 1100));
    const next = table.setChildAt(
      1,
      vectorFromArray(
        Array.from({ length: ROWS }, () => [1]),
        table.schema.fields[1]!.type,
      ),
    );
    await backend.updateDataFrame(sessionId, next, { operation: 'fill' });
    assertTablesEqual(await fresh.getDataFrame(sessionId), next);
    // 'word' and 'point' name the same chunks as before; every range of 'pair' is new
    const after = (await backend.exportSession(sessionId)).currentManifest!;
    expect(after.columns[0]!.chunks).toEqual(before.columns[0]!.chunks);
    expect(after.columns[2]!.chunks).toEqual(before.columns[2]!.chunks);
    for (const chunk of after.columns[1]!.chunks) expect(before.columns[1]!.chunks).not.toContain(chunk);
    expect(await storage.blobs(sessionId)).toEqual(await sessionBlobs(backend, sessionId));
  });

  test('partial reads are exact at chunk edges', async () => {
    const table = makeRealisticTable(ROWS, 4);
    const { sessionId } = await backend.createSession(table);
    const fresh = await ctx.create({ FRAME_CHUNK_ROWS: String(CHUNK_ROWS) });
    const names = table.schema.fields.map((f) => f.name);
    const cases: [number, number][] = [
      [1020, 10],
      [1024, 1024],
      [1023, 1026],
      [0, ROWS],
      [2047, 2],
      [2048, 452],
      [2499, 5],
      [ROWS, 1],
      [9000, 3],
      [100, 0],
    ];
    for (const [offset, limit] of cases) {
      const columns = [names[2]!, names[0]!];
      const part = await fresh.getDataFrame(sessionId, { columns, offset, limit });
      const end = Math.min(ROWS, offset + limit);
      assertTablesEqual(
        part,
        table.select(columns).slice(Math.min(offset, ROWS), Math.max(end, Math.min(offset, ROWS))),
      );
    }
    await expectCode(() => fresh.getDataFrame(sessionId, { columns: ['nope'] }), 'INVALID_INPUT');
  });

  test('diffVersions names exactly the changed columns', async () => {
    const { sessionId, version } = await backend.createSession(makeRealisticTable(ROWS, 6));
    const step = withColumn(await backend.getDataFrame(sessionId), 5, 6);
    const after = await backend.updateDataFrame(sessionId, step, { operation: 'x' });
    const diff = await backend.diffVersions(sessionId, version, after.version);
    expect(diff.columnsChanged).toEqual([step.schema.fields[5]!.name]);
    expect(diff.columnsUnchanged).toHaveLength(5);
    expect(diff.columnsAdded).toEqual([]);
    expect(diff.columnsRemoved).toEqual([]);
  });

  test('dropping history and deleting the session free every chunk', async () => {
    const { sessionId } = await backend.createSession(makeRealisticTable(ROWS, 3));
    for (let k = 0; k < 6; k += 1) {
      const step = withColumn(await backend.getDataFrame(sessionId), k % 3, 10 + k);
      await backend.updateDataFrame(sessionId, step, { operation: `s${k}` });
      // exactly what current + history (MAX_VERSIONS 3) name, nothing more
      expect(await storage.blobs(sessionId)).toEqual(await sessionBlobs(backend, sessionId));
    }
    expect(await backend.deleteSession(sessionId)).toBe(true);
    expect(await storage.blobs(sessionId)).toEqual([]);
  });

  test('a chunk damaged in storage is CORRUPT_DATA; chunks it does not touch still read', async () => {
    const table = makeRealisticTable(ROWS, 3);
    const { sessionId } = await backend.createSession(table);
    const snapshot = await backend.exportSession(sessionId);
    const victim = snapshot.currentManifest!.columns[1]!.chunks[2]!;
    await storage.corrupt(sessionId, victim);
    const fresh = await ctx.create({ FRAME_CHUNK_ROWS: String(CHUNK_ROWS) });
    await expectCode(() => fresh.getDataFrame(sessionId), 'CORRUPT_DATA');
    const name = table.schema.fields[0]!.name;
    assertTablesEqual(await fresh.getDataFrame(sessionId, { columns: [name] }), table.select([name]));
  });

  test('tables with no rows or no columns round-trip', async () => {
    const empty = makeRealisticTable(0, 3);
    const { sessionId } = await backend.createSession(empty);
    assertTablesEqual(await backend.getDataFrame(sessionId), empty);
    const one = tableFromArrays({ a: Int32Array.from([1]) });
    await backend.updateDataFrame(sessionId, one, { operation: 'fill' });
    assertTablesEqual(await backend.getDataFrame(sessionId), one);
    await backend.undoLastChange(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), empty);
  });
}

/** Whole-frame sessions (written before column chunks) stay readable and become chunked on their next update. */
export function wholeFrameCompatibilityTests(ctx: ContractContext): void {
  test('a session stored in the whole-frame format reads, updates into chunks, undoes back, and exports as stored', async () => {
    const backend = ctx.backend;
    const older = makeRealisticTable(300, 4, 1);
    const newer = makeRealisticTable(300, 4, 2);
    const { sessionId } = await backend.createSession(newer);
    const base = await backend.exportSession(sessionId);
    const codec = { serialization: 'arrow' as const, compression: 'snappy' as const, maxFrameBytes: 1e9 };
    const { currentManifest: _chunked, ...rest } = base;
    const whole: SessionSnapshot = {
      ...rest,
      currentFrameId: 'legacyCurrent',
      history: [
        {
          frameId: 'legacyOlder',
          info: { version: 1, operation: 'edit', createdAt: base.createdAt, rows: 300, columns: 4, bytes: 1 },
        },
      ],
      redo: [],
      version: 2,
      frames: { legacyCurrent: encodeFrame(newer, codec), legacyOlder: encodeFrame(older, codec) },
    };
    await backend.importSession(whole, { overwrite: true });
    assertTablesEqual(await backend.getDataFrame(sessionId), newer);
    assertTablesEqual(await backend.getVersion(sessionId, 1), older);
    assertTablesEqual(
      await backend.getDataFrame(sessionId, {
        columns: [newer.schema.fields[1]!.name],
        offset: 10,
        limit: 5,
      }),
      newer.select([newer.schema.fields[1]!.name]).slice(10, 15),
    );
    const diff = await backend.diffVersions(sessionId, 1, 2);
    expect(diff.columnsUnchanged).toEqual([]);
    const step = withColumn(await backend.getDataFrame(sessionId), 0, 9);
    await backend.updateDataFrame(sessionId, step, { operation: 'round' });
    const after = await backend.exportSession(sessionId);
    expect(after.currentManifest?.columns).toHaveLength(4);
    expect(after.history.map((entry) => entry.manifest === undefined)).toEqual([true, true]);
    await backend.undoLastChange(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), newer);
    await backend.redo(sessionId);
    assertTablesEqual(await backend.getDataFrame(sessionId), step);
  });
}
