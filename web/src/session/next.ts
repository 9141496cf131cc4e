/**
 * The `?next=` of /login: a path of this console only (no scheme, no //host), and only the path:
 * query strings may carry what users typed (customer data must not sit in URLs or history).
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  const path = raw.split(/[?#]/)[0];
  return path.startsWith('/login') ? '/' : path;
}

export function loginPath(pathname: string): string {
  const next = safeNext(pathname);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/** Why the user landed on /login (router state, shown once). */
export type LoginNotice = 'idle' | 'signedOut' | 'sessionEnded' | 'passwordChanged';
