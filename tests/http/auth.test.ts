import { Writable } from 'node:stream';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { type BackendEnv, startBackendEnv } from './http-fixtures.js';

const TOKEN = 'sekret-token-0123456789-abcdef';

describe('API_TOKEN bearer auth', () => {
  let env: BackendEnv;
  let manager: DataManager;
  let app: Express;
  const logLines: string[] = [];

  beforeAll(async () => {
    env = await startBackendEnv('inmemory', { API_TOKEN: TOKEN, LOG_LEVEL: 'debug' });
    manager = await createDataManager({ env: env.env, logger: silentLogger });
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    app = createApp(manager, { logger: pino({ level: 'debug' }, sink) });
  });
  afterAll(async () => {
    (app.locals.framestore as AppLocals).dispose();
    await manager.close();
    await env.stop();
  });

  const expect401 = (res: request.Response): void => {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  };

  it('refuses API routes without the token, with a wrong one, or with another scheme', async () => {
    for (const path of [
      '/',
      '/sessions',
      '/health/storage',
      '/openapi.json',
      '/sessions/AAAAAAAAAAAAAAAAAAAAAA',
      '/nope',
    ]) {
      expect401(await request(app).get(path));
    }
    expect401(await request(app).get('/sessions').set('Authorization', `Bearer ${TOKEN}x`));
    expect401(
      await request(app)
        .get('/sessions')
        .set('Authorization', `Bearer ${TOKEN.slice(0, -1)}`),
    );
    expect401(await request(app).get('/sessions').set('Authorization', `Basic ${TOKEN}`));
    expect401(await request(app).get('/sessions').set('Authorization', 'Bearer'));
    expect401(await request(app).post('/sessions').set('Content-Type', 'text/csv').send('a\n1\n'));
  });

  it('accepts the token (any case of "Bearer") on every route', async () => {
    const ok = await request(app).get('/sessions').set('Authorization', `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    const created = await request(app)
      .post('/sessions')
      .set('Authorization', `bearer ${TOKEN}`)
      .set('Content-Type', 'text/csv')
      .send('a\n1\n');
    expect(created.status).toBe(201);
    expect((await request(app).get('/').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('leaves the probes, /metrics and the page files open', async () => {
    expect((await request(app).get('/health/live')).status).toBe(200);
    expect((await request(app).get('/health/ready')).status).toBe(200);
    expect((await request(app).get('/metrics')).status).toBe(200);
    expect401(await request(app).post('/metrics'));
  });

  it('never logs the token', async () => {
    await request(app).get('/sessions').set('Authorization', `Bearer ${TOKEN}`);
    await request(app).get(`/sessions?x=${TOKEN}`).set('Authorization', `Bearer ${TOKEN}`);
    expect(logLines.length).toBeGreaterThan(3);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});

describe('API_TOKEN redaction', () => {
  it('the redactor hides the token (raw and URL-encoded) like the Redis password', async () => {
    const { createRedactor } = await import('../../src/http/redact.js');
    const token = 'tok/with+chars-0123456789';
    const redact = createRedactor({ redis: { password: 'pw-secret' } as never, apiToken: token });
    expect(redact(`a ${token} b ${encodeURIComponent(token)} c pw-secret`)).toBe(
      'a [redacted] b [redacted] c [redacted]',
    );
  });
});

describe('API_TOKEN config', () => {
  it('is validated without echoing the value', async () => {
    const { loadConfig } = await import('../../src/config/load-config.js');
    expect(() => loadConfig({ API_TOKEN: 'short' })).toThrow(/API_TOKEN/);
    try {
      loadConfig({ API_TOKEN: 'has a space in it 0123456789' });
    } catch (error) {
      expect(String(error)).not.toContain('has a space');
    }
    expect(loadConfig({ API_TOKEN: TOKEN }).apiToken).toBe(TOKEN);
    expect(loadConfig({}).apiToken).toBeUndefined();
  });
});
