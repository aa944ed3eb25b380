import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('README.md', () => {
  const readme = read('README.md');

  it('starts with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm start\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('the library example runs and prints what its comments say', () => {
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const lines = example!.split('\n').length;
    expect(lines).toBeLessThanOrEqual(25);
    const dir = mkdtempSync(join(tmpdir(), 'framestore-readme-'));
    try {
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const source = example!.replace("from 'framestore'", `from '${join(ROOT, 'src', 'index.ts')}'`);
      writeFileSync(join(dir, 'example.mts'), source);
      const run = spawnSync(
        process.execPath,
        ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), 'example.mts'],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', STORAGE_DIR: join(dir, 'data') },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(run.stderr).toBe('');
      const expected = [...example!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) =>
        m[1]!.replace(/'/g, ''),
      );
      const printed = run.stdout
        .trim()
        .split('\n')
        .map((line) => line.replace(/'/g, ''));
      expect(printed).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('links between the docs', () => {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(files)('%s links only to files that exist', (file) => {
    const text = read(file);
    for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const path = resolve(dirname(join(ROOT, file)), target!);
      expect({ file, target, exists: existsSync(path) }).toEqual({ file, target, exists: true });
    }
  });
});
