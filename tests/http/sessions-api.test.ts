import request from 'supertest';
import { tableToArrowIpc } from '../../src/codec/arrow-ipc.js';
import { MEDIA } from '../../src/http/content-types.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';
import { arrowBody, binary, describeBackends, expectError, UNKNOWN_ID } from './http-fixtures.js';

const CSV = 'id,name,score,active\n1,Ana,9.5,true\n2,Björn,,false\n3,,7.25,true\n';
const SESSION_KEYS = [
  'bytes',
  'can_redo',
  'can_undo',
  'columns',
  'created_at',
  'expires_at',
  'filename',
  'last_user',
  'rows',
  'session_id',
  'updated_at',
  'version',
  'version_count',
];

describeBackends('sessions API', (fx) => {
  let id = '';

  it('POST /sessions with CSV → 201, Location and a snake_case SessionInfo', async () => {
    const res = await request(fx().app)
      .post('/sessions?filename=people.csv&user=ana')
      .set('Content-Type', 'text/csv')
      .send(CSV);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(SESSION_KEYS);
    expect(res.body).toMatchObject({
      filename: 'people.csv',
      rows: 3,
      columns: 4,
      can_undo: false,
      can_redo: false,
    });
    id = res.body.session_id;
    expect(res.headers.location).toBe(`/sessions/${id}`);
  });

  it('GET /sessions/:id and GET /sessions (paged with next_cursor)', async () => {
    const one = await request(fx().app).get(`/sessions/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.session_id).toBe(id);

    const second = await request(fx().app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await request(fx().app)
        .get('/sessions')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      for (const s of res.body.sessions) seen.add(s.session_id);
      cursor = res.body.next_cursor;
      if (cursor === undefined) break;
    }
    expect(seen).toEqual(new Set([id, second.body.session_id]));
  });

  it('GET /sessions/:id/data negotiates Arrow (default), JSON rows and CSV', async () => {
    const arrow = await request(fx().app).get(`/sessions/${id}/data`).buffer(true).parse(binary);
    expect(arrow.status).toBe(200);
    expect(arrow.headers['content-type']).toBe(MEDIA.arrowStream);
    expect(arrow.headers.vary).toMatch(/Accept/);
    const table = arrowBody(arrow);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Int64',
      'name:Utf8',
      'score:Float64',
      'active:Bool',
    ]);

    const json = await request(fx().app).get(`/sessions/${id}/data`).set('Accept', 'application/json');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toEqual([
      { id: 1, name: 'Ana', score: 9.5, active: true },
      { id: 2, name: 'Björn', score: null, active: false },
      { id: 3, name: null, score: 7.25, active: true },
    ]);

    const csv = await request(fx().app).get(`/sessions/${id}/data`).set('Accept', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe('id,name,score,active\n1,Ana,9.5,true\n2,Björn,,false\n3,,7.25,true\n');

    const byQuery = await request(fx().app)
      .get(`/sessions/${id}/data?format=csv`)
      .set('Accept', MEDIA.arrowStream);
    expect(byQuery.text).toBe(csv.text);

    const weighted = await request(fx().app)
      .get(`/sessions/${id}/data`)
      .set('Accept', `${MEDIA.arrowStream};q=0.1, text/csv;q=0.9`);
    expect(weighted.headers['content-type']).toMatch(/^text\/csv/);

    expectError(
      await request(fx().app).get(`/sessions/${id}/data`).set('Accept', 'text/html'),
      406,
      'NOT_ACCEPTABLE',
    );
  });

  it('Arrow IPC in → Arrow IPC out is exact (ints, int64 beyond 2^53, dictionaries, timestamps, nulls)', async () => {
    const source = makeRealisticTable(500, 20, 7);
    const created = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', MEDIA.arrowStream)
      .send(tableToArrowIpc(source));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rows: 500, columns: 20 });
    const back = await request(fx().app)
      .get(`/sessions/${created.body.session_id}/data`)
      .set('Accept', MEDIA.arrowStream)
      .buffer(true)
      .parse(binary);
    assertTablesEqual(arrowBody(back), source);
  });

  it('JSON rows in → JSON rows out', async () => {
    const rows = [
      { sku: 'A-1', qty: 3, price: 1.25, gift: false },
      { sku: 'B-2', qty: null, price: 10, gift: true },
    ];
    const created = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'application/json')
      .send(rows);
    expect(created.status).toBe(201);
    const back = await request(fx().app)
      .get(`/sessions/${created.body.session_id}/data`)
      .set('Accept', 'application/json');
    expect(back.body).toEqual(rows);
  });

  it('CSV with another delimiter via ?delimiter=', async () => {
    const created = await request(fx().app)
      .post('/sessions?delimiter=%3B')
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send('a;b\n1;x\n');
    expect(created.body).toMatchObject({ rows: 1, columns: 2 });
  });

  it('refuses bodies that are not tables', async () => {
    const app = fx().app;
    expectError(
      await request(app).post('/sessions').set('Content-Type', 'text/plain').send('a\n1'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await request(app).post('/sessions').set('Content-Type', 'text/csv').send(''),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await request(app)
        .post('/sessions')
        .set('Content-Type', MEDIA.arrowStream)
        .send(Buffer.from('not arrow at all')),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a,b\n1\n'),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await request(app).post('/sessions?ttl_seconds=0').set('Content-Type', 'text/csv').send('a\n1\n'),
      400,
      'INVALID_INPUT',
    );
  });

  it('DELETE /sessions/:id → 204, then 404 SESSION_NOT_FOUND everywhere', async () => {
    const app = fx().app;
    expect((await request(app).delete(`/sessions/${id}`)).status).toBe(204);
    expectError(await request(app).get(`/sessions/${id}`), 404, 'SESSION_NOT_FOUND');
    expectError(await request(app).get(`/sessions/${id}/data`), 404, 'SESSION_NOT_FOUND');
    expectError(await request(app).delete(`/sessions/${id}`), 404, 'SESSION_NOT_FOUND');
    expectError(await request(app).get(`/sessions/${UNKNOWN_ID}/versions`), 404, 'SESSION_NOT_FOUND');
  });
});
