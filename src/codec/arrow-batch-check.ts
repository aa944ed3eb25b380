import { StorageError } from '../contract/errors.js';
import { ArrowType, type FieldShape } from './arrow-schema-check.js';
import type { FlatbufferView } from './flatbuffer-view.js';

/** Limits a batch is held to, beyond its own bytes. */
export interface BatchLimits {
  /** Rows any batch may claim: what MAX_DATAFRAME_SIZE_MB allows at one byte per row. */
  maxRows: number;
}

const FIELD_NODE = 16; // struct FieldNode { length: long; null_count: long }
const BUFFER = 16; // struct Buffer { offset: long; length: long }

const OFFSETS_32 = new Set<number>([ArrowType.Utf8, ArrowType.Binary, ArrowType.List, ArrowType.Map]);
const OFFSETS_64 = new Set<number>([ArrowType.LargeUtf8, ArrowType.LargeBinary, ArrowType.LargeList]);
const WITH_DATA = new Set<number>([
  ArrowType.Utf8,
  ArrowType.Binary,
  ArrowType.LargeUtf8,
  ArrowType.LargeBinary,
]);

/**
 * Walks the field nodes and buffers of one RecordBatch table in the order apache-arrow's VectorLoader
 * consumes them, and refuses any claim the body cannot back: a node longer than its data buffer holds,
 * a buffer outside the body, fewer nodes or buffers than the schema needs.
 */
class BatchWalker {
  private node = 0;
  private buffer = 0;
  private variadic = 0;
  private readonly nodes: { length: number; start: number };
  private readonly buffers: { length: number; start: number };
  private readonly variadicCounts: { length: number; start: number };

  constructor(
    private readonly fb: FlatbufferView,
    batch: number,
    private readonly bodyLength: number,
    private readonly limits: BatchLimits,
    private readonly legacyUnion: boolean,
  ) {
    this.nodes = fb.vector(batch, 1, FIELD_NODE);
    this.buffers = fb.vector(batch, 2, BUFFER);
    this.variadicCounts = fb.vector(batch, 4, 8);
  }

  private rows(length: number, what: string): void {
    if (length > this.limits.maxRows)
      throw new StorageError(
        'PAYLOAD_TOO_LARGE',
        `${what} claims ${length} rows, over the ${this.limits.maxRows} that MAX_DATAFRAME_SIZE_MB allows`,
      );
  }

  /** The next field node, checked: null count ≤ length ≤ the row limit. */
  nextNode(field: FieldShape): { length: number; nullCount: number } {
    if (this.node >= this.nodes.length)
      throw this.fb.fail(`the batch has ${this.nodes.length} field nodes, fewer than its schema needs`);
    const at = this.nodes.start + FIELD_NODE * this.node++;
    const length = this.fb.i64(at);
    const nullCount = this.fb.i64(at + 8);
    this.rows(length, `column "${field.name}"`);
    if (nullCount > length) throw this.fb.fail(`column "${field.name}" has more nulls than rows`);
    return { length, nullCount };
  }

  /** The next buffer, which must lie in the body and hold at least `need` bytes. */
  private nextBuffer(field: FieldShape, need: number, role: string): void {
    if (this.buffer >= this.buffers.length)
      throw this.fb.fail(`the batch has ${this.buffers.length} buffers, fewer than its schema needs`);
    const at = this.buffers.start + BUFFER * this.buffer++;
    const offset = this.fb.i64(at);
    const length = this.fb.i64(at + 8);
    if (offset + length > this.bodyLength)
      throw this.fb.fail(
        `a buffer of column "${field.name}" spans bytes ${offset}..${offset + length}, past its ${this.bodyLength}-byte body`,
      );
    if (length < need)
      throw this.fb.fail(
        `column "${field.name}" needs ${need} bytes of ${role} for its rows, the buffer has ${length}`,
      );
  }

  private validity(field: FieldShape, length: number, nullCount: number): void {
    this.nextBuffer(field, nullCount > 0 ? Math.ceil(length / 8) : 0, 'validity bitmap');
  }

  /** Checks one field's node, buffers and children; returns its row count. */
  visit(field: FieldShape): number {
    const { length, nullCount } = this.nextNode(field);
    if (field.indexWidth !== undefined) {
      // Dictionary-encoded: the batch holds only the indices; the values come in a DictionaryBatch.
      this.validity(field, length, nullCount);
      this.nextBuffer(field, length * field.indexWidth, 'indices');
      return length;
    }
    const type = field.type;
    if (type === ArrowType.Null) return length;
    if (type === ArrowType.Union) {
      if (this.legacyUnion) this.validity(field, length, nullCount);
      this.nextBuffer(field, length, 'type ids');
      if (field.dense) this.nextBuffer(field, 4 * length, 'offsets');
      for (const child of field.children) this.visit(child);
      return length;
    }
    this.validity(field, length, nullCount);
    if (field.width > 0) {
      this.nextBuffer(field, Math.ceil(length * field.width), 'values');
    } else if (OFFSETS_32.has(type) || OFFSETS_64.has(type)) {
      const width = OFFSETS_64.has(type) ? 8 : 4;
      this.nextBuffer(field, length > 0 ? (length + 1) * width : 0, 'offsets');
      if (WITH_DATA.has(type)) this.nextBuffer(field, 0, 'values');
    } else if (type === ArrowType.Utf8View || type === ArrowType.BinaryView) {
      this.nextBuffer(field, 16 * length, 'views');
      const count =
        this.variadic < this.variadicCounts.length
          ? this.fb.i64(this.variadicCounts.start + 8 * this.variadic)
          : 0;
      this.variadic++;
      if (count > this.buffers.length)
        throw this.fb.fail(`column "${field.name}" claims ${count} data buffers`);
      for (let i = 0; i < count; i++) this.nextBuffer(field, 0, 'values');
    }
    for (const child of field.children) this.visit(child);
    return length;
  }
}

/**
 * Checks one RecordBatch table (of a record batch or a dictionary batch) against the fields it must
 * carry and its body length. Every top-level column must have the batch's row count: apache-arrow pads
 * a shorter one by allocating a bitmap of the claimed length. Returns the batch's row count.
 */
export function checkBatch(
  fb: FlatbufferView,
  batch: number,
  fields: FieldShape[],
  bodyLength: number,
  limits: BatchLimits & { legacyUnion: boolean },
): number {
  const length = fb.scalar(batch, 0, 'i64', 0);
  if (length > limits.maxRows)
    throw new StorageError(
      'PAYLOAD_TOO_LARGE',
      `an Arrow batch claims ${length} rows, over the ${limits.maxRows} that MAX_DATAFRAME_SIZE_MB allows`,
    );
  if (fb.table(batch, 3) !== undefined) throw fb.fail('compressed record batches are not supported');
  const walker = new BatchWalker(fb, batch, bodyLength, limits, limits.legacyUnion);
  for (const field of fields) {
    const rows = walker.visit(field);
    if (rows !== length) throw fb.fail(`column "${field.name}" has ${rows} rows in a batch of ${length}`);
  }
  return length;
}
