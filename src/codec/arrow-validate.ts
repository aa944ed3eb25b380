import { invalidInput, StorageError } from '../contract/errors.js';
import { checkBatch } from './arrow-batch-check.js';
import { readSchemaShape, type SchemaShape } from './arrow-schema-check.js';
import { FlatbufferView } from './flatbuffer-view.js';

/** What an Arrow IPC body is held to before apache-arrow reads it. */
export interface ArrowInputLimits {
  /** MAX_COLUMNS: fields in the schema, nested fields included. */
  maxColumns: number;
  /** MAX_DATAFRAME_SIZE_MB in bytes: the body, and rows at 8 bytes each (what one value costs decoded). */
  maxBytes: number;
}

const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;
const METADATA_V5 = 4;
const CONTINUATION = 0xffffffff;
const MAGIC = 'ARROW1';
const BLOCK = 24; // struct Block { offset: long; metaDataLength: int; (pad); bodyLength: long }

interface Context {
  limits: ArrowInputLimits;
  maxRows: number;
  rows: number;
  schema?: SchemaShape;
}

const truncated = (what: string): StorageError =>
  invalidInput(`Arrow IPC body is truncated or malformed: ${what}`);

/**
 * Reads the message framed at `pos` (continuation marker + int32 length, or the pre-0.15 bare length),
 * checks its metadata and body lengths against the bytes up to `end`, and checks what it claims.
 * Returns where the next message starts, or undefined at the end-of-stream marker.
 */
function checkMessageAt(bytes: Uint8Array, pos: number, end: number, ctx: Context): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (pos + 4 > end) throw truncated(`${end - pos} stray bytes at byte ${pos}`);
  let length = view.getUint32(pos, true);
  pos += 4;
  if (length === CONTINUATION) {
    if (pos + 4 > end) throw truncated(`a message length is cut off at byte ${pos}`);
    length = view.getUint32(pos, true);
    pos += 4;
  }
  if (length === 0) return undefined;
  if (length > end - pos)
    throw truncated(`a message claims ${length} bytes of metadata, only ${end - pos} remain`);
  const fb = new FlatbufferView(bytes.subarray(pos, pos + length), 'message metadata');
  pos += length;
  const message = fb.root();
  const version = fb.scalar(message, 0, 'i16', 0);
  const headerType = fb.scalar(message, 1, 'u8', 0);
  const header = fb.table(message, 2);
  const bodyLength = fb.scalar(message, 3, 'i64', 0);
  if (bodyLength > end - pos)
    throw truncated(`a message claims a ${bodyLength}-byte body, only ${end - pos} bytes remain`);
  fb.vector(message, 4, 4);
  if (header === undefined) throw fb.fail('a message has no header');
  if (ctx.schema === undefined) {
    if (headerType !== HEADER.Schema) throw fb.fail('the first message is not a schema');
    ctx.schema = readSchemaShape(fb, header, ctx.limits.maxColumns);
  } else if (headerType === HEADER.RecordBatch) {
    ctx.rows += checkBatch(fb, header, ctx.schema.fields, bodyLength, batchLimits(ctx, version));
  } else if (headerType === HEADER.DictionaryBatch) {
    const id = fb.scalar(header, 0, 'i64', 0);
    const values = ctx.schema.dictionaries.get(id);
    if (values === undefined) throw fb.fail(`a dictionary batch has id ${id}, which no field uses`);
    const data = fb.table(header, 1);
    if (data === undefined) throw fb.fail('a dictionary batch has no data');
    checkBatch(fb, data, [values], bodyLength, batchLimits(ctx, version));
  } else {
    throw fb.fail(`message type ${headerType} is not a schema, dictionary or record batch`);
  }
  if (ctx.rows > ctx.maxRows) throw tooManyRows(ctx);
  return pos + bodyLength;
}

const batchLimits = (ctx: Context, version: number) => ({
  maxRows: ctx.maxRows,
  legacyUnion: version < METADATA_V5,
});

const tooManyRows = (ctx: Context): StorageError =>
  new StorageError(
    'PAYLOAD_TOO_LARGE',
    `the Arrow body claims ${ctx.rows} rows, over the ${ctx.maxRows} that MAX_DATAFRAME_SIZE_MB allows`,
  );

function checkStream(bytes: Uint8Array, ctx: Context): void {
  let pos: number | undefined = 0;
  // Every message takes at least 8 bytes, so this loop ends; the bound only makes that explicit.
  for (let guard = 0; pos !== undefined && pos < bytes.length && guard <= bytes.length; guard++) {
    pos = checkMessageAt(bytes, pos, bytes.length, ctx);
  }
  if (ctx.schema === undefined) throw truncated('no schema message');
}

const hasMagic = (bytes: Uint8Array, at: number): boolean =>
  at >= 0 &&
  at + MAGIC.length <= bytes.length &&
  MAGIC.split('').every((c, i) => bytes[at + i] === c.charCodeAt(0));

/** File format: magic, messages, footer (schema + blocks locating each message), footer length, magic. */
function checkFile(bytes: Uint8Array, ctx: Context): void {
  const tail = bytes.length - MAGIC.length - 4;
  if (tail < 8 || !hasMagic(bytes, bytes.length - MAGIC.length))
    throw truncated('an Arrow file must end with its footer and the ARROW1 magic');
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(tail, true);
  const footerStart = tail - footerLength;
  if (footerLength <= 0 || footerStart < 8)
    throw truncated(`the footer claims ${footerLength} bytes, the file has ${tail - 8} before it`);
  const fb = new FlatbufferView(bytes.subarray(footerStart, tail), 'file footer');
  const footer = fb.root();
  const schema = fb.table(footer, 1);
  if (schema === undefined) throw fb.fail('the footer has no schema');
  ctx.schema = readSchemaShape(fb, schema, ctx.limits.maxColumns);
  for (const index of [2, 3]) {
    const blocks = fb.vector(footer, index, BLOCK);
    for (let i = 0; i < blocks.length; i++) {
      const at = blocks.start + BLOCK * i;
      const offset = fb.i64(at);
      const end = offset + fb.i32(at + 8) + fb.i64(at + 16);
      if (offset < 8 || end > footerStart) throw fb.fail(`block ${i} lies outside the file's messages`);
      // A block's message is read (and checked) exactly as apache-arrow reads it: from its offset.
      checkMessageAt(bytes, offset, footerStart, ctx);
    }
  }
}

/**
 * Refuses an Arrow IPC body (stream or file format) whose claims the bytes cannot back, before
 * apache-arrow allocates anything from them: message and body lengths, schema size (MAX_COLUMNS), every
 * buffer and row count. INVALID_INPUT for a malformed body, PAYLOAD_TOO_LARGE past the limits.
 */
export function validateArrowIpc(bytes: Uint8Array, limits: ArrowInputLimits): void {
  if (bytes.length > limits.maxBytes)
    throw new StorageError(
      'PAYLOAD_TOO_LARGE',
      `the Arrow body is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit (MAX_DATAFRAME_SIZE_MB)`,
    );
  const ctx: Context = { limits, maxRows: Math.max(1, Math.floor(limits.maxBytes / 8)), rows: 0 };
  if (hasMagic(bytes, 0)) checkFile(bytes, ctx);
  else checkStream(bytes, ctx);
}
