import { Table, tableFromArrays } from 'apache-arrow';
import * as fc from 'fast-check';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { isStorageError } from '../../src/contract/errors.js';
import { newId } from '../../src/contract/ids.js';
import type { SessionSnapshot, StorageBackend } from '../../src/contract/storage-backend.js';
import { connectBackend } from '../helpers/redis-harness.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeRealisticTable, makeSmallTable, tableDifference } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

/**
 * One semantics (docs/semantics.md): the same seeded random StorageBackend calls, valid and invalid, on the
 * embedded store and on Redis. After every step the two answers (value, or error code + message) are compared,
 * then the state of every session and upload of the run, read through a second instance of each store (so it
 * is what was committed, not what a cache kept). Normalised only where the stores must differ:
 * generated ids (named S1, U1… in order of creation), timestamps (within 5 s), tables (compared by value),
 * listing order. Nothing waits for an expiry (TTLs ≥ 1 h). Env: FC_NUM_RUNS raises the runs, FC_SEED picks
 * another seed; a failure prints the seed, the step (0 is the fixed first createSession), its calls and both
 * outcomes.
 */

type Side = 'mem' | 'red';
type Outcome = { ok: true; value: unknown } | { ok: false; error: string };
/** One store, and `id` to turn a logical name (S1, U2) into that store's id; anything else passes as is. */
type Ctx = { b: StorageBackend; side: Side; id: (ref: unknown) => string };
type Run = (x: Ctx) => Promise<unknown>;
type Op = [kind: string, a: number, b: number, c: number];

const ENV = { MAX_VERSIONS: '3', FRAME_CHUNK_ROWS: '1024', TEMP_TTL_SECONDS: '7200', LOG_LEVEL: 'silent' };
const PREFIX = { REDIS_KEY_PREFIX: `differential${process.pid}:` };
const SEED = Number(process.env.FC_SEED ?? 20_250_611);
const RUNS = Number(process.env.FC_NUM_RUNS ?? 40);
const STEPS = 30;
const TIME_SLACK_MS = 5_000;

const TABLES = {
  small0: makeSmallTable(0),
  small1: makeSmallTable(1),
  small3: makeSmallTable(3),
  small5: makeSmallTable(5),
  other: tableFromArrays({ a: Float64Array.from([1, 2]), b: Int32Array.from([3, 4]) }),
  unicode: tableFromArrays({ 'é🎉': Float64Array.from([1, 2, 3]), 'a:b': Int32Array.from([1, 2, 3]) }),
  chunked: makeRealisticTable(1500, 4, 3), // more rows than FRAME_CHUNK_ROWS
};
const { small1, small3, small5, other, unicode, chunked } = TABLES;

