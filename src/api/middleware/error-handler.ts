import type { NextFunction, Request, Response } from 'express';
import { AppError, ServiceUnavailableError } from '../../errors';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { RefusedRequest } from '../../policy/refusal';

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
]);

/** True for errors meaning "the database cannot be reached right now" (answered 503, not 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? e.driverError?.code;
  if (code && DB_DOWN_CODES.has(code)) return true;
  return /connect ECONNREFUSED|Connection lost|Pool is closed|Can't add new command when connection is in closed state|connection is in closed state/i.test(
    e.message ?? '',
  );
}

/**
 * A unique constraint hit by a concurrent request (the check before the insert passed in both):
 * a state conflict, answered 409 like the check would have; never a 500.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Body-parser failures carry a `type`; map them to our error shape. */
function fromBodyParser(err: { type?: string; status?: number }): AppError | null {
  if (err.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'The request body is not valid JSON');
  if (err.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'The request body is too large');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new AppError(415, 'unsupported_encoding', 'Unsupported request body encoding');
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new AppError(err.status, 'bad_request', 'The request could not be read');
  }
  return null;
}

/**
 * The one error handler: typed errors keep their status and code; anything unexpected is a
 * 500 with a generic message (the stack goes to the log, never to the client).
 *
 * R-AUDIT: every 403 leaves one deny event. A refusal that the authorizer or a service already
 * wrote to the trail is passed through; any other (the account gate, a service's plain
 * ForbiddenError) is recorded here, before the answer, with what mount-routes knew of the
 * request (res.locals.refused: the caller, the permission, the scope it resolved).
 */
export function errorHandler(logger: Logger, authz?: Pick<Authorizer, 'recordRefused'>) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    let appErr: AppError | null = null;
    if (err instanceof AppError) appErr = err;
    else if (isDatabaseUnavailable(err)) appErr = new ServiceUnavailableError();
    else if (isUniqueViolation(err)) appErr = new AppError(409, 'conflict', 'A concurrent request created the same record; reload and try again');
    else if (err && typeof err === 'object') appErr = fromBodyParser(err as { type?: string; status?: number });

    if (!appErr) {
      logger.error('unhandled error', {
        requestId: res.locals.requestId,
        route: res.locals.route,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      appErr = new AppError(500, 'internal_error', 'An unexpected error occurred; it has been logged');
    } else if (appErr.status === 503) {
      logger.warn('database unavailable', { requestId: res.locals.requestId, error: String((err as Error).message ?? err) });
    }
    const refused = res.locals.refused as RefusedRequest | undefined;
    if (appErr.status === 403 && authz && refused) await authz.recordRefused(appErr, refused);
    if (res.headersSent) return;
    if (appErr.status === 503) res.setHeader('Retry-After', '5');
    res.status(appErr.status).json({
      error: {
        code: appErr.code,
        message: appErr.message,
        details: appErr.details ?? null,
        requestId: res.locals.requestId ?? null,
      },
    });
  };
}
