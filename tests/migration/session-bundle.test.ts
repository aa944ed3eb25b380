import fs from 'node:fs/promises';
import path from 'node:path';
import type { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { encodeFrame } from '../../src/codec/frame-codec.js';
import {
  decodeBundle,
  encodeBundle,
  exportSessionToFile,
  importSessionFromFile,
} from '../../src/transfer/session-bundle.js';
import { diffSnapshots } from '../../src/transfer/snapshot-compare.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { makeRichSession, openLocal } from './migration-fixtures.js';

describe('session bundles (framestore export / import)', () => {
  let dir: string;
  let source: InMemoryBackend;
  let target: InMemoryBackend;

  beforeAll(async () => {
    dir = await makeTempDir('fs-bundle-');
    source = await openLocal(path.join(dir, 'source'));
    target = await openLocal(path.join(dir, 'target'));
  });

  afterAll(async () => {
    await Promise.all([source.close(), target.close()]);
    await removeTempDir(dir);
  });

  test('round trip keeps id, every version, redo, audit, marks and metadata', async () => {
    const id = await makeRichSession(source, makeRealisticTable(2000, 20, 3), 'bundle');
    const file = path.join(dir, 'session.fsb');
    const written = await exportSessionToFile(source, id, file);
    expect(written.bytes).toBe((await fs.stat(file)).size);

    const info = await importSessionFromFile(target, file);
    expect(info.sessionId).toBe(id);
    const [before, after] = await Promise.all([source.exportSession(id), target.exportSession(id)]);
    // The import gives a fresh TTL (a bundle may be opened days later); everything else is identical.
    expect(diffSnapshots(before, { ...after, expiresAt: before.expiresAt })).toEqual([]);
    assertTablesEqual(await target.getDataFrame(id), await source.getDataFrame(id));
    for (const version of await source.listVersions(id)) {
      assertTablesEqual(
        await target.getVersion(id, version.version),
        await source.getVersion(id, version.version),
      );
    }

    await expect(importSessionFromFile(target, file)).rejects.toMatchObject({ code: 'STALE_WRITE' });
    await target.updateDataFrame(id, makeSmallTable(1), { operation: 'local change' });
    await importSessionFromFile(target, file, { overwrite: true });
    expect((await target.getSession(id)).version).toBe(before.version);
  });

  test('frames stored as JSON are carried as Arrow IPC', async () => {
    const jsonStore = await openLocal(path.join(dir, 'json'), { SERIALIZATION_METHOD: 'json' });
    try {
      const { sessionId } = await jsonStore.createSession(makeSmallTable(4));
      const bundle = encodeBundle(await jsonStore.exportSession(sessionId));
      const snapshot = decodeBundle(bundle);
      const manifestLength = bundle.readUInt32LE(12);
      const manifest = JSON.parse(bundle.subarray(20, 20 + manifestLength).toString('utf8'));
      expect(manifest.frames.every((f: { serialization: string }) => f.serialization === 'arrow')).toBe(true);
      const other = await openLocal(path.join(dir, 'json-target'));
      try {
        await other.importSession(snapshot);
        assertTablesEqual(await other.getDataFrame(sessionId), makeSmallTable(4));
      } finally {
        await other.close();
      }
    } finally {
      await jsonStore.close();
    }
  });

  describe('a damaged bundle is CORRUPT_DATA, never a wrong table', () => {
    let bundle: Buffer;

    beforeAll(async () => {
      const id = await makeRichSession(source, makeSmallTable(8), 'damage');
      bundle = encodeBundle(await source.exportSession(id));
    });

    const flip = (copy: Buffer, at: number) => {
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    const damaged = (mutate: (copy: Buffer) => Buffer) => mutate(Buffer.from(bundle));
    const cases: [string, (copy: Buffer) => Buffer][] = [
      ['a flipped bit in the last frame', (c) => flip(c, c.length - 5)],
      ['a flipped bit in the manifest', (c) => flip(c, 40)],
      ['a truncated file', (c) => c.subarray(0, c.length - 100)],
      ['trailing garbage', (c) => Buffer.concat([c, Buffer.from('xx')])],
      ['a wrong magic', (c) => Buffer.concat([Buffer.from('NOTABNDL', 'latin1'), c.subarray(8)])],
      ['an empty file', () => Buffer.alloc(0)],
    ];
    test.each(cases)('%s', async (_name, mutate) => {
      const file = path.join(dir, `damaged-${Math.random().toString(36).slice(2)}.fsb`);
      await fs.writeFile(file, damaged(mutate));
      await expect(importSessionFromFile(target, file)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
    });

    test('a frame table that points at a frame that is not there', () => {
      const snapshot = decodeBundle(bundle);
      const frames = { ...snapshot.frames };
      // the current frame's blob, or its first chunk
      delete frames[snapshot.currentManifest?.columns[0]?.chunks[0] ?? snapshot.currentFrameId];
      frames.other = encodeFrame(makeSmallTable(1), {
        serialization: 'arrow',
        compression: 'none',
        maxFrameBytes: 1e9,
      });
      expect(() => decodeBundle(encodeBundle({ ...snapshot, frames }))).toThrow(
        expect.objectContaining({ code: 'CORRUPT_DATA' }),
      );
    });

    test('an unreadable file is INVALID_INPUT', async () => {
      await expect(importSessionFromFile(target, path.join(dir, 'missing.fsb'))).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    });
  });
});
