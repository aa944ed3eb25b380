import fs from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../../src/contract/ids.js';
import { WriteBackJournal } from '../../src/manager/write-back-journal.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

describe('WriteBackJournal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('fs-journal-');
  });
  afterEach(() => removeTempDir(dir));

  test('entries are durable files under STORAGE_DIR/writeback and survive a reopen', async () => {
    const journal = await WriteBackJournal.open(dir);
    const [s1, s2, u1] = [newId(), newId(), newId()];
    await Promise.all([journal.add('session', s1), journal.add('session', s1), journal.add('session', s2)]);
    await journal.add('upload', u1);
    expect(journal.size).toBe(3);
    expect((await fs.readdir(path.join(dir, 'writeback'))).sort()).toEqual(
      [`s-${s1}.json`, `s-${s2}.json`, `u-${u1}.json`].sort(),
    );

    const reopened = await WriteBackJournal.open(dir);
    expect(
      reopened
        .list()
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([s1, s2, u1].sort());
    expect(reopened.has('upload', u1)).toBe(true);
    expect(reopened.has('session', u1)).toBe(false);

    await reopened.remove('session', s1);
    await journal.reload();
    expect(journal.has('session', s1)).toBe(false);
    expect(journal.size).toBe(2);
  });

  test('ignores stray files and rejects malformed ids', async () => {
    const journal = await WriteBackJournal.open(dir);
    await fs.writeFile(path.join(dir, 'writeback', 'notes.txt'), 'x');
    await journal.reload();
    expect(journal.size).toBe(0);
    expect(() => journal.add('session', '../../etc')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
