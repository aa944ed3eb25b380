import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Table, tableFromIPC } from 'apache-arrow';
import type { Express } from 'express';
import type { Response } from 'supertest';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { startRedisServer } from '../helpers/redis-server.js';

export type BackendName = 'inmemory' | 'redis';

/** Backends to run against: FRAMESTORE_TEST_BACKENDS=inmemory,redis (default both). */
export function selectedBackends(): BackendName[] {
  const raw = process.env.FRAMESTORE_TEST_BACKENDS ?? 'inmemory,redis';
  const names = raw
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  for (const name of names) {
    if (name !== 'inmemory' && name !== 'redis')
      throw new Error(`FRAMESTORE_TEST_BACKENDS: unknown backend ${name}`);
  }
  return names as BackendName[];
}

/** The environment for one backend: a temp STORAGE_DIR, plus a test-owned redis-server for `redis`. */
export interface BackendEnv {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startBackendEnv(
  name: BackendName,
  extra: Record<string, string> = {},
): Promise<BackendEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'framestore-http-'));
  const base = { STORAGE_DIR: dir, LOG_LEVEL: 'silent', ...extra };
  if (name === 'inmemory') {
    return {
      env: { STORAGE_BACKEND: 'inmemory', ...base },
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const redis = await startRedisServer();
  return {
    env: { STORAGE_BACKEND: 'redis', REDIS_URL: redis.url, STORAGE_FALLBACK_TO_MEMORY: 'false', ...base },
    stop: async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppFixture {
  backend: BackendName;
  manager: DataManager;
  app: Express;
  close(): Promise<void>;
}

/** A real DataManager on `name` and the express app over it (no listening socket; supertest binds one). */
export async function createTestApp(
  name: BackendName,
  extra: Record<string, string> = {},
): Promise<AppFixture> {
  const backendEnv = await startBackendEnv(name, extra);
  const manager = await createDataManager({ env: backendEnv.env, logger: silentLogger });
  const app = createApp(manager);
  return {
    backend: name,
    manager,
    app,
    close: async () => {
      (app.locals.framestore as AppLocals).dispose();
      await manager.close();
      await backendEnv.stop();
    },
  };
}

/** Runs `body` once per selected backend, each in its own describe with a fresh app. */
export function describeBackends(title: string, body: (fixture: () => AppFixture) => void): void {
  for (const name of selectedBackends()) {
    describe(`${title} [${name}]`, () => {
      let fixture: AppFixture | undefined;
      beforeAll(async () => {
        fixture = await createTestApp(name);
      });
      afterAll(async () => {
        await fixture?.close();
      });
      body(() => {
        if (fixture === undefined) throw new Error('fixture not ready');
        return fixture;
      });
    });
  }
}

/** supertest parser that keeps the body as a Buffer (Arrow streams, CSV). */
export function binary(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
  stream.on('error', (error: Error) => done(error, Buffer.alloc(0)));
}

export const arrowBody = (res: Response): Table => tableFromIPC(res.body as Buffer);

/** Asserts the §3 error body and status. */
export function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
}

export const MALFORMED_IDS = [
  'abc',
  '..%2F..%2Fetc%2Fpasswd',
  'a'.repeat(23),
  'a'.repeat(21) + '!',
  '%7Bx%7D'.padEnd(22, 'a'),
];
/** Well-formed ids that were never issued. */
export const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
