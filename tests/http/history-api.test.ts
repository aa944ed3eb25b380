import request from 'supertest';
import { describeBackends, expectError } from './http-fixtures.js';

const put = (app: Parameters<typeof request>[0], id: string, query: string, csv: string) =>
  request(app).put(`/sessions/${id}/data?${query}`).set('Content-Type', 'text/csv').send(csv);

describeBackends('history API', (fx) => {
  let id = '';
  let version0 = 0;

  beforeAll(async () => {
    const res = await request(fx().app)
      .post('/sessions')
      .set('Content-Type', 'text/csv')
      .send('x\n1\n2\n3\n');
    id = res.body.session_id;
    version0 = res.body.version;
  });

  it('PUT /sessions/:id/data records a change: version +1, can_undo, audit entry with details', async () => {
    const details = encodeURIComponent(JSON.stringify({ column: 'x', rule: '> 1' }));
    const res = await put(fx().app, id, `operation=filter_rows&user=ana&details=${details}`, 'x\n2\n3\n');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 2, version: version0 + 1, can_undo: true, can_redo: false });
    const audit = await request(fx().app).get(`/sessions/${id}/audit`);
    expect(audit.body.entries.at(-1)).toMatchObject({
      operation: 'filter_rows',
      user: 'ana',
      details: { column: 'x', rule: '> 1' },
    });
  });

  it('PUT without operation, with bad details or a stale expected_version is refused', async () => {
    const app = fx().app;
    expectError(await put(app, id, '', 'x\n1\n'), 400, 'INVALID_INPUT');
    expectError(await put(app, id, 'operation=a&details=%5B1%5D', 'x\n1\n'), 400, 'INVALID_INPUT');
    expectError(await put(app, id, 'operation=a&expected_version=-1', 'x\n1\n'), 400, 'INVALID_INPUT');
    expectError(
      await put(app, id, `operation=late&expected_version=${version0}`, 'x\n9\n'),
      409,
      'STALE_WRITE',
    );
    const current = (await request(app).get(`/sessions/${id}`)).body;
    const ok = await put(app, id, `operation=fenced&expected_version=${current.version}`, 'x\n7\n');
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(current.version + 1);
  });

  it('versions: list, snapshot (201), read an old frame', async () => {
    const app = fx().app;
    const snap = await request(app).post(`/sessions/${id}/versions`).send({ label: 'before cleanup' });
    expect(snap.status).toBe(201);
    expect(snap.body).toMatchObject({ label: 'before cleanup', rows: 1, columns: 1 });
    expect(Object.keys(snap.body)).toEqual(
      expect.arrayContaining(['version', 'created_at', 'rows', 'columns', 'bytes']),
    );

    const list = await request(app).get(`/sessions/${id}/versions`);
    expect(list.status).toBe(200);
    const versions = list.body.versions as { version: number; rows: number }[];
    expect(versions.length).toBeGreaterThanOrEqual(3);
    const first = versions[0]!;
    const old = await request(app)
      .get(`/sessions/${id}/versions/${first.version}/data`)
      .set('Accept', 'application/json');
    expect(old.status).toBe(200);
    expect(old.body).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expectError(await request(app).get(`/sessions/${id}/versions/999999/data`), 404, 'VERSION_NOT_FOUND');
    expectError(await request(app).get(`/sessions/${id}/versions/abc/data`), 400, 'INVALID_INPUT');
    expectError(
      await request(app).post(`/sessions/${id}/versions`).send({ lable: 'typo' }),
      400,
      'INVALID_INPUT',
    );
  });

  it('undo → redo → a new change clears redo; NOTHING_TO_REDO is 409', async () => {
    const app = fx().app;
    const before = (await request(app).get(`/sessions/${id}/data`).set('Accept', 'application/json')).body;
    const undone = await request(app).post(`/sessions/${id}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.can_redo).toBe(true);
    const redone = await request(app).post(`/sessions/${id}/redo`);
    expect(redone.status).toBe(200);
    expect((await request(app).get(`/sessions/${id}/data`).set('Accept', 'application/json')).body).toEqual(
      before,
    );
    await request(app).post(`/sessions/${id}/undo`);
    const changed = await put(app, id, 'operation=new_branch', 'x\n42\n');
    expect(changed.body.can_redo).toBe(false);
    expectError(await request(app).post(`/sessions/${id}/redo`), 409, 'NOTHING_TO_REDO');
  });

  it('restore an old version, and NOTHING_TO_UNDO on a fresh session', async () => {
    const app = fx().app;
    const versions = (await request(app).get(`/sessions/${id}/versions`)).body.versions as {
      version: number;
    }[];
    const target = versions[0]!.version;
    const restored = await request(app).post(`/sessions/${id}/versions/${target}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.rows).toBe(3);
    expectError(await request(app).post(`/sessions/${id}/versions/999999/restore`), 404, 'VERSION_NOT_FOUND');

    const fresh = await request(app).post('/sessions').set('Content-Type', 'text/csv').send('y\n1\n');
    expectError(await request(app).post(`/sessions/${fresh.body.session_id}/undo`), 409, 'NOTHING_TO_UNDO');
  });
});
