import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARIABLES, envSchema } from '../../src/config/env-schema.js';

const ROOT = join(__dirname, '..', '..');
/** What the schema gives each variable when nothing is set, as the docs write it. */
const DEFAULTS = envSchema.parse({}) as Record<string, unknown>;
const shown = (name: string): string => {
  const value = DEFAULTS[name];
  return value === undefined ? '(unset)' : String(value);
};

describe('docs/configuration.md', () => {
  const text = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+?) \| (.+) \|$/gm)].map((m) => ({
    name: m[1]!,
    default: m[2]!.trim().replace(/^`(.*)`$/, '$1'),
    meaning: m[3]!.trim(),
  }));

  it('has one row per variable of the schema, in schema order', () => {
    expect(rows.map((row) => row.name)).toEqual(ENV_VARIABLES);
  });

  it('states each default exactly as the schema applies it', () => {
    expect(Object.fromEntries(rows.map((row) => [row.name, row.default]))).toEqual(
      Object.fromEntries(ENV_VARIABLES.map((name) => [name, shown(name)])),
    );
  });

  it('explains every variable', () => {
    for (const row of rows) expect(row.meaning.length).toBeGreaterThan(15);
  });
});

describe('.env.redis.example', () => {
  const text = readFileSync(join(ROOT, '.env.redis.example'), 'utf8');
  const lines = text.split('\n');

  it('lists every variable once: with its default, or commented out when it has none', () => {
    for (const name of ENV_VARIABLES) {
      const matches = lines.filter((line) => new RegExp(`^(# )?${name}=`).test(line));
      expect({ name, count: matches.length }).toEqual({ name, count: 1 });
      const line = matches[0]!;
      if (DEFAULTS[name] === undefined)
        expect({ name, commented: line.startsWith('# ') }).toEqual({ name, commented: true });
      else expect(line).toBe(`${name}=${shown(name)}`);
    }
  });

  it('mentions nothing the schema does not read', () => {
    const named = lines
      .map((line) => /^(?:# )?([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
      .filter((n) => n !== undefined);
    expect(named.filter((n) => !(ENV_VARIABLES as string[]).includes(n!))).toEqual([]);
  });

  it('gives every variable a one-line meaning right above it', () => {
    for (const name of ENV_VARIABLES) {
      const at = lines.findIndex((line) => new RegExp(`^(# )?${name}=`).test(line));
      const above = lines
        .slice(0, at)
        .reverse()
        .find((line) => !/^(# )?[A-Z][A-Z0-9_]+=/.test(line));
      expect({ name, above: above?.startsWith('# ') && above.length > 10 }).toEqual({ name, above: true });
    }
  });
});
