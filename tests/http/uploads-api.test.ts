import request from 'supertest';
import { MEDIA } from '../../src/http/content-types.js';
import { describeBackends, expectError, UNKNOWN_ID } from './http-fixtures.js';
import { multipartBody, threeSheetWorkbook } from './xlsx-fixtures.js';

describeBackends('uploads API', (fx) => {
  let workbook: Buffer;

  beforeAll(async () => {
    workbook = await threeSheetWorkbook();
  });

  it('POST /uploads (raw xlsx) → 201 { upload_id, sheets }, read a sheet, promote it (201), upload is gone', async () => {
    const app = fx().app;
    const res = await request(app)
      .post('/uploads?filename=ventas.xlsx')
      .set('Content-Type', MEDIA.xlsx)
      .send(workbook);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      upload_id: expect.any(String),
      filename: 'ventas.xlsx',
      created_at: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(res.body.sheets).toEqual([
      { name: 'Sales 2024', rows: 3, columns: 5, bytes: expect.any(Number) },
      { name: 'Personas', rows: 2, columns: 4, bytes: expect.any(Number) },
      { name: 'Notes', rows: 5, columns: 2, bytes: expect.any(Number) },
    ]);
    const uploadId = res.body.upload_id as string;
    expect(res.headers.location).toBe(`/uploads/${uploadId}`);

    const info = await request(app).get(`/uploads/${uploadId}`);
    expect(info.body.sheets).toHaveLength(3);

    const sheet = await request(app)
      .get(`/uploads/${uploadId}/sheets/${encodeURIComponent('Sales 2024')}/data`)
      .set('Accept', 'application/json');
    expect(sheet.status).toBe(200);
    expect(sheet.body[0]).toEqual({
      region: 'North',
      units: 10,
      price: 2.5,
      shipped: true,
      date: '2024-01-15T00:00:00.000',
    });
    expect((await request(app).get(`/uploads/${uploadId}/sheets/Nope/data`)).status).toBe(404);

    const promoted = await request(app)
      .post(`/uploads/${uploadId}/sheets/Personas/promote`)
      .send({ metadata: { origin: 'upload' }, user: 'ana' });
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({ rows: 2, columns: 4 });
    const sessionId = promoted.body.session_id as string;
    expect(promoted.headers.location).toBe(`/sessions/${sessionId}`);
    expect((await request(app).get(`/sessions/${sessionId}/metadata`)).body).toMatchObject({
      origin: 'upload',
    });
    const data = await request(app).get(`/sessions/${sessionId}/data`).set('Accept', 'text/csv');
    expect(data.text).toBe('nombre,edad,column_3,nota\nAna García,34,x,\nBjörn,51,y,ok\n');

    expectError(await request(app).get(`/uploads/${uploadId}`), 404, 'UPLOAD_NOT_FOUND');
  });

  it('POST /uploads as multipart/form-data takes the file name from the part; keep_upload and DELETE', async () => {
    const app = fx().app;
    const { body, contentType } = multipartBody(workbook, 'libro 1.xlsx');
    const res = await request(app).post('/uploads').set('Content-Type', contentType).send(body);
    expect(res.status).toBe(201);
    expect(res.body.filename).toBe('libro 1.xlsx');
    const uploadId = res.body.upload_id as string;

    const kept = await request(app)
      .post(`/uploads/${uploadId}/sheets/Notes/promote`)
      .send({ keep_upload: true });
    expect(kept.status).toBe(201);
    expect((await request(app).get(`/uploads/${uploadId}`)).status).toBe(200);

    expect((await request(app).delete(`/uploads/${uploadId}`)).status).toBe(204);
    expectError(await request(app).delete(`/uploads/${uploadId}`), 404, 'UPLOAD_NOT_FOUND');
    expectError(await request(app).get(`/uploads/${UNKNOWN_ID}/sheets/Notes/data`), 404, 'UPLOAD_NOT_FOUND');
    expectError(
      await request(app).post(`/uploads/${UNKNOWN_ID}/sheets/Notes/promote`),
      404,
      'UPLOAD_NOT_FOUND',
    );
  });

  it('refuses what is not a workbook', async () => {
    const app = fx().app;
    expectError(
      await request(app).post('/uploads').set('Content-Type', 'text/csv').send('a\n1\n'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await request(app).post('/uploads').set('Content-Type', MEDIA.xlsx).send(Buffer.from('zip?')),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await request(app)
        .post('/uploads')
        .set('Content-Type', 'multipart/form-data; boundary=x')
        .send('--x--\r\n'),
      400,
      'INVALID_INPUT',
    );
  });
});
