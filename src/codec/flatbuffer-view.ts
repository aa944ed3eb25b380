import { invalidInput, type StorageError } from '../contract/errors.js';

/**
 * A bounds-checked reader of one flatbuffer (the metadata of an Arrow IPC message or footer). The
 * generated flatbuffers code trusts every offset and vector length it reads, so a lying count makes it
 * loop or allocate without end; here every read is checked against the bytes actually present.
 */
export class FlatbufferView {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: string): StorageError {
    return invalidInput(`Arrow IPC ${this.what} is malformed: ${reason}`);
  }

  private need(pos: number, width: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + width > this.bytes.length)
      throw this.fail(`a field at byte ${pos} lies outside its ${this.bytes.length} bytes`);
  }

  u8(pos: number): number {
    this.need(pos, 1);
    return this.view.getUint8(pos);
  }
  i16(pos: number): number {
    this.need(pos, 2);
    return this.view.getInt16(pos, true);
  }
  i32(pos: number): number {
    this.need(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.need(pos, 4);
    return this.view.getUint32(pos, true);
  }
  /** An int64 as a number; refused past 2^53 (no length or offset in a body we accept comes near). */
  i64(pos: number): number {
    this.need(pos, 8);
    const value = this.view.getBigInt64(pos, true);
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER))
      throw this.fail(`a 64-bit length or offset is ${value}`);
    return Number(value);
  }

  /** The root table's position. */
  root(): number {
    return this.offsetAt(0);
  }

  /** Follows the uoffset stored at `pos`. */
  private offsetAt(pos: number): number {
    const target = pos + this.u32(pos);
    this.need(target, 1);
    return target;
  }

  /** Where field `index` of the table at `table` is stored, or undefined when absent. */
  field(table: number, index: number): number | undefined {
    const vtable = table - this.i32(table);
    const vtableSize = this.u16(vtable);
    const slot = 4 + 2 * index;
    if (slot + 2 > vtableSize) return undefined;
    const offset = this.u16(vtable + slot);
    if (offset === 0) return undefined;
    const tableSize = this.u16(vtable + 2);
    if (offset >= tableSize) throw this.fail(`field ${index} lies outside its table`);
    return table + offset;
  }

  private u16(pos: number): number {
    this.need(pos, 2);
    return this.view.getUint16(pos, true);
  }

  /** A sub-table (or union value) field's position, or undefined. */
  table(table: number, index: number): number | undefined {
    const at = this.field(table, index);
    return at === undefined ? undefined : this.offsetAt(at);
  }

  /** A vector field: its element count and first element, checked to fit `elementBytes` each. */
  vector(table: number, index: number, elementBytes: number): { length: number; start: number } {
    const at = this.field(table, index);
    if (at === undefined) return { length: 0, start: 0 };
    const vector = this.offsetAt(at);
    const length = this.u32(vector);
    const start = vector + 4;
    if (start + length * elementBytes > this.bytes.length)
      throw this.fail(`a vector claims ${length} elements, more than its bytes hold`);
    return { length, start };
  }

  /** Element `i` of a vector of tables. */
  tableAt(start: number, i: number): number {
    return this.offsetAt(start + 4 * i);
  }

  /** A string field's byte length (checked to fit), or 0 when absent. */
  stringLength(table: number, index: number): number {
    return this.vector(table, index, 1).length;
  }

  /** A string field (its first `maxBytes` bytes, for messages), or '' when absent. */
  string(table: number, index: number, maxBytes: number): string {
    const { length, start } = this.vector(table, index, 1);
    return new TextDecoder().decode(this.bytes.subarray(start, start + Math.min(length, maxBytes)));
  }

  scalar(table: number, index: number, read: 'u8' | 'i16' | 'i32' | 'i64', fallback: number): number {
    const at = this.field(table, index);
    return at === undefined ? fallback : this[read](at);
  }
}
