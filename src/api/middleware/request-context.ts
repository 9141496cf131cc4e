import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../logger';

const SAFE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Gives every request an id (the caller's X-Request-Id if it is sane) and writes exactly one
 * log line when the response finishes: id, user, method, route pattern (never the raw URL,
 * which may carry a phone number in a query), status, duration.
 */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info('request', {
        requestId,
        userId: res.locals.userId ?? null,
        method: req.method,
        route: res.locals.route ?? 'unmatched',
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      });
    });
    next();
  };
}
