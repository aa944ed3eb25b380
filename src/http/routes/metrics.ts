import type { Router } from 'express';
import type { RouteContext } from '../route-context.js';

/** `GET /metrics`: Prometheus text exposition of this app's registry. */
export function metricsRoutes(router: Router, { metrics }: RouteContext): void {
  router.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(text);
  });
}
