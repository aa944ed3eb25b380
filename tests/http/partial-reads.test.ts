import request from 'supertest';
import { arrowBody, binary, describeBackends, expectError } from './http-fixtures.js';

const CSV = [
  'id,name,score,city',
  ...Array.from({ length: 250 }, (_, i) => `${i},n${i},${i / 2},c${i % 3}`),
].join('\n');

describeBackends('partial reads and diff', (fx) => {
  let id = '';

  beforeAll(async () => {
    const res = await request(fx().app).post('/sessions').set('Content-Type', 'text/csv').send(CSV);
    expect(res.status).toBe(201);
    id = res.body.session_id;
  });

  it('Arrow: columns in the asked order, rows [offset, offset+limit), X-Total-Rows', async () => {
    const res = await request(fx().app)
      .get(`/sessions/${id}/data?columns=city,id&offset=100&limit=3`)
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['x-total-rows']).toBe('250');
    const table = arrowBody(res);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['city', 'id']);
    expect(table.numRows).toBe(3);
    expect(Array.from(table.getChild('id')!, Number)).toEqual([100, 101, 102]);
  });

  it('JSON rows and CSV carry X-Total-Rows too', async () => {
    const json = await request(fx().app)
      .get(`/sessions/${id}/data?columns=name&offset=248`)
      .set('Accept', 'application/json');
    expect(json.headers['x-total-rows']).toBe('250');
    expect(json.body).toEqual([{ name: 'n248' }, { name: 'n249' }]);
    const csv = await request(fx().app).get(`/sessions/${id}/data?format=csv&columns=id,score&limit=2`);
    expect(csv.headers['x-total-rows']).toBe('250');
    expect(csv.text).toBe('id,score\n0,0\n1,0.5\n');
  });

  it('offset past the end: an empty table with the schema; limit 0 likewise', async () => {
    for (const q of ['offset=999', 'limit=0']) {
      const res = await request(fx().app)
        .get(`/sessions/${id}/data?${q}&columns=id`)
        .buffer(true)
        .parse(binary);
      expect(res.headers['x-total-rows']).toBe('250');
      const table = arrowBody(res);
      expect(table.numRows).toBe(0);
      expect(table.schema.fields.map((f) => f.name)).toEqual(['id']);
    }
  });

  it('bad queries are 400 INVALID_INPUT', async () => {
    const app = fx().app;
    for (const q of ['columns=nope', 'columns=id,id', 'columns=', 'offset=-1', 'limit=x', 'columns=id,']) {
      expectError(await request(app).get(`/sessions/${id}/data?${q}`), 400, 'INVALID_INPUT');
    }
  });

  it('a repeated columns parameter keeps names with commas whole', async () => {
    const res = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'text/csv')
      .send('"a,b",c\n1,2\n');
    const other = res.body.session_id;
    const read = await request(fx().app)
      .get(`/sessions/${other}/data?columns=c&columns=${encodeURIComponent('a,b')}`)
      .set('Accept', 'application/json');
    expect(read.status).toBe(200);
    expect(read.body).toEqual([{ c: 2, 'a,b': 1 }]);
  });

  it('versions: partial read of an old frame, then diff (default from = newest history entry)', async () => {
    const app = fx().app;
    const edited = CSV.replace('\n5,n5,', '\n5,changed,');
    const put = await request(app)
      .put(`/sessions/${id}/data?operation=edit`)
      .set('Content-Type', 'text/csv')
      .send(edited);
    expect(put.status).toBe(200);
    const versions = (await request(app).get(`/sessions/${id}/versions`)).body.versions;
    const v = versions[versions.length - 1].version as number;
    const old = await request(app)
      .get(`/sessions/${id}/versions/${v}/data?columns=name&offset=5&limit=1`)
      .set('Accept', 'application/json');
    expect(old.headers['x-total-rows']).toBe('250');
    expect(old.body).toEqual([{ name: 'n5' }]);

    const diff = await request(app).get(`/sessions/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      from: v,
      to: 'current',
      rows_before: 250,
      rows_after: 250,
      columns_added: [],
      columns_removed: [],
      columns_changed: ['name'],
      columns_unchanged: ['id', 'score', 'city'],
    });
    const back = await request(app).get(`/sessions/${id}/diff?from=current&to=${v}`);
    expect(back.body).toMatchObject({ from: 'current', to: v, columns_changed: ['name'] });

    const dropped = await request(app)
      .put(`/sessions/${id}/data?operation=drop`)
      .set('Content-Type', 'text/csv')
      .send('id,extra\n1,x\n');
    expect(dropped.status).toBe(200);
    const two = await request(app).get(`/sessions/${id}/diff?from=${v}`);
    expect(two.body).toMatchObject({
      rows_before: 250,
      rows_after: 1,
      columns_added: ['extra'],
      columns_removed: ['name', 'score', 'city'],
      columns_changed: ['id'],
      columns_unchanged: [],
    });
  });

  it('diff errors: bad refs 400, unknown version 404, no history 404', async () => {
    const app = fx().app;
    expectError(await request(app).get(`/sessions/${id}/diff?from=latest`), 400, 'INVALID_INPUT');
    expectError(await request(app).get(`/sessions/${id}/diff?from=99999`), 404, 'VERSION_NOT_FOUND');
    const fresh = await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    expectError(await request(app).get(`/sessions/${fresh.body.session_id}/diff`), 404, 'VERSION_NOT_FOUND');
    expect(
      (await request(app).get(`/sessions/${fresh.body.session_id}/diff?from=current`)).body,
    ).toMatchObject({
      columns_unchanged: ['a'],
    });
  });
});
