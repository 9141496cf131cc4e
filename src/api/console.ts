import fs from 'node:fs';
import path from 'node:path';
import express, { Express } from 'express';
import { AppError } from '../errors';

/**
 * Where the console's build sits: dist/web beside the compiled server (dist/src/api/console.js),
 * also when the server runs from its TypeScript sources (the tests); CONSOLE_DIR overrides it.
 */
function consoleDir(): string {
  if (process.env.CONSOLE_DIR) return path.resolve(process.env.CONSOLE_DIR);
  const root = path.resolve(__dirname, '..', '..');
  return path.basename(root) === 'dist' ? path.join(root, 'web') : path.join(root, 'dist', 'web');
}

/** Paths the console never answers: the API, its document, and the probes. */
const NOT_CONSOLE = /^\/(api|docs|healthz|readyz)(\/|$)/;

/**
 * Serves the web console (web/, built by Vite) at `/`. Vite names every asset by its content hash,
 * so assets are cached for a year and never revalidated; index.html is never cached, so a new
 * release is picked up on the next load. Any other GET that is not the API falls back to
 * index.html for the console's own routing.
 */
export function serveConsole(app: Express, dir = consoleDir()): void {
  const index = path.join(dir, 'index.html');
  const assets = path.join(dir, 'assets');
  // Scripts and stylesheets go out gzipped when the browser accepts it: the build writes a .gz
  // beside each (scripts/build-web.js), so nothing is compressed per request.
  // Middleware, not a route: the routes of the app are exactly the declared API (R-SECRET).
  app.use('/assets', (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !/^\/[^/]+\.(js|css)$/.test(req.path)) return next();
    const file = path.join(assets, path.basename(req.path));
    if (!req.acceptsEncodings('gzip') || !fs.existsSync(`${file}.gz`)) return next();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type(path.extname(file));
    res.sendFile(`${file}.gz`);
  });
  app.use(
    express.static(dir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        res.setHeader('Cache-Control', file.startsWith(path.join(dir, 'assets') + path.sep) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path) || req.path.startsWith('/assets/')) return next();
    if (!fs.existsSync(index)) return next(new AppError(404, 'not_found', `No route ${req.method} ${req.path} (the web console is not built: npm run build)`));
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
}
