import {
  Data,
  type DataType,
  makeData,
  RecordBatchReader,
  Struct,
  Table,
  tableToIPC,
  Vector,
} from 'apache-arrow';
import { recordBatchOf } from '../codec/record-batch.js';

/**
 * A table built by a parse worker, sent to the main thread without a copy: its schema as a schema-only
 * IPC stream, and each batch's column Data as plain objects whose typed arrays travel in a transfer list.
 * An IPC stream of the whole table would copy every value once more inside the worker (issue 11: upload
 * peak RSS). Only for tables the readers built themselves: their buffers match their lengths by
 * construction. A table decoded from a client's Arrow body still goes as IPC, which checks exactly that.
 */
export interface PackedTable {
  schema: Uint8Array;
  batches: { length: number; columns: PackedData[] }[];
  /** Each dictionary once (batches of one column share theirs), as the chunks of its vector. */
  dictionaries: PackedData[][];
}

interface PackedData {
  offset: number;
  length: number;
  nullCount: number;
  /** Arrow's buffer slots: value offsets, values, validity, type ids. */
  buffers: (Uint8Array | Int32Array | BigInt64Array | Float64Array | undefined)[];
  children: PackedData[];
  /** Utf8View/BinaryView data buffers. */
  variadic: Uint8Array[];
  /** A dictionary column's dictionary: its index in PackedTable.dictionaries. */
  dictionary?: number;
}

/** Below this, a buffer is copied: it may be a view into Node's shared Buffer pool, which must not move. */
const MIN_TRANSFER_BYTES = 64 * 1024;

type TypedArray = NonNullable<PackedData['buffers'][number]>;

function mark<T extends TypedArray>(typed: T, transfer: Set<ArrayBuffer>): T {
  if (typed.buffer instanceof ArrayBuffer && typed.buffer.byteLength >= MIN_TRANSFER_BYTES)
    transfer.add(typed.buffer);
  return typed;
}

interface Packing {
  transfer: Set<ArrayBuffer>;
  dictionaries: Map<Vector, number>;
  packedDictionaries: PackedData[][];
}

function packData(data: Data, packing: Packing): PackedData {
  const { transfer } = packing;
  const buffers = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds].map((buffer) => {
    const typed = buffer as TypedArray | undefined | null;
    return typed === undefined || typed === null ? undefined : mark(typed, transfer);
  });
  const packed: PackedData = {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers,
    children: data.children.map((child) => packData(child, packing)),
    variadic: (data.variadicBuffers ?? []).map((buffer) => mark(buffer, transfer)),
  };
  if (data.dictionary !== undefined) {
    let index = packing.dictionaries.get(data.dictionary);
    if (index === undefined) {
      index = packing.packedDictionaries.length;
      packing.dictionaries.set(data.dictionary, index);
      packing.packedDictionaries.push([]); // reserved before packing, so nested dictionaries get later slots
      packing.packedDictionaries[index] = data.dictionary.data.map((chunk) => packData(chunk, packing));
    }
    packed.dictionary = index;
  }
  return packed;
}

/** The table as plain data plus the ArrayBuffers to transfer with it (the worker must not touch them after). */
export function packTable(table: Table): { packed: PackedTable; transfer: ArrayBuffer[] } {
  const packing: Packing = { transfer: new Set(), dictionaries: new Map(), packedDictionaries: [] };
  const batches = table.batches.map((batch) => ({
    length: batch.numRows,
    columns: batch.data.children.map((child) => packData(child, packing)),
  }));
  const packed: PackedTable = {
    schema: tableToIPC(new Table(table.schema), 'stream'),
    batches,
    dictionaries: packing.packedDictionaries,
  };
  return { packed, transfer: [...packing.transfer] };
}

/** Rebuilds each packed dictionary once, so batches that shared one share it again. */
type Dictionaries = (index: number, type: DataType) => Vector;

function unpackData(type: DataType, packed: PackedData, dictionaryOf: Dictionaries): Data {
  const dictionary =
    packed.dictionary === undefined
      ? undefined
      : dictionaryOf(packed.dictionary, (type as unknown as { dictionary: DataType }).dictionary);
  const children = packed.children.map((child, index) =>
    unpackData(type.children[index]!.type, child, dictionaryOf),
  );
  const [valueOffsets, values, nullBitmap, typeIds] = packed.buffers;
  return new Data(
    type,
    packed.offset,
    packed.length,
    packed.nullCount,
    { 0: valueOffsets, 1: values, 2: nullBitmap, 3: typeIds } as never,
    children,
    dictionary,
    packed.variadic,
  );
}

/** The table packTable sent, over the transferred buffers (no copy). */
export function unpackTable(packed: PackedTable): Table {
  // Only the schema message: tableFromIPC would add an empty placeholder batch, whose constructor checks
  // its fields in quadratic time (seconds at 10k columns).
  const reader = RecordBatchReader.from(packed.schema);
  reader.open();
  const { schema } = reader;
  const built = new Map<number, Vector>();
  const dictionaryOf: Dictionaries = (index, type) => {
    let vector = built.get(index);
    if (vector === undefined) {
      const chunks = packed.dictionaries[index] ?? [];
      vector = new Vector(chunks.map((chunk) => unpackData(type, chunk, dictionaryOf)));
      built.set(index, vector);
    }
    return vector;
  };
  const batches = packed.batches.map(({ length, columns }) => {
    const children = columns.map((column, index) =>
      unpackData(schema.fields[index]!.type, column, dictionaryOf),
    );
    return recordBatchOf(
      schema,
      makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }),
    );
  });
  return batches.length > 0 ? new Table(schema, batches) : new Table(schema);
}
