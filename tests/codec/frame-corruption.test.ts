import { crc32 } from 'node:zlib';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  readFrameHeader,
  verifyFrame,
} from '../../src/codec/frame-codec.js';
import { writeFrameHeader } from '../../src/codec/frame-header.js';
import type { CompressionCodec, SerializationMethod } from '../../src/config/load-config.js';
import { isStorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';

const CODECS: CompressionCodec[] = ['none', 'snappy', 'zstd', 'gzip', 'lz4'];
const METHODS: SerializationMethod[] = ['arrow', 'json'];
const MATRIX = METHODS.flatMap((serialization) =>
  CODECS.map((compression) => ({ serialization, compression })),
);
const MAX = 64 * 1024 * 1024;
const TABLE = makeRealisticTable(60, 10, 4);

function errorCode(fn: () => unknown): StorageErrorCode | 'no error' | string {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return isStorageError(error) ? error.code : `not a StorageError: ${String(error)}`;
  }
}

const decode =
  (frame: Uint8Array, maxFrameBytes = MAX) =>
  () =>
    decodeFrame(frame, { maxFrameBytes });

/** Rewrites header fields and re-signs the header CRC, so only the lie itself can be caught. */
function lie(frame: Buffer, patch: Partial<ReturnType<typeof readFrameHeader>>): Buffer {
  const copy = Buffer.from(frame);
  writeFrameHeader(copy, { ...readFrameHeader(frame), ...patch });
  return copy;
}

/** Sets one raw header byte and re-signs the header CRC (for ids writeFrameHeader cannot express). */
function rawByte(frame: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(frame);
  copy[offset] = value;
  copy.writeUInt32LE(crc32(copy.subarray(0, 28)), 28);
  return copy;
}

describe.each(MATRIX)('corrupt frames ($serialization + $compression)', ({ serialization, compression }) => {
  const frame = encodeFrame(TABLE, { serialization, compression, maxFrameBytes: MAX });
  const header = readFrameHeader(frame);

  it('decodes the intact frame, also from an unaligned Uint8Array copy', () => {
    assertTablesEqual(TABLE, decodeFrame(frame, { maxFrameBytes: MAX }));
    const shifted = new Uint8Array(frame.length + 3).fill(7);
    shifted.set(frame, 3);
    assertTablesEqual(TABLE, decodeFrame(shifted.subarray(3), { maxFrameBytes: MAX }));
    expect(verifyFrame(frame)).toEqual(header);
  });

  it('rejects every truncation and trailing bytes', () => {
    const cuts = [0, 1, 4, 20, 31, 32, 33, frame.length >> 1, frame.length - 9, frame.length - 1];
    for (const cut of cuts) expect(errorCode(decode(frame.subarray(0, cut)))).toBe('CORRUPT_DATA');
    expect(errorCode(decode(Buffer.concat([frame, Buffer.from([0])])))).toBe('CORRUPT_DATA');
    expect(errorCode(() => verifyFrame(frame.subarray(0, frame.length - 1)))).toBe('CORRUPT_DATA');
  });

  it('rejects a flipped bit anywhere in the payload', () => {
    const step = Math.max(1, Math.floor(header.payloadLength / 40));
    for (let at = FRAME_HEADER_BYTES; at < frame.length; at += step) {
      for (const bit of [0, 7]) {
        const bad = Buffer.from(frame);
        bad[at]! ^= 1 << bit;
        expect([at, errorCode(decode(bad))]).toEqual([at, 'CORRUPT_DATA']);
      }
    }
  });

  it('rejects every single flipped bit of the header', () => {
    for (let bit = 0; bit < FRAME_HEADER_BYTES * 8; bit++) {
      const bad = Buffer.from(frame);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect([bit, errorCode(decode(bad))]).toEqual([bit, 'CORRUPT_DATA']);
    }
  });

  it('rejects a header that lies about lengths or the checksum', () => {
    const { uncompressedLength: n, payloadLength: p } = header;
    const lies = [
      { payloadLength: p + 1 },
      { payloadLength: p - 1 },
      { uncompressedLength: n + 1 },
      { uncompressedLength: n - 1 },
      { uncompressedLength: n >> 1 },
      { uncompressedLength: 16 },
      { uncompressedLength: 0 },
      { checksum: (header.checksum + 1) >>> 0 },
    ];
    for (const patch of lies)
      expect([patch, errorCode(decode(lie(frame, patch)))]).toEqual([patch, 'CORRUPT_DATA']);
  });

  it('rejects a frame that claims another codec or serialization', () => {
    for (const other of CODECS.filter((c) => c !== compression)) {
      expect([other, errorCode(decode(lie(frame, { compression: other })))]).toEqual([other, 'CORRUPT_DATA']);
    }
    const otherMethod = serialization === 'arrow' ? 'json' : 'arrow';
    expect(errorCode(decode(lie(frame, { serialization: otherMethod })))).toBe('CORRUPT_DATA');
  });

  it('rejects a garbage payload that carries a valid checksum', () => {
    const garbage = Buffer.alloc(header.uncompressedLength, 0x41);
    const payload =
      compression === 'none' ? garbage : Buffer.from(frame.subarray(FRAME_HEADER_BYTES)).fill(0x5a, 8);
    const bad = Buffer.concat([frame.subarray(0, FRAME_HEADER_BYTES), payload]);
    const signed = lie(bad, { payloadLength: payload.length, checksum: crc32(payload) });
    expect(errorCode(decode(signed))).toBe('CORRUPT_DATA');
  });

  it('refuses a declared size over maxFrameBytes before allocating', () => {
    expect(errorCode(decode(frame, header.uncompressedLength - 1))).toBe('PAYLOAD_TOO_LARGE');
    // 4 PiB: any attempt to allocate it would throw a RangeError instead of the StorageError.
    const huge = lie(frame, { uncompressedLength: 2 ** 52 });
    expect(errorCode(decode(huge))).toBe('PAYLOAD_TOO_LARGE');
    expect(errorCode(decode(huge, Number.MAX_SAFE_INTEGER))).toBe('CORRUPT_DATA');
  });
});

