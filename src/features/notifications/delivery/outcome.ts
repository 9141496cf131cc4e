/** A send that did not go through; its message is safe to store in lastError and to log. */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';
}

/**
 * The channel itself is down, not this message: the mail server cannot be reached, refuses the
 * connection, the TLS handshake or our login. Such a failure uses up none of the message's
 * attempts: the mail waits however long the outage lasts, and nothing is dead-lettered for it.
 */
export class ChannelDown extends DeliveryFailure {}

/**
 * The text kept in lastError and written to the log: the error's message with every secret the
 * send used (SMTP password, webhook URL and its token, signing secret) blanked, at most 500
 * characters. Secrets shorter than 4 characters are not searched for (they would blank ordinary words).
 */
export function safeError(err: unknown, secrets: Array<string | null | undefined>): string {
  let text = err instanceof Error ? err.message : String(err);
  const words = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    words.add(s);
    words.add(encodeURIComponent(s));
    // A URL's query values (WeCom key=, DingTalk access_token=) and its last path segment (Feishu's hook id).
    try {
      const u = new URL(s);
      for (const v of u.searchParams.values()) if (v.length >= 4) words.add(v);
      const last = u.pathname.split('/').pop();
      if (last && last.length >= 8) words.add(last);
      if (u.password) words.add(decodeURIComponent(u.password));
    } catch {
      // not a URL
    }
  }
  for (const w of [...words].sort((a, b) => b.length - a.length)) text = text.split(w).join('***');
  return text.replace(/\s+/g, ' ').trim().slice(0, 500) || 'unknown error';
}
