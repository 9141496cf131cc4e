import express, { Express } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { AppContext } from './context';
import { AppError } from './errors';
import { LoginThrottleStore } from './features/auth/login-throttle';
import { errorHandler } from './api/middleware/error-handler';
import { requestContext } from './api/middleware/request-context';
import { mountRoutes } from './api/mount-routes';
import { serveConsole } from './api/console';
import { allRoutes } from './api/routes';
import { RouteSpec } from './api/route';
import { swaggerUi } from './lib/heavy-modules';

export interface AppOptions {
  /** Extra routes (tests use this to prove that an undeclared route cannot be mounted). */
  extraRoutes?: RouteSpec[];
}

/** Builds the Express app on a ready context (database initialised, policy loaded). */
export function createApp(ctx: AppContext, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // No conditional GETs on this API (personal data is not to be cached): skip hashing every body for an ETag.
  app.set('etag', false);
  app.set('trust proxy', process.env.TRUST_PROXY ? Number(process.env.TRUST_PROXY) || process.env.TRUST_PROXY : false);
  app.set('query parser', 'simple');
  app.use(requestContext(ctx.logger));

  const routes = [...allRoutes(ctx), ...(opts.extraRoutes ?? [])];

  // Swagger UI needs inline styles/scripts: it gets its own relaxed headers, the API keeps the strict ones.
  // The UI's module is loaded by the first visit to /docs, not at start-up.
  const docs = express.Router();
  let docsReady = false;
  app.use('/docs', helmet({ contentSecurityPolicy: false }), (req, res, next) => {
    if (!docsReady) {
      const ui = swaggerUi();
      docs.use(ui.serve, ui.setup(undefined, { swaggerOptions: { url: '/api/v1/openapi.json' } }));
      docsReady = true;
    }
    docs(req, res, next);
  });
  // A strict policy for the console and the API alike: scripts only from this origin, never
  // inline. Ant Design writes its styles at run time, hence inline styles (no inline script).
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          // The handover viewer shows a PDF inline from a blob (R-HANDOVER-HOLD: a clerk views, never downloads).
          frameSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  // Answers of the API may carry personal data: no cache keeps them (routes may say more).
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const json = express.json({ limit: ctx.config.bodyLimit, strict: true });
  // GET/HEAD carry no body: skip the parser on the hot read paths.
  app.use((req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : json(req, res, next)));
  // Per-IP login throttle, counted in the database (login_throttle): every instance on it counts
  // the same attempts, so N instances allow what one allows (R-SCOPE, issue 14 §4).
  const loginLimit = rateLimit({
      windowMs: 60_000,
      limit: ctx.config.loginRateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: new LoginThrottleStore(ctx.db, ctx.logger),
      handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', 'Too many login attempts from this address; wait a minute')),
  });
  // Sign-ins only (bearer login and console session); signing out is not throttled.
  app.use(['/api/v1/auth/login', '/api/v1/auth/session'], (req, res, next) => (req.method === 'POST' ? loginLimit(req, res, next) : next()));

  mountRoutes(app, routes, ctx);
  serveConsole(app);

  app.use((req, _res, next) => next(new AppError(404, 'not_found', `No route ${req.method} ${req.path}`)));
  // R-AUDIT: the error handler records every 403 that nobody recorded (src/policy/refusal.ts).
  app.use(errorHandler(ctx.logger, ctx.authz));
  return app;
}
