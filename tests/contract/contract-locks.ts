import { assertTablesEqual } from '../helpers/tables.js';
import { spawnWorker, type WorkerChild } from './contract-children.js';
import { type ContractContext, expectCode } from './contract-context.js';
import { appendToLedger, ledgerRows, makeLedger } from './contract-ledger.js';

const N_PROCESSES = 8;
const K_UPDATES = 2;

/** A promise with its resolve function outside. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function lockTests(ctx: ContractContext): void {
  const children: WorkerChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  test('withLock returns what fn returns and passes its errors through unchanged', async () => {
    const { sessionId } = await ctx.session();
    expect(await ctx.backend.withLock(sessionId, async () => 42)).toBe(42);
    const mine = new Error('from fn');
    await expect(ctx.backend.withLock(sessionId, async () => Promise.reject(mine))).rejects.toBe(mine);
    expect(await ctx.backend.withLock(sessionId, async () => 'again')).toBe('again');
  });

  test('backend calls inside withLock on the same session do not deadlock', async () => {
    const { sessionId } = await ctx.session(makeLedger([{ writer: 'origin', step: 0 }]));
    const info = await ctx.backend.withLock(sessionId, async () => {
      const table = await ctx.backend.getDataFrame(sessionId);
      await ctx.backend.updateDataFrame(sessionId, appendToLedger(table, 'a', 1), { operation: 'append' });
      await ctx.backend.addAuditEntry(sessionId, { operation: 'note' });
      await ctx.backend.createVersion(sessionId, 'inside');
      const snapshot = await ctx.backend.exportSession(sessionId);
      await ctx.backend.importSession(snapshot, { overwrite: true });
      await ctx.backend.markIntentionalMissing(sessionId, { row: 0, column: 'writer' });
      return ctx.backend.getSession(sessionId);
    });
    expect(info.version).toBe(3);
    expect(await ctx.backend.getIntentionalMissing(sessionId)).toHaveLength(1);
  });

  test('concurrent withLock callers in one process run one at a time', async () => {
    const { sessionId } = await ctx.session(makeLedger([{ writer: 'origin', step: 0 }]));
    let inside = 0;
    let maxInside = 0;
    const writers = Array.from({ length: 6 }, (_, i) =>
      ctx.backend.withLock(
        sessionId,
        async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          const table = await ctx.backend.getDataFrame(sessionId);
          await new Promise((resolve) => setTimeout(resolve, 5));
          await ctx.backend.updateDataFrame(sessionId, appendToLedger(table, `w${i}`, 1), {
            operation: 'append',
          });
          inside -= 1;
        },
        { retryCount: 200, retryDelayMs: 5 },
      ),
    );
    await Promise.all(writers);
    expect(maxInside).toBe(1);
    const rows = ledgerRows(await ctx.backend.getDataFrame(sessionId));
    expect(rows.map((r) => r.writer).sort()).toEqual(['origin', 'w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
    expect((await ctx.backend.getSession(sessionId)).version).toBe(7);
  });

  test('LOCK_TIMEOUT when the lock stays held past the retries; free again afterwards', async () => {
    const { sessionId } = await ctx.session();
    const other = await ctx.create();
    const held = deferred();
    const entered = deferred();
    const holder = ctx.backend.withLock(sessionId, async () => {
      entered.resolve();
      await held.promise;
    });
    await entered.promise;
    await expectCode(
      () => ctx.backend.withLock(sessionId, async () => 'never', { retryCount: 2, retryDelayMs: 5 }),
      'LOCK_TIMEOUT',
    );
    const timeout = await expectCode(
      () => other.withLock(sessionId, async () => 'never', { retryCount: 1, retryDelayMs: 5 }),
      'LOCK_TIMEOUT',
    );
    // The same error on every store: which session, and how many attempts were made.
    expect(timeout.details).toEqual({ attempts: 2 });
    expect(timeout.message).toBe(
      `session ${sessionId} is locked by another writer; gave up after 2 attempts`,
    );
    const { sessionId: unrelated } = await ctx.session();
    expect(await other.withLock(unrelated, async () => 'free', { retryCount: 0 })).toBe('free');
    held.resolve();
    await holder;
    expect(await other.withLock(sessionId, async () => 'mine', { retryCount: 0 })).toBe('mine');
  });

  test('a write issued while another caller holds the lock waits for it, then succeeds', async () => {
    const { sessionId } = await ctx.session(makeLedger([{ writer: 'origin', step: 0 }]));
    const other = await ctx.create();
    let released = false;
    let write: Promise<{ version: number; afterRelease: boolean }> | undefined;
    await ctx.backend.withLock(sessionId, async () => {
      write = other
        .updateDataFrame(sessionId, makeLedger([{ writer: 'late', step: 1 }]), { operation: 'x' })
        .then((info) => ({ version: info.version, afterRelease: released }));
      // Reads are not locked: several round trips later the write still has not landed.
      for (let k = 0; k < 3; k += 1) expect((await other.getSession(sessionId)).version).toBe(1);
      released = true;
    });
    expect(await write).toEqual({ version: 2, afterRelease: true });
  });

  test(`${N_PROCESSES} processes x ${K_UPDATES} read-modify-writes under withLock lose nothing`, async () => {
    const { sessionId } = await ctx.session(makeLedger([{ writer: 'origin', step: 0 }]));
    for (let p = 0; p < N_PROCESSES; p += 1) {
      children.push(spawnWorker(ctx.harness, { mode: 'append', sessionId, name: `p${p}`, steps: K_UPDATES }));
    }
    // Start them together so the writes really contend.
    await Promise.all(children.map((child) => child.waitEvent('ready', 90_000)));
    for (const child of children) child.send('go');
    await Promise.all(children.map((child) => child.waitEvent('done', 90_000)));
    expect(await Promise.all(children.map((child) => child.exited))).toEqual(children.map(() => 0));

    const total = N_PROCESSES * K_UPDATES;
    const info = await ctx.backend.getSession(sessionId);
    expect(info.version).toBe(1 + total);
    const appends = (await ctx.backend.getAuditLog(sessionId)).filter((e) => e.operation === 'append');
    expect(appends).toHaveLength(total);
    const rows = ledgerRows(await ctx.backend.getDataFrame(sessionId));
    expect(rows).toHaveLength(1 + total);
    const expected = [{ writer: 'origin', step: 0 }];
    for (let p = 0; p < N_PROCESSES; p += 1) {
      for (let k = 1; k <= K_UPDATES; k += 1) expected.push({ writer: `p${p}`, step: k });
    }
    const key = (r: { writer: string; step: number }) => `${r.writer}:${r.step}`;
    expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
    // Each process's own steps appear in order: its writes were serialized.
    for (let p = 0; p < N_PROCESSES; p += 1) {
      const steps = rows.filter((r) => r.writer === `p${p}`).map((r) => r.step);
      expect(steps).toEqual([1, 2]);
    }
  }, 180_000);

  test('a holder paused past the lock lease is fenced: its write is STALE_WRITE, history stays linear', async () => {
    const origin = makeLedger([{ writer: 'origin', step: 0 }]);
    const { sessionId } = await ctx.session(origin);
    const lease = { LOCK_TTL_MS: '1000' };
    const child = spawnWorker(ctx.harness, { mode: 'hold', sessionId, name: 'paused', envOverrides: lease });
    children.push(child);
    await child.waitEvent('locked', 90_000);
    child.proc.kill('SIGSTOP');
    try {
      const other = await ctx.create(lease);
      // Succeeds once the paused holder's lease has lapsed (stale-lock recovery).
      await other.withLock(
        sessionId,
        async () => {
          const table = await other.getDataFrame(sessionId);
          await other.updateDataFrame(sessionId, appendToLedger(table, 'parent', 1), { operation: 'append' });
        },
        { retryCount: 400, retryDelayMs: 25 },
      );
    } finally {
      child.proc.kill('SIGCONT');
    }
    child.send('go');
    const outcome = await Promise.race([
      child.waitEvent('refused', 30_000),
      child.waitEvent('wrote', 30_000),
    ]);
    expect(outcome).toMatchObject({ event: 'refused', code: 'STALE_WRITE' });
    const info = await ctx.backend.getSession(sessionId);
    expect(info.version).toBe(2);
    const appends = (await ctx.backend.getAuditLog(sessionId)).filter((e) => e.operation === 'append');
    expect(appends).toHaveLength(1);
    expect(ledgerRows(await ctx.backend.getDataFrame(sessionId)).map((r) => r.writer)).toEqual([
      'origin',
      'parent',
    ]);
    assertTablesEqual(await ctx.backend.getVersion(sessionId, 1), origin);
  }, 120_000);

  test('withLock validates its arguments', async () => {
    const { sessionId } = await ctx.session();
    await expectCode(
      () => ctx.backend.withLock(sessionId, 'nope' as unknown as () => Promise<void>),
      'INVALID_INPUT',
    );
    await expectCode(
      () => ctx.backend.withLock(sessionId, async () => 1, { retryCount: -1 }),
      'INVALID_INPUT',
    );
  });
}
