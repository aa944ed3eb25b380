import request from 'supertest';
import { VERSION } from '../../src/version.js';
import { describeBackends } from './http-fixtures.js';

describeBackends('service endpoints', (fx) => {
  it('GET / names the service, version, backend and active sessions', async () => {
    await request(fx().app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n');
    const res = await request(fx().app).get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      service: 'framestore',
      version: VERSION,
      backend_type: fx().backend,
      active_sessions: expect.any(Number),
    });
    expect(res.body.active_sessions).toBeGreaterThanOrEqual(1);
  });

  it('GET /health/storage is 200 healthy with exactly the §6 fields', async () => {
    const res = await request(fx().app).get('/health/storage');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      status: 'healthy',
      backend_type: fx().backend,
      redis_enabled: fx().backend === 'redis',
      fallback_active: false,
      sessions: { active: expect.any(Number) },
      checks: expect.any(Object),
    });
    const allowed = [
      'status',
      'backend_type',
      'redis_enabled',
      'fallback_active',
      'sessions',
      'checks',
      'redis_info',
    ];
    expect(Object.keys(res.body).every((key) => allowed.includes(key))).toBe(true);
    for (const check of Object.values(res.body.checks as Record<string, { status: string }>)) {
      expect(['healthy', 'degraded', 'unhealthy']).toContain(check.status);
    }
    if (fx().backend === 'redis') {
      expect(res.body.redis_info).toMatchObject({
        connected: true,
        mode: 'standalone',
        version: expect.stringMatching(/^\d+\./),
        used_memory_bytes: expect.any(Number),
        maxmemory_policy: expect.any(String),
        persistence: expect.any(String),
        latency_ms: expect.any(Number),
        // §6: the one node of a standalone Redis.
        nodes: [
          {
            address: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
            role: 'master',
            status: 'ok',
            used_memory_bytes: expect.any(Number),
          },
        ],
      });
    } else {
      expect(res.body.redis_info).toBeUndefined();
    }
  });

  it('GET /health/live and /health/ready', async () => {
    expect((await request(fx().app).get('/health/live')).body).toEqual({ status: 'alive' });
    const ready = await request(fx().app).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', backend_type: fx().backend, storage: 'healthy' });
  });

  it('GET /metrics exposes operations, latencies, errors by code, cache, fallback, HTTP durations, process', async () => {
    await request(fx().app).get('/sessions/AAAAAAAAAAAAAAAAAAAAAA');
    const res = await request(fx().app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    const backend = fx().backend;
    expect(text).toMatch(
      new RegExp(
        `framestore_storage_operations_total\\{backend="${backend}",operation="createSession",outcome="ok"\\} \\d+`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `framestore_storage_operation_duration_seconds_bucket\\{le="0.005",backend="${backend}",operation="getSession"\\}`,
      ),
    );
    expect(text).toMatch(
      new RegExp(`framestore_storage_errors_total\\{backend="${backend}",code="SESSION_NOT_FOUND"\\} [1-9]`),
    );
    expect(text).toMatch(/framestore_fallback_active 0/);
    expect(text).toMatch(
      new RegExp(
        `framestore_backend_info\\{backend_type="${backend}",redis_enabled="${backend === 'redis'}"\\} 1`,
      ),
    );
    expect(text).toMatch(/framestore_bytes_stored \d+/);
    expect(text).toMatch(/framestore_sessions \d+/);
    expect(text).toMatch(
      /framestore_http_request_duration_seconds_count\{method="GET",route="\/sessions\/:id",status_code="404"\} 1/,
    );
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(text).toMatch(/nodejs_heap_size_used_bytes/);
    if (backend === 'inmemory') {
      expect(text).toMatch(/framestore_cache_hits_total \d+/);
      expect(text).toMatch(/framestore_cache_misses_total \d+/);
    }
  });
});
