import type { Express } from 'express';
import request from 'supertest';
import { VERSION } from '../../src/version.js';
import { type AppFixture, createTestApp } from './http-fixtures.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" the app registers, read from express' router stacks ({param} syntax). */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: object }>>;
  components: Record<string, Record<string, unknown>>;
};

describe('OpenAPI document', () => {
  let fixture: AppFixture;
  let doc: Doc;

  beforeAll(async () => {
    fixture = await createTestApp('inmemory');
    const res = await request(fixture.app).get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as Doc;
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('documents exactly the routes the app registers', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(registeredRoutes(fixture.app));
  });

  it('covers every route of contract §6', () => {
    const routes = registeredRoutes(fixture.app);
    const contract = [
      'GET /',
      'GET /health/storage',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'POST /sessions',
      'GET /sessions',
      'GET /sessions/{id}',
      'GET /sessions/{id}/data',
      'PUT /sessions/{id}/data',
      'DELETE /sessions/{id}',
      'GET /sessions/{id}/versions',
      'GET /sessions/{id}/versions/{v}/data',
      'POST /sessions/{id}/undo',
      'POST /sessions/{id}/redo',
      'POST /sessions/{id}/versions/{v}/restore',
      'GET /sessions/{id}/metadata',
      'PATCH /sessions/{id}/metadata',
      'GET /sessions/{id}/audit',
      'POST /sessions/{id}/audit',
      'GET /sessions/{id}/missing',
      'POST /sessions/{id}/missing',
      'DELETE /sessions/{id}/missing',
      'POST /uploads',
      'GET /uploads/{id}',
      'GET /uploads/{id}/sheets/{name}/data',
      'POST /uploads/{id}/sheets/{name}/promote',
      'DELETE /uploads/{id}',
    ];
    expect(routes).toEqual(expect.arrayContaining(contract));
  });

  it('is a consistent OpenAPI 3.1 document: version, path parameters declared, every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(VERSION);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
        expect({ op: `${method} ${path}`, params: declared }).toEqual({
          op: `${method} ${path}`,
          params: inPath,
        });
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, section, name] of refs) expect(doc.components[section!]?.[name!]).toBeDefined();
  });
});
