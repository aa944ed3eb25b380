import type { FramestoreConfig } from '../config/load-config.js';

/** Replaces secrets in a text. */
export type Redactor = (text: string) => string;

/**
 * Last line of defence for anything the API sends or logs: the configured Redis password (raw and
 * URL-encoded) never leaves the process, even if some lower layer put it into an error message.
 */
export function createRedactor(config: Pick<FramestoreConfig, 'redis'>): Redactor {
  const password = config.redis.password;
  if (password === undefined || password.length === 0) return (text) => text;
  const forms = [...new Set([password, encodeURIComponent(password)])];
  return (text) => {
    let out = text;
    for (const form of forms) out = out.split(form).join('[redacted]');
    return out;
  };
}
