import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import { HttpError } from './http-errors.js';

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

/**
 * The middleware to mount at `/ui`: `/ui` → `/ui/`, the page's files, and `vendor/arrow.js`. One plain
 * handler, not a Router, so the page's files never show up as API routes (or in the OpenAPI check).
 */
export function uiStatic(): RequestHandler {
  // A build that skipped the copy step loses the page, not the API: /ui/ says what is missing.
  if (!existsSync(`${UI_DIR}index.html`)) {
    return (req, _res, next) => {
      next(
        new HttpError(
          'ROUTE_NOT_FOUND',
          `the session explorer is not installed (${req.baseUrl}/ files missing; npm run build copies src/ui)`,
        ),
      );
    };
  }
  const files = express.static(UI_DIR, { index: 'index.html', redirect: false, fallthrough: true });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Mounted at /ui: a request for "/ui" arrives as "/" with no trailing slash in the original URL.
    if (req.path === '/' && !(req.originalUrl.split('?')[0] ?? '').endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    if (req.path === '/vendor/arrow.js') {
      res.type('text/javascript').sendFile(ARROW_BUNDLE, { maxAge: '1h' });
      return;
    }
    files(req, res, next);
  };
}
