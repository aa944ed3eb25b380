import request from 'supertest';
import { describeBackends } from './http-fixtures.js';

/** Keys like __proto__ are data: a metadata PATCH or audit details keep them, nothing else is touched. */
describeBackends('JSON bodies keep every key', (fx) => {
  let id = '';
  beforeAll(async () => {
    const res = await request(fx().app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    id = res.body.session_id;
  });

  it('a metadata PATCH with __proto__ applies every key', async () => {
    const body = '{"__proto__":{"polluted":true},"constructor":"c","plain":1}';
    const res = await request(fx().app)
      .patch(`/sessions/${id}/metadata`)
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.text).toContain('"__proto__":{"polluted":true}');
    const stored = await request(fx().app).get(`/sessions/${id}/metadata`);
    expect(Object.keys(JSON.parse(stored.text)).sort()).toEqual(['__proto__', 'constructor', 'plain']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('audit details keep a __proto__ key', async () => {
    const res = await request(fx().app)
      .post(`/sessions/${id}/audit`)
      .set('Content-Type', 'application/json')
      .send('{"operation":"note","details":{"__proto__":{"x":1},"y":2}}');
    expect(res.status).toBe(201);
    expect(res.text).toContain('"__proto__":{"x":1}');
  });
});
