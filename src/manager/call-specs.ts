import type { HealthReport } from '../contract/storage-backend.js';
import type { CallSpec } from './backend-router.js';
import type { CallTarget } from './read-through.js';

/** Shorthands the DataManager uses to describe each call to the router. */
export const sessionRef = (id: string): CallTarget => ({ kind: 'session', id });
export const uploadRef = (id: string): CallTarget => ({ kind: 'upload', id });
export const onSession = (id: string, mutates = false): CallSpec<unknown> => ({
  target: sessionRef(id),
  mutates,
});
export const onUpload = (id: string, mutates = false): CallSpec<unknown> => ({
  target: uploadRef(id),
  mutates,
});
export const isFalse = (result: unknown) => result === false;
export const redisDown = (report: HealthReport): string | undefined =>
  report.redisInfo?.connected === false
    ? (Object.values(report.checks).find((check) => check.status === 'unhealthy')?.message ??
      'redis unreachable')
    : undefined;
