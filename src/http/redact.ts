import type { FramestoreConfig } from '../config/load-config.js';

/** Replaces secrets in a text. */
export type Redactor = (text: string) => string;

/**
 * Last line of defence for anything the API sends or logs: the configured Redis password and API_TOKEN
 * (raw and URL-encoded) never leave the process, even if some lower layer put one into an error message.
 */
export function createRedactor(config: Pick<FramestoreConfig, 'redis'> & { apiToken?: string }): Redactor {
  const secrets = [config.redis.password, config.apiToken].filter(
    (secret): secret is string => secret !== undefined && secret.length > 0,
  );
  if (secrets.length === 0) return (text) => text;
  const forms = [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))];
  return (text) => {
    let out = text;
    for (const form of forms) out = out.split(form).join('[redacted]');
    return out;
  };
}

/**
 * A copy of a JSON-like value with every string value passed through `redact`. Keys are left alone, so a
 * password that happens to be a word of a field name (say "redis") cannot break the response's shape.
 */
export function redactValues<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactValues(item, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactValues(item, redact);
    return out as T;
  }
  return value;
}
