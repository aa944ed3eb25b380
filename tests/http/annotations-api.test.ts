import request from 'supertest';
import { describeBackends, expectError } from './http-fixtures.js';

describeBackends('metadata, audit and missing-value API', (fx) => {
  let id = '';

  beforeAll(async () => {
    const res = await request(fx().app)
      .post('/sessions?user=ana')
      .set('Content-Type', 'text/csv')
      .send('a,b\n1,\n2,x\n,y\n');
    id = res.body.session_id;
  });

  it('metadata: PATCH merges shallowly and null deletes; user keys are kept as given', async () => {
    const app = fx().app;
    expect((await request(app).get(`/sessions/${id}/metadata`)).body).toEqual({});
    const first = await request(app)
      .patch(`/sessions/${id}/metadata`)
      .send({ sourceFile: 'a.csv', nested: { keepCase: 1 } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ sourceFile: 'a.csv', nested: { keepCase: 1 } });
    const second = await request(app).patch(`/sessions/${id}/metadata`).send({ sourceFile: null, step: 2 });
    expect(second.body).toEqual({ nested: { keepCase: 1 }, step: 2 });
    expect((await request(app).get(`/sessions/${id}/metadata`)).body).toEqual(second.body);
    expectError(await request(app).patch(`/sessions/${id}/metadata`).send([1, 2]), 400, 'INVALID_INPUT');
    expectError(
      await request(app).patch(`/sessions/${id}/metadata`).set('Content-Type', 'text/plain').send('x=1'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await request(app)
        .patch(`/sessions/${id}/metadata`)
        .set('Content-Type', 'application/json')
        .send('{"a":'),
      400,
      'INVALID_INPUT',
    );
  });

  it('audit: the upload entry, POST with snake_case fields, paging, strict bodies', async () => {
    const app = fx().app;
    const initial = await request(app).get(`/sessions/${id}/audit`);
    expect(initial.status).toBe(200);
    expect(initial.body.initial_rows).toBe(3);
    expect(initial.body.entries[0]).toMatchObject({ seq: expect.any(Number), operation: 'upload' });

    const added = await request(app)
      .post(`/sessions/${id}/audit`)
      .send({
        operation: 'review',
        details: { note: 'looks fine' },
        user: 'bo',
        rows_before: 3,
        rows_after: 3,
      });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ operation: 'review', user: 'bo', rows_before: 3, rows_after: 3 });
    expect(added.body.at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const all = (await request(app).get(`/sessions/${id}/audit`)).body.entries;
    const page = await request(app).get(`/sessions/${id}/audit?offset=1&limit=1`);
    expect(page.body.entries).toEqual([all[1]]);

    expectError(
      await request(app).post(`/sessions/${id}/audit`).send({ operation: '' }),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await request(app).post(`/sessions/${id}/audit`).send({ operation: 'x', rowsBefore: 1 }),
      400,
      'INVALID_INPUT',
    );
    expectError(await request(app).post(`/sessions/${id}/audit`), 400, 'INVALID_INPUT');
    expectError(await request(app).get(`/sessions/${id}/audit?limit=0`), 400, 'INVALID_INPUT');
  });

  it('missing: mark one, mark a batch, list, clear by body, by query, then all', async () => {
    const app = fx().app;
    const one = await request(app)
      .post(`/sessions/${id}/missing`)
      .send({ row: 0, column: 'b', reason: 'not asked' });
    expect(one.status).toBe(201);
    expect(one.body).toEqual({ marked: 1 });
    const batch = await request(app)
      .post(`/sessions/${id}/missing`)
      .send({
        marks: [
          { row: 2, column: 'a' },
          { row: 1, column: 'a', reason: 'n/a' },
        ],
      });
    expect(batch.body).toEqual({ marked: 2 });

    const listed = await request(app).get(`/sessions/${id}/missing`);
    expect(listed.status).toBe(200);
    const marks = listed.body.marks as { row: number; column: string; reason?: string; marked_at: string }[];
    expect(marks.map((m) => `${m.row}:${m.column}`).sort()).toEqual(['0:b', '1:a', '2:a']);
    expect(marks.find((m) => m.column === 'b')).toMatchObject({
      reason: 'not asked',
      marked_at: expect.any(String),
    });

    const byBody = await request(app)
      .delete(`/sessions/${id}/missing`)
      .send({ cells: [{ row: 0, column: 'b' }] });
    expect(byBody.body).toEqual({ removed: 1 });
    const byQuery = await request(app).delete(`/sessions/${id}/missing?row=1&column=a`);
    expect(byQuery.body).toEqual({ removed: 1 });
    const rest = await request(app).delete(`/sessions/${id}/missing`);
    expect(rest.body).toEqual({ removed: 1 });
    expect((await request(app).get(`/sessions/${id}/missing`)).body).toEqual({ marks: [] });

    expectError(
      await request(app).post(`/sessions/${id}/missing`).send({ row: -1, column: 'a' }),
      400,
      'INVALID_INPUT',
    );
    expectError(await request(app).post(`/sessions/${id}/missing`).send({ marks: [] }), 400, 'INVALID_INPUT');
    expectError(await request(app).delete(`/sessions/${id}/missing?row=1`), 400, 'INVALID_INPUT');
    expectError(await request(app).delete(`/sessions/${id}/missing`).send({}), 400, 'INVALID_INPUT');
  });
});