// What an op's random numbers choose from: well-formed arguments, and (1 in 6) malformed ones.
type Args = { ok: unknown[]; bad: unknown[] };
const args = (ok: unknown[], bad: unknown[]): Args => ({ ok, bad });
const cell = (row: unknown, column: string, reason?: string) => ({ row, column, reason });
const proto = () => JSON.parse('{"__proto__": {"x": 1}, "k": 2}') as unknown;
const deep = (n: number): unknown => (n === 0 ? { leaf: 1 } : { d: deep(n - 1) });
const long = (n: number) => 'x'.repeat(n);
const BAD_IDS = ['AAAAAAAAAAAAAAAAAAAAAA', '', '../../etc/passwd', 'A'.repeat(23), 5, null];
const TABLE_ARGS = args([...Object.values(TABLES), small3, small5], [{ not: 'a table' }, null]); // marks name `id`
const CREATE_OPTS = args(
  [undefined, { filename: 'a.csv', user: 'ana' }, { filename: '' }, { user: '' }, { ttlSeconds: 7200 }],
  [{ filename: long(1025) }, { user: long(201) }, { filename: 'f\ud800' }, { ttlSeconds: 0 }, null],
);
CREATE_OPTS.ok.push({ metadata: { a: 1, n: { x: [1, null], e: {} } } }, { metadata: proto() });
/** Changes; expectedVersion 'current' / 'stale' become the session's version / the one before it. */
const CHANGES = args(
  [{ operation: 'edit' }, { operation: 'e', user: '' }, { operation: 'fill', details: { a: [1, null] } }],
  [{ operation: 'e', expectedVersion: 0 }, { operation: '   ' }, { operation: long(201) }, null],
);
CHANGES.ok.push(
  { operation: 'e', expectedVersion: 'current', user: 'b' },
  { operation: 'e', expectedVersion: 'stale' },
);
const LABELS = args([undefined, '', 'v1', 'é🎉', long(200)], [long(201), 5, 'l\ud800']);
const ACTORS = args([undefined, { user: 'u' }, { user: '' }], [{ user: 5 }, null]);
const READS = args([undefined, { columns: ['id'] }, { offset: 1, limit: 1 }], [{ columns: ['nope'] }, null]);
const PATCHES = args(
  [{ a: 1 }, { a: null, b: { c: [1, { d: null }] } }, proto()],
  [[], null, deep(65), { b: 1n }],
);
PATCHES.ok.push({ a: undefined, z: 'é🎉' }, { constructor: 1 });
const AUDITS = args(
  [{ operation: 'x' }, { operation: 'note', details: { a: [] }, user: 'an', rowsBefore: 0, rowsAfter: 3 }],
  [{ operation: '' }, { operation: 'x', rowsBefore: -1 }, null],
);
const AUDIT_QUERIES = args([undefined, { offset: 1 }, { limit: 1 }], [{ offset: -1 }, { limit: 0 }]);
const MARKS = args(
  [cell(0, 'id'), cell(1, 'name', 'n/a'), cell(2, 'score'), cell(0, 'a'), cell(1, 'é🎉')],
  [cell(0, 'nope'), cell(99, 'id'), cell(-1, 'id'), cell(0, 'id', long(1025)), cell('0', 'id'), null],
);
const BATCHES = args(
  [[], [cell(0, 'id', 'a'), cell(0, 'id', 'b'), cell(2, 'score')], [cell(1, 'a'), cell(0, 'b')]],
  [[cell(0, 'id'), cell(0, 'nope')], [cell(1, 'a'), cell(9, 'a')], 'x'],
);
const CLEARS = args([undefined, [], [cell(0, 'id'), cell(1, 'name')]], [[cell(0, 'nope')], 'x']);
const TOUCH_TTLS = args([undefined, 3600, 7200, 315_360_000], [315_360_001, 0, 1.5, 'x']);
const SHEETS = args([{ a: small3 }, { s1: small3, s2: other }, { 'é🎉': unicode, big: chunked }], [{}, null]);
SHEETS.bad.push({ 'a/b': small1 });
const STORE_OPTS = args([undefined, { filename: 'x.xlsx' }, { filename: '' }, { ttlSeconds: 7200 }], [null]);
const SHEET_NAMES = args(['a', 's1', 's2', 'big', 'é🎉', 'nope'], ['', 5]);
const PROMOTE_OPTS = args([undefined, { keepUpload: true }], [{ keepUpload: 'yes' }, null]);
PROMOTE_OPTS.ok.push({ filename: 'p.csv', user: 'pat', keepUpload: true, metadata: { m: 1 } });
const LISTS = args(
  [{}, { limit: 1 }, { limit: 2 }],
  [{ limit: 0 }, { cursor: '' }, { cursor: 'junk' }, null],
);
/** exportSession → importSession: the variants, and the options the import gets. */
const IMPORTS: Record<string, unknown> = {
  overwrite: { overwrite: true },
  'no overwrite': {},
  'opts null': null,
  'fresh id': undefined,
  'delete first': undefined,
};

