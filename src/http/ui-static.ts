import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';

/**
 * The session explorer (§9): static files served under /ui/. They sit in `src/ui/` and the build copies
 * them to `dist/src/ui/`, so `../ui/` next to this module is right from a checkout (tsx, jest) and from
 * the published package alike. The browser build of apache-arrow (a dependency already) is served from
 * node_modules, so the page decodes Arrow schemas without a CDN or a build step.
 */

const UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));
const ARROW_BUNDLE = createRequire(import.meta.url).resolve('apache-arrow/Arrow.esnext.min');

// The page runs only its own files and talks only to this origin.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};

/** The router to mount at `/ui`: `/ui` → `/ui/`, the page's files, and `vendor/arrow.js`. */
export function uiStatic(): Router {
  if (!existsSync(`${UI_DIR}index.html`)) {
    throw new Error(`session explorer files missing in ${UI_DIR} (run npm run build)`);
  }
  const router = Router();
  router.use(securityHeaders);
  router.get('/', (req, res, next) => {
    // Mounted at /ui: a request for "/ui" arrives as "/" with no trailing slash in the original URL.
    const original = req.originalUrl.split('?')[0] ?? '';
    if (!original.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });
  router.get('/vendor/arrow.js', (_req, res) => {
    res.type('text/javascript').sendFile(ARROW_BUNDLE, { maxAge: '1h' });
  });
  router.use(express.static(UI_DIR, { index: 'index.html', redirect: false, fallthrough: true }));
  return router;
}
