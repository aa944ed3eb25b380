import { crc32 } from 'node:zlib';
import { Table } from 'apache-arrow';
import type { CompressionCodec, SerializationMethod } from '../config/load-config.js';
import { corruptData, invalidInput, StorageError } from '../contract/errors.js';
import { tableFromArrowIpc, tableToArrowIpc } from './arrow-ipc.js';
import { compressionFor, compressPayload, decompressPayload, maxPayloadLength } from './compression.js';
import { FRAME_HEADER_BYTES, type FrameHeader, readFrameHeader, writeFrameHeader } from './frame-header.js';
import { tableFromJsonDocument, tableToJsonDocument } from './json-serialization.js';

export { FRAME_HEADER_BYTES, type FrameHeader, readFrameHeader } from './frame-header.js';
export { tableMemoryBytes } from './table-memory.js';

/** How frames are written. Reading always follows the frame's own header. */
export interface FrameCodecOptions {
  serialization: SerializationMethod;
  compression: CompressionCodec;
  maxFrameBytes: number;
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const tooLarge = (what: string, bytes: number, max: number): StorageError =>
  new StorageError('PAYLOAD_TOO_LARGE', `${what} is ${bytes} bytes, the limit is ${max} bytes`, {
    details: { bytes, maxBytes: max },
  });

function serialize(table: Table, method: SerializationMethod): Buffer {
  if (method === 'arrow') return tableToArrowIpc(table);
  if (method === 'json') return tableToJsonDocument(table);
  throw invalidInput(`unknown serialization method ${String(method)}`);
}

function deserialize(bytes: Buffer, method: SerializationMethod): Table {
  return method === 'arrow' ? tableFromArrowIpc(bytes) : tableFromJsonDocument(bytes);
}

/** Table -> header + payload bytes. PAYLOAD_TOO_LARGE when the serialized size exceeds maxFrameBytes. */
export function encodeFrame(table: Table, opts: FrameCodecOptions): Buffer {
  return encodeFrameAndDecode(table, opts, false).bytes;
}

/**
 * Table -> frame bytes, and (with `decoded`) the table those bytes decode to, read from the serialized bytes
 * before compression: what decodeFrame would return, without decompressing and checking what was just
 * written.
 */
export function encodeFrameAndDecode(
  table: Table,
  opts: FrameCodecOptions,
  decoded: boolean,
): { bytes: Buffer; decoded?: Table } {
  if (!(table instanceof Table)) throw invalidInput('expected an Apache Arrow Table');
  compressionFor(opts.compression);
  const serialized = serialize(table, opts.serialization);
  if (serialized.length > opts.maxFrameBytes) {
    throw tooLarge('serialized table', serialized.length, opts.maxFrameBytes);
  }
  const payload = compressPayload(opts.compression, serialized);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, {
    serialization: opts.serialization,
    compression: opts.compression,
    uncompressedLength: serialized.length,
    payloadLength: payload.length,
    checksum: crc32(payload),
  });
  payload.copy(frame, FRAME_HEADER_BYTES);
  // `serialized` is a buffer of its own (the frame got a copy of the payload), so the table may view it.
  return decoded ? { bytes: frame, decoded: deserialize(serialized, opts.serialization) } : { bytes: frame };
}

/**
 * Checks a whole frame without decoding it: header, declared lengths against the bytes present, payload
 * checksum. Returns the header; CORRUPT_DATA when anything is off. Used to verify copies between stores.
 */
export function verifyFrame(bytes: Uint8Array): FrameHeader {
  const header = readFrameHeader(bytes);
  checkPayload(asBuffer(bytes), header);
  return header;
}

function checkPayload(frame: Buffer, header: FrameHeader): Buffer {
  const present = frame.length - FRAME_HEADER_BYTES;
  if (present !== header.payloadLength) {
    throw corruptData(
      `frame payload is ${present} bytes, the header declares ${header.payloadLength}` +
        (present < header.payloadLength ? ' (truncated)' : ''),
    );
  }
  if (header.payloadLength > maxPayloadLength(header.compression, header.uncompressedLength)) {
    throw corruptData('frame header declares a payload larger than its codec can produce');
  }
  const payload = frame.subarray(FRAME_HEADER_BYTES);
  if (crc32(payload) !== header.checksum) throw corruptData('frame payload checksum mismatch');
  return payload;
}

/**
 * Any frame written under any codec/serialization -> Table. CORRUPT_DATA on a bad header, checksum, length or
 * truncation; PAYLOAD_TOO_LARGE when the declared size exceeds maxFrameBytes (checked before allocating).
 * The table's buffers may view `bytes` (always with compression none): do not reuse or mutate `bytes` after.
 */
export function decodeFrame(bytes: Uint8Array, opts: { maxFrameBytes: number }): Table {
  const header = readFrameHeader(bytes);
  if (header.uncompressedLength > opts.maxFrameBytes) {
    throw tooLarge('stored frame', header.uncompressedLength, opts.maxFrameBytes);
  }
  const payload = checkPayload(asBuffer(bytes), header);
  const serialized = decompressPayload(header.compression, payload, header.uncompressedLength);
  return deserialize(serialized, header.serialization);
}

/** Encoder/decoder bound to one set of options (usually from config). */
export class FrameCodec {
  readonly options: FrameCodecOptions;

  constructor(opts: FrameCodecOptions) {
    compressionFor(opts.compression);
    if (opts.serialization !== 'arrow' && opts.serialization !== 'json') {
      throw invalidInput(`unknown serialization method ${String(opts.serialization)}`);
    }
    this.options = Object.freeze({ ...opts });
  }

  /** Table -> frame bytes under this codec's options. */
  encode(table: Table): Buffer {
    return encodeFrame(table, this.options);
  }

  /** Table -> frame bytes and the table they decode to (see encodeFrameAndDecode). */
  encodeAndDecode(table: Table): { bytes: Buffer; decoded: Table } {
    return encodeFrameAndDecode(table, this.options, true) as { bytes: Buffer; decoded: Table };
  }

  /** Frame bytes (any codec) -> Table. */
  decode(bytes: Uint8Array): Table {
    return decodeFrame(bytes, this.options);
  }
}

/** A FrameCodec from the relevant FramestoreConfig fields. */
export function frameCodecFromConfig(config: {
  serialization: SerializationMethod;
  compression: CompressionCodec;
  maxFrameBytes: number;
}): FrameCodec {
  return new FrameCodec({
    serialization: config.serialization,
    compression: config.compression,
    maxFrameBytes: config.maxFrameBytes,
  });
}
