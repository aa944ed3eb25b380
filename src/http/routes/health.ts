import type { Response, Router } from 'express';
import { healthHttpStatus } from '../health-report.js';
import { type Redactor, redactValues } from '../redact.js';
import type { RouteContext } from '../route-context.js';

/** Every string value of a health body goes through the redactor: none can ever carry the Redis password. */
function sendHealth(res: Response, status: number, body: unknown, redact: Redactor): void {
  res.status(status).set('Cache-Control', 'no-store').json(redactValues(body, redact));
}

/** Liveness, readiness and the storage report (§6). */
export function healthRoutes(router: Router, { redact, health: probe }: RouteContext): void {
  // Live = the process answers; deliberately no storage call, so a Redis outage never restarts pods.
  router.get('/health/live', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'alive' });
  });

  // Ready = the chosen backend answers in time; a load balancer stops routing here otherwise.
  router.get('/health/ready', async (_req, res) => {
    const health = await probe();
    const ready = health.status !== 'unhealthy';
    const body = {
      status: ready ? 'ready' : 'not_ready',
      backend_type: health.backend_type,
      storage: health.status,
    };
    sendHealth(res, ready ? 200 : 503, body, redact);
  });

  router.get('/health/storage', async (_req, res) => {
    const health = await probe();
    sendHealth(res, healthHttpStatus(health.status), health, redact);
  });
}
