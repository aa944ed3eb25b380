import request from 'supertest';
import { arrowBody, binary, describeBackends, expectError } from '../http/http-fixtures.js';

describeBackends('CSV and JSON rows through the HTTP routes', (fx) => {
  it('?delimiter= takes a name; without it the separator is sniffed', async () => {
    for (const path of ['/sessions?delimiter=semicolon', '/sessions']) {
      const res = await request(fx().app).post(path).set('Content-Type', 'text/csv').send('a;b\n1;2,5\n');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ rows: 1, columns: 2 });
    }
    expectError(
      await request(fx().app)
        .post('/sessions?delimiter=colon')
        .set('Content-Type', 'text/csv')
        .send('a\n1\n'),
      400,
      'INVALID_INPUT',
    );
  });

  it('a ragged row answers 400 naming the line', async () => {
    const res = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'text/csv')
      .send('a,b\n1,2\n3\n');
    expectError(res, 400, 'INVALID_INPUT');
    expect(res.body.error.message).toMatch(/line 3 has 1 field, the header has 2/);
  });

  it('ISO dates and µs/ns timestamps are stored typed and come back exact', async () => {
    const csv = 'd,us,ns\n1969-12-31,1969-12-31 23:59:59.999500,2024-01-31T10:20:30.123456789Z\n';
    const created = await request(fx().app).post('/sessions').set('Content-Type', 'text/csv').send(csv);
    expect(created.status).toBe(201);
    const id = created.body.session_id as string;
    const json = await request(fx().app).get(`/sessions/${id}/data`).set('Accept', 'application/json');
    expect(json.body).toEqual([
      { d: '1969-12-31', us: '1969-12-31T23:59:59.999500', ns: '2024-01-31T10:20:30.123456789Z' },
    ]);
    const arrow = await request(fx().app)
      .get(`/sessions/${id}/data`)
      .set('Accept', 'application/vnd.apache.arrow.stream')
      .buffer(true)
      .parse(binary);
    const table = arrowBody(arrow);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'Date32<DAY>',
      'Timestamp<MICROSECOND>',
      'Timestamp<NANOSECOND, UTC>',
    ]);
    expect((table.getChild('us')!.data[0]!.values as BigInt64Array)[0]).toBe(-500n);
  });

  it('JSON rows with a 5000-deep value answer 400, with a __proto__ key 201', async () => {
    const deep = `[{"a":${'['.repeat(5000)}${']'.repeat(5000)}}]`;
    expectError(
      await request(fx().app).post('/sessions').set('Content-Type', 'application/json').send(deep),
      400,
      'INVALID_INPUT',
    );
    const res = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'application/json')
      .send('[{"__proto__":1,"b":2}]');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rows: 1, columns: 2 });
  });
});
