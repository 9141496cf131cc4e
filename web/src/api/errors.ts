import { getLocale } from '../i18n/locale';
import { errorTexts } from '../i18n/errorTexts';

/** A refused or failed API call: the server's `{ error: { code, message, details, requestId } }` plus the status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;
  /**
   * 400 details by field: the detail path without its `body.`/`query.`/`params.` prefix
   * (`body.phones.0` -> `phones.0`), for forms (forms/apiErrors.ts) and filters.
   */
  readonly fieldErrors: Record<string, string>;

  constructor(status: number, code: string, message: string, details: unknown = null, requestId: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
    this.fieldErrors = {};
    if (Array.isArray(details)) {
      for (const d of details as { path?: unknown; message?: unknown }[]) {
        if (typeof d?.path === 'string' && typeof d.message === 'string') this.fieldErrors[fieldPath(d.path)] ??= d.message;
      }
    }
  }

  /** Builds one from a response and its parsed body (JSON error envelope, text, or nothing). */
  static from(response: Response, body: unknown): ApiError {
    const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | null)?.error;
    if (e && typeof e.code === 'string') {
      return new ApiError(response.status, e.code, typeof e.message === 'string' ? e.message : e.code, e.details ?? null, typeof e.requestId === 'string' ? e.requestId : null);
    }
    return new ApiError(response.status, `http_${response.status}`, typeof body === 'string' && body ? body.slice(0, 200) : response.statusText || `HTTP ${response.status}`);
  }

  /** The permission a 403 names (details.permission), if any. */
  get permission(): string | null {
    const p = (this.details as { permission?: unknown } | null)?.permission;
    return typeof p === 'string' ? p : null;
  }

  /**
   * The message to show: the console's text for the code in the current language (every catalogue
   * code has a Chinese one, a few an English one), else the server's message (English, and more
   * specific: it names the record).
   */
  get text(): string {
    return errorTexts[this.code]?.[getLocale()] ?? this.message;
  }
}

/** `body.phones.0` -> `phones.0`; `query.x` -> `x`. */
export function fieldPath(path: string): string {
  return path.replace(/^(body|query|params)\./, '');
}

/** A network failure (no response at all) as an ApiError with status 0. */
export function networkError(err: unknown): ApiError {
  return new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
}
