import request from 'supertest';
import { SESSION_COUNT_MAX_AGE_MS, sharedCount } from '../../src/http/routes/root.js';
import { VERSION } from '../../src/version.js';
import { type AppFixture, createTestApp } from './http-fixtures.js';

describe('sharedCount', () => {
  it('joins concurrent callers, reuses the answer for maxAgeMs, then counts again', async () => {
    let clock = 0;
    let calls = 0;
    const count = sharedCount(
      async () => ++calls * 10,
      1000,
      () => clock,
    );
    expect(await Promise.all([count(), count(), count()])).toEqual([10, 10, 10]);
    clock = 999;
    expect(await count()).toBe(10);
    clock = 1000;
    expect(await count()).toBe(20);
    expect(calls).toBe(2);
  });

  it('does not keep a failure: the next call counts again', async () => {
    let fail = true;
    const count = sharedCount(
      async () => {
        if (fail) throw new Error('backend down');
        return 3;
      },
      1000,
      () => 0,
    );
    await expect(Promise.all([count(), count()])).rejects.toThrow('backend down');
    fail = false;
    expect(await count()).toBe(3);
  });
});

describe('GET / session count', () => {
  let fixture: AppFixture;

  beforeAll(async () => {
    fixture = await createTestApp('inmemory');
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('concurrent requests share one count and keep the §6 shape', async () => {
    await request(fixture.app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    const spy = jest.spyOn(fixture.manager, 'countSessions');
    try {
      const started = performance.now();
      const responses = await Promise.all(Array.from({ length: 8 }, () => request(fixture.app).get('/')));
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          service: 'framestore',
          version: VERSION,
          backend_type: 'inmemory',
          active_sessions: 1,
        });
      }
      // All eight fall inside one cache window unless the machine stalled for a whole second.
      if (performance.now() - started < SESSION_COUNT_MAX_AGE_MS) expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
