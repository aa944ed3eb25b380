import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { describeBackends, expectError } from './http-fixtures.js';

/** Idempotency-Key (§6): a repeated request gets the first response and changes nothing. */
describeBackends('Idempotency-Key', (fx) => {
  async function newSession(): Promise<string> {
    const res = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'text/csv')
      .send('a,b\n1,2\n3,4\n');
    return res.body.session_id as string;
  }

  it('a repeated POST /sessions with the same key and body creates one session and answers the same', async () => {
    const app = fx().app;
    const key = `create-${Math.random()}`;
    const send = () =>
      request(app)
        .post('/sessions')
        .set('Idempotency-Key', key)
        .set('Content-Type', 'text/csv')
        .send('x\n1\n2\n');
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers['content-type']).toMatch(/application\/json/);
    // The same key with another body is refused, and creates nothing either.
    const other = await request(app)
      .post('/sessions')
      .set('Idempotency-Key', key)
      .set('Content-Type', 'text/csv')
      .send('x\n9\n');
    expectError(other, 400, 'INVALID_INPUT');
    const listed = (await request(app).get('/sessions?limit=1000')).body.sessions as { session_id: string }[];
    expect(listed.filter((s) => s.session_id === first.body.session_id)).toHaveLength(1);
  });

  it('a repeated undo goes back one step, not two; a repeated audit POST appends one entry', async () => {
    const app = fx().app;
    const id = await newSession();
    for (const csv of ['a,b\n5,6\n', 'a,b\n7,8\n']) {
      await request(app).put(`/sessions/${id}/data?operation=edit`).set('Content-Type', 'text/csv').send(csv);
    }
    const before = (await request(app).get(`/sessions/${id}`)).body.version as number;
    const undo = () => request(app).post(`/sessions/${id}/undo`).set('Idempotency-Key', `undo-${id}`);
    const first = await undo();
    const second = await undo();
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await request(app).get(`/sessions/${id}`)).body.version).toBe(before + 1);
    expect((await request(app).get(`/sessions/${id}/data`).set('Accept', 'application/json')).body).toEqual([
      { a: 5, b: 6 },
    ]);

    const note = () =>
      request(app)
        .post(`/sessions/${id}/audit`)
        .set('Idempotency-Key', `note-${id}`)
        .send({ operation: 'note' });
    expect((await note()).status).toBe(201);
    expect((await note()).status).toBe(201);
    const audit = (await request(app).get(`/sessions/${id}/audit`)).body.entries as { operation: string }[];
    expect(audit.filter((e) => e.operation === 'note')).toHaveLength(1);
  });

  it('an error response is kept too (a retry gets the same 409), and another app over the same store shares the keys', async () => {
    const id = await newSession();
    const key = `stale-${id}`;
    const put = (app: ReturnType<typeof createApp>) =>
      request(app)
        .put(`/sessions/${id}/data?operation=edit&expected_version=99`)
        .set('Idempotency-Key', key)
        .set('Content-Type', 'text/csv')
        .send('a,b\n0,0\n');
    const first = await put(fx().app);
    expectError(first, 409, 'STALE_WRITE');
    const second = createApp(fx().manager);
    const again = await put(second);
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('a malformed key is INVALID_INPUT before anything runs', async () => {
    const id = await newSession();
    const res = await request(fx().app).post(`/sessions/${id}/undo`).set('Idempotency-Key', 'has space');
    expectError(res, 400, 'INVALID_INPUT');
    expect((await request(fx().app).get(`/sessions/${id}`)).body.version).toBe(1);
  });
});
