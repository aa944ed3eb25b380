import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The published declarations (dist/src/**.d.ts) may only import packages a consumer gets with `npm install
 * framestore`: dependencies, or their own bundled types. A type from a devDependency is TS7016 for a strict
 * consumer.
 */
const root = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(full);
    return entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const packageOf = (specifier: string): string =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');

/** Whether an installed package carries its own declarations. */
function shipsTypes(name: string): boolean {
  const dir = path.join(root, 'node_modules', name);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  if (manifest.types !== undefined || manifest.typings !== undefined) return true;
  if (JSON.stringify(manifest.exports ?? {}).includes('"types"')) return true;
  return fs.existsSync(path.join(dir, 'index.d.ts'));
}

test('published declarations import only runtime dependencies (or their @types)', () => {
  const out = fs.mkdtempSync(path.join(root, 'node_modules/.cache-dts-'));
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/typescript/bin/tsc'),
        '-p',
        path.join(root, 'tsconfig.build.json'),
        '--emitDeclarationOnly',
        '--outDir',
        out,
      ],
      { cwd: root, stdio: 'pipe' },
    );
    const imported = new Set<string>();
    for (const file of declarationFiles(out)) {
      const text = fs.readFileSync(file, 'utf8');
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...text.matchAll(/<reference types="([^"]+)"/g),
      ];
      for (const match of specifiers) {
        if ((match[1] ?? '.').startsWith('.')) continue;
        const name = packageOf(match[1] ?? '');
        if (!name.startsWith('node:') && name !== '') imported.add(name);
      }
    }
    const builtins = new Set(['fs', 'path', 'http', 'net', 'stream', 'events', 'url', 'worker_threads']);
    const typesPackage = (name: string) => `@types/${name.replace('@', '').replace('/', '__')}`;
    const problems = [...imported]
      .filter((name) => !builtins.has(name))
      .flatMap((name) => {
        const own = pkg.dependencies[name] !== undefined;
        const typed = pkg.dependencies[typesPackage(name)] !== undefined;
        if (!own && !typed) return [`${name}: not a dependency`];
        if (typed || shipsTypes(name)) return [];
        return [`${name}: has no bundled types and ${typesPackage(name)} is not a dependency`];
      });
    expect(problems).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
