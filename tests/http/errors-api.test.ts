import request from 'supertest';
import { MEDIA } from '../../src/http/content-types.js';
import {
  type AppFixture,
  createTestApp,
  describeBackends,
  expectError,
  MALFORMED_IDS,
  selectedBackends,
} from './http-fixtures.js';

const ID_ROUTES: [method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: (id: string) => string][] = [
  ['get', (id) => `/sessions/${id}`],
  ['delete', (id) => `/sessions/${id}`],
  ['get', (id) => `/sessions/${id}/data`],
  ['put', (id) => `/sessions/${id}/data?operation=x`],
  ['get', (id) => `/sessions/${id}/versions`],
  ['post', (id) => `/sessions/${id}/undo`],
  ['post', (id) => `/sessions/${id}/redo`],
  ['post', (id) => `/sessions/${id}/versions/1/restore`],
  ['get', (id) => `/sessions/${id}/metadata`],
  ['patch', (id) => `/sessions/${id}/metadata`],
  ['get', (id) => `/sessions/${id}/audit`],
  ['get', (id) => `/sessions/${id}/missing`],
  ['delete', (id) => `/sessions/${id}/missing`],
  ['get', (id) => `/uploads/${id}`],
  ['delete', (id) => `/uploads/${id}`],
  ['get', (id) => `/uploads/${id}/sheets/a/data`],
  ['post', (id) => `/uploads/${id}/sheets/a/promote`],
];

describeBackends('error mapping', (fx) => {
  it('malformed ids are 400 INVALID_INPUT on every id route, before any storage call', async () => {
    const before = (await fx().manager.getStats()).sessions;
    for (const [method, path] of ID_ROUTES) {
      for (const id of MALFORMED_IDS) {
        const res = await request(fx().app)[method](path(id)).set('Content-Type', 'text/csv').send('a\n1\n');
        expect({ route: `${method} ${path(id)}`, status: res.status, code: res.body.error?.code }).toEqual({
          route: `${method} ${path(id)}`,
          status: 400,
          code: 'INVALID_INPUT',
        });
      }
    }
    expect((await fx().manager.getStats()).sessions).toBe(before);
  });

  it('unknown routes and methods are 404 ROUTE_NOT_FOUND as JSON', async () => {
    expectError(await request(fx().app).get('/nope'), 404, 'ROUTE_NOT_FOUND');
    expectError(await request(fx().app).put('/sessions'), 404, 'ROUTE_NOT_FOUND');
    expectError(await request(fx().app).get('/sessions/a/b/c/d'), 404, 'ROUTE_NOT_FOUND');
  });

  it('an undecodable %-escape in a path is 400 INVALID_INPUT', async () => {
    expectError(await request(fx().app).get('/sessions/%E0%A4%A'), 400, 'INVALID_INPUT');
  });

  it('repeated query parameters are refused rather than guessed', async () => {
    expectError(await request(fx().app).get('/sessions?limit=1&limit=2'), 400, 'INVALID_INPUT');
  });
});

describe('body cap (MAX_DATAFRAME_SIZE_MB)', () => {
  const backend = selectedBackends()[0] ?? 'inmemory';
  let fixture: AppFixture;

  beforeAll(async () => {
    // 0.01 MB ≈ 10 KB
    fixture = await createTestApp(backend, { MAX_DATAFRAME_SIZE_MB: '0.01' });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('an oversize body is 413 PAYLOAD_TOO_LARGE with the JSON error body, for every body type', async () => {
    const big = `a,b\n${'1,2\n'.repeat(5000)}`;
    expectError(
      await request(fixture.app).post('/sessions').set('Content-Type', 'text/csv').send(big),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(
      await request(fixture.app).post('/uploads').set('Content-Type', MEDIA.xlsx).send(Buffer.alloc(20_000)),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const created = await request(fixture.app)
      .post('/sessions')
      .set('Content-Type', 'text/csv')
      .send('a\n1\n');
    expect(created.status).toBe(201);
    const id = created.body.session_id as string;
    expectError(
      await request(fixture.app)
        .patch(`/sessions/${id}/metadata`)
        .send({ blob: 'x'.repeat(20_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(
      await request(fixture.app)
        .put(`/sessions/${id}/data?operation=x`)
        .set('Content-Type', 'text/csv')
        .send(big),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });
});
