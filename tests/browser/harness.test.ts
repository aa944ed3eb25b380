import type { Browser } from 'puppeteer-core';
import { Flow, findChromium, launchBrowser } from './browser-harness.js';

/** The harness's own promises: a missing browser fails with the fix, a failed wait names its hook. */
describe('browser harness', () => {
  it('a missing chromium is a failure that says how to install it', () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      expect(() => findChromium()).toThrow(/apt-get install chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('a wait that times out names the data-testid it waited for', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage();
      await page.setContent('<p data-testid="there">x</p>');
      const flow = new Flow(page, 'harness');
      await expect(flow.hook('there')).resolves.toBeDefined();
      await expect(flow.hook('never-there', '', 200)).rejects.toThrow(/data-testid="never-there"/);
    } finally {
      await browser?.close();
    }
  });
});
