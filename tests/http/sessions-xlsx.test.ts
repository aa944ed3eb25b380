import request from 'supertest';
import { MEDIA } from '../../src/http/content-types.js';
import { arrowBody, binary, describeBackends, expectError } from './http-fixtures.js';
import { threeSheetWorkbook } from './xlsx-fixtures.js';

describeBackends('POST /sessions with an .xlsx body', (fx) => {
  let workbook: Buffer;
  beforeAll(async () => {
    workbook = await threeSheetWorkbook();
  });

  it('takes the first sheet with data by default', async () => {
    const created = await request(fx().app)
      .post('/sessions?filename=sales.xlsx')
      .set('Content-Type', MEDIA.xlsx)
      .send(workbook);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rows: 3, columns: 5, filename: 'sales.xlsx' });
    const data = await request(fx().app)
      .get(`/sessions/${created.body.session_id}/data`)
      .set('accept', MEDIA.arrowStream)
      .buffer(true)
      .parse(binary);
    expect(arrowBody(data).schema.fields.map((f) => f.name)).toEqual([
      'region',
      'units',
      'price',
      'shipped',
      'date',
    ]);
  });

  it('takes ?sheet= by name', async () => {
    const created = await request(fx().app)
      .post('/sessions?sheet=Notes')
      .set('Content-Type', MEDIA.xlsx)
      .send(workbook);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rows: 5, columns: 2 });
  });

  it('refuses an unknown sheet with 400 naming the sheets', async () => {
    const res = await request(fx().app)
      .post('/sessions?sheet=Nope')
      .set('Content-Type', MEDIA.xlsx)
      .send(workbook);
    expectError(res, 400, 'INVALID_INPUT');
    expect(res.body.error.message).toContain('"Nope"');
    expect(res.body.error.message).toContain('"Sales 2024", "Personas", "Notes"');
  });

  it('refuses what is not a workbook with 400', async () => {
    expectError(
      await request(fx().app).post('/sessions').set('Content-Type', MEDIA.xlsx).send(Buffer.from('zip?')),
      400,
      'INVALID_INPUT',
    );
  });
});
