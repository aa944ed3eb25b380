import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { isStorageError } from '../../src/contract/errors.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function configError(env: Record<string, string>): Error & { code?: string } {
  try {
    loadConfig(env);
  } catch (error) {
    if (isStorageError(error)) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('REDIS_TLS_CA_FILE', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('framestore-ca-');
    writeFileSync(join(dir, 'ca.pem'), PEM);
    writeFileSync(join(dir, 'not-a-cert.txt'), 'hello');
  });
  afterAll(() => removeTempDir(dir));

  it('reads the PEM once into redis.tlsCa when TLS is on', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(config.redis.tlsCa).toBe(PEM);
    const parts = loadConfig({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(parts.redis.tlsCa).toBe(PEM);
    expect(loadConfig({}).redis.tlsCa).toBeUndefined();
  });

  it('is CONFIG_INVALID when missing, not a certificate, or set without TLS', () => {
    const missing = configError({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: join(dir, 'nope.pem') });
    expect(missing.code).toBe('CONFIG_INVALID');
    expect(missing.message).toMatch(/REDIS_TLS_CA_FILE \(cannot read .*nope\.pem \(ENOENT\)\)/);
    const junk = configError({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: join(dir, 'not-a-cert.txt') });
    expect(junk.message).toMatch(/REDIS_TLS_CA_FILE \(.*holds no PEM certificate\)/);
    expect(junk.message).not.toContain('hello');
    const plain = configError({ REDIS_URL: 'redis://h:6379', REDIS_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(plain.message).toMatch(/REDIS_TLS_CA_FILE \(set, but TLS is off/);
  });
});
