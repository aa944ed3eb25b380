import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { threeSheetWorkbook } from '../http/xlsx-fixtures.js';
import { Flow, launchBrowser, newPage, peopleCsv, startService } from './browser-harness.js';

const uploadFile = async (flow: Flow, file: string): Promise<void> => {
  const input = await flow.page.$('[data-testid="upload-input"]');
  if (input === null) throw new Error('no data-testid="upload-input"');
  await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(file);
};

/** A multi-sheet workbook through the sheet picker; the store panel; the API_TOKEN prompt. */
describe('session explorer: uploads, store, token', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'framestore-browser-'));
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('multi-sheet xlsx → pick a sheet → promote; health shows the backend', async () => {
    const service = await startService();
    const errors: string[] = [];
    const page = await newPage(browser, errors);
    try {
      const flow = new Flow(page, 'xlsx');
      const file = join(dir, 'book.xlsx');
      writeFileSync(file, await threeSheetWorkbook());

      await flow.run('health', async () => {
        await page.goto(`${service.url}/ui/`);
        const health = await flow.hook('health', '[data-backend="inmemory"]');
        const text = await health.evaluate((node) => node.textContent ?? '');
        expect(text).toContain('inmemory');
        expect(text).toMatch(/healthy/);
      });

      await flow.run('sheet-picker', async () => {
        await uploadFile(flow, file);
        await flow.hook('sheet-picker');
        const names = await page.$$eval('[data-testid="sheet-select"] option', (options) =>
          options.map((o) => (o as unknown as { value: string }).value),
        );
        expect(names).toEqual(expect.arrayContaining(['Sales 2024', 'Personas', 'Notes']));
      });

      await flow.run('promote', async () => {
        await page.select('[data-testid="sheet-select"]', 'Notes');
        await flow.click('promote');
        await flow.hook('session-row');
        await flow.until(
          'data-testid="grid" with the 5 rows of sheet Notes',
          `document.querySelectorAll('[data-testid="grid-row"]').length === 5`,
        );
        const headers = await page.$$eval('[data-testid="grid"] thead th > span:first-child', (s) =>
          s.map((n) => n.textContent),
        );
        expect(headers).toEqual(['id', 'text']);
        expect(
          await page.$eval(
            '[data-testid="sheet-picker"]',
            (f) => (f as unknown as { hidden: boolean }).hidden,
          ),
        ).toBe(true);
      });

      await flow.run('keyboard', async () => {
        // Focus the grid, move down twice and right once, Enter picks that cell for the mark form.
        await page.focus('#grid-wrap');
        for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight'] as const) await page.keyboard.press(key);
        await page.keyboard.press('Enter');
        const picked = await page.evaluate(
          `[document.getElementById('mark-row').value, document.getElementById('mark-column').value]`,
        );
        expect(picked).toEqual(['1', 'text']);
      });

      await flow.run('phone', async () => {
        await page.setViewport({ width: 390, height: 844 });
        await flow.hook('grid');
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      });
      console.log(`browser flow "xlsx + health": ${flow.elapsedMs()} ms`);
    } finally {
      await page.close();
      await service.close();
    }
    expect(errors).toEqual([]);
  });

  it('with API_TOKEN the page asks for the token once, keeps it for the tab, and works after', async () => {
    const token = 'browser-test-token-0123456789';
    const service = await startService({ API_TOKEN: token });
    const errors: string[] = [];
    const page = await newPage(browser, errors);
    try {
      const flow = new Flow(page, 'token');
      const csv = join(dir, 'token.csv');
      writeFileSync(csv, peopleCsv(3));

      await flow.run('asked', async () => {
        await page.goto(`${service.url}/ui/`);
        await flow.hook('token-input');
      });

      await flow.run('token-given', async () => {
        await page.type('[data-testid="token-input"]', token);
        await flow.click('token-submit');
        await flow.until(
          'the page to finish loading after the token',
          'document.body.dataset.ready === "true"',
        );
        await flow.hook('health', '[data-backend="inmemory"]');
        expect(await page.evaluate('sessionStorage.getItem("framestore.apiToken")')).toBe(token);
      });

      await flow.run('works-after', async () => {
        await uploadFile(flow, csv);
        await flow.hook('grid', '[data-offset="0"]');
        expect(await page.$$eval('[data-testid="grid-row"]', (rows) => rows.length)).toBe(3);
        // A reload in the same tab does not ask again.
        await page.reload();
        await flow.until('the reloaded page to finish loading', 'document.body.dataset.ready === "true"');
        await flow.hook('session-row');
        expect(await page.$eval('#token-dialog', (d) => (d as unknown as { open: boolean }).open)).toBe(
          false,
        );
      });
      console.log(`browser flow "token": ${flow.elapsedMs()} ms`);
    } finally {
      await page.close();
      await service.close();
    }
    expect(errors).toEqual([]);
  });

  it('on Redis the store panel shows the backend, its Redis facts and the circuit breaker', async () => {
    const service = await startService({}, 'redis');
    const errors: string[] = [];
    const page = await newPage(browser, errors);
    try {
      const flow = new Flow(page, 'redis');
      await flow.run('health', async () => {
        await page.goto(`${service.url}/ui/`);
        const health = await flow.hook('health', '[data-backend="redis"][data-status="healthy"]');
        const text = await health.evaluate((node) => node.textContent ?? '');
        expect(text).toMatch(/Redis \d+\.\d+/);
        expect(text).toContain('circuit_breaker');
      });
      console.log(`browser flow "redis health": ${flow.elapsedMs()} ms`);
    } finally {
      await page.close();
      await service.close();
    }
    expect(errors).toEqual([]);
  });
});
