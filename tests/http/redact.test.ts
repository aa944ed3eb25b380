import { loadConfig } from '../../src/config/load-config.js';
import { createRedactor, redactValues } from '../../src/http/redact.js';

describe('redaction of API output', () => {
  it('hides the password in every string value and never touches keys', () => {
    const redact = createRedactor(loadConfig({ REDIS_PASSWORD: 'redis' }));
    const body = {
      status: 'degraded',
      redis_enabled: true,
      checks: { fallback: { status: 'degraded', message: 'auth failed with redis as password' } },
      list: ['x redis y', 3, null],
    };
    const out = redactValues(body, redact);
    expect(Object.keys(out)).toEqual(['status', 'redis_enabled', 'checks', 'list']);
    expect(out.redis_enabled).toBe(true);
    expect(out.checks.fallback.message).toBe('auth failed with [redacted] as password');
    expect(out.list).toEqual(['x [redacted] y', 3, null]);
    expect(JSON.stringify(out)).not.toMatch(/\bredis\b(?!_enabled)/);
  });

  it('catches a password with JSON-special characters, raw and URL-encoded', () => {
    const secret = 'p"a\\ss/wo rd';
    const redact = createRedactor(loadConfig({ REDIS_PASSWORD: secret }));
    const out = redactValues({ a: `raw ${secret}`, b: `url ${encodeURIComponent(secret)}` }, redact);
    expect(out).toEqual({ a: 'raw [redacted]', b: 'url [redacted]' });
  });
});
