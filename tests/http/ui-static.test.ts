import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { type AppFixture, createTestApp } from './http-fixtures.js';

const UI = join(__dirname, '..', '..', 'src', 'ui');
/** The binding hooks of contract §9. */
const HOOKS = [
  'session-list',
  'session-row',
  'upload-input',
  'grid',
  'grid-row',
  'next-page',
  'undo',
  'redo',
  'history',
  'history-item',
  'restore',
  'diff',
  'audit',
  'audit-item',
  'mark-missing',
  'health',
];

describe('session explorer files (/ui/)', () => {
  let open: AppFixture;
  let locked: AppFixture;

  beforeAll(async () => {
    [open, locked] = await Promise.all([
      createTestApp('inmemory'),
      createTestApp('inmemory', { API_TOKEN: 'ui-static-token-0123456789' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), locked?.close()]);
  });

  it('/ui redirects to /ui/, which serves the page with a strict CSP', async () => {
    const redirect = await request(open.app).get('/ui');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/ui/');
    const page = await request(open.app).get('/ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<script type="module" src="app.js">');
  });

  it('serves its script, stylesheet and the browser build of apache-arrow (no CDN)', async () => {
    for (const [path, type] of [
      ['/ui/app.js', /javascript/],
      ['/ui/style.css', /text\/css/],
      ['/ui/vendor/arrow.js', /javascript/],
    ] as const) {
      const res = await request(open.app).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['content-type']).toMatch(type);
    }
    const html = readFileSync(join(UI, 'index.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(readFileSync(join(UI, 'app.js'), 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('unknown files under /ui/ are the JSON 404 of every unknown route', async () => {
    const res = await request(open.app).get('/ui/nope.js');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('with API_TOKEN the page files load without a token; its API calls do not', async () => {
    expect((await request(locked.app).get('/ui/')).status).toBe(200);
    expect((await request(locked.app).get('/ui/app.js')).status).toBe(200);
    expect((await request(locked.app).get('/sessions')).status).toBe(401);
  });

  it('carries every data-testid hook of contract §9', () => {
    const text = readFileSync(join(UI, 'index.html'), 'utf8') + readFileSync(join(UI, 'app.js'), 'utf8');
    const missing = HOOKS.filter(
      (hook) => !text.includes(`data-testid="${hook}"`) && !text.includes(`'data-testid': '${hook}'`),
    );
    expect(missing).toEqual([]);
  });
});
