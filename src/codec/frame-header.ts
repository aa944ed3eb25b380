import { crc32 } from 'node:zlib';
import type { CompressionCodec, SerializationMethod } from '../config/load-config.js';
import { corruptData } from '../contract/errors.js';

/** The parsed §7 header of a stored frame. `checksum` is the CRC-32 of the payload bytes. */
export interface FrameHeader {
  formatVersion: number;
  serialization: SerializationMethod;
  compression: CompressionCodec;
  uncompressedLength: number;
  payloadLength: number;
  checksum: number;
}

/**
 * Byte layout (little-endian):
 *   0  4  magic "FSFR"
 *   4  1  format version (1)
 *   5  1  serialization id (1 arrow, 2 json)
 *   6  1  compression id (0 none, 1 snappy, 2 zstd, 3 gzip, 4 lz4)
 *   7  1  flags (reserved, must be 0)
 *   8  8  uncompressed (serialized) length, u64
 *  16  8  payload length (bytes after the header), u64
 *  24  4  CRC-32 of the payload
 *  28  4  CRC-32 of bytes 0..27, so a flipped header bit is caught before any length is trusted
 * 32 bytes keeps the payload 8-byte aligned, which lets Arrow view it without copying.
 */
export const FRAME_HEADER_BYTES = 32;
export const FRAME_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('FSFR', 'latin1');
const HEADER_CRC_OFFSET = 28;

const SERIALIZATION_IDS: Record<SerializationMethod, number> = { arrow: 1, json: 2 };
const COMPRESSION_IDS: Record<CompressionCodec, number> = { none: 0, snappy: 1, zstd: 2, gzip: 3, lz4: 4 };

const invert = <T extends string>(ids: Record<T, number>): Map<number, T> =>
  new Map(Object.entries(ids).map(([name, id]) => [id as number, name as T]));
const SERIALIZATION_BY_ID = invert(SERIALIZATION_IDS);
const COMPRESSION_BY_ID = invert(COMPRESSION_IDS);

/** Writes the header into the first FRAME_HEADER_BYTES of `target`. */
export function writeFrameHeader(target: Buffer, header: Omit<FrameHeader, 'formatVersion'>): void {
  MAGIC.copy(target, 0);
  target.writeUInt8(FRAME_FORMAT_VERSION, 4);
  target.writeUInt8(SERIALIZATION_IDS[header.serialization], 5);
  target.writeUInt8(COMPRESSION_IDS[header.compression], 6);
  target.writeUInt8(0, 7);
  target.writeBigUInt64LE(BigInt(header.uncompressedLength), 8);
  target.writeBigUInt64LE(BigInt(header.payloadLength), 16);
  target.writeUInt32LE(header.checksum >>> 0, 24);
  target.writeUInt32LE(crc32(target.subarray(0, HEADER_CRC_OFFSET)), HEADER_CRC_OFFSET);
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function readLength(view: Buffer, offset: number, what: string): number {
  const value = view.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw corruptData(`frame header declares an impossible ${what}`);
  return Number(value);
}

/**
 * Parses and validates the header only (magic, version, ids, header checksum). Cheap: the payload is not read.
 * Throws CORRUPT_DATA when anything is off.
 */
export function readFrameHeader(bytes: Uint8Array): FrameHeader {
  if (!(bytes instanceof Uint8Array)) throw corruptData('frame is not a byte array');
  if (bytes.byteLength < FRAME_HEADER_BYTES) {
    throw corruptData(
      `frame is truncated: ${bytes.byteLength} bytes, the header alone needs ${FRAME_HEADER_BYTES}`,
    );
  }
  const view = asBuffer(bytes);
  if (!view.subarray(0, 4).equals(MAGIC)) throw corruptData('not a framestore frame (bad magic)');
  // The version is checked before the header CRC: a newer layout may place its checksum elsewhere.
  const formatVersion = view.readUInt8(4);
  if (formatVersion !== FRAME_FORMAT_VERSION) {
    throw corruptData(
      `unsupported frame format version ${formatVersion} (this build reads version ${FRAME_FORMAT_VERSION})`,
    );
  }
  if (crc32(view.subarray(0, HEADER_CRC_OFFSET)) !== view.readUInt32LE(HEADER_CRC_OFFSET)) {
    throw corruptData('frame header checksum mismatch');
  }
  const serialization = SERIALIZATION_BY_ID.get(view.readUInt8(5));
  if (serialization === undefined) throw corruptData(`unknown serialization id ${view.readUInt8(5)}`);
  const compression = COMPRESSION_BY_ID.get(view.readUInt8(6));
  if (compression === undefined) throw corruptData(`unknown compression codec id ${view.readUInt8(6)}`);
  if (view.readUInt8(7) !== 0) throw corruptData('frame header has unknown flags set');
  return {
    formatVersion,
    serialization,
    compression,
    uncompressedLength: readLength(view, 8, 'uncompressed length'),
    payloadLength: readLength(view, 16, 'payload length'),
    checksum: view.readUInt32LE(24),
  };
}
