import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, networkError } from './errors';
import { agreementRequired, sessionEnded, touch, unavailable } from './events';
import { setCompanyTimeZone } from '../i18n/format';

export { ApiError } from './errors';

/** Every request the console makes carries it (the server refuses unsafe cookie requests without it: csrf_rejected). */
export const CONSOLE_HEADER = { 'X-Custodian-Console': '1' } as const;

/**
 * Marks a call the console makes by itself, not for something the user did (the bell's unread
 * count polled every minute): its answer does not reset the idle timer, so a console left open
 * still signs out after the idle timeout. A 401 or 503 answer is still seen by the shell.
 * `api.GET('/api/v1/me/notifications/unread-count', { headers: BACKGROUND })`.
 */
export const BACKGROUND = { 'X-Custodian-Background': '1' } as const;

const SIGN_IN = '/api/v1/auth/session';
const ME = '/api/v1/me';

/**
 * The company's time zone arrives with GET /api/v1/me (company.timeZone, the server's JOBS_TIMEZONE),
 * which the console loads before it shows anything: dates are then formatted in it (i18n/format.ts).
 * Read here, before the caller gets the answer, so no date is ever shown in the default zone first.
 */
async function noteCompanyTimeZone(request: Request, response: Response): Promise<void> {
  if (!response.ok || request.method !== 'GET' || new URL(request.url, location.origin).pathname !== ME) return;
  try {
    const body = (await response.clone().json()) as { company?: { timeZone?: unknown } };
    const zone = body?.company?.timeZone;
    if (typeof zone === 'string' && zone && isKnownZone(zone)) setCompanyTimeZone(zone);
  } catch {
    // Not JSON: the zone stays as it was.
  }
}

/** A zone this browser can format in (an unknown one would throw on every date). */
function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads the error code of a JSON error answer without consuming the body the caller will read. */
async function codeOf(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return typeof body?.error?.code === 'string' ? body.error.code : null;
  } catch {
    return null;
  }
}

/** What every answer means for the shell (exported for download() and any raw fetch). */
export async function observe(request: Request, response: Response): Promise<void> {
  const s = response.status;
  if (s === 503) {
    unavailable.set({ retryAfter: Number(response.headers.get('Retry-After')) || 30 });
    return;
  }
  if (unavailable.get()) unavailable.set(null);
  if (s === 401) {
    const code = await codeOf(response);
    // Wrong credentials (sign-in, or the current password on the password page) do not end a session.
    // Signing in or out answers for itself.
    const signingIn = new URL(request.url, location.origin).pathname === SIGN_IN;
    if (!signingIn && code !== 'invalid_credentials') sessionEnded.set(sessionEnded.get() + 1);
    return;
  }
  // Any other answer came from a live session, which the server just slid forward.
  // X-Session-Expires-In: how long the session token in effect has left (the server re-issues it at most
  // every 30 s, so it can be less than the whole idle timeout). A background call (BACKGROUND) says
  // nothing about the user being active: it leaves the idle timer alone.
  if (request.headers.get('X-Custodian-Background') !== '1') {
    touch(Number(response.headers.get('X-Session-Expires-In')) || Number(response.headers.get('X-Session-Idle-Seconds')) || undefined);
  }
  if (s === 403 && (await codeOf(response)) === 'agreement_required') agreementRequired.set(agreementRequired.get() + 1);
}

const shell: Middleware = {
  async onResponse({ request, response }) {
    await observe(request, response);
    await noteCompanyTimeZone(request, response);
    return undefined;
  },
};

/**
 * The typed API client: `api.GET('/api/v1/me')`, `api.POST('/api/v1/customers', { body })`;
 * paths, parameters and bodies are checked against web/src/api/schema.d.ts (npm run api:types).
 * Wrap calls in unwrap() to get the data or an ApiError.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin', headers: CONSOLE_HEADER });
api.use(shell);

type Result = { data?: unknown; error?: unknown; response: Response };

/**
 * The data of a call, or throws ApiError (status 0 for no answer at all).
 * `const me = await unwrap(api.GET('/api/v1/me'))`. Routes without a response schema type their
 * data `unknown`: name it with unwrapAs<T>() until the route declares one.
 */
export async function unwrap<R extends Result>(call: Promise<R>): Promise<Exclude<R['data'], undefined>> {
  let r: R;
  try {
    r = await call;
  } catch (err) {
    throw networkError(err);
  }
  if (!r.response.ok) throw ApiError.from(r.response, r.error ?? null);
  return r.data as Exclude<R['data'], undefined>;
}

/** unwrap() with the data's type named by the caller (for routes whose response is untyped in the document). */
export function unwrapAs<T>(call: Promise<Result>): Promise<T> {
  return unwrap(call) as Promise<T>;
}

/** File name from Content-Disposition (RFC 5987 filename* first). */
function fileName(response: Response, fallback: string): string {
  const cd = response.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

/**
 * A request the typed client cannot make (a file as the raw body, an answer that is JSON or a PDF):
 * sent with the console header and the session cookie, seen by the shell like any other answer
 * (session, unavailability), and an ApiError when refused. The caller reads the body.
 */
export async function rawFetch(url: string, init: RequestInit): Promise<Response> {
  const request = new Request(url, { credentials: 'same-origin', ...init, headers: { ...CONSOLE_HEADER, ...(init.headers ?? {}) } });
  let response: Response;
  try {
    response = await fetch(request);
  } catch (err) {
    throw networkError(err);
  }
  await observe(request, response);
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the text.
    }
    throw ApiError.from(response, body);
  }
  return response;
}

/**
 * Downloads a file answer (PDF, CSV, XLSX): fetched with the console header and the session
 * cookie, saved through a temporary object URL (revoked at once; nothing is stored).
 * `await download('/api/v1/cases/statistics/2026-11?format=xlsx')`. Throws ApiError on refusal.
 * POST downloads: `download(url, { method: 'POST', body: JSON.stringify(x) })`.
 */
export async function download(url: string, init: { method?: string; body?: string; fileName?: string } = {}): Promise<void> {
  const response = await rawFetch(url, {
    method: init.method ?? 'GET',
    headers: init.body ? { 'Content-Type': 'application/json' } : {},
    body: init.body,
  });
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = href;
    a.download = init.fileName ?? fileName(response, url.split('?')[0].split('/').pop() || 'download');
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Revoked on the next tick: the click has started the save by then.
    setTimeout(() => URL.revokeObjectURL(href), 0);
  }
}
