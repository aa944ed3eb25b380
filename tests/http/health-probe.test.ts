import type { HealthReport } from '../../src/contract/storage-backend.js';
import { createHealthProbe } from '../../src/http/health-report.js';

function countingSource() {
  const pending: ((report: HealthReport) => void)[] = [];
  const source = {
    calls: 0,
    healthCheck(): Promise<HealthReport> {
      source.calls += 1;
      return new Promise((resolve) => pending.push(resolve));
    },
    getBackendType: () => 'inmemory' as const,
    isRedisEnabled: () => false,
    isFallbackActive: () => false,
  };
  const answer = (status: HealthReport['status']) =>
    pending.shift()?.({ status, backendType: 'inmemory', latencyMs: 1, checks: {}, activeSessions: 2 });
  return { source, answer };
}

describe('createHealthProbe', () => {
  it('lets concurrent requests share one backend probe, then probes again', async () => {
    const { source, answer } = countingSource();
    const probe = createHealthProbe(source, { timeoutMs: 1000, maxAgeMs: 0 });
    const together = [probe(), probe(), probe()];
    expect(source.calls).toBe(1);
    answer('healthy');
    const reports = await Promise.all(together);
    expect(reports.map((r) => r.status)).toEqual(['healthy', 'healthy', 'healthy']);
    const next = probe();
    expect(source.calls).toBe(2);
    answer('degraded');
    expect((await next).status).toBe('degraded');
  });

  it('reuses an answer for maxAgeMs when asked to', async () => {
    const { source, answer } = countingSource();
    const probe = createHealthProbe(source, { timeoutMs: 1000, maxAgeMs: 60_000 });
    const first = probe();
    answer('healthy');
    await first;
    expect((await probe()).sessions.active).toBe(2);
    expect(source.calls).toBe(1);
  });
});
