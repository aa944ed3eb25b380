import type { Table } from 'apache-arrow';
import { isValidId } from '../../src/contract/ids.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode, msFromNow, UNKNOWN_ID } from './contract-context.js';

const TEMP_TTL_MS = 900 * 1000;

export function uploadTests(ctx: ContractContext): void {
  const sheets = (): Record<string, Table> => ({
    Customers: makeSmallTable(3),
    'Orders 2024': makeRealisticTable(20, 8),
  });

  test('storeTempSheets stores every sheet; listTempSheets and getTempSheet read them back', async () => {
    const input = sheets();
    const stored = await ctx.backend.storeTempSheets(input, { filename: 'book.xlsx' });
    expect(isValidId(stored.uploadId)).toBe(true);
    expect(stored.filename).toBe('book.xlsx');
    expect(stored.sheets.map((s) => s.name).sort()).toEqual(['Customers', 'Orders 2024']);
    expect(stored.sheets.find((s) => s.name === 'Orders 2024')).toMatchObject({ rows: 20, columns: 8 });
    expect(Math.abs(msFromNow(stored.expiresAt) - TEMP_TTL_MS)).toBeLessThan(60_000);
    const listed = await ctx.backend.listTempSheets(stored.uploadId);
    expect({ ...listed, expiresAt: '' }).toEqual({ ...stored, expiresAt: '' });
    expect(Math.abs(Date.parse(listed.expiresAt) - Date.parse(stored.expiresAt))).toBeLessThan(1000);
    for (const [name, table] of Object.entries(input)) {
      assertTablesEqual(await ctx.backend.getTempSheet(stored.uploadId, name), table);
    }
  });

  test('unknown uploads and sheets are UPLOAD_NOT_FOUND', async () => {
    const stored = await ctx.backend.storeTempSheets(sheets());
    await expectCode(() => ctx.backend.getTempSheet(stored.uploadId, 'Nope'), 'UPLOAD_NOT_FOUND');
    await expectCode(() => ctx.backend.promoteTempSheet(stored.uploadId, 'Nope'), 'UPLOAD_NOT_FOUND');
    await expectCode(() => ctx.backend.listTempSheets(UNKNOWN_ID), 'UPLOAD_NOT_FOUND');
    await expectCode(() => ctx.backend.getTempSheet(UNKNOWN_ID, 'Customers'), 'UPLOAD_NOT_FOUND');
    await expectCode(() => ctx.backend.promoteTempSheet(UNKNOWN_ID, 'Customers'), 'UPLOAD_NOT_FOUND');
    await expectCode(() => ctx.backend.exportTempUpload(UNKNOWN_ID), 'UPLOAD_NOT_FOUND');
    expect(await ctx.backend.deleteTemp(UNKNOWN_ID)).toBe(false);
  });

  test('promoteTempSheet creates a session from one sheet and deletes the upload', async () => {
    const input = sheets();
    const stored = await ctx.backend.storeTempSheets(input, { filename: 'book.xlsx' });
    const info = await ctx.backend.promoteTempSheet(stored.uploadId, 'Orders 2024');
    expect(info).toMatchObject({ filename: 'book.xlsx#Orders 2024', rows: 20, columns: 8, version: 1 });
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), input['Orders 2024']!);
    expect(await ctx.backend.getInitialRows(info.sessionId)).toBe(20);
    expect((await ctx.backend.getAuditLog(info.sessionId))[0]).toMatchObject({ seq: 1, operation: 'upload' });
    await expectCode(() => ctx.backend.listTempSheets(stored.uploadId), 'UPLOAD_NOT_FOUND');
  });

  test('promoteTempSheet with keepUpload keeps it; options are applied to the session', async () => {
    const stored = await ctx.backend.storeTempSheets(sheets(), { filename: 'book.xlsx' });
    const info = await ctx.backend.promoteTempSheet(stored.uploadId, 'Customers', {
      keepUpload: true,
      filename: 'customers.csv',
      metadata: { from: 'excel' },
      ttlSeconds: 600,
    });
    expect(info.filename).toBe('customers.csv');
    expect(Math.abs(msFromNow(info.expiresAt) - 600_000)).toBeLessThan(10_000);
    expect(await ctx.backend.getMetadata(info.sessionId)).toEqual({ from: 'excel' });
    expect((await ctx.backend.listTempSheets(stored.uploadId)).sheets).toHaveLength(2);
    const second = await ctx.backend.promoteTempSheet(stored.uploadId, 'Orders 2024');
    expect(second.sessionId).not.toBe(info.sessionId);
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), makeSmallTable(3));
  });

  test('deleteTemp deletes once', async () => {
    const stored = await ctx.backend.storeTempSheets(sheets());
    expect(await ctx.backend.deleteTemp(stored.uploadId)).toBe(true);
    expect(await ctx.backend.deleteTemp(stored.uploadId)).toBe(false);
    await expectCode(() => ctx.backend.getTempSheet(stored.uploadId, 'Customers'), 'UPLOAD_NOT_FOUND');
  });

  test('sheet names and sheets are validated', async () => {
    const table = makeSmallTable();
    for (const name of ['', 'a/b', 'a\\b', 'x'.repeat(129), 'tab\there', 'nul\u0000']) {
      await expectCode(() => ctx.backend.storeTempSheets({ [name]: table }), 'INVALID_INPUT');
    }
    await expectCode(() => ctx.backend.storeTempSheets({}), 'INVALID_INPUT');
    await expectCode(
      () => ctx.backend.storeTempSheets({ A: { rows: [] } as unknown as Table }),
      'INVALID_INPUT',
    );
    await expectCode(() => ctx.backend.storeTempSheets({ A: table }, { ttlSeconds: 0 }), 'INVALID_INPUT');
    const ok = await ctx.backend.storeTempSheets({ ['ünïcødé ' + 'x'.repeat(100)]: table });
    expect(ok.sheets).toHaveLength(1);
    await expectCode(() => ctx.backend.getTempSheet(ok.uploadId, '../etc'), 'INVALID_INPUT');
  });

  test('listTempUploads pages through live uploads', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 3; i += 1)
      mine.add((await ctx.backend.storeTempSheets({ S: makeSmallTable() })).uploadId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ctx.backend.listTempUploads({
        limit: 2,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      seen.push(...page.uploads.map((u) => u.uploadId));
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== undefined && pages < 1000);
    for (const id of mine) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
  });
}