/** Ops that are one call: the method, its target (a session, an upload, none), lists to pick the rest from. */
const SIMPLE: Record<string, ['S' | 'U' | '', ...Args[]]> = {
  createSession: ['', TABLE_ARGS, CREATE_OPTS],
  createVersion: ['S', LABELS],
  undoLastChange: ['S', ACTORS],
  redo: ['S', ACTORS],
  getDataFrame: ['S', READS],
  updateMetadata: ['S', PATCHES],
  getMetadata: ['S'],
  addAuditEntry: ['S', AUDITS],
  getAuditLog: ['S', AUDIT_QUERIES],
  markIntentionalMissing: ['S', MARKS],
  markIntentionalMissingBatch: ['S', BATCHES],
  clearIntentionalMissing: ['S', CLEARS],
  getIntentionalMissing: ['S'],
  touchSession: ['S', TOUCH_TTLS],
  deleteSession: ['S'],
  storeTempSheets: ['', SHEETS, STORE_OPTS],
  listTempSheets: ['U'],
  getTempSheet: ['U', SHEET_NAMES],
  promoteTempSheet: ['U', SHEET_NAMES, PROMOTE_OPTS],
  deleteTemp: ['U'],
};
const SPECIAL = 'updateDataFrame restoreVersion getVersion exportImport listSessions listTempUploads';
const MORE = 'createSession updateDataFrame updateDataFrame undoLastChange storeTempSheets storeTempSheets';
const KINDS = [...Object.keys(SIMPLE), ...SPECIAL.split(' '), ...MORE.split(' ')]; // MORE: drawn more often

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;
const choose = ({ ok, bad }: Args, n: number) => (n % 6 === 0 ? pick(bad, n >> 3) : pick(ok, n >> 3));
const show = (value: unknown): string =>
  JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

// Needs both stores: skipped when FRAMESTORE_TEST_BACKENDS (jest.config.cjs) leaves one of them out.
const selected = (process.env.FRAMESTORE_TEST_BACKENDS ?? 'inmemory,redis').split(',').map((b) => b.trim());
const describeBoth = selected.includes('inmemory') && selected.includes('redis') ? describe : describe.skip;

