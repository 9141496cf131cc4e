import type { ErrorCode } from './errors/codes';

export { ERROR_CODES, ERROR_CODE_LIST, isErrorCode, type ErrorCode } from './errors/codes';

/**
 * Typed errors with stable codes. Services throw them; the one error handler in
 * src/api/middleware/error-handler.ts turns them into `{"error":{"code","message","details"}}`.
 * A code is a member of the closed catalogue (src/errors/codes.ts): a new one is added there.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(message: string, details: FieldIssue[] = []) {
    super(400, 'validation_failed', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(code: ErrorCode = 'unauthorized', message = 'Authentication required') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(403, code, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string | number) {
    super(404, 'not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'The database is unavailable; try again shortly') {
    super(503, 'service_unavailable', message);
  }
}
