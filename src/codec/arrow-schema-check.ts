import { StorageError } from '../contract/errors.js';
import type { FlatbufferView } from './flatbuffer-view.js';

/** Arrow's `Type` union tags (Schema.fbs). */
export const ArrowType = {
  Null: 1,
  Int: 2,
  FloatingPoint: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Interval: 11,
  List: 12,
  Struct: 13,
  Union: 14,
  FixedSizeBinary: 15,
  FixedSizeList: 16,
  Map: 17,
  Duration: 18,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
  BinaryView: 23,
  Utf8View: 24,
} as const;

const SUPPORTED = new Set<number>(Object.values(ArrowType));

/** What the batch check needs to know about one field: its buffers and their element widths. */
export interface FieldShape {
  name: string;
  type: number;
  /** Bytes per value of the data buffer for fixed-width types (0 when not fixed width; Bool counts bits). */
  width: number;
  /** Union: dense (has an offsets buffer). */
  dense: boolean;
  /** Set when dictionary-encoded: bytes per index. */
  indexWidth?: number;
  dictionaryId?: number;
  children: FieldShape[];
}

export interface SchemaShape {
  fields: FieldShape[];
  /** Dictionary id → the value type's shape (what a DictionaryBatch carries). */
  dictionaries: Map<number, FieldShape>;
}

/** Nesting beyond this is refused: both this check and apache-arrow recurse per level. */
const MAX_DEPTH = 64;
// KeyValue tables and Int tables hold a handful of fields; 4 bytes per vector slot is what the reader checks.
const SLOT = 4;

function intWidth(fb: FlatbufferView, typeTable: number | undefined, fallbackBits: number): number {
  const bits = typeTable === undefined ? fallbackBits : fb.scalar(typeTable, 0, 'i32', fallbackBits);
  if (![8, 16, 32, 64].includes(bits)) throw fb.fail(`integer bit width ${bits}`);
  return bits / 8;
}

function fixedWidth(fb: FlatbufferView, type: number, t: number | undefined): number {
  const get = (index: number, read: 'i16' | 'i32', fallback: number) =>
    t === undefined ? fallback : fb.scalar(t, index, read, fallback);
  switch (type) {
    case ArrowType.Int:
      return intWidth(fb, t, 32);
    case ArrowType.FloatingPoint: {
      const precision = get(0, 'i16', 0);
      if (precision < 0 || precision > 2) throw fb.fail(`float precision ${precision}`);
      return [2, 4, 8][precision]!;
    }
    case ArrowType.Decimal: {
      const bits = get(2, 'i32', 128);
      if (![32, 64, 128, 256].includes(bits)) throw fb.fail(`decimal bit width ${bits}`);
      return bits / 8;
    }
    case ArrowType.Date:
      return get(0, 'i16', 1) === 0 ? 4 : 8;
    case ArrowType.Time: {
      const bits = get(1, 'i32', 32);
      if (bits !== 32 && bits !== 64) throw fb.fail(`time bit width ${bits}`);
      return bits / 8;
    }
    case ArrowType.Timestamp:
    case ArrowType.Duration:
      return 8;
    case ArrowType.Interval:
      return [4, 8, 16][get(0, 'i16', 0)] ?? 16;
    case ArrowType.FixedSizeBinary: {
      const width = get(0, 'i32', 0);
      if (width < 1) throw fb.fail(`fixed-size binary width ${width}`);
      return width;
    }
    case ArrowType.Bool:
      return 1 / 8;
    default:
      return 0;
  }
}

class SchemaReader {
  private count = 0;
  readonly dictionaries = new Map<number, FieldShape>();

  constructor(
    private readonly fb: FlatbufferView,
    private readonly maxColumns: number,
  ) {}

  /** Checks a KeyValue vector fits its bytes (apache-arrow iterates it by its claimed length). */
  metadata(table: number, index: number): void {
    const { length, start } = this.fb.vector(table, index, SLOT);
    for (let i = 0; i < length; i++) {
      const kv = this.fb.tableAt(start, i);
      this.fb.stringLength(kv, 0);
      this.fb.stringLength(kv, 1);
    }
  }

  fields(table: number, index: number, depth: number): FieldShape[] {
    const { length, start } = this.fb.vector(table, index, SLOT);
    // Counted before reading any field, so a vector claiming a million fields is refused at once.
    this.count += length;
    if (this.count > this.maxColumns)
      throw new StorageError(
        'PAYLOAD_TOO_LARGE',
        `the Arrow schema has over ${this.maxColumns} fields (columns, nested fields included); see MAX_COLUMNS`,
      );
    if (length > 0 && depth > MAX_DEPTH) throw this.fb.fail(`fields nested over ${MAX_DEPTH} levels deep`);
    const shapes: FieldShape[] = [];
    for (let i = 0; i < length; i++) shapes.push(this.field(this.fb.tableAt(start, i), depth));
    return shapes;
  }

  private field(f: number, depth: number): FieldShape {
    const fb = this.fb;
    const name = fb.string(f, 0, 200);
    const type = fb.scalar(f, 2, 'u8', 0);
    if (!SUPPORTED.has(type)) throw fb.fail(`field type tag ${type} is not a supported Arrow type`);
    const typeTable = fb.table(f, 3);
    if (type === ArrowType.Union && typeTable !== undefined) fb.vector(typeTable, 1, 4);
    this.metadata(f, 6);
    const shape: FieldShape = {
      name,
      type,
      width: fixedWidth(fb, type, typeTable),
      dense: type === ArrowType.Union && typeTable !== undefined && fb.scalar(typeTable, 0, 'i16', 0) === 1,
      children: this.fields(f, 5, depth + 1),
    };
    const encoding = fb.table(f, 4);
    if (encoding !== undefined) {
      const id = fb.scalar(encoding, 0, 'i64', 0);
      shape.dictionaryId = id;
      shape.indexWidth = intWidth(fb, fb.table(encoding, 1), 32);
      this.dictionaries.set(id, { ...shape, indexWidth: undefined, dictionaryId: undefined });
    }
    return shape;
  }
}

/** Reads and checks the Schema table at `schema`: field count (nested included) ≤ maxColumns, known types. */
export function readSchemaShape(fb: FlatbufferView, schema: number, maxColumns: number): SchemaShape {
  const reader = new SchemaReader(fb, maxColumns);
  const fields = reader.fields(schema, 1, 0);
  reader.metadata(schema, 2);
  fb.vector(schema, 3, 8);
  if (fields.length === 0) throw fb.fail('the schema has no fields');
  return { fields, dictionaries: reader.dictionaries };
}
