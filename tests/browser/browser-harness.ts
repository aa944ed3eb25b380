import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { type AppLocals, createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { startBackendEnv } from '../http/http-fixtures.js';

/** What page-side callbacks read from an element (the tests compile without the DOM lib). */
export type Dataset = { dataset: Record<string, string | undefined> };

/** Where each step's screenshot goes (git-ignored). */
export const ARTIFACTS = join(__dirname, '..', 'artifacts');

/** Debian's chromium: CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on PATH. Missing = a failure with the fix. */
export function findChromium(): string {
  const explicit = process.env.CHROMIUM_PATH;
  const candidates = explicit
    ? [explicit]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `chromium not found (${explicit ? `CHROMIUM_PATH=${explicit}` : 'not on PATH'}): apt-get install chromium, or set CHROMIUM_PATH`,
  );
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    // Root in CI containers needs --no-sandbox; /dev/shm is small there.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1280,900'],
    defaultViewport: { width: 1280, height: 900 },
  });
}

/** The real service: a manager (inmemory in a temp STORAGE_DIR, or a test-owned redis-server), the express app, on 127.0.0.1:0. */
export interface Service {
  url: string;
  close(): Promise<void>;
}

export async function startService(
  extra: Record<string, string> = {},
  backend: 'inmemory' | 'redis' = 'inmemory',
): Promise<Service> {
  const backendEnv = await startBackendEnv(backend, extra);
  const manager = await createDataManager({ env: backendEnv.env, logger: silentLogger });
  const app = createApp(manager);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await (app.locals.framestore as AppLocals).close();
      await manager.close();
      await backendEnv.stop();
    },
  };
}

/** One flow: numbered steps, each followed by a screenshot; waits that fail name the hook they waited for. */
export class Flow {
  private step = 0;
  readonly started = Date.now();

  constructor(
    readonly page: Page,
    private readonly name: string,
  ) {
    mkdirSync(ARTIFACTS, { recursive: true });
  }

  /** Runs `fn`, then writes tests/artifacts/<flow>-<nn>-<label>.png. */
  async run(label: string, fn: () => Promise<void>): Promise<void> {
    this.step++;
    const file = join(ARTIFACTS, `${this.name}-${String(this.step).padStart(2, '0')}-${label}.png`);
    try {
      await fn();
    } finally {
      await this.page.screenshot({ path: file as `${string}.png`, fullPage: true }).catch(() => undefined);
    }
  }

  /** waitForSelector for a data-testid hook (plus an optional attribute condition), failing with its name. */
  async hook(testid: string, condition = '', timeout = 10_000): Promise<ElementHandle> {
    const selector = `[data-testid="${testid}"]${condition}`;
    try {
      const handle = await this.page.waitForSelector(selector, { visible: true, timeout });
      if (handle === null) throw new Error('no element');
      return handle;
    } catch (error) {
      throw new Error(
        `step ${this.step}: waited ${timeout} ms for data-testid="${testid}"${condition}: ${String(error)}`,
      );
    }
  }

  /** Waits until `predicate` (run in the page) is true; the message says what it waited for. */
  async until(what: string, predicate: string, timeout = 10_000): Promise<void> {
    try {
      await this.page.waitForFunction(predicate, { timeout });
    } catch (error) {
      throw new Error(`step ${this.step}: waited ${timeout} ms for ${what}: ${String(error)}`);
    }
  }

  async click(testid: string, condition = ''): Promise<void> {
    await (await this.hook(testid, condition)).click();
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }
}

/** A new page that fails the test on a page error (an exception in the explorer's code). */
export async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/401|Unauthorized/.test(message.text())) errors.push(message.text());
  });
  return page;
}

/** Rows of a CSV the flows upload: `id,name,score,city`, 250 rows. */
export function peopleCsv(rows = 250, edit?: (i: number) => string | undefined): string {
  const lines = ['id,name,score,city'];
  for (let i = 0; i < rows; i++) lines.push(edit?.(i) ?? `${i},n${i},${i / 2},c${i % 3}`);
  return `${lines.join('\n')}\n`;
}
