import type { Table } from 'apache-arrow';
import { decodeFrame, encodeFrame } from '../../src/codec/frame-codec.js';
import type { CompressionCodec } from '../../src/config/load-config.js';
import { timeIt } from '../lib/measure.js';
import type { BenchRow } from '../lib/report.js';

const CODECS: CompressionCodec[] = ['snappy', 'lz4', 'zstd', 'gzip', 'none'];
const MAX = 2 * 1024 ** 3;

/** Encode/decode time and stored size of one table under every codec (Arrow IPC serialization). */
export async function benchCodecs(table: Table, label: string, iterations: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const compression of CODECS) {
    const opts = { serialization: 'arrow' as const, compression, maxFrameBytes: MAX };
    const encoded = encodeFrame(table, opts);
    const encode = await timeIt(() => encodeFrame(table, opts), iterations);
    const decode = await timeIt(() => decodeFrame(encoded, { maxFrameBytes: MAX }), iterations);
    rows.push({
      group: `codec ${label}`,
      name: `${compression} encode`,
      value: encode.p50,
      unit: 'ms p50',
      extra: { bytes: encoded.byteLength },
    });
    rows.push({ group: `codec ${label}`, name: `${compression} decode`, value: decode.p50, unit: 'ms p50' });
  }
  const json = { serialization: 'json' as const, compression: 'snappy' as const, maxFrameBytes: MAX };
  const jsonBytes = encodeFrame(table, json);
  const jsonEncode = await timeIt(() => encodeFrame(table, json), Math.max(3, Math.floor(iterations / 5)));
  const jsonDecode = await timeIt(
    () => decodeFrame(jsonBytes, { maxFrameBytes: MAX }),
    Math.max(3, Math.floor(iterations / 5)),
  );
  rows.push({
    group: `codec ${label}`,
    name: 'json+snappy encode',
    value: jsonEncode.p50,
    unit: 'ms p50',
    extra: { bytes: jsonBytes.byteLength },
  });
  rows.push({ group: `codec ${label}`, name: 'json+snappy decode', value: jsonDecode.p50, unit: 'ms p50' });
  return rows;
}
