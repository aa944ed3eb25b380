import request from 'supertest';
import { isStorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import { CellCounter, maxWorkbookCells, xlsxToTables } from '../../src/formats/xlsx-read.js';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { MEDIA } from '../../src/http/content-types.js';
import { type AppFixture, createTestApp, expectError } from './http-fixtures.js';
import { multipartBody, threeSheetWorkbook } from './xlsx-fixtures.js';
import {
  asZip64,
  compressibleWorkbook,
  numberGridWorkbook,
  withDeclaredSize,
  withDirectoryOffsetMovedBy,
} from './zip-fixtures.js';

const codeOf = (promise: Promise<unknown>): Promise<StorageErrorCode | 'ok' | 'other'> =>
  promise.then(
    () => 'ok' as const,
    (error: unknown) => (isStorageError(error) ? error.code : 'other'),
  );

describe('xlsx unpack limits', () => {
  const CAP = 40_000;
  let bomb: Buffer;
  let three: Buffer;

  beforeAll(async () => {
    bomb = await compressibleWorkbook(1_000_000);
    three = await threeSheetWorkbook();
  });

  it('refuses a small workbook that declares more unpacked bytes than the cap', async () => {
    expect(bomb.length).toBeLessThan(CAP / 2);
    expect(await codeOf(xlsxToTables(bomb, { maxBytes: CAP }))).toBe('PAYLOAD_TOO_LARGE');
    expect(Object.keys(await xlsxToTables(bomb, { maxBytes: 2_000_000 }))).toEqual(['bomb']);
  });

  it('refuses a directory that understates an entry, before unpacking past the declared size', async () => {
    const understated = withDeclaredSize(bomb, 'xl/sharedStrings.xml', 1000);
    expect(await codeOf(xlsxToTables(understated, { maxBytes: CAP }))).toBe('INVALID_INPUT');
    const overstated = withDeclaredSize(three, 'xl/worksheets/sheet1.xml', 5000);
    expect(await codeOf(xlsxToTables(overstated, { maxBytes: 1_000_000 }))).toBe('INVALID_INPUT');
  });

  it('refuses a malformed directory with INVALID_INPUT', async () => {
    for (const broken of [
      withDirectoryOffsetMovedBy(three, 1),
      withDirectoryOffsetMovedBy(three, -1),
      three.subarray(0, three.length - 10),
      Buffer.concat([Buffer.from('junk'), three]),
    ]) {
      expect(await codeOf(xlsxToTables(broken, { maxBytes: 1_000_000 }))).toBe('INVALID_INPUT');
    }
  });

  it('reads a zip64 end record as jszip does', async () => {
    const tables = await xlsxToTables(asZip64(three), { maxBytes: 1_000_000 });
    expect(Object.keys(tables)).toEqual(['Sales 2024', 'Personas', 'Notes']);
    expect(await codeOf(xlsxToTables(asZip64(bomb), { maxBytes: CAP }))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('caps cells: exactly at the limit passes, one over is 413', async () => {
    const grid = await numberGridWorkbook(5000); // 20,004 cells, several inflate chunks
    expect(await codeOf(xlsxToTables(grid, { maxBytes: 10_000_000, maxCells: 20_004 }))).toBe('ok');
    expect(await codeOf(xlsxToTables(grid, { maxBytes: 10_000_000, maxCells: 20_003 }))).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(maxWorkbookCells(500 * 1024 * 1024)).toBe(2_048_000);
  });

  it('counts cell tags split across any chunk boundary', () => {
    const xml = Buffer.from('<row><c r="A1"><v>1</v></c><c>x</c><c/><cols><col/></cols><c\tr="B"/><c');
    for (let size = 1; size <= xml.length; size++) {
      const counter = new CellCounter(100);
      for (let at = 0; at < xml.length; at += size) counter.push(xml.subarray(at, at + size));
      expect({ size, count: counter.count }).toEqual({ size, count: 4 });
    }
    expect(() => new CellCounter(3).push(xml)).toThrow(/over 3 cells/);
  });
});

describe('POST /uploads under a small body cap', () => {
  const CAP = 40_000;
  let fixture: AppFixture;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    fixture = await createTestApp('inmemory');
    app = createApp(fixture.manager, { maxBodyBytes: CAP });
  });
  afterAll(async () => {
    (app.locals.framestore as AppLocals).dispose();
    await fixture.close();
  });

  it('a zip bomb is 413 PAYLOAD_TOO_LARGE (raw and multipart) and nothing is stored', async () => {
    const bomb = await compressibleWorkbook(1_000_000);
    expect(bomb.length).toBeLessThan(CAP);
    expectError(
      await request(app).post('/uploads').set('Content-Type', MEDIA.xlsx).send(bomb),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const { body, contentType } = multipartBody(bomb, 'bomb.xlsx');
    expectError(
      await request(app).post('/uploads').set('Content-Type', contentType).send(body),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect((await fixture.manager.listTempUploads()).uploads).toEqual([]);
  });

  it('a workbook over the cell cap is 413 though its bytes fit', async () => {
    const grid = await numberGridWorkbook(1000); // 4,004 cells > 40,000 / 256
    expectError(
      await request(app).post('/uploads').set('Content-Type', MEDIA.xlsx).send(grid),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('a normal 3-sheet workbook is still 201 with its sheets', async () => {
    const res = await request(app)
      .post('/uploads')
      .set('Content-Type', MEDIA.xlsx)
      .send(await threeSheetWorkbook());
    expect(res.status).toBe(201);
    expect(res.body.sheets.map((sheet: { name: string }) => sheet.name)).toEqual([
      'Sales 2024',
      'Personas',
      'Notes',
    ]);
  });
});
