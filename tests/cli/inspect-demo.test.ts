import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv as csvToTable } from '../../src/formats/csv-read.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { type BackendEnv, selectedBackends, startBackendEnv } from '../http/http-fixtures.js';
import { runToExit } from './cli-process.js';

const table = (csv: string) => csvToTable(Buffer.from(csv));

describe('framestore demo and --help', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-demo-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('demo runs with no Redis and no configuration, and leaves nothing behind', async () => {
    const tmp = join(cwd, 'tmp');
    mkdirSync(tmp);
    // Redis "configured" but absent: the demo must ignore the environment entirely.
    const env = { REDIS_ENABLED: 'true', REDIS_URL: 'redis://127.0.0.1:1/0', TMPDIR: tmp };
    const result = await runToExit(['demo'], env, cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1. createSession(orders.csv)');
    expect(result.stdout).toMatch(/3\. undoLastChange\(\)\n {3}version 3, 5 rows × 5 columns/);
    expect(result.stdout).toContain('#2 drop_rows_missing_amount by demo, rows 5 → 4');
    expect(result.stdout).toContain('intentional missing: (4, customer: walk-in sale)');
    // tsx keeps its compile cache in TMPDIR too; only the demo's store must be gone.
    expect(readdirSync(tmp).filter((name) => name.startsWith('framestore-demo-'))).toEqual([]);
    expect(readdirSync(cwd)).toEqual(['tmp']);
  });

  it('--help names every verb and the exit codes', async () => {
    const result = await runToExit(['--help'], {}, cwd);
    expect(result.code).toBe(0);
    for (const verb of ['serve', 'inspect [options] <id>', 'demo']) expect(result.stdout).toContain(verb);
    expect(result.stdout).toContain('78 bad configuration');
  });
});

describe.each(selectedBackends())('framestore inspect [%s]', (backend) => {
  let backendEnv: BackendEnv;
  let cwd: string;
  let id = '';

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'framestore-inspect-'));
    backendEnv = await startBackendEnv(backend);
    const manager = await createDataManager({ env: backendEnv.env, logger: silentLogger });
    try {
      const info = await manager.createSession(table('a,b\n1,x\n2,y\n3,z\n'), { filename: 'abc.csv' });
      id = info.sessionId;
      await manager.updateDataFrame(id, table('a,b\n1,x\n'), { operation: 'filter' });
      await manager.createVersion(id, 'checkpoint');
      await manager.updateMetadata(id, { owner: 'ana' });
    } finally {
      await manager.close();
    }
  });
  afterAll(async () => {
    await backendEnv.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('--json: versions, sizes, TTL, verified frames and the physical layout', async () => {
    const result = await runToExit(['inspect', id, '--json'], backendEnv.env, cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      backend,
      sessionId: id,
      filename: 'abc.csv',
      ttlSeconds: 3600,
      // Two columns, one chunk each; the checkpoint names the same frame, so both chunks are shared.
      current: { rows: 1, columns: 2, integrity: 'ok', codec: 'snappy', chunks: 2, sharedChunks: 2 },
      metadataKeys: ['owner'],
      redo: [],
    });
    expect(report.remainingSeconds).toBeGreaterThan(3500);
    expect(report.history.map((v: { rows: number; integrity: string }) => [v.rows, v.integrity])).toEqual([
      [3, 'ok'],
      [1, 'ok'],
    ]);
    expect(report.auditEntries).toBeGreaterThanOrEqual(2);
    expect(report.layout.entries.length).toBeGreaterThan(0);
    const names = report.layout.entries.map((e: { name: string }) => e.name);
    if (backend === 'inmemory') {
      expect(report.layout.kind).toBe('files');
      expect(names).toContain('state.json');
      // 2 frames × 2 column chunks, each stored once.
      expect(names.filter((n: string) => n.startsWith('frames/'))).toHaveLength(4);
    } else {
      expect(report.layout).toMatchObject({ kind: 'keys', root: `framestore:{${id}}:`, indexed: true });
      expect(names).toContain('state');
      // Every blob of the session is a field of one hash.
      expect(report.layout.entries.find((e: { name: string }) => e.name === 'frames')).toMatchObject({
        type: 'hash',
        bytes: expect.any(Number),
      });
      expect(names.filter((n: string) => n.startsWith('frame:'))).toEqual([]);
      for (const entry of report.layout.entries) expect(entry.ttlSeconds).toBeGreaterThan(3500);
    }
  });

  it('text output, and clear failures for unknown and malformed ids', async () => {
    const text = await runToExit(['inspect', id], backendEnv.env, cwd);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^session {3}\S{22} {2}\(backend: /);
    expect(text.stdout).toContain('history   2 version(s)');
    const unknown = await runToExit(['inspect', 'AAAAAAAAAAAAAAAAAAAAAA'], backendEnv.env, cwd);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toMatch(/^framestore: SESSION_NOT_FOUND: /);
    // Ids are base64url, so one may start with '-': it must reach the store, not the option parser.
    const dashed = await runToExit(['inspect', '-AAAAAAAAAAAAAAAAAAAAA'], backendEnv.env, cwd);
    expect(dashed.code).toBe(1);
    expect(dashed.stderr.trim()).toMatch(/^framestore: SESSION_NOT_FOUND: /);
    const malformed = await runToExit(['inspect', '../../etc/passwd'], backendEnv.env, cwd);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr.trim()).toMatch(/^framestore: INVALID_INPUT: /);
  });
});
