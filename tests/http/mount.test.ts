import express from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { type AppFixture, createTestApp, expectError } from './http-fixtures.js';

describe('createApp mounted inside a host app', () => {
  let fixture: AppFixture;
  beforeAll(async () => {
    fixture = await createTestApp('inmemory');
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('works under a path prefix: Location headers include it, unknown paths stay JSON', async () => {
    const host = express();
    host.get('/hello', (_req, res) => {
      res.send('host route');
    });
    const storage = createApp(fixture.manager);
    host.use('/storage', storage);
    try {
      expect((await request(host).get('/hello')).text).toBe('host route');
      const created = await request(host)
        .post('/storage/sessions')
        .set('Content-Type', 'text/csv')
        .send('a\n1\n');
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/storage/sessions/${created.body.session_id}`);
      expect((await request(host).get(created.headers.location!)).status).toBe(200);
      expectError(await request(host).get('/storage/nope'), 404, 'ROUTE_NOT_FOUND');
    } finally {
      storage.locals.framestore.dispose();
    }
  });
});
