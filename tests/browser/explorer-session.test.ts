import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import {
  type Dataset,
  Flow,
  launchBrowser,
  newPage,
  peopleCsv,
  type Service,
  startService,
} from './browser-harness.js';

/** The explorer on one session: upload → grid → page → mark → undo → redo → restore → diff → delete. */
describe('session explorer: one session, end to end', () => {
  let browser: Browser;
  let service: Service;
  const dir = mkdtempSync(join(tmpdir(), 'framestore-browser-'));
  const errors: string[] = [];

  beforeAll(async () => {
    [browser, service] = await Promise.all([launchBrowser(), startService()]);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sessionVersion = (flow: Flow): Promise<number> =>
    flow.page.$eval('[data-testid="grid"]', (grid) => Number((grid as unknown as Dataset).dataset.version));
  const untilVersionAbove = (flow: Flow, version: number): Promise<void> =>
    flow.until(
      `data-testid="grid" data-version > ${version}`,
      `Number(document.querySelector('[data-testid="grid"]')?.dataset.version) > ${version}`,
    );

  it('upload a CSV, page, mark, undo, redo, restore, diff, delete', async () => {
    const page = await newPage(browser, errors);
    const flow = new Flow(page, 'session');
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, peopleCsv());
    let id = '';

    await flow.run('open', async () => {
      await page.goto(`${service.url}/ui/`);
      await flow.until(
        'the page to finish loading (body[data-ready])',
        'document.body.dataset.ready === "true"',
      );
      await flow.hook('health', '[data-backend="inmemory"]');
    });

    await flow.run('upload-csv', async () => {
      const input = await page.$('[data-testid="upload-input"]');
      if (input === null) throw new Error('no data-testid="upload-input"');
      await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(csv);
      const row = await flow.hook('session-row');
      id = await row.evaluate((tr) => (tr as unknown as Dataset).dataset.sessionId ?? '');
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      await flow.hook('grid', '[data-offset="0"]');
      expect(await page.$$eval('[data-testid="grid-row"]', (rows) => rows.length)).toBe(100);
      const types = await page.$$eval('[data-testid="grid"] thead .type', (spans) =>
        spans.map((s) => s.textContent),
      );
      expect(types).toEqual(['Int64', 'Utf8', 'Float64', 'Utf8']);
    });

    await flow.run('next-page', async () => {
      await flow.click('next-page');
      await flow.hook('grid', '[data-offset="100"]');
      const first = await page.$eval(
        '[data-testid="grid-row"]',
        (tr) => (tr as unknown as Dataset).dataset.row,
      );
      expect(first).toBe('100');
    });

    await flow.run('mark-missing', async () => {
      await page.click('[data-testid="grid-row"][data-row="105"] td[data-column="score"]');
      await page.type('#mark-reason', 'sensor offline');
      await flow.click('mark-missing');
      await page
        .waitForSelector(
          '[data-testid="grid-row"][data-row="105"] td[data-column="score"][data-marked="true"]',
          { timeout: 10_000 },
        )
        .catch((error) => {
          throw new Error(
            `waited for data-testid="grid-row" row 105 score cell data-marked: ${String(error)}`,
          );
        });
      await flow.hook('audit-item');
    });

    // The app (not the page) applies two cleaning steps; the page shows them after Refresh.
    const put = async (operation: string, body: string) => {
      const res = await fetch(`${service.url}/sessions/${id}/data?operation=${operation}&user=ana`, {
        method: 'PUT',
        headers: { 'Content-Type': 'text/csv' },
        body,
      });
      expect(res.status).toBe(200);
    };
    await flow.run('two-edits', async () => {
      const before = await sessionVersion(flow);
      await put(
        'rename_5',
        peopleCsv(250, (i) => (i === 5 ? '5,renamed,2.5,c2' : undefined)),
      );
      await put(
        'round_scores',
        peopleCsv(250, (i) => (i === 5 ? `5,renamed,3,c2` : `${i},n${i},${Math.round(i / 2)},c${i % 3}`)),
      );
      await page.click('#refresh');
      await untilVersionAbove(flow, before);
      await flow.hook('history-item');
      expect(await page.$$eval('[data-testid="history-item"]', (items) => items.length)).toBe(2);
      expect(await page.$eval('#session-user', (p) => p.textContent)).toBe('last user: ana');
    });

    await flow.run('undo', async () => {
      const before = await sessionVersion(flow);
      await flow.click('undo');
      await untilVersionAbove(flow, before);
      await flow.until('redo enabled', `!document.querySelector('[data-testid="redo"]').disabled`);
    });

    await flow.run('redo', async () => {
      const before = await sessionVersion(flow);
      await flow.click('redo');
      await untilVersionAbove(flow, before);
    });

    await flow.run('restore-oldest', async () => {
      const before = await sessionVersion(flow);
      const versions = await page.$$eval('[data-testid="history-item"]', (items) =>
        items.map((li) => Number((li as unknown as Dataset).dataset.version)),
      );
      const oldest = Math.min(...versions);
      await page.click(`[data-testid="history-item"][data-version="${oldest}"] [data-testid="restore"]`);
      await untilVersionAbove(flow, before);
      const row5 = await fetch(
        `${service.url}/sessions/${id}/data?offset=5&limit=1&columns=name&format=json`,
      );
      expect(await row5.json()).toEqual([{ name: 'n5' }]);
    });

    await flow.run('diff', async () => {
      const newest = await page.$eval(
        '[data-testid="history-item"]',
        (li) => (li as unknown as Dataset).dataset.version,
      );
      await page.click(`[data-testid="history-item"][data-version="${newest}"] [data-testid="history-diff"]`);
      await flow.hook('diff', `[data-from="${newest}"]`);
      const changed = await page.$eval('[data-testid="diff"] [data-diff="changed"]', (s) => s.textContent);
      expect(changed).toBe('name, score');
      expect(await page.$eval('[data-testid="diff"]', (d) => d.textContent)).toContain('rows 250 → 250');
    });

    await flow.run('delete', async () => {
      await page.click(`[data-testid="session-row"][data-session-id="${id}"] [data-testid="delete-session"]`);
      await flow.click('confirm-yes');
      await flow.until(
        `data-testid="session-row" data-session-id="${id}" to disappear`,
        `document.querySelector('[data-testid="session-row"][data-session-id="${id}"]') === null`,
      );
      expect((await fetch(`${service.url}/sessions/${id}`)).status).toBe(404);
    });

    console.log(`browser flow "session": ${flow.elapsedMs()} ms`);
    await page.close();
    expect(errors).toEqual([]);
  });
});
