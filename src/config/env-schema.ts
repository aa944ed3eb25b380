import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Loose booleans (§5): true/false/1/0/yes/no, any case. */
const looseBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const hostPortList = z
  .string()
  .trim()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port'))
      .min(1, 'expected at least one host:port'),
  );

const decodes = (part: string): boolean => {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
};

const redisUrl = z
  .string()
  .trim()
  // Checked without echoing the value: a URL may carry a password.
  .refine(
    (value) => /^rediss?:\/\//i.test(value) && URL.canParse(value),
    'must be a redis:// or rediss:// URL',
  )
  .refine((value) => {
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    const db = url.pathname.replace(/^\//, '');
    return db === '' || (/^\d{1,2}$/.test(db) && Number(db) <= 15);
  }, 'database must be a number from 0 to 15')
  .refine((value) => {
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return decodes(url.username) && decodes(url.password);
  }, 'user name and password must be valid percent-encoding');

/** A PEM file of CA certificates, read once here (the path is in the message, the contents never are). */
const pemFile = z
  .string()
  .trim()
  .transform((path, ctx) => {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${code})` });
      return z.NEVER;
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      ctx.addIssue({ code: 'custom', message: `${path} holds no PEM certificate` });
      return z.NEVER;
    }
    return { path, pem };
  });

/**
 * Every environment variable framestore reads (§5), with its default.
 * The docs/configuration.md table is checked against this schema by a test.
 */
export const envSchema = z.object({
  REDIS_ENABLED: looseBoolean.default(false),
  STORAGE_BACKEND: z.enum(['redis', 'inmemory']).optional(),
  STORAGE_FALLBACK_TO_MEMORY: looseBoolean.default(true),
  REDIS_URL: redisUrl.optional(),
  REDIS_HOST: z.string().trim().min(1).default('localhost'),
  REDIS_PORT: int(1, 65535).default(6379),
  REDIS_DB: int(0, 15).default(0),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: looseBoolean.default(false),
  REDIS_TLS_CA_FILE: pemFile.optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_MASTER: z.string().trim().min(1).optional(),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and : _ . - only (1-64 chars)')
    .default('framestore:'),
  REDIS_MAX_CONNECTIONS: int(1, 10_000).default(50),
  REDIS_CONNECT_TIMEOUT_MS: int(1).default(5000),
  REDIS_COMMAND_TIMEOUT_MS: int(1).default(5000),
  REDIS_WAIT_REPLICAS: int(0, 64).default(0),
  REDIS_WAIT_TIMEOUT_MS: int(1, 600_000).default(1000),
  REDIS_SESSION_TTL_SECONDS: int(1).default(3600),
  TEMP_TTL_SECONDS: int(1).default(900),
  SERIALIZATION_METHOD: z
    .enum(['arrow', 'pyarrow', 'json'])
    .default('arrow')
    .transform((value) => (value === 'pyarrow' ? 'arrow' : value)),
  COMPRESSION_ENABLED: looseBoolean.default(true),
  COMPRESSION_CODEC: z.enum(['snappy', 'zstd', 'gzip', 'lz4', 'none']).default('snappy'),
  MAX_DATAFRAME_SIZE_MB: z.coerce.number().positive().max(4096).default(500),
  MAX_VERSIONS: int(1, 1000).default(5),
  MAX_COLUMNS: int(1, 1_000_000).default(10_000),
  FRAME_CHUNK_ROWS: int(1024, 1_048_576).default(32_768),
  STORAGE_DIR: z.string().trim().min(1).default('./data'),
  MEMORY_CACHE_MAX_MB: z.coerce.number().min(0).default(512),
  LOCK_TTL_MS: int(100).default(10_000),
  LOCK_RETRY_COUNT: int(0, 1000).default(10),
  CIRCUIT_BREAKER_THRESHOLD: int(1).default(5),
  CIRCUIT_BREAKER_COOLDOWN_MS: int(1).default(30_000),
  MIGRATION_READ_THROUGH: looseBoolean.default(true),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Checked without echoing the value (it is a secret).
  API_TOKEN: z
    .string()
    .refine((value) => /^[\x21-\x7e]{16,512}$/.test(value), '16 to 512 printable characters, no spaces')
    .optional(),
});

export type EnvInput = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
export const ENV_VARIABLES = Object.keys(envSchema.shape) as (keyof ParsedEnv)[];