describeBoth('InMemoryBackend and RedisBackend agree (differential)', () => {
  let server: RedisServerHandle;
  let dir: string;
  let backends: Record<Side, StorageBackend>;
  let readers: Record<Side, StorageBackend>; // second instances over the same data: state as loaded afresh
  // Per run: the logical name of each id either store generated, and the sessions and uploads made so far.
  let names: Record<Side, Map<string, string>>;
  let idsOf: Map<string, Record<Side, string>>;
  let sessions: string[];
  let uploads: string[];
  let calls: Record<Side, string[]>; // per step, for the failure message

  beforeAll(async () => {
    server = await startRedisServer();
    dir = await makeTempDir('framestore-differential-');
    const open = async () => ({
      mem: await InMemoryBackend.open(loadConfig({ STORAGE_DIR: dir, ...ENV }), { sweepIntervalMs: 0 }),
      red: await connectBackend(server, { ...ENV, ...PREFIX }),
    });
    [backends, readers] = [await open(), await open()];
  });
  afterAll(async () => {
    for (const b of [backends?.mem, backends?.red, readers?.mem, readers?.red]) await b?.close();
    await server?.stop();
    await removeTempDir(dir);
  });

  const ctx = (side: Side, pool: Record<Side, StorageBackend>): Ctx => ({
    b: pool[side],
    side,
    id: (ref) => (idsOf.get(ref as string)?.[side] ?? ref) as string,
  });
  /** Mostly a session/upload of this run (deleted ones included), else a missing or malformed id. */
  const refOf = (list: string[], n: number): unknown =>
    list.length > 0 && n % 10 !== 0 ? pick(list, n >> 4) : pick(BAD_IDS, n >> 4);

  /** Names the session or upload a call created on both stores (an id neither store had returned yet). */
  function register(memValue: unknown, redValue: unknown): void {
    const key = (memValue as { uploadId?: string } | null)?.uploadId ? 'uploadId' : 'sessionId';
    const mem = (memValue as Record<string, unknown> | null)?.[key];
    const red = (redValue as Record<string, unknown> | null)?.[key];
    if (typeof mem !== 'string' || typeof red !== 'string' || names.mem.has(mem) || names.red.has(red))
      return;
    const list = key === 'sessionId' ? sessions : uploads;
    const label = `${key === 'sessionId' ? 'S' : 'U'}${list.length + 1}`;
    list.push(label);
    idsOf.set(label, { mem, red });
    names.mem.set(mem, label);
    names.red.set(red, label);
  }

  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  const relabel = (text: string, side: Side) =>
    [...names[side]].reduce((out, [id, label]) => out.split(id).join(`<${label}>`), text);
  /** Ids → logical names; timestamps and tables → placeholders (kept aside to compare); keys sorted. */
  function normalise(v: unknown, side: Side, times: number[] = [], tables: Table[] = []): unknown {
    if (typeof v === 'string' && ISO.test(v)) return `<time ${times.push(Date.parse(v))}>`;
    if (typeof v === 'string') return relabel(v, side);
    if (typeof v === 'bigint') return `${v}n`;
    if (v === undefined) return '<undefined>';
    if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
    if (v instanceof Table) return `<table ${v.numRows}x${v.numCols} #${tables.push(v)}>`;
    if (Array.isArray(v)) return v.map((x) => normalise(x, side, times, tables));
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v).filter(([key, x]) => key !== 'backendType' && x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(
      entries.map(([key, x]) => [relabel(key, side), normalise(x, side, times, tables)]),
    );
  }
  const render = (o: Outcome, side: Side) =>
    o.ok ? `ok ${show(normalise(o.value, side)).slice(0, 800)}` : relabel(o.error, side);

  /** Why two outcomes differ, or null. */
  function difference(mem: Outcome, red: Outcome): string | null {
    if (!mem.ok || !red.ok) return render(mem, 'mem') === render(red, 'red') ? null : 'outcomes differ';
    const [tm, tr, fm, fr]: [number[], number[], Table[], Table[]] = [[], [], [], []];
    if (show(normalise(mem.value, 'mem', tm, fm)) !== show(normalise(red.value, 'red', tr, fr)))
      return 'values differ';
    const far = tm.findIndex((t, i) => !(Math.abs(t - (tr[i] ?? Number.NaN)) <= TIME_SLACK_MS));
    if (far >= 0) return `<time ${far + 1}> differs by more than ${TIME_SLACK_MS} ms`;
    const why = fm.map((table, i) => tableDifference(table, fr[i]!)).find((d) => d !== null);
    return why ? `tables differ: ${why}` : null;
  }

  /** Calls a backend method, noting the call (ids as logical names) for the failure message. */
  function call(x: Ctx, method: string, ...params: unknown[]): Promise<unknown> {
    calls[x.side].push(`${method}(${params.map((p) => show(normalise(p, x.side)).slice(0, 90)).join(', ')})`);
    return (x.b[method as keyof StorageBackend] as (...a: unknown[]) => Promise<unknown>).apply(x.b, params);
  }

  async function capture(run: Run, x: Ctx): Promise<Outcome> {
    try {
      return { ok: true, value: await run(x) };
    } catch (error) {
      if (isStorageError(error)) return { ok: false, error: `${error.code}: ${error.message}` };
      return { ok: false, error: `not a StorageError: ${String(error)}` };
    }
  }

  /** Runs a step on one store, then on the other; throws on the first difference. */
  async function both(n: number, what: string, run: Run, pool = backends): Promise<void> {
    calls = { mem: [], red: [] };
    const mem = await capture(run, ctx('mem', pool));
    const red = await capture(run, ctx('red', pool));
    if (mem.ok && red.ok) register(mem.value, red.value);
    const why = difference(mem, red);
    if (why === null) return;
    const [cm, cr] = [calls.mem.join(' → '), calls.red.join(' → ')];
    throw new Error(
      `step ${n} (${what}): ${cm === cr ? cm : `mem: ${cm} | red: ${cr}`}\n  ${why}\n` +
        `  mem → ${render(mem, 'mem')}\n  red → ${render(red, 'red')}`,
    );
  }

  /** A whole listing, page by page: sorted logical names (a listing's order is not part of the contract). */
  async function walk(x: Ctx, method: string, opts: unknown): Promise<unknown> {
    const found: string[] = [];
    for (let page = 0, query = opts; page < 100; page += 1) {
      const res = (await call(x, method, query)) as { cursor?: string; [list: string]: unknown };
      const entries = (res.sessions ?? res.uploads) as { sessionId?: string; uploadId?: string }[];
      found.push(...entries.map((e) => names[x.side].get(e.sessionId ?? e.uploadId ?? '') ?? 'unregistered'));
      if (res.cursor === undefined) break;
      query = { ...(opts as object), cursor: res.cursor };
    }
    return found.sort();
  }

  /** Mostly a version the session holds (current, then history newest first), else a missing one or 0. */
  async function versionArg(x: Ctx, s: unknown, n: number): Promise<number> {
    const info = await x.b.getSession(x.id(s)).catch(() => ({ version: 1 }));
    const history = await x.b.listVersions(x.id(s)).catch(() => []);
    return choose(args([info.version, ...history.map((v) => v.version).reverse()], [999, 0]), n) as number;
  }

  function build([kind, a, b, c]: Op): Run {
    const s = refOf(sessions, a);
    const simple = SIMPLE[kind];
    if (simple) {
      const [target, ...lists] = simple;
      const ref = target === 'S' ? [s] : target === 'U' ? [refOf(uploads, a)] : [];
      const rest = lists.map((list, i) => choose(list, i === 0 ? b : c));
      return (x) => call(x, kind, ...ref.map(x.id), ...rest);
    }
    switch (kind) {
      case 'updateDataFrame':
        return async (x) => {
          const { version } = await x.b.getSession(x.id(s)).catch(() => ({ version: 1 }));
          const change = choose(CHANGES, c) as { expectedVersion?: unknown } | null;
          const expected = { current: version, stale: version - 1 }[String(change?.expectedVersion)];
          const fixed = expected === undefined ? change : { ...change, expectedVersion: expected };
          return call(x, kind, x.id(s), choose(TABLE_ARGS, b), fixed);
        };
      case 'restoreVersion':
        return async (x) => call(x, kind, x.id(s), await versionArg(x, s, b), choose(ACTORS, c));
      case 'getVersion':
        return async (x) => call(x, kind, x.id(s), await versionArg(x, s, b), choose(READS, c));
      case 'exportImport': {
        const how = pick(Object.keys(IMPORTS), b);
        const fresh = newId(); // the same new id on both stores
        return async (x) => {
          const snap = (await call(x, 'exportSession', x.id(s))) as SessionSnapshot;
          if (how === 'delete first') await call(x, 'deleteSession', x.id(s));
          const snapshot = how === 'fresh id' ? { ...snap, sessionId: fresh } : snap;
          return call(x, 'importSession', snapshot, IMPORTS[how]);
        };
      }
      default: // listSessions, listTempUploads
        return (x) => walk(x, kind, choose(LISTS, b));
    }
  }

  /** The state of every session and upload of the run, read on both stores by the second instances. */
  async function compareState(n: number, kind: string): Promise<void> {
    const reads = 'getSession listVersions getAuditLog getMetadata getIntentionalMissing'.split(' ');
    for (const label of sessions)
      for (const read of reads)
        await both(n, `state after ${kind}`, (x) => call(x, read, x.id(label)), readers);
    for (const label of uploads)
      await both(n, `state after ${kind}`, (x) => call(x, 'listTempSheets', x.id(label)), readers);
  }

  /** Deletes everything on both stores (each run starts empty) and forgets the logical names. */
  async function reset(): Promise<void> {
    for (const b of Object.values(backends)) {
      for (const { sessionId } of (await b.listSessions({ limit: 1000 })).sessions)
        await b.deleteSession(sessionId);
      for (const { uploadId } of (await b.listTempUploads({ limit: 1000 })).uploads)
        await b.deleteTemp(uploadId);
    }
    names = { mem: new Map(), red: new Map() };
    [idsOf, sessions, uploads] = [new Map(), [], []];
  }

  const opArb = fc.tuple(fc.constantFrom(...KINDS), fc.nat(9999), fc.nat(9999), fc.nat(9999));
  const FIRST: Op = ['createSession', 0, 17, 9]; // small3 with a filename and a user: every run has a session

  jest.setTimeout(60_000 + RUNS * 5_000);
  test(`same calls, same answers and state on both stores (seed ${SEED}, ${RUNS} runs)`, async () => {
    const runArb = fc.noBias(fc.array(opArb, { minLength: STEPS, maxLength: STEPS }));
    const property = fc.asyncProperty(runArb, async (ops) => {
      await reset();
      for (const [n, op] of [FIRST, ...ops].entries()) {
        await both(n, op[0], build(op));
        await compareState(n, op[0]);
      }
    });
    // No shrinking: a run replays stateful calls on real stores, and the message already names the step.
    await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
  });
});
