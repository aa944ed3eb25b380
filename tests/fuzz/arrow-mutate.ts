import {
  Dictionary,
  Field,
  Int32,
  Int64,
  List,
  Table,
  tableFromArrays,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/** The fuzz runs draw from the shared seeded generator; every run prints the seed it started from. */
export { prng } from '../helpers/tables.js';

/** Small valid tables covering the IPC features a body may use: dictionaries, nulls, nested lists. */
export function seedTables(): Table[] {
  const flat = tableFromArrays({
    id: Int32Array.from([1, 2, 3, 4]),
    score: Float64Array.from([0.5, Number.NaN, 2.25, -1]),
    name: ['a', 'bb', null, 'dddd'],
  });
  const city = vectorFromArray(['x', 'y', 'x', null], new Dictionary(new Utf8(), new Int32()));
  const tags = vectorFromArray([[1n, 2n], [], null, [3n]], new List(new Field('item', new Int64(), true)));
  const withData = new Table({ city, tags });
  const wide = tableFromArrays(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, [i]])));
  return [flat, withData, wide, tableFromArrays({ n: Int32Array.from([7]) })];
}

/** The seed tables as Arrow IPC bodies, stream and file format. */
export function seedBodies(): Uint8Array[] {
  return seedTables().flatMap((table) => [tableToIPC(table, 'stream'), tableToIPC(table, 'file')]);
}

// Values that lie about sizes: the claims a hostile body makes about lengths and counts.
const HUGE32 = [0x7fffffff, 0x3b9aca00, 0x000f4240, 0xffffffff, 0x80000000, 0x10000];
const HUGE64 = [1e9, 1e12, 2 ** 53 - 1, 2 ** 40];

/** One mutation of `bytes` (a copy): byte flips, huge 32/64-bit length fields, truncation, splices. */
export function mutate(bytes: Uint8Array, rng: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const at = (width: number) => Math.floor((rng() * (out.length - width)) / width) * width;
  const pick = <T>(list: T[]): T => list[Math.floor(rng() * list.length)]!;
  const edits = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < edits; i++) {
    const kind = rng();
    if (kind < 0.35) out[Math.floor(rng() * out.length)] = Math.floor(rng() * 256);
    else if (kind < 0.65) view.setUint32(at(4), pick(HUGE32), true);
    else if (kind < 0.9) view.setBigUint64(at(8), BigInt(pick(HUGE64)), true);
    else return out.subarray(0, Math.floor(rng() * out.length));
  }
  return out;
}
