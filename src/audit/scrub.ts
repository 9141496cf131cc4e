/** Keys whose values never enter the audit trail or the logs, whatever a caller passes. */
const SECRET_KEYS = /password|passwordhash|token|secret|authorization|cookie/i;

/** Returns a JSON-safe copy with secret-looking keys replaced by "[redacted]" and Dates as ISO strings. */
export function scrub(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(scrub);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : scrub(v);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