describe('frame header', () => {
  const frame = encodeFrame(TABLE, { serialization: 'arrow', compression: 'zstd', maxFrameBytes: MAX });

  it('reads the fields the frame was written with', () => {
    const header = readFrameHeader(frame);
    expect(header).toEqual({
      formatVersion: 1,
      serialization: 'arrow',
      compression: 'zstd',
      uncompressedLength: expect.any(Number),
      payloadLength: frame.length - FRAME_HEADER_BYTES,
      checksum: crc32(frame.subarray(FRAME_HEADER_BYTES)),
    });
    expect(readFrameHeader(frame.subarray(0, FRAME_HEADER_BYTES))).toEqual(header);
  });

  it('rejects bad magic, unknown ids, flags and a future format version', () => {
    expect(errorCode(() => readFrameHeader(rawByte(frame, 0, 0x58)))).toBe('CORRUPT_DATA');
    expect(errorCode(() => readFrameHeader(rawByte(frame, 5, 9)))).toBe('CORRUPT_DATA');
    expect(errorCode(() => readFrameHeader(rawByte(frame, 6, 9)))).toBe('CORRUPT_DATA');
    expect(errorCode(() => readFrameHeader(rawByte(frame, 7, 1)))).toBe('CORRUPT_DATA');
    const future = rawByte(frame, 4, 2);
    expect(errorCode(() => readFrameHeader(future))).toBe('CORRUPT_DATA');
    expect(() => readFrameHeader(future)).toThrow(/format version 2/);
    expect(errorCode(decode(Buffer.from('{"not":"a frame"}')))).toBe('CORRUPT_DATA');
    expect(errorCode(decode('not bytes' as unknown as Uint8Array))).toBe('CORRUPT_DATA');
  });

  it('rejects lengths beyond 2^53 in the header', () => {
    const bad = Buffer.from(frame);
    bad.writeBigUInt64LE(2n ** 60n, 8);
    bad.writeUInt32LE(crc32(bad.subarray(0, 28)), 28);
    expect(errorCode(() => readFrameHeader(bad))).toBe('CORRUPT_DATA');
  });
});
