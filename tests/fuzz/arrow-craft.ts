import { FlatbufferView } from '../../src/codec/flatbuffer-view.js';

/** One framed message of an Arrow IPC stream, located for patching. */
interface Located {
  /** Where its length word (after the continuation marker) is. */
  lengthAt: number;
  fb: FlatbufferView;
  metaStart: number;
  headerType: number;
  header: number;
}

/** The messages of a (valid) stream-format body, in order. */
function messages(bytes: Uint8Array): Located[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: Located[] = [];
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const length = view.getInt32(pos + 4, true);
    if (length === 0) break;
    const metaStart = pos + 8;
    const fb = new FlatbufferView(bytes.subarray(metaStart, metaStart + length), 'craft');
    const message = fb.root();
    found.push({
      lengthAt: pos + 4,
      fb,
      metaStart,
      headerType: fb.scalar(message, 1, 'u8', 0),
      header: fb.table(message, 2)!,
    });
    pos = metaStart + length + fb.scalar(message, 3, 'i64', 0);
  }
  return found;
}

const patch = (bytes: Uint8Array, edit: (view: DataView, list: Located[]) => void): Uint8Array => {
  const out = Uint8Array.from(bytes);
  edit(new DataView(out.buffer), messages(out));
  return out;
};

const setI64 = (view: DataView, at: number, value: number) => view.setBigInt64(at, BigInt(value), true);

/** The first message claims `length` bytes of metadata. */
export const withMetadataLength = (bytes: Uint8Array, length: number): Uint8Array =>
  patch(bytes, (view, list) => view.setInt32(list[0]!.lengthAt, length, true));

/** Every record batch (type 3) claims `rows` rows, in its header and in each top-level column node. */
export const withBatchLength = (bytes: Uint8Array, rows: number): Uint8Array =>
  patch(bytes, (view, list) => {
    for (const m of list.filter((m) => m.headerType === 3)) setRows(view, m, m.header, rows);
  });

/** Every dictionary batch (type 2) claims `rows` entries. */
export const withDictionaryLength = (bytes: Uint8Array, rows: number): Uint8Array =>
  patch(bytes, (view, list) => {
    for (const m of list.filter((m) => m.headerType === 2)) setRows(view, m, m.fb.table(m.header, 1)!, rows);
  });

function setRows(view: DataView, m: Located, batch: number, rows: number): void {
  setI64(view, m.metaStart + m.fb.field(batch, 0)!, rows);
  const nodes = m.fb.vector(batch, 1, 16);
  for (let i = 0; i < nodes.length; i++) setI64(view, m.metaStart + nodes.start + 16 * i, rows);
}

/** The schema's fields vector claims `count` fields. */
export const withFieldCount = (bytes: Uint8Array, count: number): Uint8Array =>
  patch(bytes, (view, list) => {
    const schema = list[0]!;
    const at = schema.fb.field(schema.header, 1)!;
    view.setUint32(schema.metaStart + at + schema.fb.u32(at), count, true);
  });
